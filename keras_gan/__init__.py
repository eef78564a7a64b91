"""keras-gan: train GANs from the command line and ship the generator."""

__version__ = "0.1.0"
