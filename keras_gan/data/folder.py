"""Any folder of images, searched recursively; unreadable files are skipped and counted.

Decoding uses Pillow: it reads every format we accept (including CMYK JPEGs,
palette PNGs, 16-bit PNGs and GIFs), decodes large JPEGs at a reduced scale
(`draft`), and refuses decompression bombs. Each image is converted to the
run's channel count, centre-cropped to a square and resized with antialiasing.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import tensorflow as tf

from keras_gan.data.source import DataError, LoadedImages, Source

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
MIN_SIDE = 8  # smaller images hold no usable picture, only upscaling blur
MAX_ASPECT = 4.0  # a centre crop of a thinner strip keeps too little of the picture
GRAYSCALE_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}


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


def _flatten(image):
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


def decode_image(path: Path, size: int) -> np.ndarray:
    """Read one file as a uint8 (size, size, 1 or 3) array; raises on unreadable files."""
    from PIL import Image

    with Image.open(path) as image:
        image.draft("RGB", (size, size))  # JPEG: decode at the smallest scale >= size
        image.load()
        width, height = image.size
        if min(width, height) < MIN_SIDE:
            raise ValueError(f"too small ({width}x{height}; the shorter side must be >= {MIN_SIDE} px)")
        if max(width, height) / min(width, height) > MAX_ASPECT:
            raise ValueError(f"too thin ({width}x{height}; aspect ratio above {MAX_ASPECT:g}:1)")
        picture = center_crop_resize(_flatten(image), size)
    array = np.asarray(picture, dtype=np.uint8)
    return array[..., None] if array.ndim == 2 else array


def _try_decode(path: Path, size: int):
    try:
        if path.stat().st_size == 0:
            return None, "empty file"
        return decode_image(path, size), None
    except Exception as err:  # noqa: BLE001  one bad file must never stop a run
        return None, f"{type(err).__name__}: {err}".splitlines()[0][:200]


def _to_channels(array: np.ndarray, channels: int) -> np.ndarray:
    if array.shape[-1] == channels:
        return array
    if channels == 3:
        return np.repeat(array, 3, axis=-1)
    # ITU-R 601 luma, as PIL's convert("L") and tf.image.rgb_to_grayscale use
    luma = array.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.clip(np.rint(luma), 0, 255).astype(np.uint8)[..., None]


CACHE_VERSION = 1  # part of the decoded-cache key; bump when decoding or resizing changes


def load_folder(root: Path, image_size: int, channels: int | None, label: str,
                files: list[Path] | None = None, cache: bool = True) -> LoadedImages:
    """Decode every image below `root` once; grayscale unless any image has colour.

    `files`: the images below `root` when the caller has already listed them.
    cache: reuse (or write) the decoded, resized images in the user cache
    (keras_gan.cache), keyed by every file's path, size, mtime and ctime (a chmod
    changes it) and the decoding options; a second run on the same data then starts
    in seconds.
    """
    if not root.is_dir():
        raise DataError(f"Expected an image folder for --data; {root} is not a directory.")
    files = find_images(root) if files is None else files
    if not files:
        raise DataError(
            f"No images in {root}: expected files ending in {', '.join(IMAGE_EXTENSIONS)} "
            "(searched recursively). Received: an image-less folder."
        )
    if not cache:
        return _loaded(*_decode_folder(root, image_size, channels, files), root, label)
    from keras_gan.cache import digest, load_arrays, save_arrays

    stats = [(os.fsencode(path).hex(), *_file_state(path)) for path in files]
    key = digest(CACHE_VERSION, str(root.resolve()), image_size, channels, stats)
    hit = load_arrays("data", key)
    if hit is not None:
        arrays, meta = hit
        return _loaded(arrays["images"], arrays.get("labels"), meta, root, label)
    images, labels, meta = _decode_folder(root, image_size, channels, files)
    save_arrays("data", key, {"images": images, **({} if labels is None else {"labels": labels})},
                meta)
    return _loaded(images, labels, meta, root, label)


def _file_state(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
        return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns
    except OSError:  # unreadable now: decoding will skip it and say why
        return -1, -1, -1


def _loaded(images: np.ndarray, labels, meta: dict, root: Path, label: str) -> LoadedImages:
    return LoadedImages(
        images=tf.data.Dataset.from_tensor_slices(images),
        count=len(images),
        channels=int(meta["channels"]),
        description=f"{label} ({len(images)} images from {root})",
        skipped=[tuple(item) for item in meta["skipped"]],
        labels=labels,
        class_names=tuple(meta["class_names"]) if meta["class_names"] else None,
    )


def _decode_folder(root: Path, image_size: int, channels: int | None,
                   files: list[Path]) -> tuple[np.ndarray, np.ndarray | None, dict]:
    """Decode `files` in threads: (uint8 images, labels or None, metadata)."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = list(pool.map(lambda p: _try_decode(p, image_size), files))
    arrays = [array for array, _ in results if array is not None]
    skipped = [(display_path(path), reason) for path, (_, reason) in zip(files, results) if reason]
    if not arrays:
        raise DataError(
            f"None of the {len(files)} image files in {root} could be read "
            f"(first problem: {skipped[0][0]}: {skipped[0][1]})."
        )
    if channels is None:
        channels = 3 if any(a.shape[-1] == 3 for a in arrays) else 1
    images = np.stack([_to_channels(a, channels) for a in arrays])
    labels, class_names = folder_labels([path for path, (array, _) in zip(files, results)
                                         if array is not None])
    return images, labels, {"channels": channels, "skipped": skipped, "class_names": class_names}


def folder_labels(files: list[Path]) -> tuple[np.ndarray | None, tuple[str, ...] | None]:
    """Each file's class is the name of the folder it is in (Tom & Jerry's four folders);
    None when all files share one folder."""
    parents = [display_path(path.parent.name) for path in files]
    class_names = tuple(sorted(set(parents)))
    if len(class_names) < 2:
        return None, None
    index = {name: i for i, name in enumerate(class_names)}
    return np.array([index[p] for p in parents], dtype=np.int32), class_names


class ImageFolder(Source):
    summary = "any folder of .jpg/.jpeg/.png/.bmp/.gif images: --data path/to/folder"

    def load(self, name, data_dir, image_size, channels, labels=False):
        return load_folder(Path(name).expanduser(), image_size, channels, "image folder")
