"""noise_to_image: a latent (plus a class label) in, an image out (`gan`, `dcgan`).

The preview grid draws fixed latents (one row per class for conditional runs); the
serving spec takes latents, or seeds the exported model turns into latents.
"""

from __future__ import annotations

import math

import numpy as np

from keras_gan.io.images import from_uint8
from keras_gan.serving.latent import LatentSpec
from keras_gan.tasks.base import Preview


def random_reals(data, n: int, seed: int) -> tuple[np.ndarray, int]:
    """(cells, columns): `n` training images drawn at random (sources are often sorted by
    class), float [-1, 1], in a square grid."""
    images = data.fields["image"]
    pick = np.sort(np.random.default_rng(seed).choice(len(images), min(n, len(images)),
                                                      replace=False))
    return from_uint8(images[pick]), math.isqrt(n)


class NoiseToImage:
    name = "noise_to_image"
    holds_out = False  # a share of the data (--holdout) kept for previews and scores

    def __init__(self, latent_dim: int, num_classes: int | None = None):
        self.latent_dim = latent_dim
        self.num_classes = num_classes

    def preview_inputs(self, model, data, grid_size: int, seed: int):
        """The grid's latents, drawn once so grids compare across epochs."""
        del data
        return model.grid_inputs(grid_size, seed=seed)

    def render_preview(self, model, inputs, ncols: int) -> Preview:
        images = model.sample_images(inputs)
        return Preview(images, images, ncols)

    def reals(self, data, n: int, seed: int) -> tuple[np.ndarray, int]:
        return random_reals(data, n, seed)

    def write_examples(self, run_dir, data) -> None:
        """Latent runs keep no example inputs."""

    def read_examples(self, run_dir) -> None:
        return None

    def serving_network(self, model):
        """The network the export writes and verifies: the sampling (EMA) generator."""
        return model.sampling_generator

    def serving(self, examples=None) -> LatentSpec:
        del examples  # latents need no example data
        return LatentSpec(self.latent_dim, self.num_classes)
