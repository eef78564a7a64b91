"""MODEL_CARD.md for an export: where it came from, its API, how it was checked, and
copy-paste clients (keras_gan.cards, one module per task)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from keras_gan.exporters.verify import format_table
from keras_gan.registry import TASKS
from keras_gan.training.checkpoints import read_meta

CARD = "MODEL_CARD.md"


def card_of(spec):
    """The cards module (picture(), sections(), files()) of the task a serving spec serves."""
    return TASKS.get(spec.task_name).card


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hub_header(config, spec, scores: dict) -> list[str]:
    """The YAML block model hubs read (Hugging Face's model card metadata)."""
    tags = list(dict.fromkeys(["keras-gan", "gan", config.model.family, spec.task_name.replace("_", "-")]))
    if getattr(config.model, "conditional", False):
        tags.append("class-conditional")
    lines = ["---", "library_name: keras", f"pipeline_tag: {TASKS.get(spec.task_name).pipeline_tag}",
             "license: other", "tags:", *[f"- {tag}" for tag in tags],
             *(["datasets:", f"- {json.dumps(config.data.name)}"] if public(config.data.name) else [])]
    if scores:
        lines += ["metrics:", *[f"- {name}" for name in scores]]
    return [*lines, "---", ""]


def public(name: str) -> bool:
    """A dataset name a hub may show: a registered or TFDS name, never a local path."""
    return not any(mark in name for mark in ("/", "\\", "~")) and not Path(name).exists()


def latest_scores(run_dir, checkpoint: Path) -> dict:
    """The newest `evaluate` record of this checkpoint file at its epoch and step
    (RUN/evaluation.jsonl; unreadable lines skipped): {metric: value}."""
    path = Path(run_dir) / "evaluation.jsonl"
    if not path.is_file():
        return {}
    meta = read_meta(checkpoint)
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    mine = [r for r in records if isinstance(r, dict) and r.get("checkpoint") == checkpoint.name
            and r.get("epoch") == meta.get("epoch") and r.get("step", 0) == meta.get("step", 0)]
    if not mine:
        return {}
    return {k: v for k, v in mine[-1].items() if isinstance(v, (int, float)) and not isinstance(v, bool)
            and k not in ("epoch", "step", "n_generated", "n_real", "n_pairs", "n_a", "n_b")}


def _scores(scores: dict) -> list[str]:
    if not scores:
        return ["## Scores", "", "Not evaluated yet: `keras-gan evaluate --run RUN` before "
                "exporting puts its scores here.", ""]
    return ["## Scores", "", "From `keras-gan evaluate` on this checkpoint (keras-gan's "
            "docs/better-samples.md, \"Measuring\", defines each metric):", "", "| metric | value |", "| --- | --- |",
            *[f"| {name} | {value:.5g} |" for name, value in scores.items()], ""]


def _use(spec) -> list[str]:
    what = TASKS.get(spec.task_name).intended_use
    return ["## Intended use and limitations", "",
            f"Intended for research, teaching and prototypes that need {what}. A GAN reproduces "
            "its training data's content and biases, can memorise training images, and its "
            "outputs are synthetic: do not present them as real photographs, and check the "
            "training data's license before any other use. Quality outside the training "
            "distribution (other subjects, sizes, lighting) is not measured.", ""]


def _provenance(result, config, run_dir, checkpoint, shape) -> list[str]:
    meta = read_meta(checkpoint)
    train = config.train
    progress = f"epoch {meta['epoch']}"
    if not (train.budget_ends and train.kimg is None):  # a --minutes budget alone: no total
        progress += f" of {train.total_epochs}"
    if meta.get("step"):
        stop = "a training budget" if train.minutes or train.kimg else "Ctrl-C"
        progress += f", plus {meta['step']} steps of the next (stopped by {stop})"
    if "metric" in meta:  # checkpoints/best: kept by --eval-every's metric
        progress += f"; the best epoch by {meta['metric']} = {meta['value']:.4g}"
    train, model = config.train, config.model
    options = ", ".join(f"{f.name} {getattr(model, f.name)}" for f in dataclasses.fields(model)
                        if f.name != "family" and getattr(model, f.name) not in (None, False))
    height, width, channels = shape
    d_rate = f" (D {train.d_lr:g})" if train.d_lr not in (None, train.lr) else ""
    return [
        f"# {result.path.parent.name}, version {result.path.name}",
        "",
        f"Generator exported by keras-gan from run `{run_dir}`, checkpoint `{checkpoint.name}` "
        f"({progress}).",
        "",
        f"- Architecture `{model.family}`: {options or 'defaults'}",
        *([f"- Paper: {config.family.paper}"] if config.family.paper else []),
        f"- Data `{config.data.name}`, images {height}x{width}x{channels}",
        f"- Loss `{train.loss}`, lr {train.lr:g}{d_rate}, batch {train.batch_size}, "
        f"{train.d_steps or 1} D step(s) per G step, seed {train.seed}",
        f"- Augmentation `{train.augment or 'none'}`",
        *([f"- Fine-tuned: started from `{train.init_from}` (--init-from)"] if train.init_from else []),
        f"- Weights: {'the EMA generator (decay ' + format(train.ema, 'g') + ')' if train.ema else 'the generator (no EMA)'}",
        "",
    ]


def model_card(result, folder: Path, config, run_dir, checkpoint, network, spec,
               max_images: int, direction: str | None = None) -> str:
    """The card's text; `folder` holds the files (the staging folder before publishing).
    direction: for a two-way run, which of its generators this is."""
    shape = (config.data.image_size, config.data.image_size, config.data.channels)
    scores = latest_scores(run_dir, checkpoint)
    lines = [*hub_header(config, spec, scores), *_provenance(result, config, run_dir, checkpoint, shape)]
    lines += card_of(spec).picture()
    if direction:
        other = "BtoA" if direction == "AtoB" else "AtoB"
        stem = result.path.parent.name.removesuffix(f"-{direction}")
        lines += [f"This is the {direction[0]} -> {direction[-1]} generator of a two-way run; the "
                  f"{other[0]} -> {other[-1]} one is exported beside it, as `{stem}-{other}`: two "
                  "servables, so each direction is versioned, served and verified on its own "
                  "with the same signatures as any image-to-image model.", ""]
    lines += card_of(spec).sections(result, spec, shape, max_images, config.data.class_names)
    lines += _scores(scores) + _use(spec)
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
