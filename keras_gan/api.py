"""`keras_gan.train(...)`: a run from Python, as `keras-gan train` makes it.

    import keras_gan
    result = keras_gan.train(family="dcgan", data="path/to/images", epochs=20)
    result = keras_gan.train(resume=result.run_dir, epochs=40)   # continue it
    generator = keras_gan.load_generator(result.run_dir)

Keyword options are the fields of the config sections (keras_gan.config): the data
section's `name`, `name_b` and `data_dir` are `data`, `data_b` and `data_dir` as on the
command line, every other DataConfig and TrainConfig field keeps its name, `family` and
the family's own options (`latent_dim`, `width`, ...) make the model section, and
`runs_root` / `run_dir` say where the run folder goes. Defaults are filled in by
keras_gan.resolve, as for the command line.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options
from keras_gan.errors import ConfigError

# keyword -> the DataConfig field it sets, where the command line's name differs
DATA_ALIASES = {"data": "name", "data_b": "name_b"}
RUN_FIELDS = ("runs_root", "run_dir")
RESUME_OPTIONS = ("epochs", "strategy", "cpu_replicas")  # what a resumed run may change


def _fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def config_from_options(config: RunConfig | None = None, **options) -> RunConfig:
    """`config` (default: RunConfig()) with the keyword options of keras_gan.train set:
    a family switches the model section to that family's options (its defaults for what
    is not given); an unknown keyword is a ConfigError listing the known ones."""
    config = config or RunConfig()
    data_fields, train_fields = _fields(DataConfig), _fields(TrainConfig)
    family = options.pop("family", config.model.family)
    data, train, model, run = {}, {}, {}, {}
    for key, value in options.items():
        field = DATA_ALIASES.get(key, key)
        if key in RUN_FIELDS:
            run[key] = value
        elif field in data_fields and field not in ("name", "name_b") or key in DATA_ALIASES:
            data[field] = value
        elif key in train_fields:
            train[key] = value
        else:
            model[key] = value
    if family != config.model.family:
        model_section = model_options(family, **model)
    else:
        known = _fields(type(config.model)) - {"family"}
        unknown = sorted(set(model) - known)
        if unknown:
            raise ConfigError(
                f"Unknown options for keras_gan.train: {unknown}. Expected data options "
                f"({', '.join(sorted({*DATA_ALIASES, *data_fields} - {'name', 'name_b'}))}), "
                f"training options ({', '.join(sorted(train_fields))}), {', '.join(RUN_FIELDS)}, "
                f"family, or the {family} family's own ({', '.join(sorted(known))}).")
        model_section = dataclasses.replace(config.model, **model)
    return dataclasses.replace(config, data=dataclasses.replace(config.data, **data),
                               train=dataclasses.replace(config.train, **train),
                               model=model_section, **run)


def train(config: RunConfig | None = None, *, resume: str | Path | None = None,
          verbose: int | str = "auto", callbacks=(), **options):
    """Train a new run (or continue one), as `keras-gan train` does; returns its
    keras_gan.training.run.TrainingResult (run_dir, the resolved config, history).

    config: a RunConfig to start from (default: every default, gan on mnist_5k).
    options: fields of the config sections to set, as keyword arguments, e.g.
        family="dcgan", data="path/to/images", image_size=64, epochs=50, loss="lsgan"
        (see the module's docstring for the names).
    resume: a run folder (or "latest", the newest under runs_root) to continue from its
        newest checkpoint; only epochs (the new total), strategy and cpu_replicas may
        be given with it.
    verbose: Keras' fit() verbosity ("auto", 0, 1 or 2).
    callbacks: extra keras.callbacks.Callback objects, run after the built-in ones.

    A user mistake raises keras_gan.ConfigError with a one-paragraph message.
    """
    from keras_gan.runs import resolve_run
    from keras_gan.training.run import resume_training, run_training

    if resume is not None:
        if config is not None:
            raise ConfigError("Invalid config: expected no RunConfig with resume, which continues "
                              f"the run with its own config.json. Received: resume={str(resume)!r} "
                              "and a config.")
        runs_root = options.pop("runs_root", RunConfig.runs_root)
        extra = sorted(set(options) - set(RESUME_OPTIONS))
        if extra:
            raise ConfigError(f"Invalid options with resume: a resumed run keeps its own "
                              f"config.json; only {', '.join(RESUME_OPTIONS)} can change. "
                              f"Received: {', '.join(extra)}.")
        return resume_training(resolve_run(str(resume), runs_root), options.get("epochs"),
                               verbose=verbose, strategy=options.get("strategy"),
                               cpu_replicas=options.get("cpu_replicas"), callbacks=callbacks)
    return run_training(config_from_options(config, **options), verbose=verbose,
                        callbacks=callbacks)


__all__ = ["config_from_options", "train"]
