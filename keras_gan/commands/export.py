"""Export a run's generator into one versioned folder, verify every artifact, then publish.

export/<name>/<version>/ holds the SavedModel (saved_model.pb + variables/, TF
Serving's layout), the TFLite files and, on request, ONNX. Everything is written
to a hidden staging folder beside it, reloaded in its real runtime and compared
with the Keras generator there, and only then renamed into place: a server
watching export/<name>/ never sees a half-written or unverified version, and a
failed or interrupted export (Ctrl-C, SIGTERM) leaves nothing behind. The disk's free
space is checked first; a full or read-only place is a WriteError naming it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from keras_gan.config import ExportConfig
from keras_gan.errors import ConfigError, invalid
from keras_gan.exporters import FORMATS, artifact_size
from keras_gan.exporters.tflite import QUANTIZATIONS
from keras_gan.exporters.verify import format_table
from keras_gan.io.files import (DIR_MODE, atomic_path, check_space, make_dirs, write_text_atomic,
                              writing)
from keras_gan.exporters.hub import push
from keras_gan.cards.card import CARD, card_of, model_card
from keras_gan.runs import load_run, slug
from keras_gan.serving.latent import LatentSpec


class ExportError(RuntimeError):
    """An exported artifact does not reproduce the Keras generator within its tolerance."""


@dataclass
class ExportResult:
    path: Path  # the published version folder
    artifacts: list = field(default_factory=list)
    others: list = field(default_factory=list)  # two-way runs: the other direction's result
    checks: list = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # artifact name -> bytes
    pushed: str | None = None  # the Hub repository's URL after --push-to-hub

    @property
    def size_bytes(self) -> int:
        return sum(self.sizes.values())


def next_version(model_dir: Path) -> int:
    versions = [int(p.name) for p in model_dir.glob("*") if re.fullmatch(r"\d+", p.name)]
    return max(versions, default=0) + 1


def check_options(options: ExportConfig) -> ExportConfig:
    """Names known, converters installed: fail before anything is written."""
    options.validate()
    for key, registry, values in (("formats", FORMATS, options.formats),
                                  ("quantize", QUANTIZATIONS, options.quantize or ())):
        unknown = [v for v in values if v not in registry.names()]
        if unknown:
            raise invalid(key, f"a comma-separated list of {', '.join(registry.names())}",
                          ",".join(values))
    for name in options.formats:
        kind = FORMATS.get(name)
        missing = [m for m in kind.requires if importlib.util.find_spec(m) is None]
        if missing:
            install = f'pip install "keras-gan[{kind.extra}]"' if kind.extra else f"pip install {' '.join(missing)}"
            raise ConfigError(
                f"Invalid formats: {name} needs the Python packages {', '.join(missing)}, which "
                f"are not installed ({install}). Received: formats="
                f"{','.join(options.formats)!r}.")
    return options


def export_network(network, spec, model_dir: Path, options: ExportConfig,
                   finish: Callable | None = None) -> ExportResult:
    """Write, verify and publish model_dir/<version>/; `finish(result, folder)` adds the card.

    spec: the task's serving spec (keras_gan.serving), or the latent_dim of an
    unconditional generator.
    """
    spec = LatentSpec(int(spec)) if isinstance(spec, int) else spec
    check_options(options)
    if options.quantize is None:  # the task's default variants
        options = dataclasses.replace(options, quantize=spec.quantize)
    version = options.version or next_version(model_dir)
    final = model_dir / str(version)
    if final.exists():
        raise ConfigError(
            f"Invalid version: expected a version not yet in {model_dir}. Received: "
            f"version={version} (exists; omit --version to use {next_version(model_dir)})."
        )
    check_space(model_dir, export_bytes(network, options), f"version {version} of the export")
    make_dirs(model_dir)
    with writing(final):  # a full disk or a read-only folder: one message naming it
        staging = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=model_dir))
        try:
            result = _write_verified(network, spec, staging, final, options)
            if finish is not None:
                finish(result, staging)
            staging.chmod(DIR_MODE)  # servers often run as another user
            staging.rename(final)
        except BaseException:  # a failure, Ctrl-C, SIGTERM (keras_gan.training.signals): no half version
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return result


def _write_verified(network, spec, staging: Path, final: Path,
                    options: ExportConfig) -> ExportResult:
    """Every artifact written to `staging` and checked there; an ExportError if one fails."""
    result = ExportResult(final)
    for name in options.formats:
        result.artifacts += FORMATS.get(name).write(network, spec, staging, options)
    for artifact in result.artifacts:
        result.checks += FORMATS.get(artifact.format).verify(
            artifact, staging, network, spec, options)
        result.sizes[artifact.name] = artifact_size(staging, artifact)
    failed = [c for c in result.checks if not c.passed]
    if failed:
        bad = sorted({c.artifact for c in failed})
        raise ExportError(
            f"Export verification failed for {', '.join(bad)}: {len(failed)} of "
            f"{len(result.checks)} checks are outside tolerance, so nothing was written to "
            f"{final.parent}. Leave the failing variants out (--quantize / --formats) or train "
            f"longer.\n{format_table(result.checks, result.sizes)}")
    return result


MARGIN = 16 * 2**20  # graphs, the card and its sample grid, beside the weights


def export_bytes(network, options: ExportConfig) -> int:
    """An upper bound of the space an export takes: the generator's weights once per
    artifact (each TFLite variant one; fp16 and int8 need less), plus MARGIN."""
    weights = sum(math.prod(w.shape) * np.dtype(w.dtype).itemsize for w in network.weights)
    artifacts = sum(len(options.quantize or ()) if name == "tflite" else 1 for name in options.formats)
    return weights * artifacts + MARGIN


def export_run(run_dir: Path, options: ExportConfig | None = None) -> ExportResult:
    """Export a run's generator to options.out/<name>/<version>/ with MODEL_CARD.md."""
    options = check_options(options or ExportConfig())
    config, model, checkpoint = load_run(run_dir, options.checkpoint)
    name = options.name or f"{config.model.family}-{slug(config.data.name)}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise invalid("name", "letters, digits, '_', '.' or '-' (a folder name)", name)
    # one servable, or one per direction of a two-way run (each an image-to-image export)
    servables = model.task.servables(model, model.task.read_examples(run_dir))
    results = [_export_one(network, spec, Path(options.out) / (f"{name}-{way}" if way else name),
                           options, (config, run_dir, checkpoint), way)
               for way, network, spec in servables]
    if options.push_to_hub:
        for (way, _, _), result in zip(servables, results):
            result.pushed = push(result.path, options.push_to_hub, way)
    results[0].others = results[1:]
    return results[0]


def _export_one(network, spec, model_dir: Path, options: ExportConfig, provenance,
                direction: str | None = None) -> ExportResult:
    config, run_dir, checkpoint = provenance

    def finish(result, folder):
        card_of(spec).files(folder, spec, network)
        write_text_atomic(folder / CARD, model_card(result, folder, config, run_dir, checkpoint,
                                                    network, spec, options.max_images, direction))

    result = export_network(network, spec, model_dir, options, finish)
    with atomic_path(model_dir / CARD) as tmp:  # beside the versions: the newest one's card
        shutil.copyfile(result.path / CARD, tmp)
    return result
