"""Any folder of images, searched recursively; unreadable files are skipped and counted.

Images are decoded once (keras_gan.data.decode), converted to the run's channel count
and streamed into the cache (keras_gan.data.cache), so a folder larger than memory trains
and a second run on the same files starts in seconds. Each image's class is the name
of the folder it is in.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from keras_gan.data.cache import EntryWriter, digest, load_entry
from keras_gan.data.decode import (IMAGE_EXTENSIONS, MIN_SIDE, chunk_length, colour_channels,
                                   decode_chunks, decode_image, display_path, file_states,
                                   find_images, native_side, try_decode)
from keras_gan.data.source import Data, DataError, DataRequest, Source
from keras_gan.io.images import to_channels

CACHE_VERSION = 2  # part of the decoded-cache key; bump when decoding or resizing changes


def load_folder(root: Path, image_size: int, channels: int | None, label: str,
                files: list[Path] | None = None, cache: bool = True,
                classes: tuple[str, ...] | None = None, min_side: int = MIN_SIDE) -> Data:
    """Decode every image below `root` once; grayscale unless any image has colour.

    `files`: the images below `root` when the caller has already listed them.
    `classes`: the class (folder) names to label by, when `files` is part of a larger set
    (a held-out share may hold one class only); default: the folders of `files`.
    cache: reuse (or write) the decoded images in the user cache, keyed by every file's
    path, size, mtime and ctime and the decoding options.
    min_side: images whose shorter side is smaller are skipped and counted, not upscaled.
    """
    if not root.is_dir():
        raise DataError(f"Expected an image folder for --data; {root} is not a directory.")
    files = find_images(root) if files is None else files
    if not files:
        raise DataError(
            f"No images in {root}: expected files ending in {', '.join(IMAGE_EXTENSIONS)} "
            "(searched recursively). Received: an image-less folder."
        )
    key = digest(CACHE_VERSION, "images", str(root.resolve()), image_size, channels,
                 file_states(files), *(classes or ()), *((min_side,) if min_side != MIN_SIDE else ()))
    entry = load_entry("data", key) if cache else None
    if entry is None:
        entry = _decode_folder(root, image_size, channels, files, EntryWriter("data", key, cache),
                               classes, min_side)
    arrays, meta = entry
    return Data(fields=arrays, description=f"{label} ({len(arrays['image'])} images from {root})",
                skipped=[tuple(item) for item in meta["skipped"]],
                class_names=tuple(meta["class_names"]) if meta["class_names"] else None)


def _decode_folder(root: Path, image_size: int, channels: int | None, files: list[Path],
                   writer: EntryWriter, classes: tuple[str, ...] | None = None,
                   min_side: int = MIN_SIDE):
    channels = channels or colour_channels(files)
    kept, skipped = [], []
    try:
        for results in decode_chunks(files, lambda path: try_decode(path, image_size, partial(decode_image, min_side=min_side)),
                                     chunk_length(image_size, channels)):
            good = [(path, array) for path, (array, _) in results if array is not None]
            if good:
                writer.append("image", np.stack([to_channels(array, channels) for _, array in good]))
            kept += [path for path, _ in good]
            skipped += [(display_path(path), reason) for path, (_, reason) in results if reason]
        if not kept:
            raise unread_error(root, files, skipped, image_size, min_side)
        labels, class_names = folder_labels(kept, classes)
        if labels is not None:
            writer.append("label", labels)
        return writer.finish({"skipped": skipped, "class_names": class_names})
    except BaseException:
        writer.abort()
        raise


def unread_error(root: Path, files: list[Path], skipped, image_size: int, min_side: int):
    """Why no file could be read: images smaller than the size asked for (a family that
    never upscales, srgan) name --image-size and the images' size; else the first problem."""
    native = native_side(files)
    if native is not None and min_side > MIN_SIDE and native < min_side:
        return DataError(
            f"Invalid image_size: expected at most the images' own size (the images in {root} "
            f"are {native} px on their shorter side), since this --family trains on real pixels "
            f"and never upscales. Received: image_size={image_size}. Pass --image-size {native} "
            "or less, or leave it out to train at the images' size.")
    return DataError(f"None of the {len(files)} image files in {root} could be read "
                     f"(first problem: {skipped[0][0]}: {skipped[0][1]}).")


def folder_labels(files: list[Path], class_names: tuple[str, ...] | None = None
                  ) -> tuple[np.ndarray | None, tuple[str, ...] | None]:
    """Each file's class is the name of the folder it is in (Tom & Jerry's four folders);
    None when all files share one folder (and no `class_names` are given)."""
    parents = [display_path(path.parent.name) for path in files]
    class_names = class_names or tuple(sorted(set(parents)))
    if len(class_names) < 2:
        return None, None
    index = {name: i for i, name in enumerate(class_names)}
    return np.array([index[p] for p in parents], dtype=np.int32), class_names


class ImageFolder(Source):
    summary = "any folder of .jpg/.jpeg/.png/.bmp/.gif images: --data path/to/folder"

    def native_size(self, name, data_dir, name_b=None):
        return native_side(find_images(Path(name).expanduser()))

    def load(self, request: DataRequest) -> Data:
        return load_folder(Path(request.name).expanduser(), request.image_size, request.channels,
                           "image folder", min_side=request.min_side or MIN_SIDE)
