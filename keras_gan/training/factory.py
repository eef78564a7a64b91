"""Build a compiled model from a resolved RunConfig (train, resume, sample, export)."""

from __future__ import annotations

import contextlib

import keras
import tensorflow as tf

from keras_gan.training.augment import ADA_TARGET, ADAPTIVE, DEFAULT_POLICY, DiffAugment, parse_augment
from keras_gan.config import FULL_PRECISION, RunConfig
from keras_gan.training.distribute import replicas_in_sync
from keras_gan.families import FAMILIES, GANModel
from keras_gan.training.optimizers import FusedAdam
from keras_gan.resolve import optimizer_settings


def build_augment(spec: str, seed: int, target: float = ADA_TARGET,
                  fixed_p: float | None = None) -> DiffAugment | None:
    names = parse_augment(spec)
    if not names:
        return None
    policy = tuple(n for n in names if n != ADAPTIVE) or DEFAULT_POLICY
    # seed + 2: independent of the latent (seed) and penalty (seed + 1) streams
    return DiffAugment(policy, adaptive=ADAPTIVE in names, target=target, fixed_p=fixed_p,
                       seed=seed + 2, name="augment")


@contextlib.contextmanager
def dtype_policy(name: str):
    """Layers built inside take this Keras dtype policy (variables stay float32)."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def jit_compile(xla: str, family: str) -> bool | str:
    """TrainConfig.xla -> Keras' jit_compile: "auto" is Keras' own choice where there is
    a GPU (XLA), and on a CPU-only machine the architecture's measured choice, except
    with several replicas (XLA cannot compile one step over variables on several CPU
    devices)."""
    if xla != "auto":
        return xla == "on"
    if tf.config.list_logical_devices("GPU"):
        return "auto"
    return FAMILIES.get(family).xla_on_cpu and replicas_in_sync() == 1


def trains_only_discriminators(networks: tuple[str, ...]) -> bool:
    """Whether an optimizer of a family's OPTIMIZERS (the networks it trains) takes
    --d-lr: every one of its networks is a discriminator (critic)."""
    return bool(networks) and all("discriminator" in name for name in networks)


def build_model(config: RunConfig, precision: str | None = None) -> GANModel:
    """The family's model, compiled, with its optimizers built.

    precision: the Keras dtype policy for the networks (None: the config's, float32 where
    no data resolved it; "float32" for inference and export). The optimizers always
    follow the config, so a checkpoint loads into either build: Adam at train.d_lr for
    those that train only discriminators, train.lr for the others, unless the family
    sets their own (adam)."""
    train = optimizer_settings(config.train)
    config = config.replace(train=train)
    with dtype_policy(precision or train.precision or FULL_PRECISION):
        networks = config.family.networks(config)
    augment = build_augment(train.augment, train.seed, train.ada_target, train.augment_p)
    model = config.family.model(config, networks, augment)

    own = config.family.adam(config)

    def adam(name):
        rate = train.d_lr if trains_only_discriminators(model.OPTIMIZERS[name]) else train.lr
        settings = {"learning_rate": rate, "beta_1": train.beta_1, "beta_2": train.beta_2,
                    **own.get(name, {})}
        optimizer = FusedAdam(**settings, name=name)
        # float16's narrow range underflows small gradients: dynamic loss scaling
        return keras.optimizers.LossScaleOptimizer(optimizer, name=f"{name}_scaled") \
            if train.precision == "mixed_float16" else optimizer

    model.compile(**{name: adam(name) for name in model.OPTIMIZERS}, loss=train.loss,
                  jit_compile=jit_compile(train.xla, config.model.family))
    model.build()
    return model
