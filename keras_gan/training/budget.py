"""Training budgets: `--minutes` (training time) and `--kimg` (thousands of real images shown
to the discriminator, steps x batch x d_steps, as the progress line counts them).

The run stops after the step that reaches a budget, the way Ctrl-C stops it
(keras_gan.training.callbacks.StopOnInterrupt): the epoch-end callbacks then save a
mid-epoch checkpoint, draw the grid and score, as at a run's last epoch, and
`train --resume RUN --kimg N` / `--minutes N` continues from there.

- kimg: the end is a step, ceil(kimg x 1000 / images per step), so a run stopped at one
  budget and resumed with a larger one ends where an uninterrupted run with the larger
  budget ends, with the same weights (the epochs the budget needs set the learning-rate
  schedule; a decaying family keeps the decay_epochs it was resolved with, as a resume
  with --epochs does, so it matches the uninterrupted run while the epoch count is the same).
- minutes: training time (the fit() calls, side work included; not loading data or
  building the model), counted across resumes: checkpoints record it (TRAINED_SECONDS).
  Without --epochs, the families that decay the rate do so over the last share of the
  budget (decay_epochs / epochs of the family's plan: pix2pix and cyclegan the last half),
  from the share used at each epoch's start (keras_gan.training.schedule.budget_factor).
  Under several workers the chief's clock decides and every worker stops at that step.
"""

from __future__ import annotations

import math
import time

from keras_gan.training.progress import EpochSteps

TRAINED_SECONDS = "trained_seconds"  # checkpoint metadata: training time so far, every resume
default_clock = time.perf_counter  # what TrainingBudget reads unless given a clock


def kimg_steps(kimg: float, images_per_step: int) -> int:
    """The step at which `kimg` thousand images have been shown (rounded up to whole steps)."""
    return max(1, math.ceil(round(kimg * 1000, 6) / images_per_step))


def kimg_epochs(kimg: float, images_per_step: int, steps_per_epoch: int) -> int:
    """The epochs a --kimg budget needs, the last one possibly cut short."""
    return math.ceil(kimg_steps(kimg, images_per_step) / steps_per_epoch)


def trained_seconds(meta: dict) -> float:
    """Training time recorded in a checkpoint's metadata (0 for checkpoints before budgets)."""
    return float(meta.get(TRAINED_SECONDS, 0.0))


def ends_by_epochs(train) -> int | None:
    """The epoch count that ends the run, or None when a --minutes budget alone does."""
    return None if train.budget_ends and train.kimg is None else train.total_epochs


class TrainingBudget(EpochSteps):
    """Counts training time (from `spent` seconds before this process) and stops training
    after the step at which `minutes` of it have passed or step `limit` (of the run,
    --kimg) is done; `reached` then names which ("minutes" or "kimg").

    `step` may be set before fit() (a mid-epoch start), as for the other EpochSteps.
    `sync`: a function that turns this process's decision into the one every worker
    makes (the chief's; keras_gan.training.distribute), or None on one process.
    """

    def __init__(self, minutes: float | None, limit: int | None, steps_per_epoch: int,
                 spent: float = 0.0, clock=None, sync=None):
        super().__init__()
        self.minutes, self.limit, self.steps_per_epoch = minutes, limit, steps_per_epoch
        self.clock = clock or default_clock
        self.sync = sync
        self.before = float(spent)  # seconds trained before the current fit()
        self.started = None  # the clock when the current fit() began
        self.epoch = 0
        self.reached = None

    def seconds(self) -> float:
        """Training time so far, this fit() included."""
        running = self.clock() - self.started if self.started is not None else 0.0
        return self.before + running

    def seconds_left(self) -> float | None:
        return None if self.minutes is None else max(0.0, self.minutes * 60 - self.seconds())

    def used(self) -> float:
        """The share of the --minutes budget used (0 without one)."""
        return 0.0 if self.minutes is None else min(1.0, self.seconds() / (self.minutes * 60))

    def on_train_begin(self, logs=None):
        self.started = self.clock()

    def on_train_end(self, logs=None):
        self.before, self.started = self.seconds(), None

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        done = self.epoch * self.steps_per_epoch + self.step
        reached = None
        if self.limit is not None and done >= self.limit:
            reached = "kimg"  # a step count: the same on every worker
        elif self.minutes is not None:
            late = self.seconds() >= self.minutes * 60
            reached = "minutes" if (self.sync(late) if self.sync else late) else None
        if reached:
            self.reached = reached
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.step = 0  # a mid-epoch stop: the trainer sets the step of the next start


def reached_note(train, reached: str, seconds: float, images: int, resume: str) -> str:
    """What the run says when a budget stopped it, and how to go on (`resume`: the
    command that continues it, without the option)."""
    if reached == "minutes":
        what = f"{train.minutes:g} minutes of training (--minutes {train.minutes:g})"
        more = f"{resume} --minutes {_more(train.minutes)}"
    else:
        what = f"{images / 1000:g} kimg (--kimg {train.kimg:g})"
        more = f"{resume} --kimg {_more(train.kimg)}"
    return (f"Budget reached: {what}, after {seconds / 60:.1f} minutes of training in all; "
            f"checkpoint, grid and scores saved. Continue with a larger total: {more}")


def _more(value: float) -> str:
    return f"{value * 2:g}"
