"""`dcgan`: Radford et al. 2016, "Unsupervised Representation Learning with
Deep Convolutional Generative Adversarial Networks".

G: z -> Dense 4x4x(8w) -> BN, ReLU -> stride-2 Conv2DTranspose(4x4) + BN + ReLU
   stages that halve the channels and double the resolution -> last stage to C
   channels, tanh.
D mirrors it: stride-2 Conv(4x4) + BN + LeakyReLU 0.2 (no BN on the first)
   down to 4x4, then a 4x4 valid conv to one logit.
"""

from __future__ import annotations

import keras
from keras import layers

from keras_gan.networks.base import Network, batch_norm, nearest_size, normal_init, power_of_two

BN_MOMENTUM = 0.9  # PyTorch's momentum=0.1, the DCGAN reference implementation's
MIN_SIZE, MAX_SIZE = 8, 128


def channels_at(resolution: int, width: int) -> int:
    """Feature channels at a resolution: 8w at 4x4, halving as resolution doubles."""
    return max(1, (32 * width) // resolution)


def build_generator(latent_dim: int, image_shape: tuple, width: int = 64) -> keras.Model:
    size, _, channels = image_shape
    z = keras.Input((latent_dim,), name="latent")
    x = layers.Dense(4 * 4 * channels_at(4, width), use_bias=False, kernel_initializer=normal_init())(z)
    x = layers.Reshape((4, 4, channels_at(4, width)))(x)
    x = batch_norm(BN_MOMENTUM)(x)
    x = layers.ReLU()(x)
    resolution = 4
    while resolution * 2 < size:
        resolution *= 2
        x = layers.Conv2DTranspose(
            channels_at(resolution, width), 4, strides=2, padding="same",
            use_bias=False, kernel_initializer=normal_init(),
        )(x)
        x = batch_norm(BN_MOMENTUM)(x)
        x = layers.ReLU()(x)
    images = layers.Conv2DTranspose(
        channels, 4, strides=2, padding="same", activation="tanh",
        kernel_initializer=normal_init(), name="images",
    )(x)
    return keras.Model(z, images, name="generator")


def build_discriminator(image_shape: tuple, width: int = 64, norm: str = "batch") -> keras.Model:
    """norm "layer": LayerNormalization instead of BatchNorm, for per-sample penalties (WGAN-GP)."""
    images = keras.Input(image_shape, name="images")
    x = images
    resolution = image_shape[0]
    first = True
    while resolution > 4:
        resolution //= 2
        x = layers.Conv2D(
            channels_at(resolution, width), 4, strides=2, padding="same",
            use_bias=first, kernel_initializer=normal_init(),
        )(x)
        if not first and norm == "layer":
            x = layers.LayerNormalization(axis=(1, 2, 3))(x)
        elif not first:
            x = batch_norm(BN_MOMENTUM)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        first = False
    x = layers.Conv2D(1, 4, padding="valid", kernel_initializer=normal_init(), name="logit")(x)
    logits = layers.Flatten()(x)
    return keras.Model(images, logits, name="discriminator")


def default_image_size(native_size: int | None) -> int:
    """32 or 64, whichever is nearer the data's own size (MNIST's 28, CIFAR's 32, a folder
    of 40 px icons: 32); 64 when unknown. 128 only when asked for."""
    return 64 if native_size is None else nearest_size(native_size, (32, 64))


check_size = power_of_two(MIN_SIZE, MAX_SIZE, " (32, 64 or 128 for real data)")
GENERATOR = Network("generator", build_generator,
                    "DCGAN: Dense 4x4x8w, stride-2 ConvTranspose + BN + ReLU stages, tanh", check_size)
DISCRIMINATOR = Network("discriminator", build_discriminator,
                        "DCGAN: stride-2 Conv + BN + LeakyReLU 0.2 stages, 4x4 valid conv", check_size)
