"""keras-gan: train GANs from the command line and ship the generator.

The Python API (docs/python-api.md):

    import keras_gan
    result = keras_gan.train(family="dcgan", data="path/to/images", epochs=20)
    generator = keras_gan.load_generator(result.run_dir)
    images = generator.generate(seeds=[0, 1, 2])   # uint8 [3, H, W, C]

Train and resume (`train`), load a trained generator (`load_generator`), the config
sections (`RunConfig`, `DataConfig`, `TrainConfig`, `ExportConfig`, `model_options`), and
the registries a plugin extends from its own file (`FAMILIES`, `NETWORKS`, `LOSSES`,
`DATASETS`, `METRICS`, `TASKS`, `FORMATS`; `load_plugins` loads KERAS_GAN_PLUGINS), with
what a family is written with (`Family`, `option`, `validate_options`, `GANModel`).

Every name is imported on first use: `import keras_gan` loads no TensorFlow (the command
line quiets TensorFlow's start-up before it loads).
"""

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "train": "keras_gan.api",
    "config_from_options": "keras_gan.api",
    "load_generator": "keras_gan.api",
    "Generator": "keras_gan.generator",
    "TrainingResult": "keras_gan.training.run",
    "RunConfig": "keras_gan.config",
    "DataConfig": "keras_gan.config",
    "TrainConfig": "keras_gan.config",
    "ExportConfig": "keras_gan.config",
    "model_options": "keras_gan.config",
    "ConfigError": "keras_gan.errors",
    "Registry": "keras_gan.registry",
    "FAMILIES": "keras_gan.families",
    "Family": "keras_gan.families.family",
    "option": "keras_gan.families.family",
    "validate_options": "keras_gan.families.family",
    "GANModel": "keras_gan.families.model",
    "NETWORKS": "keras_gan.networks",
    "Network": "keras_gan.networks.base",
    "LOSSES": "keras_gan.training.losses",
    "GANLoss": "keras_gan.training.losses",
    "DATASETS": "keras_gan.data",
    "METRICS": "keras_gan.evaluation",
    "TASKS": "keras_gan.tasks",
    "FORMATS": "keras_gan.exporters",
    "load_plugins": "keras_gan.plugins",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    """Import the module that defines `name` on first use, then keep the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'keras_gan' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_EXPORTS})
