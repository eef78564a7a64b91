"""What every export format provides: write artifacts into a folder, then check them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from keras_gan.exporters.verify import Tolerance
from keras_gan.io.files import path_size


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
    """write(network, spec, folder, options) -> [Artifact];
    verify(artifact, folder, network, spec, options) -> [Check];
    spec: the task's serving spec (keras_gan.serving: LatentSpec, ImageSpec)."""

    write: Callable
    verify: Callable
    summary: str
    requires: tuple[str, ...] = ()  # import names; missing ones give a clear error before exporting
    extra: str | None = None  # the keras-gan extra that installs `requires` (pip install "keras-gan[onnx]")


def artifact_size(folder: Path, artifact: Artifact) -> int:
    return sum(path_size(folder / name) for name in artifact.files or (artifact.name,))
