"""noise_to_image: a latent (plus a class label) in, an image out (`gan`, `dcgan`).

The preview grid draws fixed latents (one row per class for conditional runs); the
serving spec takes latents, or seeds the exported model turns into latents.
"""

from __future__ import annotations

import math

import numpy as np

from keras_gan.cards import latent as latent_card
from keras_gan.errors import invalid
from keras_gan.evaluation import Evaluator
from keras_gan.io.images import from_uint8
from keras_gan.latents import RULE, latents_for
from keras_gan.serving.latent import LatentSpec
from keras_gan.tasks.base import Preview, Task


def random_reals(data, n: int, seed: int) -> tuple[np.ndarray, int]:
    """(cells, columns): `n` training images drawn at random (sources are often sorted by
    class), float [-1, 1], in a square grid."""
    images = data.fields["image"]
    pick = np.sort(np.random.default_rng(seed).choice(len(images), min(n, len(images)),
                                                      replace=False))
    return from_uint8(images[pick]), math.isqrt(n)


class NoiseToImage(Task):
    name = "noise_to_image"
    summary = "a latent (and a class) in, an image out; sample, interpolate"
    metrics = ("kid", "fid", "domain")
    eval_every = 10  # a noise run's epoch is short; scoring each would be a real share of it
    convention = {"resize": "bilinear+antialias to 299 (kid/fid)"}
    card = latent_card
    pipeline_tag = "unconditional-image-generation"
    intended_use = "images like the training set's, from seeds (and classes)"
    use = "sample --run {run}"
    commands = ("sample", "interpolate")

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

    def serving(self, examples=None) -> LatentSpec:
        del examples  # latents need no example data
        return LatentSpec(self.latent_dim, self.num_classes)

    @classmethod
    def free_metric(cls, data) -> str | None:
        return "domain" if cls.domain_reason(data) is None else None

    @classmethod
    def default_metrics(cls, data) -> tuple[str, ...]:
        return ("domain",) if cls.domain_reason(data) is None else ("kid", "fid")

    @classmethod
    def evaluator(cls, config, data, metrics, n, inception_weights, seed):
        return Evaluator(config, data, metrics, n, inception_weights, seed)

    @classmethod
    def export_metadata(cls, spec) -> dict:
        return {"latent_dim": spec.latent_dim, "num_classes": spec.num_classes, "seed_rule": RULE}

    @classmethod
    def generator_inputs(cls, generator, seeds, label, prompt):
        latents = latents_for(seeds, generator.latent_dim)
        if prompt is not None:
            raise invalid("prompt", "no prompt: this generator takes no text", prompt)
        if generator.num_classes is not None:
            if label is None or not 0 <= int(label) < generator.num_classes:
                raise invalid("label", f"a class 0-{generator.num_classes - 1} (conditional generator)",
                              label)
            return [latents, np.full(len(seeds), int(label), np.int32)]
        if label is not None:
            raise invalid("label", "no label: this generator is not conditional", label)
        return latents

    @classmethod
    def run_generator(cls, model, run_dir) -> dict:
        return {"network": model.sampling_generator, "task": cls.name,
                "latent_dim": model.latent_dim, "num_classes": model.num_classes}
