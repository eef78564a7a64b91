"""Architecture registry: one file per family, one registration line each."""

from keras_gan.archs import dcgan, mlp
from keras_gan.archs.base import Architecture
from keras_gan.registry import Registry

ARCHS: Registry[Architecture] = Registry("arch")
ARCHS.register("gan", mlp.ARCHITECTURE)
ARCHS.register("dcgan", dcgan.ARCHITECTURE)

__all__ = ["ARCHS", "Architecture"]
