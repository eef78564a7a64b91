"""Write samples from a run: a PNG grid, or an .npz of raw float images and latents."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_gan.images import save_grid
from keras_gan.runs import load_run


def write_samples(run_dir: str | Path, count: int, seed: int, out: str | Path):
    """Returns (output path, checkpoint used)."""
    _config, gan, checkpoint = load_run(run_dir)
    images = gan.generate(count, seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".npz":
        np.savez_compressed(out, images=images, latents=gan.latents(count, seed))
    else:
        save_grid(out, images)
    return out, checkpoint
