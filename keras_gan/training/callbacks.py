"""Callbacks that write into the run folder: grids, checkpoints, the loss plot."""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path

import keras
import numpy as np

from keras_gan.training.checkpoints import BEST, save_checkpoint
from keras_gan.io.files import WriteError, atomic_path
from keras_gan.training.history import append_epoch, read_history
from keras_gan.io.images import make_grid, save_grid, to_uint8
from keras_gan.training.pacing import Budget, Interval
from keras_gan.training.progress import EpochSteps
from keras_gan.training.signals import STOP_SIGNALS, describe, restorable

# Shares of the training time the default grids, loss plot and scoring may take each
# (keras_gan.training.pacing): with checkpoints every few minutes, side work stays under 5% at any
# epoch length; larger shares, or the scoring's best checkpoints left outside its budget,
# measured over 5% on gan's sub-second epochs (benchmarks/RESULTS.md#side-work).
GRID_SHARE = PLOT_SHARE = 0.01
SCORE_SHARE = 0.02


def due(model, epoch: int, every: int | None, last_epoch: int | None, pace=None) -> bool:
    """Whether epoch-end side work runs after `epoch` (0-based): at the run's last epoch,
    whenever training stops early (Ctrl-C, a stop callback), and otherwise every `every`
    epochs, or with every None when `pace` (keras_gan.training.pacing) allows."""
    done = epoch + 1
    if done == last_epoch or model.stop_training:
        return True
    return done % every == 0 if every else pace.allows()


class SampleGrid(keras.callbacks.Callback):
    """Saves samples/epoch_NNNN.png from preview inputs fixed once, so grids compare across
    epochs; the model's task draws it (keras_gan.tasks: a grid of fixed latents, or rows
    of held-out source | output | target).

    `inputs`: the task's preview inputs (latents, [latents, labels], or held-out pairs).
    `every`: every N epochs; None: as often as GRID_SHARE of the time allows.
    """

    def __init__(self, samples_dir: str | Path, inputs, ncols: int | None = None,
                 every: int | None = 1, last_epoch: int | None = None):
        super().__init__()
        self.samples_dir = Path(samples_dir)
        self.inputs = inputs
        self.ncols = ncols
        self.every, self.last_epoch = every, last_epoch  # --grid-every, and always the last
        self.pace = Budget(GRID_SHARE)
        self.images = None  # the newest grid's generated images
        self.preview = None  # the newest grid's keras_gan.tasks.Preview
        self.fresh = False  # whether this epoch drew one

    def on_epoch_end(self, epoch, logs=None):
        self.fresh = losses_finite(logs) and due(self.model, epoch, self.every, self.last_epoch,
                                                 self.pace)
        if not self.fresh:
            return
        with self.pace.spend():
            self.preview = self.model.task.render_preview(self.model, self.inputs, self.ncols)
            self.images = self.preview.outputs  # the collapse watch reads them, no second pass
            save_grid(self.samples_dir / f"epoch_{epoch + 1:04d}.png", self.preview.cells,
                      ncols=self.preview.ncols)


class GridSummary(keras.callbacks.Callback):
    """Writes each epoch's grid from `grid` (which must run first) as a TensorBoard image,
    next to the scalars Keras' TensorBoard callback writes."""

    def __init__(self, grid: SampleGrid, log_dir: str | Path):
        super().__init__()
        self.grid = grid
        self.log_dir = Path(log_dir)
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        if not losses_finite(logs) or not self.grid.fresh:
            return
        if self.writer is None:
            self.writer = tf.summary.create_file_writer(str(self.log_dir / "samples"))
        picture = make_grid(to_uint8(self.grid.preview.cells), self.grid.preview.ncols)
        with self.writer.as_default():
            tf.summary.image("samples", picture[None], step=epoch + 1)
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def tensorboard_callbacks(run_dir: str | Path, grid: SampleGrid) -> list:
    """--tensorboard: Keras' own TensorBoard callback for the per-epoch scalars, plus the
    grids as images, all under RUN/tensorboard/ (`tensorboard --logdir runs`)."""
    log_dir = Path(run_dir) / "tensorboard"
    return [keras.callbacks.TensorBoard(str(log_dir), write_graph=False, profile_batch=0),
            GridSummary(grid, log_dir)]


class GANCheckpoint(EpochSteps):
    """Saves the whole GAN state (see keras_gan.training.checkpoints) every `minutes` of training,
    mid-epoch too, or with `every`, every N epochs instead; always at the last epoch and
    when training stops early (Ctrl-C: mid-epoch).

    Keras' ModelCheckpoint writes in place and keeps every file; a kill during
    its write corrupts the only copy. Here files are written to a temporary name
    and renamed, carry version metadata, and only the last `keep` are kept.
    A checkpoint that cannot be written (a full disk, a folder made read-only) stops
    training after the current step, the previous checkpoint intact: `failed` holds the
    WriteError for the trainer to report, instead of training on with nothing saved.
    """

    def __init__(self, checkpoint_dir: str | Path, family: str, keep: int = 3,
                 steps_per_epoch: int | None = None, every: int | None = 1,
                 last_epoch: int | None = None, minutes: float = 5.0, meta=None):
        super().__init__()
        self.meta = meta  # a function giving more metadata to record (the training time)
        self.checkpoint_dir = Path(checkpoint_dir)
        self.family = family
        self.keep = keep
        self.steps_per_epoch = steps_per_epoch
        self.every, self.last_epoch = every, last_epoch  # --snap, and always the last and Ctrl-C
        self.interval = Interval(minutes * 60)  # --snap-minutes, when every is None
        self.unsaved = None  # a finished epoch off the beat; saved if training stops after it
        self.step = 0  # steps done in the current epoch (the trainer sets it for a late start)
        self.epoch = 0
        self.failed = None  # the WriteError of a checkpoint that could not be written

    def save(self, epoch: int, step: int = 0) -> None:
        if self.failed is not None:
            return
        try:
            save_checkpoint(self.model, self.checkpoint_dir, epoch, self.family, self.keep, step,
                            extra=self.meta() if self.meta else None)
        except WriteError as err:
            self.failed, self.unsaved = err, None
            self.model.stop_training = True
            return
        self.interval.reset()

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        # a long epoch saves mid-way; never a diverged state, nor the last step (the epoch's end)
        if (self.every is None and self.interval.allows() and losses_finite(logs)
                and not self.model.stop_training and self.step < (self.steps_per_epoch or 0)):
            self.save(self.epoch, self.step)

    def on_epoch_end(self, epoch, logs=None):
        if not losses_finite(logs):  # diverged: keep the last good checkpoint the newest
            self.step, self.unsaved = 0, None  # rolled back past it; trained again
            return
        if self.steps_per_epoch is not None and self.step < self.steps_per_epoch:  # interrupted
            self.save(epoch, self.step)
        elif due(self.model, epoch, self.every, self.last_epoch, self.interval):
            self.save(epoch + 1)
            self.unsaved = None
        else:
            self.unsaved = epoch + 1
        if self.unsaved is not None and self.step < (self.steps_per_epoch or 0):
            self.unsaved = None  # the partial epoch just saved holds it
        self.step = 0

    def on_train_end(self, logs=None):
        """Stopped early (Ctrl-C at an epoch's end, a stop callback) off the beat: the last
        finished epoch is saved all the same."""
        if self.unsaved is not None:
            self.save(self.unsaved)
            self.unsaved = None


class QualityEval(keras.callbacks.Callback):
    """Every `every` epochs (with `paced`, as often as SCORE_SHARE allows) and always at
    `last_epoch` scores the sampling generator with `evaluator` (see
    keras_gan.evaluation), logs `key` on those epochs only (the console and history.csv
    show it where it was measured) and keeps checkpoints/best.weights.h5 at the best value (the lowest, or the
    highest for PSNR-like metrics). An epoch in which G did not train (text2image's
    encoder stage) is not scored. Must run before CSVLogger in the callback list.
    `final`: a function saying whether training ends after this (possibly partial) epoch
    although it is not the last (a budget reached); it is scored as the last."""


    def __init__(self, evaluator, key: str, every: int, checkpoint_dir: str | Path, family: str,
                 best: float | None = None, info=None, higher_is_better: bool = False,
                 last_epoch: int | None = None, paced: bool = False, final=None):
        super().__init__()
        self.evaluator, self.key, self.every = evaluator, key, every
        self.last_epoch = last_epoch  # the trained G is always scored
        self.final = final or (lambda: False)
        self.pace = Budget(SCORE_SHARE) if paced else None
        self.checkpoint_dir, self.family = Path(checkpoint_dir), family
        self.best = best
        self.sign = -1.0 if higher_is_better else 1.0
        self.info = info or (lambda message: None)
        self.g_steps = None  # G's optimizer steps when the epoch began

    def on_epoch_begin(self, epoch, logs=None):
        self.g_steps = int(self.model.g_optimizer.iterations.numpy())

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        # a diverged or interrupted (partial) epoch is not scored, nor one that left G as it was;
        # one a budget ended is, as the last
        last = epoch + 1 == self.last_epoch or self.final()
        if ((epoch + 1) % self.every and not last) or not losses_finite(logs) \
                or (self.model.stop_training and not self.final()):
            return
        if self.g_steps == int(self.model.g_optimizer.iterations.numpy()):
            return
        if self.pace is not None and not (last or self.pace.allows()):
            return
        # the budget counts the scoring and the best checkpoint it may write
        with self.pace.spend() if self.pace is not None else contextlib.nullcontext():
            self.score(epoch, logs)

    def score(self, epoch, logs):
        result = self.evaluator.evaluate(self.model)
        value = logs[self.key] = float(result[self.key])
        if self.best is None or self.sign * value < self.sign * self.best:
            save_checkpoint(self.model, self.checkpoint_dir, epoch + 1, self.family, keep=1,
                            name=BEST, extra={"metric": self.key, "value": value, "result": result})
            self.info(f"Epoch {epoch + 1}: {self.key} {value:.4g} is the best so far "
                      f"(was {self.best if self.best is None else f'{self.best:.4g}'}); saved "
                      f"checkpoints/{BEST}.weights.h5.")
            self.best = value
        else:
            self.info(f"Epoch {epoch + 1}: {self.key} {value:.4g} (best {self.best:.4g}).")


def losses_finite(logs) -> bool:
    return all(np.isfinite(float(logs[key])) for key in ("d_loss", "g_loss") if key in (logs or {}))


class DivergenceGuard(EpochSteps):
    """Stops training at the first step (call, under steps_per_execution) whose losses are
    NaN or Inf; the trainer rolls back."""

    def __init__(self):
        super().__init__()
        self.diverged_at = None  # (epoch, step) of the first non-finite loss

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.step = epoch, 0
        super().on_epoch_begin(epoch, logs)

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.diverged_at is None and not losses_finite(logs):
            self.diverged_at = (self.epoch, self.step)
            self.model.stop_training = True


class CollapseWatch(keras.callbacks.Callback):
    """Acts when the discriminator wins outright for `patience` epochs in a row (fake_score
    near 0 while g_loss rises): the model's remedy where it has one (ADA raises p; see
    GANModel.relieve_discriminator), then `patience` more epochs before the next, else a
    warning (once). Warns (once) when the preview samples, which varied before, stop varying.
    Reads the samples from `grid`, which must run before it in the callback list.
    `past`: the run's history.csv columns so far (a resumed run acts when an uninterrupted
    one would)."""

    def __init__(self, grid: SampleGrid, patience: int = 3, min_fake_score: float = 0.05,
                 min_sample_std: float = 0.02, warn=None, scores_are_probabilities: bool = True,
                 past: dict | None = None):
        super().__init__()
        self.grid = grid
        # False for critics (WGAN): sigmoid(D) is no probability, only the sample check runs.
        self.scores_are_probabilities = scores_are_probabilities
        self.patience = patience
        self.min_fake_score = min_fake_score
        self.min_sample_std = min_sample_std
        self.warn = warn or (lambda message: None)
        self.history: list[tuple[float, float]] = []
        self.warned: set[str] = set()
        self.widest = 0.0  # the largest spread of the samples so far
        self.past = past or {}

    def on_train_begin(self, logs=None):
        """Replays the past epochs: where D won and ADA's p (logged before the remedy) was
        below 1, the remedy acted then and the count started over."""
        augment = getattr(self.model, "augment", None)
        adaptive = augment is not None and augment.adaptive
        past, self.past = self.past, {}
        p = past.get("augment_p", [])
        for i, (fake, g_loss) in enumerate(zip(past.get("fake_score", []), past.get("g_loss", []))):
            self._record(fake, g_loss)
            if self._d_wins() and adaptive and i < len(p) and p[i] < 1.0:
                self.history.clear()

    def _once(self, key: str, message: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self.warn(message)

    def _record(self, fake_score: float, g_loss: float) -> None:
        if np.isfinite(fake_score) and np.isfinite(g_loss):
            self.history.append((float(fake_score), float(g_loss)))

    def _d_wins(self) -> bool:
        recent = self.history[-self.patience:]
        return (len(recent) == self.patience and all(f < self.min_fake_score for f, _ in recent)
                and all(b[1] > a[1] for a, b in zip(recent, recent[1:])))

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not losses_finite(logs):
            return
        if self.scores_are_probabilities and "fake_score" in logs and "g_loss" in logs:
            self._record(logs["fake_score"], logs["g_loss"])
        if self._d_wins():
            g_loss = self.history[-1][1]
            relieve = getattr(self.model, "relieve_discriminator", lambda: None)
            done = relieve()
            what = (f"Epoch {epoch + 1}: the discriminator has won outright for {self.patience} "
                    f"epochs (fake_score < {self.min_fake_score}, g_loss rising to {g_loss:.2f})")
            if done:
                self.history.clear()  # give the remedy `patience` epochs
                self.warn(f"{what}; {done}.")
            else:
                self._once("d_wins", (
                    f"{what}; the generator gets no useful gradient. Try --augment ada (which "
                    "then raises its p when this happens), --loss lsgan or hinge, a lower "
                    "--d-lr, or resume from an earlier checkpoint."))
        if not self.grid.fresh:  # no grid this epoch (--grid-every)
            return
        images = self.grid.images
        spread = float(np.std(images, axis=0).mean())  # across samples, per pixel
        # "stopped" varying: they did once (a fresh translator's outputs are all alike)
        self.widest = max(self.widest, spread)
        if spread < self.min_sample_std <= self.widest / 2:
            self._once("no_variety", (
                f"Epoch {epoch + 1}: the samples have stopped varying (per-pixel std across "
                f"{len(images)} fixed preview inputs is {spread:.4f}): mode collapse. Resume from "
                "an earlier checkpoint with a lower --lr, or try another --loss."))


class StopOnInterrupt(keras.callbacks.Callback):
    """The first of `signals` (Ctrl-C, SIGTERM: keras_gan.training.signals): finish the current step,
    then stop (the epoch-end callbacks then save a mid-epoch checkpoint); `signal` records
    which. The handlers before it are back from then on, so a second signal acts at once."""

    def __init__(self, signals=STOP_SIGNALS):
        super().__init__()
        self.signals = tuple(signals)
        self.signal = None  # the number of the signal that stopped training
        self._previous = {}

    @property
    def interrupted(self) -> bool:
        return self.signal is not None

    def _handle(self, signum, frame):
        self.signal = signum
        self.restore()
        name = describe(signum)
        print(f"\n{name}: stopping after this step and saving a checkpoint ({name} again to "
              "quit at once).", flush=True)

    def restore(self):
        """The handlers from before training (also after a failed fit(), which skips
        on_train_end)."""
        for signum, previous in self._previous.items():
            signal.signal(signum, restorable(previous))
        self._previous = {}

    def on_train_begin(self, logs=None):
        if threading.current_thread() is threading.main_thread():
            self._previous = {signum: signal.signal(signum, self._handle)
                              for signum in self.signals}

    def on_train_batch_end(self, batch, logs=None):
        if self.interrupted:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.restore()


class HistoryCSV(keras.callbacks.Callback):
    """Writes each epoch's numbers to history.csv (keras_gan.training.history: no placeholder
    columns, empty cells where nothing was measured). Runs after QualityEval."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)

    def on_epoch_end(self, epoch, logs=None):
        idle = self.model.idle_logs()  # a stage's untrained networks: no number, not 0
        append_epoch(self.path, epoch, {k: v for k, v in (logs or {}).items() if k not in idle})


class AlignedHistory(keras.callbacks.History):
    """Keras' History (what fit() returns), kept across the trainer's fit() calls (a
    mid-epoch start, rollbacks) with every column one value per epoch: NaN where a value
    was not logged that epoch (a metric measured every N epochs, or first in a later fit())."""

    def __init__(self):
        super().__init__()
        self.epochs_seen = 0  # Keras' own `epoch` list restarts with every fit()

    def on_epoch_end(self, epoch, logs=None):
        for key in logs or {}:
            self.history.setdefault(key, [float("nan")] * self.epochs_seen)
        super().on_epoch_end(epoch, logs)
        self.epochs_seen += 1
        for values in self.history.values():
            values.extend([float("nan")] * (self.epochs_seen - len(values)))


class LossPlot(keras.callbacks.Callback):
    """Redraws losses.png from history.csv each epoch (so a resumed run plots all of it)."""

    # (keys, title); the first two always, the others when a key was logged. A family whose
    # G loss adds a reconstruction term logs g_adversarial, shown beside d_loss instead of
    # the total (pix2pix: 100 x L1 would flatten d_loss), and the term in its own panel.
    PANELS = ((("d_loss", "g_loss", "g_adversarial"), "losses"),
              (("real_score", "fake_score", "augment_p"), "mean sigmoid D(.)"),
              (("g_l1",), "L1 to the targets (training batches, [-1, 1] units)"),
              (("pixel",), "pixel loss (training batches)"),
              (("e_loss",), "text-image matching loss (encoder stage)"),
              (("domain_fd", "kid", "fid", "l1"), "quality (lower is better)"),
              (("psnr",), "quality: PSNR dB (higher is better)"),
              (("r_precision",), "quality: R-precision (higher is better)"))
    SCORES = 1  # the panel of probabilities, drawn from 0 to 1

    # Drawing costs a large share of an epoch of a second or less (mnist at batch 256;
    # benchmarks/RESULTS.md#side-work), so it redraws as often as PLOT_SHARE of the time
    # allows, and always when training ends.

    def __init__(self, history_csv: str | Path, out: str | Path):
        super().__init__()
        self.history_csv = Path(history_csv)
        self.out = Path(out)
        self.pace = Budget(PLOT_SHARE)
        self.pending = False  # good epochs logged since the last drawing

    def on_epoch_end(self, epoch, logs=None):
        if not losses_finite(logs):  # a diverged epoch's row is removed by the rollback
            return
        self.pending = True
        if self.pace.allows():
            self.draw()

    def on_train_end(self, logs=None):
        if self.pending:
            self.draw()

    def draw(self):
        with self.pace.spend():
            plot_history(read_history(self.history_csv), self.out)
        self.pending = False


def plot_history(history: dict[str, list[float]], out: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = np.array([int(e) + 1 for e in history.get("epoch", [])])
    # the quality panel only for runs that measure quality (--eval-every)
    panels = [p for i, p in enumerate(LossPlot.PANELS) if i < 2 or any(k in history for k in p[0])]
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6))
    for ax, (keys, title) in zip(axes, panels):
        for key in keys:
            if key == "g_loss" and "g_adversarial" in history:
                continue
            if key in history:
                values = np.asarray(history[key], dtype=float)
                measured = np.isfinite(values)  # metrics are NaN between evaluations
                ax.plot(epochs[measured], values[measured], marker=".", label=key)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title + ("; augmentation p" if "augment_p" in keys and "augment_p" in history
                              else ""))
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:  # a panel with nothing measured yet has none
            ax.legend()
    axes[LossPlot.SCORES].set_ylim(0, 1)
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
