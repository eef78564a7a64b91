"""MODEL_CARD.md for an export: where it came from, its API, how it was checked, and
copy-paste clients (keras_gan.cards, one module per task)."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from keras_gan.cards import image, latent
from keras_gan.checkpoints import read_meta
from keras_gan.exporters.verify import format_table

CARD = "MODEL_CARD.md"
CARDS = {"noise_to_image": latent, "image_to_image": image}  # per task: sections(), files()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _provenance(result, config, run_dir, checkpoint, shape) -> list[str]:
    meta = read_meta(checkpoint)
    progress = f"epoch {meta['epoch']} of {config.train.total_epochs}"
    if meta.get("step"):
        progress += f", plus {meta['step']} steps of the next (stopped by Ctrl-C)"
    if "metric" in meta:  # checkpoints/best: kept by --eval-every's metric
        progress += f"; the best epoch by {meta['metric']} = {meta['value']:.4g}"
    train, model = config.train, config.model
    options = ", ".join(f"{f.name} {getattr(model, f.name)}" for f in dataclasses.fields(model)
                        if f.name != "arch" and getattr(model, f.name) not in (None, False))
    height, width, channels = shape
    return [
        f"# {result.path.parent.name}, version {result.path.name}",
        "",
        f"Generator exported by keras-gan from run `{run_dir}`, checkpoint `{checkpoint.name}` "
        f"({progress}).",
        "",
        f"- Architecture `{model.arch}`: {options or 'defaults'}",
        f"- Data `{config.data.name}`, images {height}x{width}x{channels}",
        f"- Loss `{train.loss}`, lr {train.lr:g}, batch {train.batch_size}, "
        f"{train.d_steps or 1} D step(s) per G step, seed {train.seed}",
        f"- Augmentation `{train.augment or 'none'}`",
        f"- Weights: {'the EMA generator (decay ' + format(train.ema, 'g') + ')' if train.ema else 'the generator (no EMA)'}",
        "",
    ]


def model_card(result, folder: Path, config, run_dir, checkpoint, network, spec,
               max_images: int, direction: str | None = None) -> str:
    """The card's text; `folder` holds the files (the staging folder before publishing).
    direction: for a two-way run, which of its generators this is."""
    shape = (config.data.image_size, config.data.image_size, config.data.channels)
    lines = _provenance(result, config, run_dir, checkpoint, shape)
    if direction:
        other = "BtoA" if direction == "AtoB" else "AtoB"
        stem = result.path.parent.name.removesuffix(f"-{direction}")
        lines += [f"This is the {direction[0]} -> {direction[-1]} generator of a two-way run; the "
                  f"{other[0]} -> {other[-1]} one is exported beside it, as `{stem}-{other}`: two "
                  "servables, so each direction is versioned, served and verified on its own "
                  "with the same signatures as any image-to-image model.", ""]
    lines += CARDS[spec.task_name].sections(result, spec, shape, max_images, config.data.class_names)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != CARD)
    lines += [
        "## Verification",
        "",
        "Each artifact was reloaded in its runtime (TensorFlow, LiteRT, onnxruntime) and run on "
        "fixed inputs at two batch sizes; `max abs diff` compares the float output with the Keras "
        "generator, PSNR compares the uint8 images.",
        "",
        format_table(result.checks, result.sizes, markdown=True),
        "",
        "## Files",
        "",
        "| file | bytes | sha256 |",
        "| --- | --- | --- |",
        *[f"| {p.relative_to(folder)} | {p.stat().st_size} | `{sha256(p)}` |" for p in files],
        "",
    ]
    return "\n".join(lines)
