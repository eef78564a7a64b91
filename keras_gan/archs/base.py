"""What an architecture provides: builders and its image-size rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import keras


@dataclass(frozen=True)
class Architecture:
    """How to build one GAN family.

    build_generator(latent_dim, image_shape, width) -> keras.Model z -> images in [-1, 1]
    build_discriminator(image_shape, width, norm) -> keras.Model images -> (batch, 1) logits;
        norm "batch" or "layer" (no BatchNorm where a per-sample penalty is used); the
        last Dense/Conv2D must be named "logit" (conditional projection attaches there)
    default_image_size(native_size or None) -> the size to train at when none is asked for
    check_image_size(size) -> None if supported, else what is expected (for the error)
    xla_on_cpu: whether --xla auto compiles the train step with XLA on a CPU-only machine
    """

    build_generator: Callable[[int, tuple, int], keras.Model]
    build_discriminator: Callable[[tuple, int, str], keras.Model]
    default_latent_dim: int
    default_image_size: Callable[[int | None], int]
    check_image_size: Callable[[int], str | None]
    summary: str
    # XLA for the train step on CPUs, by measurement (benchmarks/train_throughput.py --xla
    # off,on); GPUs follow Keras, which compiles with XLA there.
    xla_on_cpu: bool = False


def batch_norm(momentum: float, **kwargs) -> keras.layers.BatchNormalization:
    """BatchNormalization whose statistics span the global batch when the layer is built
    under a tf.distribute strategy with several replicas (synchronized=True there only:
    on one replica the synced path is the same maths, computed as E[x^2] - E[x]^2)."""
    from keras_gan.distribute import replicas_in_sync

    return keras.layers.BatchNormalization(momentum=momentum,
                                           synchronized=replicas_in_sync() > 1, **kwargs)


def with_spectral_norm(discriminator: keras.Model) -> keras.Model:
    """A copy of a functional discriminator with every Dense and Conv2D wrapped in Keras'
    SpectralNormalization (Miyato et al. 2018), for any architecture."""

    def clone(layer):
        fresh = layer.__class__.from_config(layer.get_config())
        if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D)):
            return keras.layers.SpectralNormalization(fresh, name=f"sn_{layer.name}")
        return fresh

    return keras.models.clone_model(discriminator, clone_function=clone)
