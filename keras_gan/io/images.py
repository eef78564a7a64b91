"""Numpy-only image helpers. Inside the package images are float32 in [-1, 1];
this is the one place they become uint8."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from keras_gan.io.files import atomic_path


def to_uint8(images) -> np.ndarray:
    """[-1, 1] floats -> uint8 [0, 255], rounding to nearest and clipping outliers: the same
    float32 operations as every export's uint8 output (keras_gan.serving.common), so a
    grid, a sample file and a served image agree pixel for pixel."""
    x = np.asarray(images, dtype=np.float32) * np.float32(127.5) + np.float32(128.0)
    return np.minimum(np.maximum(x, np.float32(0.0)), np.float32(255.0)).astype(np.uint8)


def from_uint8(images) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1]; the inverse of `to_uint8` up to rounding."""
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0


def to_channels(images, channels: int) -> np.ndarray:
    """NHWC images (uint8 or float) with 1 or 3 channels -> `channels` channels: grey is
    repeated, colour becomes ITU-R 601 luma (as PIL's convert("L") and
    tf.image.rgb_to_grayscale)."""
    images = np.asarray(images)
    if images.shape[-1] == channels:
        return images
    if channels == 3:
        return np.repeat(images, 3, axis=-1)
    luma = images.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    if images.dtype == np.uint8:
        return np.clip(np.rint(luma), 0, 255).astype(np.uint8)[..., None]
    return luma[..., None]


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


def save_image(path: str | Path, image) -> Path:
    """Save one HWC image (uint8, or float in [-1, 1]) as a PNG at its own size, atomically."""
    from PIL import Image

    image = np.asarray(image)
    pixels = image if image.dtype == np.uint8 else to_uint8(image)
    with atomic_path(path) as tmp:
        Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(tmp, format="PNG")
    return Path(path)


def save_gif(path: str | Path, frames: list, duration_ms: int = 100, min_side: int = 128) -> Path:
    """Save uint8 HWC frames (or PIL images) as a looping GIF, atomically; small frames are
    upscaled with nearest-neighbour to at least `min_side` pixels."""
    from PIL import Image

    pictures = []
    for frame in frames:
        picture = frame if isinstance(frame, Image.Image) else Image.fromarray(
            frame[..., 0] if frame.shape[-1] == 1 else frame)
        scale = max(1, -(-min_side // min(picture.size)))
        if scale > 1:
            picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
        pictures.append(picture if picture.mode == "L" else picture.convert("RGB"))
    if not pictures:
        raise ValueError(f"No frames to write to {path}.")
    with atomic_path(path) as tmp:
        pictures[0].save(tmp, format="GIF", save_all=True, append_images=pictures[1:],
                         duration=duration_ms, loop=0)
    return Path(path)


def progress_gif(samples_dir: str | Path, out: str | Path, max_frames: int = 50,
                 max_width: int = 256) -> Path | None:
    """Assemble samples/epoch_NNNN.png into one GIF (evenly thinned to `max_frames`, the last
    epoch always kept, at most `max_width` wide, so a long run's GIF stays a few MB:
    benchmarks/RESULTS.md#run-folder);
    None when there are no grids yet."""
    from PIL import Image

    grids = sorted(Path(samples_dir).glob("epoch_*.png"))
    if not grids:
        return None
    if len(grids) > max_frames:
        keep = {round(i * (len(grids) - 1) / (max_frames - 1)) for i in range(max_frames)}
        grids = [g for i, g in enumerate(grids) if i in keep]
    frames = []
    for grid in grids:
        with Image.open(grid) as picture:
            picture = picture.convert("L" if picture.mode in ("L", "P") and
                                      picture.getbands() == ("L",) else "RGB")
            if picture.width > max_width:
                height = round(picture.height * max_width / picture.width)
                picture = picture.resize((max_width, height), Image.LANCZOS)
            frames.append(picture)
    return save_gif(out, frames, duration_ms=120, min_side=1)
