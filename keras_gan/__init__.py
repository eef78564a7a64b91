"""keras-gan: train GANs from the command line and ship the generator."""

__version__ = "0.1.0"


def __getattr__(name: str):
    """keras_gan.load_generator, imported on first use: `import keras_gan` must not load
    TensorFlow (the command line quiets TensorFlow's start-up before it loads)."""
    if name == "load_generator":
        import importlib

        return importlib.import_module("keras_gan.generator").load_generator
    raise AttributeError(f"module 'keras_gan' has no attribute {name!r}")
