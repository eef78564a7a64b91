"""What every data source returns, and the error for data that cannot be used."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

from keras_gan.config import ConfigError


class DataError(ConfigError):
    """The data asked for is missing, empty or unusable; the message says how to fix it."""


@dataclass
class LoadedImages:
    """Unbatched uint8 HWC images, decoded once, plus what the pipeline needs to know.

    `images` may still be at the source's own size and channel count; the
    pipeline crops, resizes and converts channels before caching.
    """

    images: tf.data.Dataset
    count: int
    channels: int
    description: str
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    # Class index per image (int32, in `images` order) and the class names, where known.
    labels: np.ndarray | None = None
    class_names: tuple[str, ...] | None = None


class Source:
    """A named kind of data. Subclasses implement `native_size` and `load`."""

    summary = ""

    def native_size(self, name: str, data_dir: str | None) -> int | None:
        """The data's own (square) size, if it has one, before anything is decoded."""
        return None

    def load(self, name: str, data_dir: str | None, image_size: int,
             channels: int | None, labels: bool = False) -> LoadedImages:
        """labels=True: also fill LoadedImages.labels where the data has classes (sources
        where that is free fill them anyway)."""
        raise NotImplementedError
