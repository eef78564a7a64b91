"""Reading image files with Pillow, as training and `check-data` both do.

Pillow reads every format we accept (including CMYK JPEGs, palette PNGs, 16-bit PNGs
and GIFs), decodes large JPEGs at a reduced scale (`draft`), and refuses
decompression bombs. Each image is flattened to grey or RGB (transparency onto
white), centre-cropped to a square and resized with antialiasing. A file that
cannot be read is reported with the reason, never raised.
"""

from __future__ import annotations

import logging
import os
import statistics
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")
MIN_SIDE = 8  # smaller images hold no usable picture, only upscaling blur
MAX_ASPECT = 4.0  # a centre crop of a thinner strip keeps too little of the picture
GRAYSCALE_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
WORKERS = max(2, os.cpu_count() or 2)
CHUNK_BYTES = 64 << 20  # decoded pixels held in memory at once while streaming to the cache
SIZE_SAMPLE = 32  # files whose headers give a folder's own image size


def display_path(path) -> str:
    """A path as printable text: bytes that are not UTF-8 (Linux allows them) become \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def find_images(root: Path) -> list[Path]:
    """Image files below `root` (recursive, case-insensitive extensions), sorted."""
    found = []
    # followlinks=False (the default): a symlink loop cannot trap the walk.
    for folder, _dirs, files in os.walk(root, onerror=lambda err: None):
        found.extend(Path(folder) / f for f in files if f.lower().endswith(IMAGE_EXTENSIONS))
    return sorted(found)


def flatten(image):
    """Any Pillow image -> mode "L" or "RGB"; transparency is composited onto white."""
    from PIL import Image

    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        values = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if values.max(initial=0) > 255 else 255.0
        return Image.fromarray(np.clip(values / peak * 255.0 + 0.5, 0, 255).astype(np.uint8))
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")
        return flat.convert("L") if image.mode in ("LA", "La") else flat
    if image.mode in GRAYSCALE_MODES:
        return image.convert("L")
    return image.convert("RGB")


def center_crop_resize(image, size: int):
    """Centre-crop a Pillow image to a square, then resize it to size x size (antialiased)."""
    from PIL import Image

    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return image.resize((size, size), Image.LANCZOS, box=(left, top, left + side, top + side))


def read_image(path: Path, draft: tuple[int, int], min_side: int = MIN_SIDE):
    """Open and fully decode one file as a flattened ("L" or "RGB") Pillow image; JPEGs
    decode at the smallest scale that is still at least `draft` (width, height). Raises
    on unreadable, tiny (shorter side under `min_side`) or very thin files."""
    from PIL import Image

    with Image.open(path) as image:
        image.draft("RGB", draft)
        image.load()
        width, height = image.size
        if min(width, height) < max(min_side, MIN_SIDE):
            raise ValueError(f"too small ({width}x{height}; the shorter side must be >= "
                             f"{max(min_side, MIN_SIDE)} px)")
        if max(width, height) / min(width, height) > MAX_ASPECT:
            raise ValueError(f"too thin ({width}x{height}; aspect ratio above {MAX_ASPECT:g}:1)")
        return flatten(image)


@contextmanager
def open_still(path: Path):
    """Pillow's Image.open for commands that turn one file into one picture (translate,
    upscale): an animated file is read as its first frame, and a warning says so."""
    from PIL import Image

    with Image.open(path) as image:
        frames = getattr(image, "n_frames", 1)
        if frames > 1:
            log.warning("%s is animated (%d frames): only its first frame is used.",
                        display_path(path), frames)
        yield image


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from the file's header (nothing decoded); None if it cannot be opened."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.size
    except Exception:  # noqa: BLE001  decoding will skip it and say why
        return None


def sample(files: list, count: int = SIZE_SAMPLE) -> list:
    """Up to `count` items spread evenly over `files` (every folder of a sorted list)."""
    if len(files) <= count:
        return list(files)
    return [files[i * len(files) // count] for i in range(count)]


def native_side(files: list[Path], side=lambda width, height: min(width, height)) -> int | None:
    """The images' own size: the median shorter side (or `side`) of a sample of `files`,
    from their headers; None when none can be opened."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        sizes = [size for size in pool.map(image_size, sample(files)) if size]
    return int(statistics.median_low(side(*size) for size in sizes)) if sizes else None


def to_array(picture) -> np.ndarray:
    """A Pillow "L" or "RGB" image -> uint8 HWC with 1 or 3 channels."""
    array = np.asarray(picture, dtype=np.uint8)
    return array[..., None] if array.ndim == 2 else array


def decode_image(path: Path, size: int, min_side: int = MIN_SIDE) -> np.ndarray:
    """Read one file as a uint8 (size, size, 1 or 3) array; raises on unreadable files
    and on images whose shorter side is under `min_side` (super-resolution never trains
    on upscaled pictures)."""
    return to_array(center_crop_resize(read_image(path, (size, size), min_side), size))


def try_decode(path: Path, size: int, decode=decode_image):
    """(array, None) or (None, reason): one bad file must never stop a run."""
    try:
        if path.stat().st_size == 0:
            return None, "empty file"
        return decode(path, size), None
    except Exception as err:  # noqa: BLE001
        return None, f"{type(err).__name__}: {err}".splitlines()[0][:200]


def image_mode(path: Path) -> str | None:
    """The Pillow mode from the file's header (nothing decoded); None if it cannot be opened."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.mode
    except Exception:  # noqa: BLE001  decoding will skip it and say why
        return None


def colour_channels(files: list[Path]) -> int:
    """3 if any image has colour (by its header), else 1: a grey folder trains in grey."""
    grey = GRAYSCALE_MODES | {"LA", "La", None}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return 3 if any(mode not in grey for mode in pool.map(image_mode, files)) else 1


def chunk_length(size: int, channels: int, images_per_example: int = 1) -> int:
    """Examples per streamed chunk: about CHUNK_BYTES of pixels."""
    return max(16, CHUNK_BYTES // (size * size * channels * images_per_example))


def decode_chunks(items: list, decode, chunk: int):
    """Decode `items` in threads, `chunk` at a time: yields [(item, decode(item))]."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for start in range(0, len(items), chunk):
            part = items[start:start + chunk]
            yield list(zip(part, pool.map(decode, part)))


def file_states(files: list[Path]) -> list:
    """What a cache key needs to notice any change: path, size, mtime and ctime (a chmod
    changes it)."""
    return [(os.fsencode(path).hex(), *_file_state(path)) for path in files]


def _file_state(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
        return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns
    except OSError:  # unreadable now: decoding will skip it and say why
        return -1, -1, -1
