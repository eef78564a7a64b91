"""Run folders: numbered creation, lookup by path or `latest`, and reloading a run.

A run folder holds everything later commands need:
runs/00003-dcgan-tom_and_jerry/{config.json, samples/, checkpoints/, history.csv, losses.png}
"""

from __future__ import annotations

import re
from pathlib import Path

from keras_gan.console import command_name
from keras_gan.training.checkpoints import restore
from keras_gan.config import FULL_PRECISION, RunConfig
from keras_gan.errors import ConfigError
from keras_gan.training.factory import build_model

CONFIG = "config.json"
_NUMBERED = re.compile(r"^(\d{5})-")


def slug(text: str) -> str:
    """A folder-name-safe short form of a dataset name or path."""
    name = Path(text.rstrip("/\\")).name or text
    return re.sub(r"[^A-Za-z0-9_.]+", "_", name).strip("_.")[:40] or "data"


def numbered_runs(root: str | Path) -> list[Path]:
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if p.is_dir() and _NUMBERED.match(p.name)]
    return sorted(runs, key=lambda p: int(_NUMBERED.match(p.name).group(1)))


def create_run_dir(config: RunConfig) -> Path:
    """`config.run_dir` if given (must be new or empty), else the next numbered folder.

    The folder is proven writable before training starts, not at the first checkpoint.
    """
    key, value = ("run_dir", config.run_dir) if config.run_dir else ("runs_root", config.runs_root)
    try:
        path = _make_run_dir(config)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
        return path
    except OSError as err:  # a file in the way, no permission, read-only disk
        raise ConfigError(
            f"Invalid {key}: expected a folder keras-gan can create and write to. Received: "
            f"{key}={str(value)!r} ({err.strerror or err})."
        ) from None


def _make_run_dir(config: RunConfig) -> Path:
    if config.run_dir:
        path = Path(config.run_dir).expanduser()
        if path.exists() and any(path.iterdir()):
            raise ConfigError(
                f"Invalid run_dir: expected a new or empty folder. Received: run_dir={str(path)!r} "
                "(not empty; pick another folder or delete this one)."
            )
        path.mkdir(parents=True, exist_ok=True)
        return path
    root = Path(config.runs_root).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    existing = numbered_runs(root)
    number = int(_NUMBERED.match(existing[-1].name).group(1)) + 1 if existing else 1
    while True:
        path = root / f"{number:05d}-{config.model.family}-{slug(config.data.name)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:  # another process took this number
            number += 1


def resolve_run(run: str | None, runs_root: str | Path = "runs") -> Path:
    """A run folder from a path, or the newest numbered run for None / "latest"."""
    if run in (None, "latest"):
        runs = [p for p in numbered_runs(runs_root) if (p / CONFIG).is_file()]
        if not runs:
            raise ConfigError(
                f"Invalid run: expected a run folder, but {runs_root}/ holds no runs yet. "
                f"Train one first (`{command_name()} train`) or pass --run PATH."
            )
        return runs[-1]
    path = Path(run).expanduser()
    if not (path / CONFIG).is_file():
        raise ConfigError(
            f"Invalid run: expected a run folder containing {CONFIG}. Received: run={run!r}."
        )
    return path


def load_run(run_dir: str | Path, checkpoint: str = "latest"):
    """Rebuild a run's model from its config.json and newest good checkpoint (or the
    checkpoint named: "best", a file name).

    Returns (config, model, checkpoint path). A damaged newest checkpoint falls back to
    the one before it (logged); see keras_gan.training.checkpoints.restore.
    """
    run_dir = Path(run_dir)
    config = RunConfig.from_json(run_dir / CONFIG, saved=True)
    model = build_model(config, precision=FULL_PRECISION)  # inference and export: full precision
    checkpoint, _ = restore(model, run_dir / "checkpoints", config.model.family, checkpoint)
    return config, model, checkpoint
