"""Latent walks: spherical interpolation between seeded latents, as a GIF and a PNG strip.

Gaussian latents concentrate near a sphere, so a straight line between two of
them passes through low-probability, low-norm points; slerp keeps the norm
(White 2016, "Sampling Generative Networks").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_gan.io.files import new_output
from keras_gan.io.images import save_gif, save_grid, to_uint8
from keras_gan.commands.sample import noise_run, resolve_label


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation from `a` (t=0) to `b` (t=1) for each t; lerp when a || b."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    t = np.asarray(t, np.float64)[:, None]
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    return ((np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)).astype(np.float32)


def walk_latents(gan, seeds: list[int], steps: int) -> np.ndarray:
    """A closed walk seeds[0] -> seeds[1] -> ... -> seeds[0]: `steps` frames per leg, each leg
    starting at its seed's latent (the same latent `sample --seed S --n 1` draws)."""
    anchors = [gan.latents(1, seed)[0] for seed in seeds]
    t = np.arange(steps) / steps
    legs = [slerp(anchors[i], anchors[(i + 1) % len(anchors)], t) for i in range(len(anchors))]
    return np.concatenate(legs)


def write_walk(run_dir: str | Path, seeds: list[int], steps: int, out: str | Path | None = None,
               label=None, checkpoint: str = "latest", overwrite: bool = False) -> tuple[Path, Path, Path]:
    """Writes OUT (.gif) and OUT with .png (one row per leg); returns (gif, png, checkpoint).
    out None: RUN/samples/walk-seeds{0-1-2-3}.gif; existing files are refused unless `overwrite`."""
    name = f"walk-seeds{'-'.join(map(str, seeds))}{'' if label is None else f'-label{label}'}.gif"
    out = new_output(out or Path(run_dir) / "samples" / name, overwrite)
    new_output(out.with_suffix(".png"), overwrite)
    config, gan, used = noise_run(run_dir, checkpoint, "interpolate")
    labels = resolve_label(config, label)
    latents = walk_latents(gan, seeds, steps)
    if gan.num_classes is not None and labels is None:
        labels = 0  # one class for the whole walk, so only the latent moves
    images = gan.sample_images(gan.sampling_inputs(latents, labels))
    gif = out
    save_gif(gif, list(to_uint8(images)), duration_ms=80)
    strip = save_grid(gif.with_suffix(".png"), images, ncols=steps)
    return gif, strip, used
