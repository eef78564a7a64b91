"""`gan`: the vanilla fully-connected GAN (Goodfellow et al. 2014), MNIST-sized.

G: z -> Dense 128 -> 256 -> 512 -> 1024 (BatchNorm from 256 on, LeakyReLU 0.1)
   -> Dense(H*W*C), tanh, reshape.
D: flatten -> 512 -> 256 (LeakyReLU 0.1) -> 1 logit.
"""

from __future__ import annotations

import math

import keras
from keras import layers

from keras_gan.networks.base import Network, batch_norm

HIDDEN_G = (128, 256, 512, 1024)
HIDDEN_D = (512, 256)
# momentum 0.8: the moving statistics must keep up with a generator that changes
# every step, or eval-mode samples (grids, exports) drift from training-mode ones.
BN_MOMENTUM = 0.8
MIN_SIZE, MAX_SIZE = 4, 128


def build_generator(latent_dim: int, image_shape: tuple, width: int = 0) -> keras.Model:
    del width  # the MLP's widths are fixed
    z = keras.Input((latent_dim,), name="latent")
    x = z
    for i, units in enumerate(HIDDEN_G):
        x = layers.Dense(units, name=f"dense_{units}")(x)
        if i > 0:
            x = batch_norm(BN_MOMENTUM, name=f"bn_{units}")(x)
        x = layers.LeakyReLU(negative_slope=0.1)(x)
    x = layers.Dense(math.prod(image_shape), activation="tanh", name="to_pixels")(x)
    images = layers.Reshape(image_shape, name="images")(x)
    return keras.Model(z, images, name="generator")


def build_discriminator(image_shape: tuple, width: int = 0, norm: str = "batch") -> keras.Model:
    del width, norm  # no normalization in this D, so nothing changes for WGAN-GP
    images = keras.Input(image_shape, name="images")
    x = layers.Flatten()(images)
    for units in HIDDEN_D:
        x = layers.Dense(units, name=f"dense_{units}")(x)
        x = layers.LeakyReLU(negative_slope=0.1)(x)
    logits = layers.Dense(1, name="logit")(x)
    return keras.Model(images, logits, name="discriminator")


def default_image_size(native_size: int | None) -> int:
    """The data's own size, within the sizes the MLP takes (MNIST: 28); 32 when unknown."""
    return 32 if native_size is None else min(max(native_size, MIN_SIZE), MAX_SIZE)


def check_size(size: int) -> str | None:
    return None if MIN_SIZE <= size <= MAX_SIZE else \
        f"an image size from {MIN_SIZE} to {MAX_SIZE} pixels"


GENERATOR = Network("generator", build_generator,
                    "MLP: Dense 128-256-512-1024 (BN from 256, LeakyReLU 0.1), tanh", check_size)
DISCRIMINATOR = Network("discriminator", build_discriminator,
                        "MLP: Dense 512-256 (LeakyReLU 0.1), logit", check_size)
