"""Build a compiled GAN from a resolved RunConfig (used by train and sample)."""

from __future__ import annotations

import keras

from keras_gan.archs import ARCHS
from keras_gan.archs.base import with_spectral_norm
from keras_gan.config import RunConfig
from keras_gan.gan import GAN


def image_shape(config: RunConfig) -> tuple[int, int, int]:
    data = config.data
    if data.image_size is None or data.channels is None:
        raise ValueError("The config is not resolved: image_size and channels must be set.")
    return (data.image_size, data.image_size, data.channels)


def build_gan(config: RunConfig) -> GAN:
    arch = ARCHS.get(config.model.arch)
    latent_dim = config.model.latent_dim or arch.default_latent_dim
    shape = image_shape(config)
    generator = arch.build_generator(latent_dim, shape, config.model.width)
    discriminator = arch.build_discriminator(shape, config.model.width)
    if config.model.spectral_norm:
        discriminator = with_spectral_norm(discriminator)
    gan = GAN(generator, discriminator, latent_dim, seed=config.train.seed,
              ema_decay=config.train.ema, name="gan")
    train = config.train
    gan.compile(
        d_optimizer=keras.optimizers.Adam(train.lr, beta_1=train.beta_1, name="d_optimizer"),
        g_optimizer=keras.optimizers.Adam(train.lr, beta_1=train.beta_1, name="g_optimizer"),
        loss=train.loss,
    )
    gan.build()
    return gan
