"""Callbacks that write into the run folder: grids, checkpoints, the loss plot."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import keras
import numpy as np

from keras_gan.fileio import atomic_path, write_text_atomic
from keras_gan.images import save_grid

LATEST = "latest.json"


def checkpoint_name(epoch: int) -> str:
    return f"epoch_{epoch:04d}.weights.h5"


class SampleGrid(keras.callbacks.Callback):
    """Saves samples/epoch_NNNN.png from latents drawn once, so grids compare across epochs."""

    def __init__(self, samples_dir: str | Path, latents: np.ndarray):
        super().__init__()
        self.samples_dir = Path(samples_dir)
        self.latents = latents

    def on_epoch_end(self, epoch, logs=None):
        images = self.model.generator.predict(self.latents, verbose=0, batch_size=256)
        save_grid(self.samples_dir / f"epoch_{epoch + 1:04d}.png", images)


class GANCheckpoint(keras.callbacks.Callback):
    """Saves the whole GAN state (G, D, both optimizers, the latent RNG) every epoch.

    Keras' ModelCheckpoint writes in place and keeps every file; a kill during
    its write corrupts the only copy. Here each file is written to a temporary
    name and renamed, `latest.json` points at the newest, and only the last
    `keep` epochs are kept.
    """

    def __init__(self, checkpoint_dir: str | Path, keep: int = 3):
        super().__init__()
        self.checkpoint_dir = Path(checkpoint_dir)
        self.keep = keep

    def on_epoch_end(self, epoch, logs=None):
        name = checkpoint_name(epoch + 1)
        with atomic_path(self.checkpoint_dir / name) as tmp:
            self.model.save_weights(tmp)
        pointer = {"epoch": epoch + 1, "file": name}
        write_text_atomic(self.checkpoint_dir / LATEST, json.dumps(pointer) + "\n")
        for old in sorted(self.checkpoint_dir.glob("epoch_*.weights.h5"))[: -self.keep]:
            old.unlink()


def latest_checkpoint(checkpoint_dir: str | Path) -> Path | None:
    """The newest checkpoint: the one latest.json names, else the highest epoch file."""
    checkpoint_dir = Path(checkpoint_dir)
    try:
        pointer = json.loads((checkpoint_dir / LATEST).read_text())
        path = checkpoint_dir / pointer["file"]
        if path.is_file():
            return path
    except (OSError, ValueError, KeyError, TypeError):
        pass
    files = sorted(checkpoint_dir.glob("epoch_*.weights.h5"))
    return files[-1] if files else None


def read_history(path: str | Path) -> dict[str, list[float]]:
    """history.csv (Keras' CSVLogger format) as columns of floats.

    CSVLogger pre-declares val_* columns filled with "NA"; columns with no
    number in them are dropped.
    """
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = {}
    for key in rows[0] if rows else []:
        values = [float("nan") if row[key] in ("", "NA") else float(row[key]) for row in rows]
        if not all(np.isnan(values)):
            columns[key] = values
    return columns


class LossPlot(keras.callbacks.Callback):
    """Redraws losses.png from history.csv each epoch (so a resumed run plots all of it)."""

    PANELS = (("d_loss", "g_loss"), ("real_score", "fake_score"))

    def __init__(self, history_csv: str | Path, out: str | Path):
        super().__init__()
        self.history_csv = Path(history_csv)
        self.out = Path(out)

    def on_epoch_end(self, epoch, logs=None):
        plot_history(read_history(self.history_csv), self.out)


def plot_history(history: dict[str, list[float]], out: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = [int(e) + 1 for e in history.get("epoch", [])]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, keys, title in zip(axes, LossPlot.PANELS, ("losses", "mean sigmoid D(.)")):
        for key in keys:
            if key in history:
                ax.plot(epochs, history[key], marker=".", label=key)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    axes[1].set_ylim(0, 1)
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
