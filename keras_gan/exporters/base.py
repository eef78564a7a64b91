"""What every export format provides: write artifacts into a folder, then check them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from keras_gan.exporters.verify import Tolerance


@dataclass(frozen=True)
class Artifact:
    """One exported file or folder inside the version folder."""

    name: str  # what the verification table calls it ("saved_model", "generator_int8.tflite")
    format: str
    variant: str  # float32, float16, int8
    tolerance: Tolerance
    files: tuple[str, ...] = ()  # paths in the version folder; () means just `name`


@dataclass(frozen=True)
class ExportFormat:
    """write(generator, latent_dim, folder, options) -> [Artifact];
    verify(artifact, folder, generator, latent_dim, options) -> [Check]."""

    write: Callable
    verify: Callable
    summary: str
    requires: tuple[str, ...] = ()  # import names; missing ones give a clear error before exporting


def artifact_size(folder: Path, artifact: Artifact) -> int:
    total = 0
    for name in artifact.files or (artifact.name,):
        path = folder / name
        paths = path.rglob("*") if path.is_dir() else [path]
        total += sum(p.stat().st_size for p in paths if p.is_file())
    return total
