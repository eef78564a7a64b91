"""Captioned images for text-to-image families: the "captions" layout.

A folder's captions come from, in this order (the first that exists wins):
- DIR/captions.csv: a header row naming the columns `file,caption` (more columns are
  ignored), then one row per caption; `file` is relative to DIR, and an image may have
  several rows. UTF-8 (a byte-order mark is fine), quoted fields may hold commas;
- DIR/captions.jsonl: one JSON object per line, {"file": ..., "caption": ...};
- a .txt beside each image with the same stem: one caption per non-empty line.
A row naming a missing file, an empty caption or an unreadable line is reported and
left out, never fatal; images without any caption are skipped and counted.

The layout's fields: "image" uint8 [M, S, S, C] and "caption" (a numpy unicode array
[M]) with one row per (image, caption) pair, so an image with three captions appears
three times, in a row. The offline demo `MNISTCaptions` adds "label" (the digit each
caption names), so a classifier can score whether a generated digit matches its prompt.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from keras_gan.data.decode import IMAGE_EXTENSIONS, MIN_SIDE, display_path, find_images, native_side
from keras_gan.data.folder import load_folder
from keras_gan.data.offline import MNIST5k
from keras_gan.data.source import Data, DataError, DataRequest, Source

CAPTION_FILES = ("captions.csv", "captions.jsonl")
Captions = dict[Path, list[str]]
Problems = list[tuple[str, str]]


def read_captions(root: Path) -> tuple[Captions, Problems]:
    """({image path: [captions]}, [(entry, reason)]) for the images below `root`.

    Bad rows are reported as problems, never raised; a captions.csv without its header
    row is a DataError (none of its rows can be read).
    """
    if (root / "captions.csv").is_file():
        return _read_csv(root, root / "captions.csv")
    if (root / "captions.jsonl").is_file():
        return _read_jsonl(root, root / "captions.jsonl")
    return _read_txt(root)


def _open(path: Path):
    # surrogateescape: one non-UTF-8 byte spoils only its own row (reported), not the file;
    # a file name keeps its bytes (Linux allows any), a caption must be text.
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


def _text(value) -> str | None:
    """A caption with its whitespace (a quoted newline, tabs) collapsed; None if not text."""
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return " ".join(value.split())


def _add(captions: Captions, problems: Problems, root: Path, entry: str, file, caption) -> None:
    """Check one (file, caption) entry and add it, or report why it is left out."""
    if not isinstance(file, str) or not file.strip():
        problems.append((entry, f"expected a file name; received file={file!r}"))
        return
    path, text = root / file.strip(), _text(caption)
    if not isinstance(caption, str):
        problems.append((entry, f"expected a caption for {display_path(file)}; received "
                                f"caption={caption!r}"))
    elif text is None:
        problems.append((entry, f"the caption of {display_path(file)} is not UTF-8 text"))
    elif not text:
        problems.append((entry, f"empty caption for {display_path(file)}"))
    elif not path.name.lower().endswith(IMAGE_EXTENSIONS):
        problems.append((entry, f"{display_path(file)} is not an image (expected a name ending in "
                                f"{', '.join(IMAGE_EXTENSIONS)})"))
    elif not path.is_file():
        problems.append((entry, f"names {display_path(file)}, but {display_path(path)} is not a file"))
    else:
        captions.setdefault(path, []).append(text)


def _read_csv(root: Path, path: Path) -> tuple[Captions, Problems]:
    captions, problems = {}, []
    with _open(path) as handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except csv.Error as err:
            header = [f"unreadable: {err}"]
        if not {"file", "caption"} <= {name.strip() for name in header}:
            raise DataError(f"Invalid {display_path(path)}: expected a header row naming the columns "
                            f"file,caption. Received: header={header}.")
        reader.fieldnames = [name.strip() for name in header]
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as err:  # an oversized field: the reader moves on to the next row
                # line_num still counts the rows before the unreadable one
                problems.append((f"{display_path(path)}:{reader.line_num + 1}",
                                 f"unreadable row: {err}"))
                continue
            _add(captions, problems, root, f"{display_path(path)}:{reader.line_num}",
                 row.get("file"), row.get("caption"))
    return captions, problems


def _read_jsonl(root: Path, path: Path) -> tuple[Captions, Problems]:
    captions, problems = {}, []
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            entry = f"{display_path(path)}:{number}"
            try:
                item = json.loads(line)
            except ValueError as err:
                problems.append((entry, f"not a JSON line: {err}"))
                continue
            if not isinstance(item, dict):
                problems.append((entry, 'expected an object with "file" and "caption"; '
                                        f"received a {type(item).__name__}"))
                continue
            _add(captions, problems, root, entry, item.get("file"), item.get("caption"))
    return captions, problems


def _read_txt(root: Path) -> tuple[Captions, Problems]:
    captions, problems = {}, []
    for image in find_images(root):
        text_file = image.with_suffix(".txt")
        if not text_file.is_file():
            continue
        try:
            lines = text_file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            problems.append((display_path(text_file), f"unreadable captions: {err}"))
            continue
        found = [" ".join(line.split()) for line in lines if line.strip()]
        if found:
            captions[image] = found
    return captions, problems


def load_captioned(root: Path, captions: Captions, image_size: int, channels: int | None,
                   problems: Problems = (), min_side: int = MIN_SIDE,
                   label: str = "captioned folder") -> Data:
    """Decode the captioned images below `root` (as load_folder does, cached) into one row
    per (image, caption) pair; images below `root` without a caption are skipped."""
    files = sorted(captions)
    uncaptioned = [(display_path(p), "no caption") for p in find_images(root) if p not in captions]
    if not files:
        first = f" (first problem: {problems[0][0]}: {problems[0][1]})" if problems else ""
        raise DataError(
            f"No captioned images in {root}: expected captions.csv (columns file,caption), "
            f"captions.jsonl or a .txt beside each image. Received: {len(uncaptioned)} images "
            f"without a caption{first}.")
    decoded = load_folder(root, image_size, channels, label, files=files, min_side=min_side)
    unread = {entry for entry, _ in decoded.skipped}
    kept = [path for path in files if display_path(path) not in unread]
    images = decoded.fields["image"]
    if len(kept) != len(images):
        raise RuntimeError(f"{len(images)} decoded images for {len(kept)} readable files in {root}")
    counts = np.array([len(captions[path]) for path in kept])
    if (counts != 1).any():  # with one caption each, a memory-mapped cache stays mapped
        images = np.repeat(images, counts, axis=0)
    text = np.array([caption for path in kept for caption in captions[path]], dtype=str)
    return Data(fields={"image": images, "caption": text},
                description=f"{label} ({len(kept)} images, {len(text)} captions from {root})",
                skipped=[*problems, *uncaptioned, *decoded.skipped])


class CaptionedFolder(Source):
    summary = ("a folder of images with captions.csv (file,caption), captions.jsonl or a .txt "
               "beside each image: --data DIR")
    layout = "captions"

    def native_size(self, name, data_dir, name_b=None):
        root = Path(name).expanduser()
        return native_side(sorted(read_captions(root)[0])) if root.is_dir() else None

    def load(self, request: DataRequest) -> Data:
        root = Path(request.name).expanduser()
        if not root.is_dir():
            raise DataError(f"Expected a folder of captioned images for --data; {root} is not a "
                            "directory.")
        captions, problems = read_captions(root)
        return load_captioned(root, captions, request.image_size, request.channels, problems,
                              request.min_side or MIN_SIDE)


DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# {word}: "seven", {digit}: "7", {a}: the article before the numeral ("an 8").
TEMPLATES = (
    "a handwritten {word}",
    "the digit {digit}",
    "number {word} written by hand",
    "{a} {digit}",
    "{word}, handwritten",
    "a sloppy handwritten {word}",
    "the number {word}",
    "a handwritten digit {digit}",
)
PROMPTS = tuple(f"a handwritten {word}" for word in DIGIT_WORDS)  # fixed prompts for preview grids
CAPTION_SEED = 0


def caption_for(digit: int, template_index: int) -> str:
    """The caption of `digit` (0-9) in phrasing `template_index` of TEMPLATES."""
    if not 0 <= digit <= 9:
        raise ValueError(f"Invalid digit: expected 0-9. Received: digit={digit!r}.")
    if not 0 <= template_index < len(TEMPLATES):
        raise ValueError(f"Invalid template_index: expected 0-{len(TEMPLATES) - 1}. "
                         f"Received: template_index={template_index!r}.")
    return TEMPLATES[template_index].format(word=DIGIT_WORDS[digit], digit=digit,
                                            a="an" if digit == 8 else "a")


def mnist_captions(labels: np.ndarray) -> np.ndarray:
    """One caption per digit, its phrasing drawn from a Generator seeded with CAPTION_SEED."""
    phrasing = np.random.default_rng(CAPTION_SEED).integers(len(TEMPLATES), size=len(labels))
    return np.array([caption_for(int(d), int(t)) for d, t in zip(labels, phrasing)], dtype=str)


class MNISTCaptions(MNIST5k):
    summary = ('mnist_5k digits with generated captions ("a handwritten seven", "the digit 7", ...); '
               "offline (text-to-image demo)")
    layout = "captions"

    def load(self, request: DataRequest) -> Data:
        digits = super().load(request)
        labels = digits.fields["label"]
        return Data(fields={**digits.fields, "caption": mnist_captions(labels)},
                    description=f"mnist_captions ({len(labels)} digits, 28x28x1, one of "
                                f"{len(TEMPLATES)} generated captions each)",
                    class_names=digits.class_names)
