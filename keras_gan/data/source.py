"""What every data source takes and returns, and the error for unusable data.

A source decodes its examples once, at the training size, into named uint8 arrays
(memory-mapped from the cache where the data is large). The layout says which names:
- images: "image" [N, H, W, C] (+ "label" [N] int32 where the data has classes)
- pairs:  "source" and "target" [N, L, L, C] at the load size L (>= the training size,
          for random crops), plus a held-out split at the training size
- unpaired: "a" [N_A, L, L, C_A] and "b" [N_B, L, L, C_B], of different lengths, drawn
          independently (+ "a_label", "b_label" where both have the same classes; not
          trained on); held out: "a", "b" (+ "a_truth", "b_truth": their true
          translations, where the data knows them, and the labels)
- captions: "image" [M, S, S, C] and "caption" [M] (numpy unicode), one row per (image,
          caption) pair, so an image with several captions appears once for each
          (+ "label" [M] int32 where the data knows the class each caption names)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from keras_gan.errors import ConfigError

LAYOUTS = ("images", "pairs", "unpaired", "captions")


class DataError(ConfigError):
    """The data asked for is missing, empty or unusable; the message says how to fix it."""


@dataclass(frozen=True)
class DataRequest:
    """What to decode: `image_size` is the training size; pairs are stored at `load_size`."""

    name: str
    data_dir: str | None = None
    image_size: int = 32
    channels: int | None = None  # None: follow the data (1 or 3)
    labels: bool = False  # images: also load class labels where the data has them
    load_size: int | None = None  # pairs: the size random crops are taken from
    source_channels: int | None = None  # pairs: None follows the data
    direction: str = "AtoB"  # pairs: BtoA swaps source and target
    holdout: float = 0.1  # pairs: share held out when the data has no val/ or test/ split
    name_b: str | None = None  # unpaired: the second domain's folder (--data-b)
    min_side: int | None = None  # image folders: skip (and count) images with a shorter side


@dataclass
class Data:
    """Decoded examples: `fields` for training, `heldout` (pairs) for previews and scores."""

    fields: dict[str, np.ndarray]
    description: str
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    class_names: tuple[str, ...] | None = None
    heldout: dict[str, np.ndarray] | None = None
    extras: dict = field(default_factory=dict)  # what a family's split adds (a vocabulary)

    @property
    def count(self) -> int:
        """Examples per epoch: the longest field (unpaired domains differ in length)."""
        return max(len(values) for values in self.fields.values())

    @property
    def groups(self) -> list[tuple[str, ...]]:
        """Fields read together (the same rows); unpaired domains are drawn independently."""
        if "a" in self.fields and "b" in self.fields:
            return [("a",), ("b",)]
        return [tuple(self.fields)]

    @property
    def images(self) -> np.ndarray:
        """The images a generator produces: images, a pair's targets, domain B."""
        for name in ("image", "target", "b"):
            if name in self.fields:
                return self.fields[name]
        raise KeyError(name)

    @property
    def channels(self) -> int:
        return int(self.images.shape[-1])

    @property
    def source_channels(self) -> int | None:
        """A translator's input channels: a pair's sources, domain A."""
        for name in ("source", "a"):
            if name in self.fields:
                return int(self.fields[name].shape[-1])
        return None

    @property
    def labels(self) -> np.ndarray | None:
        return self.fields.get("label")


class Source:
    """A named kind of data. Subclasses implement `load` (and `native_size` if known)."""

    summary = ""
    layout = "images"
    # TrainConfig fields this data sets when left unset (a demo's epochs), and DECAY_SHARE
    train_defaults: dict = {}

    def native_size(self, name: str, data_dir: str | None, name_b: str | None = None) -> int | None:
        """The data's own (square) size, if it has one, before anything is decoded: a
        folder's is the median shorter side of a sample of its files (their headers)."""
        return None

    def load(self, request: DataRequest) -> Data:
        raise NotImplementedError
