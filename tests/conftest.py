"""Shared fixtures: tiny configs and small image folders generated in temporary folders.

Training tests use `small_digits()` (160 real MNIST digits, 16 per class, as PNGs in one
folder per class: labelled grayscale, so the domain score applies) and `small_pairs()`
(48 generated RGB -> grey image pairs), never the 5,000 digits of mnist_5k: an epoch is
a handful of steps.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np
import pytest

from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options

DIGITS_PER_CLASS = 16
PAIRS = 48


def write_image(path: Path, size=(12, 10), mode="RGB", fmt=None, seed=0):
    """A random image file of a given Pillow mode; returns its path."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    width, height = size
    bands = {"L": 1, "RGB": 3, "RGBA": 4, "CMYK": 4, "P": 1}[mode]
    pixels = rng.integers(0, 256, (height, width, bands), dtype=np.uint8)
    image = Image.fromarray(pixels[..., 0] if bands == 1 else pixels,
                            mode={"P": "L", "CMYK": "RGBA"}.get(mode, mode))
    if mode == "P":
        image = image.convert("P")
    elif mode == "CMYK":
        image = image.convert("RGB").convert("CMYK")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format=fmt)
    return path


def make_corrupt_files(folder: Path) -> list[Path]:
    """A zero-byte JPEG, random bytes named .png, and a truncated JPEG."""
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty.jpg"
    empty.write_bytes(b"")
    noise = folder / "noise.png"
    noise.write_bytes(np.random.default_rng(1).integers(0, 256, 300, dtype=np.uint8).tobytes())
    good = write_image(folder / "whole.jpg", size=(64, 48))
    truncated = folder / "truncated.jpg"
    truncated.write_bytes(good.read_bytes()[:200])
    good.unlink()
    return [empty, noise, truncated]


@functools.cache
def small_digits() -> Path:
    """160 real MNIST digits as 28x28 PNGs in <digit>/ folders (made once per session)."""
    from PIL import Image

    from keras_gan.data.offline import mnist_digits

    root = Path(tempfile.mkdtemp(prefix="keras-gan-digits-"))
    images, labels = mnist_digits()
    for digit in range(10):
        for i, index in enumerate(np.flatnonzero(labels == digit)[:DIGITS_PER_CLASS]):
            path = root / str(digit) / f"{i:02d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(images[index, ..., 0]).save(path)
    return root


def blobs(count: int, size: int, seed: int = 0) -> np.ndarray:
    """uint8 RGB pictures of a few soft coloured blobs: structure a generator can learn."""
    from keras_gan.serving.image import smooth_images

    return smooth_images(count, (size, size), 3, seed)


@functools.cache
def small_pairs() -> Path:
    """48 pairs in A/ (RGB blobs) and B/ (the same in grey), 24x24 (made once per session)."""
    from PIL import Image

    root = Path(tempfile.mkdtemp(prefix="keras-gan-pairs-"))
    for i, picture in enumerate(blobs(PAIRS, 24)):
        for side, image in (("A", Image.fromarray(picture)), ("B", Image.fromarray(picture).convert("L"))):
            path = root / side / f"{i:03d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            image.save(path)
    return root


@functools.cache
def small_unpaired() -> Path:
    """Two unrelated domains in the reference layout: trainA/ (RGB blobs) and trainB/ (other
    blobs, colours inverted), 24 each, and testA/ testB/ with 4 each (made once per session)."""
    from PIL import Image

    root = Path(tempfile.mkdtemp(prefix="keras-gan-unpaired-"))
    for domain, seed, invert in (("A", 1, False), ("B", 2, True)):
        pictures = blobs(28, 24, seed)
        for i, picture in enumerate(255 - pictures if invert else pictures):
            folder = root / (f"test{domain}" if i >= 24 else f"train{domain}")
            folder.mkdir(exist_ok=True)
            Image.fromarray(picture).save(folder / f"{i:03d}.png")
    return root


@pytest.fixture
def tom_and_jerry_dir(tmp_path) -> Path:
    """A folder laid out like the Kaggle download, mixed frame sizes, a few corrupt files."""
    root = tmp_path / "manual" / "tom_and_jerry"
    frames = root / "tom_and_jerry" / "tom_and_jerry"
    sizes = [(128, 72), (85, 48), (96, 54)]
    for i, cls in enumerate(["tom", "jerry", "tom_jerry_0", "tom_jerry_1"]):
        for j in range(3):
            write_image(frames / cls / f"frame{j}.jpg", size=sizes[j], seed=10 * i + j)
    (root / "ground_truth.csv").write_text("filename,tom,jerry\n")
    make_corrupt_files(frames / "tom")
    return root


def tiny_config(tmp_path: Path, family="gan", data=None, loss="bce", **train) -> RunConfig:
    """A config that trains in seconds: 8 px images (16 for translators), narrow networks,
    small data."""
    translator = family in ("pix2pix", "cyclegan", "discogan")
    default_data = {"pix2pix": small_pairs, "cyclegan": small_unpaired,
                    "discogan": small_unpaired}.get(family, small_digits)
    train_options = {"epochs": 1, "decay_epochs": 0, "batch_size": 4 if translator else 16,
                     "loss": loss, "grid_size": 2, "eval_every": 0,
                     # every epoch, as these tests count on (the default paces them by time)
                     "snap": 1, "grid_every": 1, **train}
    model = {"width": 2} if translator else {"latent_dim": 8, "width": 2}
    if family == "cyclegan":  # the U-Net traces in half the time of 6 residual blocks
        model["generator"] = "unet"
    if family == "text2image":  # DF-GAN sizes start at 16; vocab_size is filled from captions
        model = {"width": 2, "latent_dim": 8, "sentence_dim": 8, "vocab_size": 20,
                 "encoder_epochs": 0}
        train_options["loss"] = "hinge"  # the only loss it takes
    if family == "srgan":  # 16 px crops of 16 px digits, x2: 8 px inputs
        model = {"width": 2, "blocks": 1, "scale": 2, "crop": 16}
        train_options["batch_size"] = train.get("batch_size", 8)
    return RunConfig(
        data=DataConfig(name=str(data or default_data()),
                        image_size=16 if translator or family in ("srgan", "text2image", "lightweight")
                        else 8),
        model=model_options(family, **model),
        train=TrainConfig(**train_options),
        runs_root=str(tmp_path / "runs"),
    )


def saved_config(family: str = "gan", **model) -> RunConfig:
    """A config as `train` saves it: every "auto" value filled (no data decoded)."""
    from keras_gan.resolve import fill_defaults

    config = RunConfig().replace(data={"image_size": 32, "channels": 1},  # the family's data
                                 model={"family": family, **model},
                                 train={"epochs": 1, "batch_size": 4, "precision": "float32"})
    return fill_defaults(config)


@pytest.fixture(autouse=True)
def no_bfloat16_units(monkeypatch):
    """Defaults resolve as on a machine without bfloat16 units, whatever CPU runs the suite
    (tests of the bfloat16 default patch it back)."""
    monkeypatch.setattr("keras_gan.families.gan.bfloat16_units", lambda: None)


def pytest_configure(config):
    # The data and domain-score caches go to a throwaway folder, never ~/.cache.
    import os

    os.environ["KERAS_GAN_CACHE"] = tempfile.mkdtemp(prefix="keras-gan-test-cache-")
    # Raised inside Keras' TF backend (np.array on a tensor) with numpy 2.x; not ours to fix.
    config.addinivalue_line(
        "filterwarnings", "ignore:__array__ implementation doesn't accept a copy keyword"
    )


def export_every_format(run_dir, out, name: str):
    """Every format a translator exports (SavedModel, the three TFLite files, ONNX),
    verified; int8 calibrated on 16 inputs to stay quick."""
    from keras_gan.config import ExportConfig
    from keras_gan.commands.export import export_run

    options = ExportConfig(out=str(out), name=name, formats=("saved_model", "tflite", "onnx"),
                           calibration_samples=16)
    return export_run(run_dir, options)


def pairwise(**options) -> list[dict]:
    """Combinations of option values that cover every pair of values of any two options
    (all-pairs testing): the full product's pairwise interactions in far fewer runs.
    Greedy and deterministic: each pick covers the most pairs not yet covered."""
    import itertools

    names = list(options)
    product = [dict(zip(names, values)) for values in itertools.product(*options.values())]

    def pairs(combo):
        return {((a, combo[a]), (b, combo[b])) for a, b in itertools.combinations(names, 2)}

    uncovered = set().union(*(pairs(c) for c in product))
    chosen = []
    while uncovered:
        best = max(product, key=lambda c: len(pairs(c) & uncovered))
        chosen.append(best)
        uncovered -= pairs(best)
    return chosen
