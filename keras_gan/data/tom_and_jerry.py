"""`tom_and_jerry`: the Kaggle "Tom and Jerry image classification" frames.

5,478 JPEG frames (1280x720 and 854x480) in
tom_and_jerry/tom_and_jerry/{tom,jerry,tom_jerry_0,tom_jerry_1}/, downloaded
by hand (Kaggle needs a login). Frames are centre-cropped to a square and
resized with antialiasing.
"""

from __future__ import annotations

from pathlib import Path

from keras_gan.data.decode import find_images
from keras_gan.data.folder import load_folder
from keras_gan.data.source import Data, DataError, DataRequest, Source

KAGGLE_URL = "https://www.kaggle.com/datasets/balabaskar/tom-and-jerry-image-classification"
DEFAULT_DIR = "~/tensorflow_datasets/downloads/manual/tom_and_jerry"


def locate(data_dir: str | None) -> tuple[Path, list[Path]]:
    """The folder holding the frames, and the frames (searched recursively below it)."""
    base = Path(data_dir or DEFAULT_DIR).expanduser()
    frames = find_images(base) if base.is_dir() else []
    if frames:
        return base, frames
    raise DataError(
        f"The Tom and Jerry frames were not found under {base}. Download the archive from "
        f"{KAGGLE_URL} (a free Kaggle login is needed), then unzip it so the frames are in "
        f"{base}/tom_and_jerry/tom_and_jerry/{{tom,jerry,tom_jerry_0,tom_jerry_1}}/, or pass "
        "--data-dir pointing at the unzipped folder."
    )


class TomAndJerry(Source):
    summary = "Kaggle Tom and Jerry frames (manual download; see docs/data.md), RGB"

    def load(self, request: DataRequest) -> Data:
        root, frames = locate(request.data_dir)
        return load_folder(root, request.image_size, request.channels or 3, "tom_and_jerry",
                           files=frames)
