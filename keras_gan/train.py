"""run_training(config): check everything, load data, make the run folder, fit.

Order matters: every argument and the data are checked before a run folder
is created or a model is built, so a mistake costs seconds and leaves nothing
behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from keras_gan.archs import ARCHS
from keras_gan.config import ConfigError, RunConfig
from keras_gan.data import LoadedImages, resolve_source, some_images, training_pipeline
from keras_gan.losses import LOSSES
from keras_gan.registry import UnknownNameError

log = logging.getLogger(__name__)


@dataclass
class TrainingResult:
    run_dir: Path
    config: RunConfig
    history: dict
    interrupted: bool = False  # stopped by Ctrl-C; a checkpoint was saved, resume continues
    chief: bool = True  # False on multi-worker workers, whose run_dir was a removed scratch copy
    replicas: int = 1  # replicas in sync under --strategy


def resolve_config(config: RunConfig) -> RunConfig:
    """Validate values and fill in the architecture's defaults (size, latent dim).

    Needs no decoded data: channels stay None for sources that only know them
    after decoding (folders).
    """
    config.validate()
    try:
        arch = ARCHS.get(config.model.arch)
        LOSSES.get(config.train.loss)
    except UnknownNameError as err:
        raise ConfigError(str(err)) from None
    data = config.data
    source = resolve_source(data.name)
    size = data.image_size or arch.default_image_size(source.native_size(data.name, data.data_dir))
    expected = arch.check_image_size(size)
    if expected:
        raise ConfigError(
            f"Invalid image_size for arch {config.model.arch!r}: expected {expected}. "
            f"Received: image_size={size}."
        )
    from keras_gan.factory import train_settings

    return config.replace(
        data={"image_size": size},
        model={"latent_dim": config.model.latent_dim or arch.default_latent_dim},
        train=train_settings(config.train),  # the loss's lr, betas and d_steps, written down
    )


def load_training_data(config: RunConfig, labels: bool = False) -> tuple[RunConfig, LoadedImages]:
    """Decode the data once; returns the config with channels fixed, and the images.

    Labels are loaded for conditional runs, for --eval-every (the domain score) and when
    `labels` asks for them.
    """
    data, conditional = config.data, config.model.conditional
    want_labels = conditional or labels or config.train.eval_every != 0  # None: auto, may score
    loaded = resolve_source(data.name).load(data.name, data.data_dir, data.image_size, data.channels,
                                            labels=want_labels)
    if loaded.skipped:
        log.warning(
            "Skipped %d of %d image files that could not be read (first: %s: %s); all are listed "
            "in the run's skipped_files.txt, and `python cli.py check-data` reports the details.",
            len(loaded.skipped), loaded.count + len(loaded.skipped), *loaded.skipped[0],
        )
    else:
        log.info("Data check: all %d images readable.", loaded.count)
    if config.train.batch_size > loaded.count:
        raise ConfigError(
            f"Invalid batch_size: expected at most the dataset size ({loaded.count} images in "
            f"{loaded.description}). Received: batch_size={config.train.batch_size}."
        )
    config = config.replace(data={"channels": data.channels or loaded.channels})
    if conditional:
        config = _with_classes(config, loaded)
    return config, loaded


def _with_classes(config: RunConfig, loaded: LoadedImages) -> RunConfig:
    """Fill num_classes and class_names from labelled data (checked against a resumed run)."""
    if loaded.labels is None:
        raise ConfigError(
            f"Invalid data for --conditional: expected labelled images (mnist_5k, a TFDS set with "
            f"a class label, or a folder with one subfolder per class). Received: "
            f"{loaded.description}, which has no labels.")
    names = tuple(loaded.class_names)
    known = config.data.class_names
    if known is not None and tuple(known) != names:
        raise ConfigError(
            f"Invalid data: expected the classes this run was trained on, {list(known)}. "
            f"Received: {list(names)} in {loaded.description}.")
    return config.replace(data={"class_names": names}, model={"num_classes": len(names)})


def _write_skipped(run_dir: Path, loaded: LoadedImages) -> None:
    if loaded.skipped:
        lines = [f"{path}\t{reason}" for path, reason in loaded.skipped]
        (run_dir / "skipped_files.txt").write_text("\n".join(lines) + "\n")


def run_training(config: RunConfig, verbose: int | str = 2) -> TrainingResult:
    from keras_gan.fileio import write_text_atomic
    from keras_gan.images import save_grid
    from keras_gan.runs import CONFIG, create_run_dir

    from keras_gan.distribute import is_chief, make_strategy, writable_run_dir
    from keras_gan.evaluation import resolve_eval

    strategy = make_strategy(config.validate().train.strategy)  # before any other TF work
    config, loaded = load_training_data(resolve_config(config))
    data = config.data
    config = resolve_eval(config, (loaded.count, data.image_size, data.image_size, data.channels),
                          loaded.labels)
    with writable_run_dir(strategy, create_run_dir(config) if is_chief(strategy) else None) as run_dir:
        write_text_atomic(run_dir / CONFIG, config.to_json())
        _write_skipped(run_dir, loaded)
        log.info("Run folder: %s; data: %s; strategy: %s (%d replicas)", run_dir,
                 loaded.description, config.train.strategy, strategy.num_replicas_in_sync)
        n_grid = config.train.grid_size**2
        save_grid(run_dir / "samples" / "reals.png",
                  some_images(loaded, data.image_size, data.channels, n_grid, config.train.seed),
                  ncols=config.train.grid_size)
        return _fit(config, run_dir, loaded, verbose, _new_gan(config, strategy))


def _new_gan(config: RunConfig, strategy):
    """The compiled GAN, its variables made under the tf.distribute `strategy`."""
    import keras

    from keras_gan.factory import build_gan

    with strategy.scope():
        keras.utils.set_random_seed(config.train.seed)  # weights, latents and data order
        return build_gan(config)


def resume_training(run_dir: str | Path, epochs: int | None = None, verbose: int | str = 2,
                    strategy: str | None = None) -> TrainingResult:
    """Continue a run from its folder alone: config.json and the newest good checkpoint.

    `epochs` raises the run's total (config.json is updated); the continued run is
    identical to an uninterrupted one on the same machine (data order, latents, both
    optimizers' state). `strategy` replaces the recorded --strategy (a run may move
    between one device and several).
    """
    from keras_gan.distribute import make_strategy, writable_run_dir
    from keras_gan.runs import CONFIG

    run_dir = Path(run_dir)
    config = RunConfig.from_json(run_dir / CONFIG)
    if epochs is not None:
        config = config.replace(train={"epochs": epochs})
    if strategy is not None:
        config = config.replace(train={"strategy": strategy})
    distribution = make_strategy(config.validate().train.strategy)
    with writable_run_dir(distribution, run_dir, copy=True) as writable:
        return _resume(config, writable, verbose, distribution)


def _resume(config: RunConfig, run_dir: Path, verbose, strategy) -> TrainingResult:
    from keras_gan.checkpoints import restore
    from keras_gan.fileio import write_text_atomic
    from keras_gan.runs import CONFIG

    gan = _new_gan(config, strategy)
    checkpoint, meta = restore(gan, run_dir / "checkpoints", config.model.arch)
    epoch, step = meta["epoch"], meta.get("step", 0)
    if epoch >= config.train.epochs:
        raise ConfigError(
            f"Invalid epochs: expected more than the {epoch} epochs run {run_dir} has finished. "
            f"Received: epochs={config.train.epochs} (pass --epochs N with N > {epoch} to train on).")
    log.info("Resuming %s from %s: epoch %d, step %d.", run_dir, checkpoint.name, epoch + 1, step)
    config, loaded = load_training_data(config)
    write_text_atomic(run_dir / CONFIG, config.to_json())
    _trim_history(run_dir / "history.csv", epoch)
    return _fit(config, run_dir, loaded, verbose, gan, epoch, step)


def _trim_history(path: Path, before_epoch: int) -> None:
    """Drop history.csv rows of epochs that the resumed run will train again."""
    import csv

    from keras_gan.fileio import atomic_path

    if not path.exists():
        return
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    kept = rows[:1] + [row for row in rows[1:] if row and int(row[0]) < before_epoch]
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        csv.writer(handle).writerows(kept)


MAX_ROLLBACKS = 3


class TrainingDiverged(RuntimeError):
    """The losses stayed NaN/Inf after MAX_ROLLBACKS rollbacks with halved learning rates."""


def _fit(config: RunConfig, run_dir: Path, loaded: LoadedImages, verbose, gan,
         epoch: int = 0, step: int = 0) -> TrainingResult:
    """Train `gan` from (epoch, step) to config.train.epochs, or until Ctrl-C.

    A NaN or Inf loss stops the epoch; the GAN is rolled back to the newest good
    checkpoint with both learning rates halved, up to MAX_ROLLBACKS times.
    """
    import keras

    from keras_gan.callbacks import (CollapseWatch, DivergenceGuard, GANCheckpoint, LossPlot,
                                     SampleGrid, StopOnInterrupt, tensorboard_callbacks)
    from keras_gan.checkpoints import restore, save_checkpoint
    from keras_gan.data.pipeline import resized_pixels, steps_per_epoch
    from keras_gan.evaluation import quality_callbacks

    train, data, arch = config.train, config.data, config.model.arch
    checkpoint_dir = run_dir / "checkpoints"
    if (epoch, step) == (0, 0):  # something to roll back to if the first epoch diverges
        save_checkpoint(gan, checkpoint_dir, 0, arch, train.keep_checkpoints)
    steps = steps_per_epoch(loaded.count, train.batch_size * train.d_steps)
    pixels = resized_pixels(loaded, data.image_size, data.channels)
    labels = loaded.labels if config.model.conditional else None
    grid_latents = gan.grid_inputs(train.grid_size, seed=train.seed)
    stopper, guard = StopOnInterrupt(), DivergenceGuard()
    checkpointer = GANCheckpoint(checkpoint_dir, arch, train.keep_checkpoints, steps_per_epoch=steps)
    grid = SampleGrid(run_dir / "samples", grid_latents, ncols=train.grid_size)
    callbacks = [
        grid,
        *quality_callbacks(config, run_dir, pixels, loaded.labels),
        *(tensorboard_callbacks(run_dir, grid) if train.tensorboard else []),
        keras.callbacks.CSVLogger(str(run_dir / "history.csv"), append=True),
        LossPlot(run_dir / "history.csv", run_dir / "losses.png"),
        checkpointer,
        guard,
        CollapseWatch(grid, warn=log.warning,
                      scores_are_probabilities=LOSSES.get(train.loss).probabilistic),
        stopper,
    ]

    history: dict[str, list] = {}
    rollbacks = 0
    while epoch < train.epochs and not stopper.interrupted:
        # A mid-epoch start (after Ctrl-C) first finishes that epoch's remaining batches.
        end = epoch + 1 if step else train.epochs
        dataset = training_pipeline(pixels, train.batch_size * train.d_steps, train.seed, epoch,
                                    labels).skip(step)
        checkpointer.step = step
        fitted = gan.fit(dataset, initial_epoch=epoch, epochs=end, steps_per_epoch=steps - step,
                         callbacks=callbacks, verbose=verbose, shuffle=False)
        for key, values in fitted.history.items():
            history.setdefault(key, []).extend(values)
        if guard.diverged_at is None:
            epoch, step = end, 0
            continue
        bad_epoch, bad_step = guard.diverged_at
        rollbacks += 1
        if rollbacks > MAX_ROLLBACKS:
            raise TrainingDiverged(
                f"Training diverged: the losses became NaN/Inf at epoch {bad_epoch + 1}, step "
                f"{bad_step}, after {MAX_ROLLBACKS} rollbacks with halved learning rates. The run "
                f"folder keeps the last good checkpoint. Check the data for broken images, try a "
                f"lower --lr (now {float(keras.ops.convert_to_numpy(gan.g_optimizer.learning_rate)):.2e}) "
                f"or another --loss; resume with: python cli.py train --resume {run_dir}")
        rates = [float(keras.ops.convert_to_numpy(o.learning_rate))
                 for o in (gan.d_optimizer, gan.g_optimizer)]
        checkpoint, meta = restore(gan, checkpoint_dir, arch)
        for optimizer, rate in zip((gan.d_optimizer, gan.g_optimizer), rates, strict=True):
            optimizer.learning_rate = rate / 2
        epoch, step = meta["epoch"], meta.get("step", 0)
        log.warning("Loss became NaN/Inf at epoch %d, step %d: rolled back to %s and halved both "
                    "learning rates to %.2e / %.2e (rollback %d of %d).", bad_epoch + 1, bad_step,
                    checkpoint.name, rates[0] / 2, rates[1] / 2, rollbacks, MAX_ROLLBACKS)
        _trim_history(run_dir / "history.csv", epoch)
        guard.diverged_at = None
    from keras_gan.images import progress_gif

    progress_gif(run_dir / "samples", run_dir / "progress.gif")  # every epoch's grid, in order
    from keras_gan.distribute import is_chief

    return TrainingResult(run_dir=run_dir, config=config, history=history,
                          interrupted=stopper.interrupted, chief=is_chief(gan.distribute_strategy),
                          replicas=gan.distribute_strategy.num_replicas_in_sync)
