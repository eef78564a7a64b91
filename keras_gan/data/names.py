"""What `--data` names when it is neither a registered set nor an existing path.

A name that looks like a path (a path separator that cannot be TFDS's `name/config`, a
leading . or ~, an image extension) and does not exist is a mistyped path: the error
says so, with the nearest folder that exists, instead of handing the text to TFDS,
whose name parser fails with a traceback. Any other name goes to TFDS; one it does not
know is an error listing keras-gan's own names and the closest known ones.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
from pathlib import Path

from keras_gan.console import command_name
from keras_gan.data.decode import IMAGE_EXTENSIONS, display_path
from keras_gan.data.source import DataError

# TFDS's builder names: dataset[/config][:version][/kwargs], snake_case dataset names
TFDS_DATASET = re.compile(r"[a-z][a-z0-9_]*")
EXPECTED = {
    "images": "an existing image folder",
    "pairs": "an existing folder of image pairs (A/ and B/, or side-by-side A|B files)",
    "unpaired": "an existing folder with trainA/ and trainB/ (or --data DIR_A --data-b DIR_B)",
    "captions": "an existing folder of captioned images",
}
TFDS_EXAMPLES = {"images": "mnist, cifar10, ...", "unpaired": "cycle_gan/horse2zebra, ...",
                 "captions": "coco_captions, ..."}
LISTED_CHILDREN = 1000  # entries of the nearest folder compared with a mistyped name


def looks_like_path(name: str) -> bool:
    """Whether `name` is meant as a file system path rather than a dataset name."""
    if name.startswith((".", "~", os.sep)) or (os.altsep and os.altsep in name):
        return True
    if name.lower().endswith(IMAGE_EXTENSIONS) or "\\" in name:
        return True
    if os.sep in name:
        first = name.split(os.sep)[0]
        # "cycle_gan/horse2zebra" is TFDS's name/config; "Photos/faces" or "data/x" with a
        # ./data folder here is a relative path
        return not TFDS_DATASET.fullmatch(first) or Path(first).is_dir() or (
            name.count(os.sep) > 1 and "=" not in name)
    return False


def _nearest(path: Path) -> tuple[Path | None, str]:
    """(the deepest existing folder above `path`, " (did you mean X?)" or "")."""
    for parent in path.parents:
        if parent.is_dir():
            break
    else:
        return None, ""
    missing = path.relative_to(parent).parts[0]
    try:
        children = [c.name for c in itertools.islice(parent.iterdir(), LISTED_CHILDREN)]
    except OSError:
        children = []
    close = difflib.get_close_matches(missing, children, n=1, cutoff=0.6)
    return parent, f"; did you mean {display_path(parent / close[0])}?" if close else ""


def missing_path_error(name: str, layout: str) -> DataError:
    where, guess = _nearest(Path(name).expanduser().absolute())
    nearest = ""
    if where is not None and (guess or where != Path(where.anchor)):  # "/" helps nobody
        nearest = f" (the nearest existing folder is {display_path(where)}{guess})"
    return DataError(f"Invalid data: expected {EXPECTED.get(layout, EXPECTED['images'])}, or a "
                     f"dataset name (`{command_name()} list`). Received: data={name!r}, which does "
                     f"not exist{nearest}.")


def unknown_name_error(name: str, layout: str, registered: list[str], known: list[str],
                       detail: str = "") -> DataError:
    """A name that is neither registered, nor an existing path, nor a TFDS dataset."""
    close = difflib.get_close_matches(name, registered + known, n=3, cutoff=0.7)
    guess = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    detail = f" TFDS says: {detail}" if detail else ""
    return DataError(
        f"Unknown dataset {name!r}: expected a keras-gan dataset of this layout "
        f"({', '.join(registered) + '; ' if registered else ''}`{command_name()} list` names them), "
        f"{EXPECTED.get(layout, EXPECTED['images'])}, or a TFDS dataset name "
        f"({TFDS_EXAMPLES.get(layout, TFDS_EXAMPLES['images'])}). Received: data={name!r}, "
        f"which is none of these.{detail}{guess}")
