"""Versioned, atomic checkpoints of a whole model, and restoring the newest good one.

checkpoints/epoch_NNNN.json (metadata: a step counter per named optimizer) and
epoch_NNNN.weights.h5 (every network, every optimizer, the seed states) are each
written to a temporary file and renamed;
latest.json points at the newest pair. best.weights.h5 / best.json (kept by a
quality metric during training) sit beside them and are never pruned. Restoring walks from the newest to the
oldest: an unreadable file is logged and skipped, a checkpoint from another
architecture or checkpoint format is refused with the reason.
"""

from __future__ import annotations

import io
import json
import logging
import math
from pathlib import Path

import numpy as np

from keras_gan import __version__
from keras_gan.errors import ConfigError
from keras_gan.io.files import atomic_path, check_space, write_text_atomic

log = logging.getLogger(__name__)

FORMAT = 2  # bump when a checkpoint written before cannot be loaded as it is
# Format 1 (keras-gan 0.1, gan/dcgan only) counted d_iterations / g_iterations; its
# weights files have the same layout and load as they are.
READABLE = (1, 2)
LATEST = "latest.json"
BEST = "best"  # checkpoints/best.weights.h5: the best epoch by the --eval-every metric


class CheckpointError(ConfigError):
    """No checkpoint can be restored; the message says which and why."""


def checkpoint_name(epoch: int, step: int = 0) -> str:
    """epoch_NNNN: after NNNN whole epochs; _step_SSSSS: SSSSS steps into the next one."""
    return f"epoch_{epoch:04d}_step_{step:05d}.weights.h5" if step else f"epoch_{epoch:04d}.weights.h5"


def meta_path(weights: Path) -> Path:
    return weights.with_name(weights.name.removesuffix(".weights.h5") + ".json")


def save_checkpoint(gan, checkpoint_dir: Path, epoch: int, family: str, keep: int,
                    step: int = 0, name: str | None = None, extra: dict | None = None) -> Path:
    """Save epoch_NNNN (pruned to the newest `keep`, named in latest.json), or, with
    `name`, a named pair such as best.weights.h5 that is neither pruned nor resumed from."""
    checkpoint_dir = Path(checkpoint_dir)
    weights = checkpoint_dir / (f"{name}.weights.h5" if name else checkpoint_name(epoch, step))
    meta = {"format": FORMAT, "keras_gan": __version__, "family": family, "epoch": epoch, "step": step,
            "iterations": {name: int(optimizer.iterations.numpy())
                           for name, optimizer in gan.optimizers.items()},
            "learning_rates": dict(gan.learning_rates), **(extra or {})}
    check_space(checkpoint_dir, checkpoint_bytes(checkpoint_dir, gan), "a checkpoint")
    write_text_atomic(meta_path(weights), json.dumps(meta, indent=2) + "\n")
    try:
        with atomic_path(weights) as tmp:
            write_weights(gan, tmp)
    except BaseException:  # disk full, Ctrl-C: no orphan metadata; the previous pair stands
        meta_path(weights).unlink(missing_ok=True)
        raise
    if name:
        return weights
    write_text_atomic(checkpoint_dir / LATEST, json.dumps({"epoch": epoch, "file": weights.name}) + "\n")
    for old in sorted(checkpoint_dir.glob("epoch_*.weights.h5"))[:-keep]:
        meta_path(old).unlink(missing_ok=True)
        old.unlink()
    return weights


def checkpoint_bytes(checkpoint_dir: Path, gan=None) -> int:
    """What the next checkpoint needs on disk, with a margin: the size of the newest one
    (the same networks, the same size), or for the first, the bytes of every variable of
    `gan` (0 without it)."""
    saved = sorted((p for p in Path(checkpoint_dir).glob("*.weights.h5")
                    if not p.name.startswith(".")),  # not a temporary file a kill left
                   key=lambda p: p.stat().st_mtime)
    if saved:
        size = saved[-1].stat().st_size
    elif gan is not None:
        variables = [*gan.variables, *(v for o in gan.optimizers.values() for v in o.variables)]
        size = sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in variables)
    else:
        return 0
    return int(size * 1.05) + 2**20


def write_weights(gan, path: Path) -> None:
    """gan.save_weights(path), with the HDF5 file built in memory and written with one plain
    write. HDF5 writing to a full disk (or over a quota) leaves its file half-closed, and its
    exit handler then segfaults on it; here only the plain write can fail, with an OSError."""
    try:
        from keras.src.saving.saving_lib import H5IOStore, _save_state
    except ImportError:  # another Keras: its own writer, which behaves until a disk fills
        gan.save_weights(path)
        return
    buffer = io.BytesIO()
    store = H5IOStore(buffer, mode="w")
    _save_state(gan, weights_store=store, assets_store=None, inner_path="", visited_saveables=set())
    store.close()
    with open(path, "wb") as handle:
        handle.write(buffer.getbuffer())


def candidates(checkpoint_dir: str | Path) -> list[Path]:
    """Checkpoint files, newest first: the one latest.json names, then by epoch."""
    checkpoint_dir = Path(checkpoint_dir)
    files = sorted(checkpoint_dir.glob("epoch_*.weights.h5"), reverse=True)
    try:
        named = checkpoint_dir / json.loads((checkpoint_dir / LATEST).read_text())["file"]
        if named in files:
            files.remove(named)
            files.insert(0, named)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return files


def latest_checkpoint(checkpoint_dir: str | Path) -> Path | None:
    files = candidates(checkpoint_dir)
    return files[0] if files else None


def read_meta(weights: Path) -> dict:
    try:
        return json.loads(meta_path(weights).read_text())
    except FileNotFoundError:
        epoch = int(weights.name.removeprefix("epoch_")[:4])
        return {"format": FORMAT, "epoch": epoch, "step": 0}  # written before metadata existed


def check_compatible(meta: dict, family: str, weights: Path) -> None:
    if meta.get("format") not in READABLE:
        raise CheckpointError(
            f"Cannot restore {weights}: it is checkpoint format {meta.get('format')!r} (written by "
            f"keras-gan {meta.get('keras_gan', '?')}), and keras-gan {__version__} reads formats "
            f"{', '.join(map(str, READABLE))}. Use the keras-gan version that wrote it.")
    saved = meta.get("family", meta.get("arch", family))  # "arch" before format 4 of config.json
    if saved != family:
        raise CheckpointError(
            f"Cannot restore {weights}: it holds a {saved!r} GAN, but the run's config.json "
            f"says family={family!r}. The checkpoint and config.json come from different runs.")


def saved_iterations(meta: dict) -> dict[str, int]:
    """Each optimizer's step counter when the checkpoint was saved (any format)."""
    if "iterations" in meta:
        return dict(meta["iterations"])
    old = {"d_optimizer": "d_iterations", "g_optimizer": "g_iterations"}  # format 1
    return {name: meta[key] for name, key in old.items() if key in meta}


def chosen(checkpoint_dir: str | Path, which: str = "latest") -> list[Path]:
    """The files `restore` tries for --checkpoint: "latest" (newest first, falling back),
    "best", or one checkpoint by file name or path."""
    checkpoint_dir = Path(checkpoint_dir)
    if which == "latest":
        return candidates(checkpoint_dir)
    name = which if which.endswith(".weights.h5") else f"{which}.weights.h5"
    path = Path(which) if Path(which).is_file() else checkpoint_dir / name
    if not path.is_file():
        available = sorted(p.name.removesuffix(".weights.h5")
                           for p in checkpoint_dir.glob("*.weights.h5"))
        hint = " (best exists only for runs trained with --eval-every)" if which == BEST else ""
        raise CheckpointError(
            f"Invalid checkpoint: expected 'latest', 'best' or a checkpoint in {checkpoint_dir}"
            f"{hint}. Received: checkpoint={which!r}; available: {available or 'none'}.")
    return [path]


def restore(gan, checkpoint_dir: str | Path, family: str,
            which: str = "latest") -> tuple[Path, dict]:
    """Load the newest checkpoint (or the one `which` names, see `chosen`) that loads cleanly
    into `gan` (compiled: optimizers built).

    Returns (weights path, metadata). The optimizers' step counters are compared with the
    metadata, so a checkpoint whose optimizer state did not load is never used silently.
    """
    problems = []
    for weights in chosen(checkpoint_dir, which):
        try:
            meta = read_meta(weights)
        except ValueError as err:
            problems.append(f"{meta_path(weights).name}: unreadable metadata ({err})")
            continue
        check_compatible(meta, family, weights)
        try:
            gan.load_weights(weights)
        except Exception as err:  # h5py/Keras raise many types for a damaged file
            problems.append(f"{weights.name}: {type(err).__name__}: {str(err)[:200]}")
            log.warning("Checkpoint %s is unreadable (%s); trying the one before it.", weights, err)
            continue
        for name, saved in saved_iterations(meta).items():
            loaded = int(gan.optimizers[name].iterations.numpy())
            if loaded != saved:
                raise CheckpointError(
                    f"Restoring {weights} did not restore the optimizer state: {name} is at "
                    f"step {loaded} after loading, {saved} when saved.")
        # base rates (halved by rollbacks); checkpoints before the schedule: the rate itself
        gan.learning_rates = dict(meta.get("learning_rates") or {
            name: float(optimizer.learning_rate.numpy()) for name, optimizer in gan.optimizers.items()})
        return weights, meta
    detail = "; ".join(problems) if problems else "none written yet (one is saved per epoch)"
    raise CheckpointError(f"No usable checkpoint in {checkpoint_dir}: {detail}.")
