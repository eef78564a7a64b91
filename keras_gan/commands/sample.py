"""Write samples from a run: a PNG grid, or an .npz of raw float images and latents."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_gan.console import command_name
from keras_gan.config import RunConfig
from keras_gan.errors import ConfigError, invalid
from keras_gan.io.files import atomic_path, make_dirs, new_output
from keras_gan.io.images import save_grid, save_image
from keras_gan.latents import latents_for
from keras_gan.registry import FAMILIES, TASKS
from keras_gan.runs import load_run


def families_for(command: str) -> str:
    """The families whose task's `commands` include `command`, for a refusal's message."""
    return ", ".join(name for name, family in FAMILIES.items()
                     if command in TASKS.get(family.task).commands)


def noise_run(run_dir, checkpoint: str = "latest", command: str = "sample"):
    """load_run for commands that draw from latents; a run of another task is refused."""
    config, model, used = load_run(run_dir, checkpoint)
    if "sample --prompt" in model.task.commands:
        raise ConfigError(
            f"Invalid run: expected a run that draws images from noise alone for {command}. "
            f"Received: a {config.model.family!r} run, which draws from captions: pass --prompt "
            "(two or more for interpolate).")
    if "sample" not in model.task.commands:
        raise ConfigError(
            f"Invalid run: expected a run that draws images from noise ({families_for('sample')}) "
            f"for {command}. Received: a {config.model.family!r} run, which translates images: "
            f"use `{command_name()} {model.task.use.format(run=run_dir)}`.")
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


def draw(run_dir, seeds, label, checkpoint: str, one_class: bool = False):
    """The images of `seeds` (keras_gan.latents) from a run's sampling generator:
    (G's inputs, images, checkpoint used). one_class: a conditional run needs `label`."""
    config, gan, used = noise_run(run_dir, checkpoint)
    labels = resolve_label(config, label)
    if one_class and gan.num_classes is not None and labels is None:
        raise invalid("label", "a class for every seed (--label) on a conditional run", label)
    inputs = gan.sampling_inputs(latents_for(list(seeds), gan.latent_dim), labels)
    return inputs, gan.sample_images(inputs), used


def write_seed_images(run_dir: str | Path, seeds: list[int], out: str | Path | None = None,
                      label: str | int | None = None, checkpoint: str = "latest",
                      overwrite: bool = False) -> tuple[list[Path], Path]:
    """One PNG per seed, OUT/seed{s:04d}.png (default OUT: RUN/samples/seeds/), each the image
    the SavedModel's generate(seed=[s]) returns (keras_gan.latents). Conditional runs need
    `label`: an image belongs to a seed and a class. A seed given twice is one file.
    Returns (paths written, checkpoint used)."""
    folder = Path(out) if out else Path(run_dir) / "samples" / "seeds"
    suffix = "" if label is None else f"-label{label}"
    seeds = list(dict.fromkeys(seeds))
    paths = [new_output(folder / f"seed{s:04d}{suffix}.png", overwrite) for s in seeds]
    _, images, used = draw(run_dir, seeds, label, checkpoint, one_class=True)
    make_dirs(folder)
    return [save_image(path, image) for path, image in zip(paths, images, strict=True)], used


def write_samples(run_dir: str | Path, count: int, seed: int, out: str | Path | None = None,
                  label: str | int | None = None, checkpoint: str = "latest",
                  overwrite: bool = False, seeds: list[int] | None = None):
    """A grid (.png) or raw floats and latents (.npz) of seeds seed .. seed + count - 1, or of
    `seeds`. Returns (output path, checkpoint used). out None: RUN/samples/sample-seed{seed}-
    n{count}(-label{label}).png; an existing file is refused unless `overwrite`."""
    name = (f"sample-seeds{'_'.join(map(str, seeds[:8]))}{'_etc' if len(seeds) > 8 else ''}"
            if seeds else f"sample-seed{seed}-n{count}")
    suffix = "" if label is None else f"-label{label}"
    out = new_output(out or Path(run_dir) / "samples" / f"{name}{suffix}.png", overwrite)
    inputs, images, used = draw(run_dir, seeds or range(seed, seed + count), label, checkpoint)
    make_dirs(out.parent)
    if out.suffix.lower() == ".npz":
        arrays = {"latents": inputs} if not isinstance(inputs, list) else dict(
            zip(("latents", "labels"), inputs))
        with atomic_path(out) as tmp:
            np.savez_compressed(tmp, images=images, **arrays)
    else:
        save_grid(out, images)
    return out, used
