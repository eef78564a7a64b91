"""run_training(config): check everything, load data, make the run folder, fit.

Order matters: every argument and the data are checked before a run folder is
created or a model is built, so a mistake costs seconds and leaves nothing behind.
One loop trains every family (keras_gan.families): what differs is the model's
train_step hooks, its task's preview, and its data layout's transform.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import keras

from keras_gan.console import command_name
from keras_gan.training.callbacks import (AlignedHistory, CollapseWatch, DivergenceGuard, GANCheckpoint,
                                 HistoryCSV, LossPlot, SampleGrid, StopOnInterrupt,
                                 tensorboard_callbacks)
from keras_gan.training.budget import (TRAINED_SECONDS, TrainingBudget, ends_by_epochs,
                                       kimg_steps, reached_note, trained_seconds)
from keras_gan.training.checkpoints import checkpoint_bytes, latest_checkpoint, restore, save_checkpoint
from keras_gan.config import RunConfig
from keras_gan.data import Data, steps_per_epoch, training_pipeline
from keras_gan.training.distribute import chief_decides, is_chief, make_strategy, writable_run_dir
from keras_gan.errors import ConfigError
from keras_gan.training.quality import quality_callbacks
from keras_gan.training.factory import build_model
from keras_gan.io.files import WriteError, check_space, check_writable, write_text_atomic, writing
from keras_gan.training.history import read_history, trim_history
from keras_gan.training.init_from import initialize_from
from keras_gan.io.images import progress_gif, save_grid
from keras_gan.training.losses import LOSSES
from keras_gan.training.progress import RunLog, RunProgress
from keras_gan.resolve import resolve
from keras_gan.runs import CONFIG, create_run_dir
from keras_gan.training.schedule import LearningRateDecay

log = logging.getLogger(__name__)


@dataclass
class TrainingResult:
    run_dir: Path
    config: RunConfig
    history: dict
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM; a checkpoint was saved, resume continues
    stop_signal: int | None = None  # which signal stopped it (keras_gan.training.signals)
    chief: bool = True  # False on multi-worker workers, whose run_dir was a removed scratch copy
    replicas: int = 1  # replicas in sync under --strategy
    budget: str | None = None  # "minutes" or "kimg": that budget stopped it (a checkpoint saved)
    budget_note: str | None = None  # what the run said then, with how to continue


def _write_skipped(run_dir: Path, data: Data) -> None:
    if data.skipped:
        lines = [f"{path}\t{reason}" for path, reason in data.skipped]
        write_text_atomic(run_dir / "skipped_files.txt", "\n".join(lines) + "\n")


def run_training(config: RunConfig, verbose: int | str = 2, callbacks=()) -> TrainingResult:
    """Train a new run. `callbacks`: extra keras callbacks, run after the built-in ones."""
    train = config.validate().train
    strategy = make_strategy(train.strategy, train.cpu_replicas)  # before any other TF work
    config, data = resolve(config)
    model = _new_model(config, strategy)
    if config.train.init_from:  # checked before a run folder exists; the source recorded
        source = initialize_from(model, config.train.init_from, config.model.family,
                                 config.data.class_names)
        config = config.replace(train={"init_from": source})
        log.info("Initialised every network from %s.", source)
    with writable_run_dir(strategy, create_run_dir(config) if is_chief(strategy) else None) as run_dir, \
            RunLog(run_dir / "log.txt"):
        write_text_atomic(run_dir / CONFIG, config.to_json())
        _write_skipped(run_dir, data)
        log.info("Run folder: %s; data: %s; strategy: %s (%d replicas)", run_dir,
                 data.description, config.train.strategy, strategy.num_replicas_in_sync)
        cells, ncols = model.task.reals(data, config.train.grid_size**2, config.train.seed)
        save_grid(run_dir / "samples" / "reals.png", cells, ncols=ncols)
        model.task.write_examples(run_dir, data)
        return _fit(config, run_dir, data, verbose, model, callbacks=callbacks)


def _new_model(config: RunConfig, strategy):
    """The compiled model, its variables made under the tf.distribute `strategy`."""
    with strategy.scope():
        keras.utils.set_random_seed(config.train.seed)  # weights, latents and data order
        return build_model(config)


# what a resumed run may change
RESUME_OPTIONS = ("epochs", "strategy", "cpu_replicas", "minutes", "kimg")


def resume_training(run_dir: str | Path, epochs: int | None = None, verbose: int | str = 2,
                    strategy: str | None = None, callbacks=(),
                    cpu_replicas: int | None = None, minutes: float | None = None,
                    kimg: float | None = None) -> TrainingResult:
    """Continue a run from its folder alone: config.json and the newest good checkpoint.

    `epochs` is the run's new total (config.json is updated), the decaying ones included:
    the last decay_epochs of it decay, as saved, so raising the total of a finished run
    starts a new decay at the end. The continued run is
    identical to an uninterrupted one on the same machine (data order, random draws,
    every optimizer's state). `strategy` and `cpu_replicas` replace the recorded
    --strategy and --cpu-replicas, together when either is given (a run may move between
    one device and several). `minutes` and `kimg` are new budget totals
    (keras_gan.training.budget); given without `epochs`, the budgets decide the end, as
    for a new run; `epochs` without them makes the epochs decide it again (a saved budget
    still stops the run if it comes first).
    """
    run_dir = Path(run_dir)
    config = RunConfig.from_json(run_dir / CONFIG, saved=True)
    budgets = {name: value for name, value in (("minutes", minutes), ("kimg", kimg))
               if value is not None}
    if budgets:
        config = config.replace(train=budgets)
    if epochs is not None or budgets:  # what this command line gives decides the end
        config = config.replace(train={"budget_ends": epochs is None})
    if epochs is not None:
        config = config.replace(train={"epochs": epochs})
    if strategy is not None or cpu_replicas is not None:  # replaced together
        config = config.replace(train={"strategy": strategy or config.train.strategy,
                                       "cpu_replicas": cpu_replicas})
    train = config.validate().train
    distribution = make_strategy(train.strategy, train.cpu_replicas)
    with writable_run_dir(distribution, run_dir, copy=True) as writable:
        try:  # before any training, whose checkpoints would have nowhere to go
            check_writable(writable)
            check_space(writable / "checkpoints", checkpoint_bytes(writable / "checkpoints"),
                        "the next checkpoint")
        except WriteError as err:
            raise err.or_else(
                f"copy the run folder somewhere writable and resume the copy (cp -r {run_dir} "
                f"COPY && {command_name()} train --resume COPY)") from None
        with RunLog(writable / "log.txt"):
            return _resume(config, writable, verbose, distribution, callbacks)


def _resume(config: RunConfig, run_dir: Path, verbose, strategy, callbacks) -> TrainingResult:
    model = _new_model(config, strategy)
    checkpoint, meta = restore(model, run_dir / "checkpoints", config.model.family)
    epoch, step = meta["epoch"], meta.get("step", 0)
    if not config.train.budget_ends and epoch >= config.train.epochs:
        raise ConfigError(
            f"Invalid epochs: expected more than the {epoch} epochs run {run_dir} has finished "
            f"(--epochs counts every epoch, the decaying ones too). Received: "
            f"epochs={config.train.epochs} (pass --epochs N with N > {epoch}, the new total, "
            f"to train on).")
    config, data = resolve(config)  # the same values; the data checked against them
    _check_budget_left(config.train, meta, steps_per_epoch(data.count, _images_per_step(config)),
                       run_dir)
    log.info("Resuming %s from %s: epoch %d, step %d.", run_dir, checkpoint.name, epoch + 1, step)
    write_text_atomic(run_dir / CONFIG, config.to_json())
    trim_history(run_dir / "history.csv", epoch)
    return _fit(config, run_dir, data, verbose, model, epoch, step, callbacks,
                spent=trained_seconds(meta))


def _images_per_step(config: RunConfig) -> int:
    return config.train.batch_size * config.train.d_steps


def _check_budget_left(train, meta: dict, steps: int, run_dir: Path) -> None:
    """A resume whose budget is spent is refused, as one whose epochs are done."""
    done = meta["epoch"] * steps + meta.get("step", 0)
    images = done * train.batch_size * train.d_steps
    if train.kimg is not None and done >= kimg_steps(train.kimg, train.batch_size * train.d_steps):
        raise ConfigError(
            f"Invalid kimg: expected more than the {images / 1000:g} kimg run {run_dir} has "
            f"trained ({done} steps of {train.batch_size * train.d_steps} images shown to D; "
            f"--kimg counts them all). Received: kimg={train.kimg:g} (pass --kimg N with N > "
            f"{images / 1000:g}, the new total, to train on).")
    seconds = trained_seconds(meta)
    if train.minutes is not None and seconds >= train.minutes * 60:
        raise ConfigError(
            f"Invalid minutes: expected more than the {seconds / 60:.2f} minutes run {run_dir} "
            f"has trained (--minutes counts training time across resumes). Received: minutes="
            f"{train.minutes:g} (pass --minutes N with N > {seconds / 60:.2f}, the new total, "
            f"to train on).")


MAX_ROLLBACKS = 3
UNBOUNDED_EPOCHS = 10**9  # fit()'s end when a --minutes budget alone ends the run


class TrainingDiverged(RuntimeError):
    """The losses stayed NaN/Inf after MAX_ROLLBACKS rollbacks with halved learning rates."""


def _callbacks(config: RunConfig, run_dir: Path, data: Data, model, steps: int, extra, budget):
    train = config.train
    last = ends_by_epochs(train)  # None: a --minutes budget alone ends the run
    grid = SampleGrid(run_dir / "samples",
                      model.task.preview_inputs(model, data, train.grid_size, train.seed),
                      ncols=train.grid_size, every=train.grid_every, last_epoch=last)
    checkpointer = GANCheckpoint(run_dir / "checkpoints", config.model.family,
                                 train.keep_checkpoints, steps_per_epoch=steps, every=train.snap,
                                 last_epoch=last, minutes=train.snap_minutes,
                                 meta=lambda: {TRAINED_SECONDS: budget.seconds()})
    stopper, guard = StopOnInterrupt(), DivergenceGuard()
    used = budget.used if last is None else None  # the decay follows the budget's share
    callbacks = [
        *model.epoch_callbacks(),
        LearningRateDecay(train.epochs, train.decay_epochs, used),  # first: the rate of the epoch
        budget,  # before the epoch-end work, which then knows the run ends here
        grid,
        *quality_callbacks(config, run_dir, data, final=lambda: budget.reached is not None),
        *(tensorboard_callbacks(run_dir, grid) if train.tensorboard else []),
        HistoryCSV(run_dir / "history.csv"),
        LossPlot(run_dir / "history.csv", run_dir / "losses.png"),
        checkpointer,
        guard,
        CollapseWatch(grid, warn=log.warning,
                      scores_are_probabilities=LOSSES.get(train.loss).probabilistic,
                      past=read_history(run_dir / "history.csv")
                      if (run_dir / "history.csv").is_file() else None),
        *extra,
        stopper,
    ]
    return callbacks, checkpointer, stopper, guard


def _fit(config: RunConfig, run_dir: Path, data: Data, verbose, model,
         epoch: int = 0, step: int = 0, callbacks=(), spent: float = 0.0) -> TrainingResult:
    """Train `model` from (epoch, step) to config.train.total_epochs, or until Ctrl-C or a
    budget (keras_gan.training.budget; `spent`: seconds trained before) stops it.

    A NaN or Inf loss stops the epoch; the model is rolled back to the newest good
    checkpoint with every base learning rate halved, up to MAX_ROLLBACKS times.
    """
    train, family = config.train, config.model.family
    checkpoint_dir = run_dir / "checkpoints"
    if (epoch, step) == (0, 0):  # something to roll back to if the first epoch diverges
        with _resumable(run_dir):
            save_checkpoint(model, checkpoint_dir, 0, family, train.keep_checkpoints)
    batch = train.batch_size * train.d_steps
    steps = steps_per_epoch(data.count, batch)
    transform = config.family.transform(config)
    limit = kimg_steps(train.kimg, batch) if train.kimg is not None else None
    budget = TrainingBudget(train.minutes, limit, steps, spent,
                            sync=chief_decides(model.distribute_strategy))
    callbacks, checkpointer, stopper, guard = _callbacks(config, run_dir, data, model, steps,
                                                         callbacks, budget)
    mode = (1 if sys.stdout.isatty() else 2) if verbose == "auto" else int(verbose)
    last = ends_by_epochs(train)  # None: a --minutes budget alone ends the run
    progress = RunProgress(last, steps, batch, mode, log_path=run_dir / "log.txt", budget=budget)
    callbacks = [*callbacks, progress]  # last: it shows what every other callback logged

    aligned = AlignedHistory()  # the run's numbers, one per epoch, across every fit() below
    callbacks = [*callbacks, aligned]
    rollbacks = 0
    # a --kimg budget ending inside an epoch: the epochs before it run as one fit(), that
    # epoch alone, with calls into TensorFlow that end at its step
    stop_epoch, stop_step = divmod(limit, steps) if limit is not None else (None, 0)
    while ((last is None or epoch < last) and not stopper.interrupted
           and budget.reached is None and checkpointer.failed is None):
        # A mid-epoch start (after Ctrl-C) first finishes that epoch's remaining batches.
        end = epoch + 1 if step else (last or epoch + UNBOUNDED_EPOCHS)
        if stop_step and epoch < stop_epoch:
            end = min(end, stop_epoch)
        dataset = training_pipeline(data.fields, batch, train.seed, epoch, transform,
                                    data.groups).skip(step)
        checkpointer.step = budget.step = step
        progress.begin(epoch, step)
        to_stop = stop_step - step if epoch == stop_epoch else 0
        use_steps_per_execution(model, execution_steps(config, batch, steps - step, to_stop))
        try:
            with _resumable(run_dir):
                model.fit(dataset, initial_epoch=epoch, epochs=end, steps_per_epoch=steps - step,
                          callbacks=callbacks, verbose=0, shuffle=False)
        finally:
            stopper.restore()  # fit() skips on_train_end when a callback raises
        if guard.diverged_at is None:
            epoch, step = end, 0
            continue
        epoch, step = _roll_back(model, checkpoint_dir, family, guard, run_dir, rollbacks := rollbacks + 1)
        if budget.reached == "kimg":  # reached at the diverged step, which is trained again
            budget.reached = None
    if checkpointer.failed is not None:  # training stopped after the step that could not be saved
        raise _resume_later(checkpointer.failed, run_dir)
    try:  # every epoch's grid, in order; a nicety, which a full disk must not turn into a failure
        progress_gif(run_dir / "samples", run_dir / "progress.gif")
    except WriteError as err:
        log.warning("No progress.gif: %s", err)
    note = None
    if budget.reached is not None and not stopper.interrupted:
        note = reached_note(train, budget.reached, budget.seconds(), progress.done * batch,
                            f"{command_name()} train --resume {run_dir}")
        if is_chief(model.distribute_strategy):  # a worker's run_dir is a scratch copy
            log.info(note)
    return TrainingResult(run_dir=run_dir, config=config, history=aligned.history,
                          interrupted=stopper.interrupted, stop_signal=stopper.signal,
                          chief=is_chief(model.distribute_strategy),
                          replicas=model.distribute_strategy.num_replicas_in_sync,
                          budget=budget.reached if note else None, budget_note=note)


@contextlib.contextmanager
def _resumable(run_dir: Path):
    """A write that fails during training (a full disk, a folder made read-only) ends it
    with a WriteError that says how to go on."""
    try:
        with writing(run_dir):
            yield
    except WriteError as err:
        raise _resume_later(err, run_dir) from None


def _resume_later(err: WriteError, run_dir: Path) -> WriteError:
    """`err` with the way on: resume from the newest checkpoint, which atomic writes keep
    intact (or, before the first, train again)."""
    newest = latest_checkpoint(run_dir / "checkpoints")
    fix = "free some space there" if err.full else "make it writable"
    if newest is None:
        return err.with_remedy(f"Training stopped: {fix}, or pass --runs-root a folder on "
                               "another disk, and train again.")
    return err.with_remedy(f"Training stopped; its newest checkpoint, {newest.name}, is intact: "
                           f"{fix}, then resume with: {command_name()} train --resume {run_dir}")


def execution_steps(config: RunConfig, batch: int, steps: int, to_stop: int = 0) -> int:
    """Steps per call into TensorFlow for `steps` left in an epoch: --steps-per-execution or
    the family's execution_images / batch, lowered to a divisor of `steps` (Keras' last call
    of an epoch would otherwise take the next epoch's batches) and of `to_stop`, the steps
    left to the step at which a --kimg budget ends in this epoch (a call ends exactly there)."""
    cap = config.train.steps_per_execution or config.family.execution_images // batch
    steps = math.gcd(steps, to_stop)  # gcd(steps, 0) is steps
    return max(n for n in range(1, max(1, min(cap, steps)) + 1) if steps % n == 0)


def use_steps_per_execution(model, steps: int) -> None:
    """Sets the model's steps per call (retraced when it changes); one with several replicas:
    Keras' multi-step loop fails under MirroredStrategy (as XLA does on several CPU devices)."""
    if model.distribute_strategy.num_replicas_in_sync > 1:
        steps = 1
    if model.steps_per_execution != steps:
        model.steps_per_execution = steps
        model.train_function = None  # traced again for the new count


def _roll_back(model, checkpoint_dir: Path, family: str, guard, run_dir: Path, rollbacks: int):
    """Restore the newest good checkpoint with every base learning rate halved (the schedule
    sets the rates from the bases at the start of the epoch); (epoch, step)."""
    bad_epoch, bad_step = guard.diverged_at
    rates = dict(model.learning_rates)
    if rollbacks > MAX_ROLLBACKS:
        raise TrainingDiverged(
            f"Training diverged: the losses became NaN/Inf at epoch {bad_epoch + 1}, step "
            f"{bad_step}, after {MAX_ROLLBACKS} rollbacks with halved learning rates. The run "
            f"folder keeps the last good checkpoint. Check the data for broken images, try a "
            f"lower --lr (now {min(rates.values()):.2e}) or another --loss; resume with: "
            f"{command_name()} train --resume {run_dir}")
    checkpoint, meta = restore(model, checkpoint_dir, family)
    model.learning_rates = {name: rate / 2 for name, rate in rates.items()}
    log.warning("Loss became NaN/Inf at epoch %d, step %d: rolled back to %s and halved every "
                "learning rate (%s) (rollback %d of %d).", bad_epoch + 1, bad_step, checkpoint.name,
                ", ".join(f"{name} {rate / 2:.2e}" for name, rate in rates.items()), rollbacks,
                MAX_ROLLBACKS)
    trim_history(run_dir / "history.csv", meta["epoch"])
    guard.diverged_at = None
    return meta["epoch"], meta.get("step", 0)
