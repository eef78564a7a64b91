"""Two unpaired image sets for two-way translation (`--family cyclegan|discogan`).

- `--data DIR` in the reference layout: DIR/trainA/ and DIR/trainB/, with DIR/testA/ and
  DIR/testB/ (optional) held out for previews and scores;
- `--data DIR_A --data-b DIR_B`: two folders given separately;
- `--data cycle_gan/<name>`: the TFDS sets (trainA/trainB/testA/testB splits), prepared once.
Without test folders a stable share of each domain (by a hash of each file's path) is held
out. The domains may differ in size, image size and channels; an empty domain is a clear
error before any model is built. Training images are stored at the load size (random crops
are taken from them), held-out ones at the training size. Where both domains have the same
group folders (classes), their labels come along ("a_label", "b_label") for the domain score:
does G keep an image's class?
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_gan.data.decode import display_path, find_images, native_side
from keras_gan.data.folder import load_folder
from keras_gan.data.offline import mnist_digits
from keras_gan.data.pairs import held_out
from keras_gan.data.resize import resize_arrays
from keras_gan.data.source import Data, DataError, DataRequest, Source
from keras_gan.training.schedule import DECAY_SHARE

DOMAINS = ("a", "b")


def domain_folders(request: DataRequest) -> dict[str, tuple[Path, Path | None]]:
    """{domain: (training folder, held-out folder or None)}."""
    root = Path(request.name).expanduser()
    if request.name_b:
        return {"a": (root, None), "b": (Path(request.name_b).expanduser(), None)}
    if not (root / "trainA").is_dir() or not (root / "trainB").is_dir():
        raise DataError(
            f"Invalid data: expected trainA/ and trainB/ in {root} (testA/ and testB/ optional), "
            f"or two folders (--data DIR_A --data-b DIR_B). Received: data={request.name!r}, "
            f"which has {sorted(p.name for p in root.iterdir() if p.is_dir()) or 'no folders'}.")
    return {d: (root / f"train{d.upper()}", root / f"test{d.upper()}"
                if (root / f"test{d.upper()}").is_dir() else None) for d in DOMAINS}


def _split(train_dir: Path, test_dir: Path | None, share: float):
    files = find_images(train_dir) if train_dir.is_dir() else []
    if not files:
        raise DataError(f"Invalid data: expected images in {display_path(train_dir)} (an empty "
                        f"domain cannot train). Received: no .jpg/.jpeg/.png/.bmp/.gif files.")
    if test_dir is not None:
        return files, find_images(test_dir)
    held = [f for f in files if held_out(display_path(f.relative_to(train_dir)), share)] or files[:1]
    return [f for f in files if f not in held] or files, held


def load_unpaired(request: DataRequest) -> Data:
    fields, heldout, skipped, counts = {}, {}, [], []
    channels = {"a": request.source_channels, "b": request.channels}
    splits = {domain: (train_dir, test_dir, *_split(train_dir, test_dir, request.holdout))
              for domain, (train_dir, test_dir) in domain_folders(request).items()}
    classes = shared_classes([train + held for *_, train, held in splits.values()])
    for domain, (train_dir, test_dir, train_files, held_files) in splits.items():
        label = f"domain {domain.upper()}"
        train = load_folder(train_dir, request.load_size or request.image_size, channels[domain],
                            label, files=train_files, classes=classes)
        held = load_folder(test_dir or train_dir, request.image_size, train.channels, label,
                           files=held_files, classes=classes)
        fields[domain], heldout[domain] = train.fields["image"], held.fields["image"]
        if classes:
            fields[f"{domain}_label"], heldout[f"{domain}_label"] = train.labels, held.labels
        skipped += train.skipped + held.skipped
        counts.append(f"{domain.upper()}: {len(fields[domain])} + {len(heldout[domain])} held out")
    return Data(fields=fields, heldout=heldout, skipped=skipped, class_names=classes,
                description=f"unpaired images ({'; '.join(counts)})")


def shared_classes(domains: list[list[Path]]) -> tuple[str, ...] | None:
    """The group folders (classes) every domain has, when they have the same two or more."""
    names = {tuple(sorted({display_path(f.parent.name) for f in files})) for files in domains}
    return names.pop() if len(names) == 1 and len(next(iter(names))) > 1 else None


class UnpairedFolders(Source):
    summary = "trainA/ + trainB/ (testA/, testB/) folders, or --data DIR_A --data-b DIR_B"
    layout = "unpaired"

    def native_size(self, name, data_dir, name_b=None):
        """The smaller domain's own size: neither domain is upscaled."""
        folders = domain_folders(DataRequest(name, data_dir, name_b=name_b)).values()
        sizes = [native_side(find_images(train_dir)) for train_dir, _ in folders]
        return min((size for size in sizes if size), default=None)

    def load(self, request: DataRequest) -> Data:
        return load_unpaired(request)


# The offline demo with a known answer -------------------------------------------

ORANGE, BLUE = np.array([255, 160, 0], np.float32), np.array([20, 40, 120], np.float32)
PER_CLASS = 100


def recolour(grey: np.ndarray) -> np.ndarray:
    """uint8 grey digits [N, H, W, 1] -> the same digits orange on dark blue, RGB."""
    v = grey.astype(np.float32) / 255.0
    return np.clip(np.rint(v * ORANGE + (1.0 - v) * BLUE), 0, 255).astype(np.uint8)


def as_grey_rgb(grey: np.ndarray) -> np.ndarray:
    return np.repeat(grey, 3, axis=-1)


class MNISTColours(Source):
    """A: grey digits; B: other digits, orange on dark blue. Disjoint samples (digits 0-99 of
    each class in A, 100-199 in B), so nothing is paired, yet the true translation of any
    image is known: held-out truth arrays let `evaluate` score G(A) against it."""

    summary = ("offline unpaired digits: grey (A) <-> orange on blue (B), 1,000 each, disjoint; "
               "the true translation is known (cyclegan default)")
    layout = "unpaired"
    train_defaults = {"epochs": 5, DECAY_SHARE: 0.5}  # 3 at the full rate, 2 decaying

    def native_size(self, name, data_dir, name_b=None):
        return 28

    def load(self, request: DataRequest) -> Data:
        digits, labels = mnist_digits()
        index = {d: np.flatnonzero(labels == d) for d in range(10)}
        a_index = np.concatenate([index[d][:PER_CLASS] for d in range(10)])
        b_index = np.concatenate([index[d][PER_CLASS:2 * PER_CLASS] for d in range(10)])
        a_digits, b_digits = digits[a_index], digits[b_index]
        domains = {"a": as_grey_rgb(a_digits), "b": recolour(b_digits)}
        truths = {"a": recolour(a_digits), "b": as_grey_rgb(b_digits)}  # each domain translated
        classes = {"a": labels[a_index], "b": labels[b_index]}
        fields, heldout = {}, {}
        for d, images in domains.items():
            held = np.array([held_out(f"{d}_{i:04d}", request.holdout) for i in range(len(images))])
            fields[d] = _sized(images[~held], request.load_size or request.image_size)
            heldout[d] = _sized(images[held], request.image_size)
            heldout[f"{d}_truth"] = _sized(truths[d][held], request.image_size)
            fields[f"{d}_label"], heldout[f"{d}_label"] = classes[d][~held], classes[d][held]
        return Data(fields=fields, heldout=heldout, class_names=tuple(str(d) for d in range(10)),
                    description=f"mnist_colours (A: {len(fields['a'])} grey digits, B: "
                                f"{len(fields['b'])} orange-on-blue digits, disjoint; "
                                f"{len(heldout['a'])} + {len(heldout['b'])} held out)")


def _sized(images: np.ndarray, size: int) -> np.ndarray:
    return images if images.shape[1] == size else resize_arrays(images, size, images.shape[-1])
