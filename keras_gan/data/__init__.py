"""Data registry and the one entry point, `load_data`.

`--data` is resolved in order: a registered name (mnist_5k, tom_and_jerry), an
existing folder of images, then any TFDS dataset name.
"""

from __future__ import annotations

from pathlib import Path

from keras_gan.data.folder import ImageFolder
from keras_gan.data.offline import MNIST5k
from keras_gan.data.pipeline import some_images, training_pipeline
from keras_gan.data.source import DataError, LoadedImages, Source
from keras_gan.data.tfds_source import TFDSSource
from keras_gan.data.tom_and_jerry import TomAndJerry
from keras_gan.registry import Registry

DATASETS: Registry[Source] = Registry("dataset")
DATASETS.register("mnist_5k", MNIST5k())
DATASETS.register("tom_and_jerry", TomAndJerry())

# Not registered by name: they take a path or a TFDS name as --data.
FOLDER, TFDS = ImageFolder(), TFDSSource()
OTHER_SOURCES = {"<folder path>": FOLDER, "<tfds name>": TFDS}


def resolve_source(name: str) -> Source:
    if name in DATASETS:
        return DATASETS.get(name)
    if Path(name).expanduser().exists():
        return FOLDER
    return TFDS


__all__ = [
    "DATASETS", "OTHER_SOURCES", "DataError", "LoadedImages", "Source",
    "some_images", "resolve_source", "training_pipeline",
]
