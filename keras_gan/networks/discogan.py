"""`discogan`: the DiscoGAN networks (Kim et al. 2017, the SKTBrain reference code), at 64 px.

G: an encoder-decoder with no skips: stride-2 4x4 Conv stages C64-C128-C256-C512 down to
4x4 (LeakyReLU 0.2, BatchNorm but on the first), then stride-2 4x4 ConvTranspose stages back
up (BatchNorm, ReLU), tanh (the reference's sigmoid, in this package's [-1, 1] range).
D: the same encoder, then a 4x4 valid convolution to one logit; it also returns its three
BatchNormed feature maps, for DiscoGAN's feature-matching loss: outputs [logit, f1, f2, f3].
Other sizes follow the same plan: log2(size) - 2 stride-2 stages to 4x4.
"""

from __future__ import annotations

import math

import keras
from keras import layers

from keras_gan.networks.base import Network, normal_init, power_of_two, reference_batch_norm


def _encoder(x, size: int, width: int, prefix: str) -> tuple:
    """Stride-2 stages to 4x4; returns (output, [the BatchNormed stages' activations])."""
    features = []
    for i in range(int(math.log2(size)) - 2):
        x = layers.Conv2D(min(width * 2**i, width * 8), 4, strides=2, padding="same",
                          use_bias=False, kernel_initializer=normal_init(),
                          name=f"{prefix}_conv_{i + 1}")(x)
        if i:
            x = reference_batch_norm(f"{prefix}_bn_{i + 1}")(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        if i:
            features.append(x)
    return x, features


def build_generator(source_shape: tuple, channels: int, width: int = 64) -> keras.Model:
    size = source_shape[0]
    image = keras.Input((None, None, source_shape[2]), name="image")
    x, _ = _encoder(image, size, width, "enc")
    stages = int(math.log2(size)) - 2
    for i in reversed(range(stages - 1)):
        x = layers.Conv2DTranspose(min(width * 2**i, width * 8), 4, strides=2, padding="same",
                                   use_bias=False, kernel_initializer=normal_init(),
                                   name=f"dec_{i + 1}")(x)
        x = layers.ReLU()(reference_batch_norm(f"dec_{i + 1}_bn")(x))
    output = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh",
                                    use_bias=False, kernel_initializer=normal_init(),
                                    name="output")(x)
    return keras.Model(image, output, name="generator")


def build_discriminator(image_shape: tuple, width: int = 64, norm: str = "batch") -> keras.Model:
    """[logit, feature maps...]: the features feed DiscoGAN's feature-matching loss."""
    del norm  # the reference's BatchNorm
    images = keras.Input(image_shape, name="images")
    x, features = _encoder(images, image_shape[0], width, "d")
    logit = layers.Flatten()(layers.Conv2D(1, 4, padding="valid", kernel_initializer=normal_init(),
                                           name="logit")(x))
    return keras.Model(images, [logit, *features], name="discriminator")


check_size = power_of_two(16, 512)
TRANSLATOR = Network("translator", build_generator,
                     "DiscoGAN encoder-decoder: stride-2 4x4 convs to 4x4 and back, BatchNorm, "
                     "no skips, tanh", check_size, lambda size: size // 4)
DISCRIMINATOR = Network("discriminator", build_discriminator,
                        "DiscoGAN: stride-2 4x4 convs to 4x4, a 4x4 logit, and its feature maps "
                        "(for feature matching)", check_size)
