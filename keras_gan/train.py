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
from keras_gan.data import LoadedImages, some_images, resolve_source, training_pipeline
from keras_gan.losses import LOSSES
from keras_gan.registry import UnknownNameError

log = logging.getLogger(__name__)


@dataclass
class TrainingResult:
    run_dir: Path
    config: RunConfig
    history: dict


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
    return config.replace(
        data={"image_size": size},
        model={"latent_dim": config.model.latent_dim or arch.default_latent_dim},
    )


def load_training_data(config: RunConfig) -> tuple[RunConfig, LoadedImages]:
    """Decode the data once; returns the config with channels fixed, and the images."""
    data = config.data
    loaded = resolve_source(data.name).load(data.name, data.data_dir, data.image_size, data.channels)
    if loaded.skipped:
        log.warning(
            "Skipped %d of %d image files that could not be read (first: %s: %s).",
            len(loaded.skipped), loaded.count + len(loaded.skipped), *loaded.skipped[0],
        )
    if config.train.batch_size > loaded.count:
        raise ConfigError(
            f"Invalid batch_size: expected at most the dataset size ({loaded.count} images in "
            f"{loaded.description}). Received: batch_size={config.train.batch_size}."
        )
    return config.replace(data={"channels": data.channels or loaded.channels}), loaded


def _write_skipped(run_dir: Path, loaded: LoadedImages) -> None:
    if loaded.skipped:
        lines = [f"{path}\t{reason}" for path, reason in loaded.skipped]
        (run_dir / "skipped_files.txt").write_text("\n".join(lines) + "\n")


def run_training(config: RunConfig, verbose: int | str = 2) -> TrainingResult:
    import keras

    from keras_gan.callbacks import GANCheckpoint, LossPlot, SampleGrid
    from keras_gan.factory import build_gan
    from keras_gan.fileio import write_text_atomic
    from keras_gan.images import save_grid
    from keras_gan.runs import CONFIG, create_run_dir

    config, loaded = load_training_data(resolve_config(config))
    run_dir = create_run_dir(config)
    write_text_atomic(run_dir / CONFIG, config.to_json())
    _write_skipped(run_dir, loaded)
    log.info("Run folder: %s; data: %s", run_dir, loaded.description)

    train, data = config.train, config.data
    keras.utils.set_random_seed(train.seed)
    dataset = training_pipeline(
        loaded, data.image_size, data.channels, train.batch_size, train.seed, data.shuffle_buffer
    )
    n_grid = train.grid_size**2
    save_grid(run_dir / "samples" / "reals.png",
              some_images(loaded, data.image_size, data.channels, n_grid, train.seed), ncols=train.grid_size)

    gan = build_gan(config)
    callbacks = [
        SampleGrid(run_dir / "samples", gan.latents(n_grid, seed=train.seed)),
        GANCheckpoint(run_dir / "checkpoints", keep=train.keep_checkpoints),
        keras.callbacks.CSVLogger(str(run_dir / "history.csv")),
        LossPlot(run_dir / "history.csv", run_dir / "losses.png"),
    ]
    history = gan.fit(dataset, epochs=train.epochs, callbacks=callbacks, verbose=verbose,
                      shuffle=False)  # the pipeline reshuffles
    return TrainingResult(run_dir=run_dir, config=config, history=history.history)
