"""Build a compiled GAN from a resolved RunConfig (used by train and sample)."""

from __future__ import annotations

import contextlib

import keras

from keras_gan.archs import ARCHS, conditional
from keras_gan.archs.base import with_spectral_norm
from keras_gan.augment import ADAPTIVE, DEFAULT_POLICY, DiffAugment, parse_augment
from keras_gan.config import RunConfig, TrainConfig
from keras_gan.gan import GAN
from keras_gan.losses import LOSSES


def image_shape(config: RunConfig) -> tuple[int, int, int]:
    data = config.data
    if data.image_size is None or data.channels is None:
        raise ValueError("The config is not resolved: image_size and channels must be set.")
    return (data.image_size, data.image_size, data.channels)


def train_settings(train: TrainConfig) -> TrainConfig:
    """`train` with unset optimizer fields taken from its loss's defaults."""
    return train.with_defaults(LOSSES.get(train.loss).defaults)


def build_augment(spec: str, seed: int) -> DiffAugment | None:
    names = parse_augment(spec)
    if not names:
        return None
    policy = tuple(n for n in names if n != ADAPTIVE) or DEFAULT_POLICY
    # seed + 2: independent of the latent (seed) and penalty (seed + 1) streams
    return DiffAugment(policy, adaptive=ADAPTIVE in names, seed=seed + 2, name="augment")


def build_networks(config: RunConfig, latent_dim: int) -> tuple[keras.Model, keras.Model]:
    model, shape = config.model, image_shape(config)
    arch = ARCHS.get(model.arch)
    norm = LOSSES.get(config.train.loss).discriminator_norm
    if model.conditional:
        if model.num_classes is None:
            raise ValueError("The config is not resolved: a conditional model needs num_classes.")
        generator = conditional.build_generator(arch, latent_dim, shape, model.width,
                                                model.num_classes)
        discriminator = conditional.build_discriminator(arch, shape, model.width, norm,
                                                        model.num_classes)
    else:
        generator = arch.build_generator(latent_dim, shape, model.width)
        discriminator = arch.build_discriminator(shape, model.width, norm)
    if model.spectral_norm:
        discriminator = with_spectral_norm(discriminator)
    return generator, discriminator


@contextlib.contextmanager
def dtype_policy(name: str):
    """Layers built inside take this Keras dtype policy (variables stay float32)."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def jit_compile(xla: str, arch: str) -> bool | str:
    """TrainConfig.xla -> Keras' jit_compile: "auto" is Keras' own choice where there is
    a GPU (XLA), and on a CPU-only machine the architecture's measured choice, except
    with several replicas (XLA cannot compile one step over variables on several CPU
    devices)."""
    import tensorflow as tf

    from keras_gan.distribute import replicas_in_sync

    if xla != "auto":
        return xla == "on"
    if tf.config.list_logical_devices("GPU"):
        return "auto"
    return ARCHS.get(arch).xla_on_cpu and replicas_in_sync() == 1


def build_gan(config: RunConfig, precision: str | None = None) -> GAN:
    """precision: the layers' policy instead of config.train.precision ("float32" for
    inference and export). The optimizers always follow the config, so a checkpoint
    loads into either build."""
    latent_dim = config.model.latent_dim or ARCHS.get(config.model.arch).default_latent_dim
    train = train_settings(config.train)
    with dtype_policy(precision or train.precision):
        generator, discriminator = build_networks(config, latent_dim)
    gan = GAN(generator, discriminator, latent_dim, seed=train.seed, ema_decay=train.ema,
              num_classes=config.model.num_classes if config.model.conditional else None,
              augment=build_augment(train.augment, train.seed), d_steps=train.d_steps, name="gan")

    def adam(name):
        optimizer = keras.optimizers.Adam(train.lr, beta_1=train.beta_1, beta_2=train.beta_2,
                                          name=name)
        # float16's narrow range underflows small gradients: dynamic loss scaling
        return keras.optimizers.LossScaleOptimizer(optimizer, name=f"{name}_scaled") \
            if train.precision == "mixed_float16" else optimizer

    gan.compile(d_optimizer=adam("d_optimizer"), g_optimizer=adam("g_optimizer"), loss=train.loss,
                jit_compile=jit_compile(train.xla, config.model.arch))
    gan.build()
    return gan
