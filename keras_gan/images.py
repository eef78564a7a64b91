"""Numpy-only image helpers. Inside the package images are float32 in [-1, 1];
this is the one place they become uint8."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from keras_gan.fileio import atomic_path


def to_uint8(images) -> np.ndarray:
    """[-1, 1] floats -> uint8 [0, 255], rounding to nearest and clipping outliers."""
    x = (np.asarray(images, dtype=np.float32) + 1.0) * 127.5
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def from_uint8(images) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1]; the inverse of `to_uint8` up to rounding."""
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0


def make_grid(images: np.ndarray, ncols: int | None = None, padding: int = 2,
              pad_value: int = 255) -> np.ndarray:
    """Tile uint8 NHWC images into one HWC image with `padding` pixels between cells."""
    images = np.asarray(images)
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ValueError(
            f"make_grid expects uint8 images of shape (N, H, W, C); received "
            f"dtype={images.dtype}, shape={images.shape}."
        )
    n, h, w, c = images.shape
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    grid = np.full(
        (nrows * (h + padding) + padding, ncols * (w + padding) + padding, c),
        pad_value, dtype=np.uint8,
    )
    for i, image in enumerate(images):
        top = padding + (i // ncols) * (h + padding)
        left = padding + (i % ncols) * (w + padding)
        grid[top:top + h, left:left + w] = image
    return grid


def save_grid(path: str | Path, images, ncols: int | None = None, scale: int | None = None) -> Path:
    """Save [-1, 1] float images as a PNG grid (atomically); small images are upscaled
    with nearest-neighbour so a 28 px digit stays visible."""
    from PIL import Image

    grid = make_grid(to_uint8(images), ncols)
    if scale is None:
        scale = max(1, 64 // np.asarray(images).shape[1])
    picture = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    with atomic_path(path) as tmp:
        picture.save(tmp, format="PNG")
    return Path(path)
