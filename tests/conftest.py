"""Shared fixtures: tiny configs and image folders generated in tmp_path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from keras_gan.config import DataConfig, ModelConfig, RunConfig, TrainConfig


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


def tiny_config(tmp_path: Path, arch="gan", data="mnist_5k", loss="bce", **train) -> RunConfig:
    """A config that trains in seconds: 8 px images, narrow dcgan."""
    train_options = {"epochs": 1, "batch_size": 16, "loss": loss, "grid_size": 2, "eval_every": 0,
                     **train}
    return RunConfig(
        data=DataConfig(name=str(data), image_size=8),
        model=ModelConfig(arch=arch, latent_dim=8, width=2),
        train=TrainConfig(**train_options),
        runs_root=str(tmp_path / "runs"),
    )


def pytest_configure(config):
    # The domain-score classifier cache goes to a throwaway folder, never ~/.cache.
    import os
    import tempfile

    os.environ["KERAS_GAN_CACHE"] = tempfile.mkdtemp(prefix="keras-gan-test-cache-")
    # Raised inside Keras' TF backend (np.array on a tensor) with numpy 2.x; not ours to fix.
    config.addinivalue_line(
        "filterwarnings", "ignore:__array__ implementation doesn't accept a copy keyword"
    )
