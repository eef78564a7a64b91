"""Write samples from a run: a PNG grid, or an .npz of raw float images and latents."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_gan.config import RunConfig
from keras_gan.errors import ConfigError, invalid
from keras_gan.fileio import new_output
from keras_gan.images import save_grid
from keras_gan.runs import load_run
from keras_gan.tasks import NoiseToImage


def noise_run(run_dir, checkpoint: str = "latest", command: str = "sample"):
    """load_run for commands that draw from latents; an image-to-image run is refused."""
    config, model, used = load_run(run_dir, checkpoint)
    if not isinstance(model.task, NoiseToImage):
        raise ConfigError(
            f"Invalid run: expected a run that draws images from noise (gan, dcgan) for {command}. "
            f"Received: a {config.model.arch!r} run, which translates images: use "
            f"`python cli.py translate --run {run_dir} INPUT --out DIR`.")
    return config, model, used


def resolve_label(config: RunConfig, label: str | int | None) -> int | None:
    """A class given by index or name -> its index; None stays None (cycle the classes)."""
    if label is None:
        return None
    names = list(config.data.class_names or [])
    if not getattr(config.model, "conditional", False):
        raise invalid("label", "no --label: this run is not conditional", label)
    if str(label) in names:
        return names.index(str(label))
    if str(label).isdigit() and int(label) < len(names):
        return int(label)
    raise invalid("label", f"a class index 0-{len(names) - 1} or a name from {names}", label)


def write_samples(run_dir: str | Path, count: int, seed: int, out: str | Path | None = None,
                  label: str | int | None = None, checkpoint: str = "latest",
                  overwrite: bool = False):
    """Returns (output path, checkpoint used). out None: RUN/samples/sample-seed{seed}-n{count}
    (+ -label{label}).png; an existing file is refused unless `overwrite`."""
    suffix = "" if label is None else f"-label{label}"
    out = new_output(out or Path(run_dir) / "samples" / f"sample-seed{seed}-n{count}{suffix}.png", overwrite)
    config, gan, used = noise_run(run_dir, checkpoint)
    labels = resolve_label(config, label)
    images = gan.generate(count, seed, labels=labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".npz":
        inputs = gan.sampling_inputs(gan.latents(count, seed), labels)  # what generate() used
        arrays = {"latents": inputs} if gan.num_classes is None else dict(
            zip(("latents", "labels"), inputs))
        np.savez_compressed(out, images=images, **arrays)
    else:
        save_grid(out, images)
    return out, used
