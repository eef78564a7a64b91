"""`keras-gan check-data`: scan a dataset before training and say whether it is usable.

For image folders (and the Tom and Jerry download) every file is opened and fully
decoded, exactly as training would; the report lists unreadable files with the
reason, image sizes and aspect ratios, colour modes and byte-identical duplicates.
Registered and TFDS datasets are loaded and counted.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from keras_gan.data.decode import WORKERS, chunk_length, display_path, find_images, try_decode
from keras_gan.data import DATASETS, TFDS
from keras_gan.data.names import looks_like_path, missing_path_error
from keras_gan.data.pairs import decode_pairs, has_pair_folders, split
from keras_gan.data.source import DataError, DataRequest
from keras_gan.data.tom_and_jerry import TomAndJerry, locate

CHECK_SIZE = 32  # decode size for the scan: enough to prove the whole file decodes


@dataclass
class DataCheck:
    description: str
    files: int
    readable: int
    skipped: list[tuple[str, str]] = field(default_factory=list)
    sizes: Counter = field(default_factory=Counter)  # "WxH" -> count
    aspects: Counter = field(default_factory=Counter)  # width/height rounded to 0.25 -> count
    modes: Counter = field(default_factory=Counter)  # Pillow mode -> count
    duplicates: list[list[str]] = field(default_factory=list)  # groups of identical files
    pairs: tuple[int, int] | None = None  # (training, held-out) pairs of a paired folder

    @property
    def usable(self) -> bool:
        return self.readable > 0 and (self.pairs is None or sum(self.pairs) >= 2)

    def summary(self) -> str:
        extra = sum(len(group) - 1 for group in self.duplicates)
        pairs = f", {self.pairs[0]} pairs for training and {self.pairs[1]} held out" if self.pairs else ""
        return (f"{self.description}: {self.readable} of {self.files} images readable, "
                f"{len(self.skipped)} skipped, {extra} exact duplicates{pairs}"
                f"{'' if self.usable else ' - NOT USABLE'}.")

    def report(self) -> str:
        lines = [self.summary()]
        if self.sizes:
            lines.append("Sizes (most common): " + ", ".join(
                f"{size} x{count}" for size, count in self.sizes.most_common(8)))
            lines.append("Aspect ratios (w/h): " + ", ".join(
                f"{aspect:.2f} x{count}" for aspect, count in sorted(self.aspects.items())))
            lines.append("Modes: " + ", ".join(f"{m} x{c}" for m, c in self.modes.most_common()))
        for path, reason in self.skipped:
            lines.append(f"  skipped {path}: {reason}")
        for group in self.duplicates:
            lines.append(f"  identical: {', '.join(group)}")
        return "\n".join(lines)


def _inspect(path: Path):
    """(sha256, (width, height, mode) or None, reason or None) for one file."""
    from PIL import Image

    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as err:
        return None, None, f"{type(err).__name__}: {err.strerror}"
    _, reason = try_decode(path, CHECK_SIZE)
    if reason:
        return digest, None, reason
    with Image.open(path) as image:
        return digest, (*image.size, image.mode), None


def check_files(files: list[Path], description: str) -> DataCheck:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(_inspect, files))
    check = DataCheck(description, len(files), 0)
    by_digest = defaultdict(list)
    for path, (digest, info, reason) in zip(files, results, strict=True):
        if reason:
            check.skipped.append((display_path(path), reason))
            continue
        check.readable += 1
        by_digest[digest].append(display_path(path))
        width, height, mode = info
        check.sizes[f"{width}x{height}"] += 1
        check.aspects[round(width / height * 4) / 4] += 1
        check.modes[mode] += 1
    check.duplicates = [group for group in by_digest.values() if len(group) > 1]
    return check


def check_pairs(root: Path) -> DataCheck:
    """A paired folder: every file, plus the pairs training would use, counted by the
    same enumeration and decoding (keras_gan.data.pairs) as training."""
    train, heldout, unpaired = split(root, DataRequest.holdout)
    files = sorted({path for pair in train + heldout for path in (pair.a, pair.b) if path})
    check = check_files(files, f"image pairs {display_path(root)}")
    check.skipped += unpaired
    check.files += len(unpaired)
    counts, known = [], {path for path, _ in check.skipped}
    for pairs in (train, heldout):
        decoded = list(decode_pairs(pairs, CHECK_SIZE, chunk_length(CHECK_SIZE, 3, 2)))
        counts.append(sum(len(good) for good, _ in decoded))
        # pair-level reasons (a file among side-by-side ones that is square) beside the files'
        check.skipped += [problem for _, problems in decoded for problem in problems
                          if problem[0] not in known]
    check.pairs = (counts[0], counts[1])
    return check


def check_data(name: str, data_dir: str | None = None) -> DataCheck:
    if name in DATASETS:
        source = DATASETS.get(name)
        if isinstance(source, TomAndJerry):
            root, frames = locate(data_dir)
            return check_files(frames, f"tom_and_jerry ({display_path(root)})")
        loaded = source.load(DataRequest(name, data_dir, CHECK_SIZE))
        return DataCheck(loaded.description, loaded.count + len(loaded.skipped), loaded.count,
                         skipped=list(loaded.skipped))
    root = Path(name).expanduser()
    if root.is_dir():
        return check_pairs(root) if has_pair_folders(root) else check_files(find_images(root),
                                                            f"image folder {display_path(root)}")
    if root.exists():
        raise DataError(f"Expected an image folder for --data; {root} is not a directory.")
    if looks_like_path(name):
        raise missing_path_error(name, "images")
    loaded = TFDS.load(DataRequest(name, data_dir, CHECK_SIZE))
    return DataCheck(loaded.description, loaded.count, loaded.count)
