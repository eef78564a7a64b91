"""Paired image folders for image-to-image translation (`--family pix2pix --data DIR`).

Two layouts, and nothing is guessed:
- DIR/A/ and DIR/B/ (any case: a/ and b/): files match by their path below A/ and B/
  without the extension (A/streets/001.jpg pairs with B/streets/001.png);
- side-by-side A|B files, the pix2pix datasets' convention (the left half is A, the right
  half is B), recognised only when the files are about twice as wide as high.
Either may sit in DIR/train/, with DIR/val/ (or DIR/test/) as the held-out split;
without one, a stable share of the pairs (by a hash of each pair's name, so adding
files never reshuffles the split) is held out for previews and scores. A folder in
neither layout (input/ and target/, only A/, square images) is an error that lists
the layouts and what the folder holds.

A file without its partner, two files with the same name on one side, a file among
side-by-side ones that is not twice as wide as high, and any unreadable file are
skipped, counted and listed, never fatal; `check-data` counts pairs with the same
functions. Training pairs are stored at the load size (random crops are taken from
them), the held-out ones at the training size; both images of a pair get the same crop.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keras_gan.data.cache import EntryWriter, digest, load_entry
from keras_gan.data.decode import (center_crop_resize, chunk_length, colour_channels, decode_chunks,
                                   display_path, file_states, find_images, image_size, native_side,
                                   read_image, sample, to_array)
from keras_gan.data.source import Data, DataError, DataRequest, Source
from keras_gan.io.images import to_channels

CACHE_VERSION = 1
HELDOUT_FOLDERS = ("val", "test")
SIDES = ("A", "B")
WIDTH_TOLERANCE = 2  # px a side-by-side file's width may differ from twice its height
LAYOUTS = ("A/ and B/ subfolders (any case) whose files match by name (A/x/001.png with "
           "B/x/001.jpg), or side-by-side A|B files, each about twice as wide as high (left "
           "half A, right half B); either may sit in train/ with val/ or test/ beside it")


@dataclass(frozen=True)
class Pair:
    name: str  # the pair's name, for messages and the split hash
    a: Path
    b: Path | None  # None: `a` is a side-by-side A|B file


def side_folders(folder: Path) -> dict[str, Path] | None:
    """{"A": folder/A, "B": folder/B} where both exist (any case), None where neither does;
    one of them alone, or two spellings of one (A/ and a/), is an error."""
    found: dict[str, list[Path]] = {}
    if folder.is_dir():
        for child in folder.iterdir():
            if child.name.upper() in SIDES and child.is_dir():
                found.setdefault(child.name.upper(), []).append(child)
    if not found:
        return None
    if len(found) == 2 and all(len(paths) == 1 for paths in found.values()):
        return {side: paths[0] for side, paths in found.items()}
    raise layout_error(folder)


def side_by_side_size(width: int, height: int) -> bool:
    """Whether a width x height file is one A|B pair: twice as wide as high, give or take."""
    return abs(width - 2 * height) <= WIDTH_TOLERANCE


def layout_error(folder: Path, files: list[Path] | None = None) -> DataError:
    """The error for a folder in neither pair layout: the layouts, then what it holds."""
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    folders = [display_path(p.name) + "/" for p in subfolders]
    if files is None or not files:  # the subfolders' too, where they are links (A -> photos/)
        files = sorted({*find_images(folder), *(f for sub in subfolders for f in find_images(sub))})
    example = ""
    if files:
        size = image_size(files[0])
        example = (f" (e.g. {display_path(files[0].relative_to(folder))}, "
                   f"{f'{size[0]}x{size[1]}' if size else 'unreadable'})")
    return DataError(
        f"Invalid data: expected a folder of image pairs: {LAYOUTS}. Received: "
        f"{display_path(folder)}, which has "
        f"{'subfolders ' + ', '.join(folders) if folders else 'no subfolders'} and "
        f"{len(files)} image files{example}.")


def find_pairs(folder: Path) -> tuple[list[Pair], list[tuple[str, str]]]:
    """The pairs below `folder` in either layout, and the files skipped with the reason;
    a DataError when the folder is in neither layout."""
    sides = side_folders(folder)
    if sides is None:
        files = find_images(folder)
        sizes = [size for size in map(image_size, sample(files)) if size]
        if sum(side_by_side_size(*size) for size in sizes) * 2 <= len(sizes):
            raise layout_error(folder, files)  # most files are not A|B pairs
        return [Pair(display_path(p.relative_to(folder)), p, None) for p in files], []
    found, skipped = {}, []
    for side in SIDES:
        by_key: dict[str, list[Path]] = {}
        for path in find_images(sides[side]):
            by_key.setdefault(str(path.relative_to(sides[side]).with_suffix("")), []).append(path)
        for key, paths in by_key.items():
            if len(paths) > 1:
                names = ", ".join(sorted(p.name for p in paths))
                skipped += [(display_path(p), f"{len(paths)} files named {key} in "
                             f"{display_path(sides[side].name)}/ ({names}): "
                             "which is the partner is ambiguous") for p in paths]
        found[side] = {key: paths[0] for key, paths in by_key.items() if len(paths) == 1}
    for side, other in (("A", "B"), ("B", "A")):
        for key in sorted(set(found[side]) - set(found[other])):
            skipped.append((display_path(found[side][key]), f"no partner: expected "
                            f"{display_path(sides[other].name)}/{key}.<ext> beside it"))
    keys = sorted(set(found["A"]) & set(found["B"]))
    return [Pair(display_path(key), found["A"][key], found["B"][key]) for key in keys], skipped


def has_pair_folders(root: Path) -> bool:
    """Whether `root` (or root/train/) holds both A/ and B/ (any case): a paired folder to
    a command that is not told the layout (check-data)."""
    def both(folder: Path) -> bool:
        try:
            return side_folders(folder) is not None
        except DataError:  # one side only: an image folder with a class named a/ or b/
            return False

    return both(root) or both(root / "train")


def held_out(name: str, share: float) -> bool:
    """Whether a pair is held out: a stable function of its name."""
    return int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) / 2**32 < share


def split(root: Path, share: float):
    """(training pairs, held-out pairs, skipped) for either layout, with or without train/."""
    if (root / "train").is_dir():
        train, skipped = find_pairs(root / "train")
        heldout_dir = next((root / name for name in HELDOUT_FOLDERS if (root / name).is_dir()), None)
        if heldout_dir is not None:
            heldout, more = find_pairs(heldout_dir)
            return train, heldout, skipped + more
        pairs = train
    else:
        pairs, skipped = find_pairs(root)
    heldout = [p for p in pairs if held_out(p.name, share)]
    if not heldout and len(pairs) > 1:  # tiny sets: at least one pair to preview and score
        heldout = [min(pairs, key=lambda p: hashlib.sha1(p.name.encode()).hexdigest())]
    return [p for p in pairs if p not in heldout], heldout, skipped


def decode_pair(pair: Pair, size: int):
    """((a, b) uint8 arrays at size x size, None), or (None, (file, reason))."""
    pictures = []
    for path in (pair.a, pair.b) if pair.b is not None else (pair.a,):
        try:
            if path.stat().st_size == 0:
                return None, (display_path(path), "empty file")
            header = image_size(path) if pair.b is None else None
            if header and not side_by_side_size(*header):
                return None, (display_path(path), f"not a side-by-side A|B file ({header[0]}x"
                              f"{header[1]}; expected about twice as wide as high, like the others)")
            picture = read_image(path, (size, size) if pair.b is not None else (2 * size, size))
        except Exception as err:  # noqa: BLE001  one bad file must never stop a run
            return None, (display_path(path), f"{type(err).__name__}: {err}".splitlines()[0][:200])
        pictures.append(picture)
    if pair.b is None:
        width, height = pictures[0].size
        whole = pictures[0]
        pictures = [whole.crop((0, 0, width // 2, height)), whole.crop((width // 2, 0, width, height))]
    return tuple(to_array(center_crop_resize(p, size)) for p in pictures), None


def decode_pairs(pairs: list[Pair], size: int, chunk: int):
    """Decode `pairs` at `size`, `chunk` at a time: yields ([(a, b)], [(file, reason)]).
    Training and `check-data` both count pairs with this, so their counts agree."""
    for results in decode_chunks(pairs, lambda p: decode_pair(p, size), chunk):
        yield ([images for _, (images, _) in results if images is not None],
               [problem for _, (_, problem) in results if problem])


def _side_channels(pairs: list[Pair]) -> tuple[int, int]:
    if pairs and pairs[0].b is None:
        both = colour_channels([p.a for p in pairs])
        return both, both
    return colour_channels([p.a for p in pairs]), colour_channels([p.b for p in pairs])


def _stream(writer: EntryWriter, prefix: str, pairs: list[Pair], size: int, channels):
    """Decode `pairs` at `size` into <prefix>a / <prefix>b; returns (kept count, skipped)."""
    kept, skipped = 0, []
    for good, problems in decode_pairs(pairs, size, chunk_length(size, max(channels), 2)):
        for side, index in (("a", 0), ("b", 1)):
            if good:
                writer.append(prefix + side, np.stack([to_channels(g[index], channels[index])
                                                       for g in good]))
        kept += len(good)
        skipped += problems
    return kept, skipped


def load_pairs(root: Path, request: DataRequest, cache: bool = True) -> Data:
    if not root.is_dir():
        raise DataError(f"Expected a folder of image pairs for --data; {root} is not a directory.")
    train, heldout, skipped = split(root, request.holdout)
    if len(train) + len(heldout) < 2:
        raise DataError(
            f"Expected at least 2 image pairs in {root}: A/ and B/ folders whose files match by "
            "name, or side-by-side A|B files (optionally under train/, with val/ or test/). "
            f"Received: {len(train) + len(heldout)} pairs, {len(skipped)} files without a partner.")
    swap = request.direction == "BtoA"
    wanted = (request.source_channels, request.channels)
    wanted_ab = wanted[::-1] if swap else wanted
    files = sorted({str(p) for pair in train + heldout for p in (pair.a, pair.b) if p is not None})
    key = digest(CACHE_VERSION, str(root.resolve()), request.image_size, request.load_size,
                 wanted_ab, request.holdout, [p.name for p in heldout], file_states(map(Path, files)))
    entry = load_entry("data", key) if cache else None
    if entry is None:
        entry = _decode(train, heldout, skipped, request, wanted_ab, EntryWriter("data", key, cache), root)
    arrays, meta = entry
    order = ("b", "a") if swap else ("a", "b")
    fields = {"source": arrays["train_" + order[0]], "target": arrays["train_" + order[1]]}
    held = {"source": arrays["held_" + order[0]], "target": arrays["held_" + order[1]]}
    return Data(fields=fields, heldout=held, skipped=[tuple(s) for s in meta["skipped"]],
                description=f"image pairs ({len(fields['source'])} for training, "
                            f"{len(held['source'])} held out, from {root})")


def _decode(train, heldout, skipped, request: DataRequest, wanted_ab, writer, root):
    found = _side_channels(train + heldout)
    channels = tuple(w or f for w, f in zip(wanted_ab, found))
    try:
        kept, bad = _stream(writer, "train_", train, request.load_size or request.image_size, channels)
        held, more = _stream(writer, "held_", heldout, request.image_size, channels)
        skipped = skipped + bad + more
        if not kept or not held:
            first = f" (first problem: {skipped[0][0]}: {skipped[0][1]})" if skipped else ""
            raise DataError(f"Expected readable image pairs for training and for the held-out "
                            f"split in {root}. Received: {kept} training and {held} held-out "
                            f"pairs that could be read{first}.")
        return writer.finish({"skipped": skipped})
    except BaseException:
        writer.abort()
        raise


def native_size(root: Path) -> int | None:
    """The median shorter side of a sample of the pairs' A images (half of a side-by-side
    file's width), from their headers."""
    pairs = split(root, 0.1)[0]
    if pairs and pairs[0].b is None:
        return native_side([p.a for p in pairs], lambda width, height: min(width // 2, height))
    return native_side([p.a for p in pairs])


class PairedFolder(Source):
    summary = "a folder of A/ and B/ images matched by name, or side-by-side A|B files"
    layout = "pairs"

    def native_size(self, name, data_dir, name_b=None):
        return native_size(Path(name).expanduser())

    def load(self, request: DataRequest) -> Data:
        return load_pairs(Path(request.name).expanduser(), request)
