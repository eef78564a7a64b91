"""One progress display for the whole run, and RUN/log.txt.

On a terminal, one line redrawn in place: epoch, images seen (kimg), elapsed, ETA and the
latest epoch's numbers. Elsewhere (CI, `> log`), one plain line per epoch. Both count from
the start of the run, so a resumed run goes on from where it stopped. RUN/log.txt keeps the
per-epoch lines and keras-gan's own messages, as the console showed them.

verbose (run_training): 0 silent, 1 the terminal line, 2 a line per epoch.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from pathlib import Path

import keras

REDRAW_SECONDS = 0.25  # the terminal line at most this often


def clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def numbers(logs: dict) -> str:
    return "  ".join(f"{k} {float(v):.4g}" for k, v in sorted((logs or {}).items())
                     if math.isfinite(float(v)))


class EpochSteps(keras.callbacks.Callback):
    """Counts `step`, the steps done in the current epoch, from Keras' batch index: with
    steps_per_execution > 1 a call runs several steps and callbacks see only its last.
    `step` may be set before fit() (a mid-epoch start); subclasses reset it to 0 when an
    epoch ends."""

    step = 0
    offset = 0  # steps done before this fit()'s epoch began

    def on_epoch_begin(self, epoch, logs=None):
        self.offset = self.step

    def on_train_batch_end(self, batch, logs=None):
        self.step = self.offset + batch + 1


class RunProgress(EpochSteps):
    """The run's progress for fit(verbose=0): `mode` 1 (terminal line) or 2 (a line per epoch).

    `total_epochs` None: a --minutes budget alone ends the run. `budget`
    (keras_gan.training.budget.TrainingBudget): the ETA is the sooner of the epochs' end,
    the --kimg budget's step (at this pace) and the --minutes budget's time left."""

    def __init__(self, total_epochs: int | None, steps_per_epoch: int, batch_size: int, mode: int,
                 stream=None, log_path: Path | None = None, budget=None):
        super().__init__()
        self.total_epochs, self.steps_per_epoch = total_epochs, steps_per_epoch
        self.budget = budget
        self.batch_size, self.mode = batch_size, mode
        self.stream = stream or sys.stdout
        self.log_path = log_path  # RUN/log.txt: every epoch line is appended
        self.start = self.started_at = None  # wall clock and the run step it started from
        self.epoch = self.step = 0
        self.last_logs, self.drawn = {}, 0.0

    def begin(self, epoch: int, step: int) -> None:
        """Where the run stands before this fit() (a resume, a rollback, a mid-epoch start);
        the clock runs from the first fit() of this process."""
        self.epoch, self.step = epoch, step
        if self.start is None:
            self.start, self.started_at = time.perf_counter(), self.done
        else:  # work redone after a rollback is not progress: the pace counts from here
            self.started_at = min(self.started_at, self.done)

    @property
    def done(self) -> int:
        return self.epoch * self.steps_per_epoch + self.step

    def status(self, shown: int) -> str:
        """Epoch `shown` (1-based) of the total, images seen, elapsed, ETA at this pace."""
        ends = [self.total_epochs * self.steps_per_epoch] if self.total_epochs else []
        limit = getattr(self.budget, "limit", None)
        if limit is not None:
            ends.append(limit)
        elapsed = time.perf_counter() - self.start
        rate = (self.done - self.started_at) / elapsed if elapsed > 0 else 0.0
        etas = [(min(ends) - self.done) / rate if rate > 0 else float("nan")] if ends else []
        left = self.budget.seconds_left() if self.budget is not None else None
        if left is not None:
            etas.append(left)
        eta = min([e for e in etas if math.isfinite(e)] or [float("nan")])
        of = f"/{self.total_epochs}" if self.total_epochs else ""
        kimg = f"/{limit * self.batch_size / 1000:g}" if limit is not None else ""
        return (f"epoch {shown}{of}  "
                f"{self.done * self.batch_size / 1000:.1f}{kimg} kimg  {clock(elapsed)} elapsed  "
                f"ETA {clock(eta)}")

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        now = time.perf_counter()
        if self.mode == 1 and now - self.drawn >= REDRAW_SECONDS:
            self.drawn = now
            line = (f"{self.status(self.epoch + 1)}  step {self.step}/{self.steps_per_epoch}  "
                    f"{numbers(self.last_logs)}")
            self.stream.write("\r" + line[:200].ljust(80))
            self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        partial = self.step < self.steps_per_epoch  # stopped (Ctrl-C, NaN) inside the epoch
        if not partial:
            self.epoch, self.step = epoch + 1, 0
        idle = self.model.idle_logs() if hasattr(self.model, "idle_logs") else set()
        self.last_logs = {k: v for k, v in (logs or {}).items() if k not in idle}
        stopped = f"  (stopped at step {self.step}/{self.steps_per_epoch})" if partial else ""
        line = f"{self.status(epoch + 1)}{stopped}  {numbers(self.last_logs)}"
        if self.mode == 2:
            self.stream.write(line + "\n")
            self.stream.flush()
        if self.log_path is not None:
            with open(self.log_path, "a") as handle:
                handle.write(line + "\n")

    def on_train_end(self, logs=None):
        if self.mode == 1:
            self.stream.write("\n")
            self.stream.flush()


class RunLog:
    """Context: keras-gan's own log messages also go to RUN/log.txt while a run trains."""

    def __init__(self, path: Path | None):
        self.path, self.handler = path, None

    def __enter__(self):
        if self.path is not None:
            self.handler = logging.FileHandler(self.path)
            self.handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
            self.handler.setLevel(logging.INFO)
            logging.getLogger("keras_gan").addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        if self.handler is not None:
            logging.getLogger("keras_gan").removeHandler(self.handler)
            self.handler.close()
        return False
