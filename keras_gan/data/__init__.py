"""Data registry and the one entry point, `load_data`.

`--data` is resolved in order: a registered name (mnist_5k, mnist_outline,
tom_and_jerry), an existing folder (of images, or of image pairs for image-to-image
families), then any TFDS dataset name. Each family reads one layout (images or
pairs); a dataset of the other layout is refused with the names that fit. A name that
looks like a path and does not exist is refused as one (keras_gan.data.names).
"""

from __future__ import annotations

from pathlib import Path

from keras_gan.data.captions import CaptionedFolder, MNISTCaptions
from keras_gan.data.folder import ImageFolder
from keras_gan.data.names import looks_like_path, missing_path_error
from keras_gan.data.offline import MNIST5k, MNISTOutline
from keras_gan.data.pairs import PairedFolder
from keras_gan.data.pipeline import steps_per_epoch, training_pipeline
from keras_gan.data.source import Data, DataError, DataRequest, Source
from keras_gan.data.tfds_source import TFDSCaptions, TFDSSource, TFDSUnpaired
from keras_gan.data.tom_and_jerry import TomAndJerry
from keras_gan.data.unpaired import MNISTColours, UnpairedFolders
from keras_gan.registry import Registry

DATASETS: Registry[Source] = Registry("dataset")
DATASETS.register("mnist_5k", MNIST5k())
DATASETS.register("mnist_outline", MNISTOutline())
DATASETS.register("mnist_colours", MNISTColours())
DATASETS.register("tom_and_jerry", TomAndJerry())
DATASETS.register("mnist_captions", MNISTCaptions())



def registered(layout: str) -> list[str]:
    """The registered names of one layout (for messages)."""
    return [name for name, source in DATASETS.items() if source.layout == layout]


# Not registered by name: they take a path or a TFDS name as --data.
FOLDER, PAIRS, UNPAIRED, CAPTIONS = ImageFolder(), PairedFolder(), UnpairedFolders(), CaptionedFolder()
TFDS, TFDS_UNPAIRED, TFDS_CAPTIONS = (TFDSSource(registered), TFDSUnpaired(registered),
                                      TFDSCaptions(registered))
OTHER_SOURCES = {"<folder path>": FOLDER, "<pairs folder>": PAIRS, "<unpaired folders>": UNPAIRED,
                 "<captioned folder>": CAPTIONS,
                 "<tfds name>": TFDS, "<tfds cycle_gan/...>": TFDS_UNPAIRED,
                 "<tfds captioned set>": TFDS_CAPTIONS}


def resolve_source(name: str, layout: str = "images") -> Source:
    """The source for --data `name` in `layout`; a registered set of another layout is an error."""
    if name in DATASETS:
        source = DATASETS.get(name)
        if source.layout != layout:
            fitting = registered(layout)
            raise DataError(
                f"Invalid data: expected {layout} for this --family ({', '.join(fitting)}, or a "
                f"folder). Received: data={name!r}, which holds {source.layout}.")
        return source
    if Path(name).expanduser().exists():
        return {"pairs": PAIRS, "unpaired": UNPAIRED, "captions": CAPTIONS}.get(layout, FOLDER)
    if looks_like_path(name):
        raise missing_path_error(name, layout)
    if layout == "unpaired" and name.startswith("cycle_gan/"):
        return TFDS_UNPAIRED
    if layout == "captions":  # a folder or a registered set is matched above
        return TFDS_CAPTIONS
    if layout != "images":
        expected = {"pairs": "a folder of image pairs (A/ and B/, or side-by-side A|B files) or "
                             "mnist_outline",
                    "unpaired": "two image sets (DIR with trainA/ and trainB/, --data DIR_A "
                                "--data-b DIR_B, a TFDS cycle_gan/<name>) or mnist_colours"}[layout]
        raise DataError(f"Invalid data: expected {expected}. Received: data={name!r}, which is "
                        "not a folder.")
    return TFDS


def load_data(request: DataRequest, layout: str = "images") -> Data:
    return resolve_source(request.name, layout).load(request)


__all__ = [
    "DATASETS", "OTHER_SOURCES", "Data", "DataError", "DataRequest", "Source",
    "load_data", "resolve_source", "steps_per_epoch", "training_pipeline",
]
