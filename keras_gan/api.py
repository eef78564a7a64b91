"""`keras_gan.train(...)`: a run from Python, as `keras-gan train` makes it.

    import keras_gan
    result = keras_gan.train(family="dcgan", data="path/to/images", epochs=20)
    result = keras_gan.train(resume=result.run_dir, epochs=40)   # continue it
    generator = keras_gan.load_generator(result.run_dir)

Keyword options are spelled as `keras-gan train` spells its options, with underscores:
`data` / `data_b` (the data section's name / name_b), every other data and training field
(`image_size`, `epochs`, `batch_size`, `loss`, `ema`, ...; keras_gan.config), `runs_root` /
`run_dir` for the run folder, and `family` with the family's own options (`latent_dim`,
`width`, ...) for the model section. Defaults are filled in by keras_gan.resolve, as for
the command line.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from keras_gan import generator
from keras_gan.config import RunConfig, model_options, option_fields, split_options
from keras_gan.errors import ConfigError
from keras_gan.families import FAMILIES
from keras_gan.plugins import load_plugins
from keras_gan.runs import resolve_run
from keras_gan.training.run import RESUME_OPTIONS, resume_training, run_training



def config_from_options(config: RunConfig | None = None, **options) -> RunConfig:
    """`config` (default: RunConfig()) with the keyword options of keras_gan.train set,
    converted as the command line converts them (ema=0: no EMA). `family` switches the
    model section to that family's options (its defaults for what is not given); an
    unknown keyword is a ConfigError listing the known ones."""
    config = config or RunConfig()
    fields = option_fields()
    family = options.pop("family", config.model.family)
    sections, model = split_options(options, fields)
    known = {f.name for f in dataclasses.fields(FAMILIES.get(family).options)} - {"family"}
    unknown = sorted(set(model) - known)
    if unknown:
        raise ConfigError(
            f"Unknown options for keras_gan.train: {', '.join(unknown)}. Expected data, training "
            f"and run-folder options ({', '.join(sorted(fields))}), family, or the {family} "
            f"family's own ({', '.join(sorted(known))}).")
    if family != config.model.family:
        model_section = model_options(family, **model)
    else:
        model_section = dataclasses.replace(config.model, **model)
    return dataclasses.replace(config, data=dataclasses.replace(config.data, **sections["data"]),
                               train=dataclasses.replace(config.train, **sections["train"]),
                               model=model_section, **sections["run"])


def train(config: RunConfig | None = None, *, resume: str | Path | None = None,
          verbose: int | str = "auto", callbacks=(), **options):
    """Train a new run (or continue one), as `keras-gan train` does; returns its
    keras_gan.training.run.TrainingResult (run_dir, the resolved config, history).

    config: a RunConfig to start from (default: every default, gan on mnist_5k).
    options: fields of the config sections to set, as keyword arguments, e.g.
        family="dcgan", data="path/to/images", image_size=64, epochs=50, loss="lsgan"
        (see the module's docstring for the names).
    resume: a run folder (or "latest", the newest under runs_root) to continue from its
        newest checkpoint; only epochs, minutes and kimg (new totals), strategy and
        cpu_replicas may be given with it.
    verbose: Keras' fit() verbosity ("auto", 0, 1 or 2).
    callbacks: extra keras.callbacks.Callback objects, run after the built-in ones.

    The plugins KERAS_GAN_PLUGINS and installed packages name are loaded first
    (keras_gan.plugins), as the command line loads them.

    A user mistake raises keras_gan.ConfigError with a one-paragraph message.
    """
    load_plugins()  # a plugin's family, network or loss, as the command line has them
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
        return resume_training(resolve_run(str(resume), runs_root), verbose=verbose,
                               callbacks=callbacks, **options)
    return run_training(config_from_options(config, **options), verbose=verbose,
                        callbacks=callbacks)


def load_generator(path: str | Path, checkpoint: str = "latest"):
    """A trained generator (keras_gan.generator.Generator) from an export version folder
    (`export/<name>/<version>/` with generator.keras) or a run folder (its `checkpoint`:
    "latest", "best" or a file name), after loading the plugins (keras_gan.plugins), so a run
    trained with a plugin's family is rebuilt as the command line rebuilds it.

        g = keras_gan.load_generator("runs/00001-gan-mnist_5k")
        images = g.generate(seeds=[0, 7, 123])   # uint8 [3, H, W, C]
        outputs = g.translate(photos_uint8)        # image-to-image generators
    """
    load_plugins()
    return generator.load_generator(path, checkpoint)


__all__ = ["config_from_options", "load_generator", "option_fields", "train"]
