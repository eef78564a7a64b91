"""Serving latents: the exported generator of `gan` / `dcgan`.

SavedModel signatures (TF Serving names; every output is batch-first):
- serving_default: latent float32 [batch, latent_dim] (+ label int32 [batch]) ->
    images uint8 [batch, H, W, C], images_float float32 [-1, 1], images_png_bytes string [batch]
- generate: seed int64 [batch] (+ label int32 [batch]) -> one deterministic image per seed,
    the latent of keras_gan.latents' rule (the image `sample --seeds` draws)
- generate_n: num_images int32 scalar, seed int64 scalar (+ label int32 scalar) ->
    num_images images of seeds seed .. seed+num_images-1; counts outside 1..max_images are
    rejected with InvalidArgument
The label inputs exist only for conditional generators; labels outside
0..num_classes-1 are rejected with InvalidArgument. TFLite and ONNX files have
serving_default only.

The module is a plain tf.Module rather than Keras' ExportArchive, which tracks every
weight twice (a SavedModel double the size, double the memory in the server). It
tracks the generator's underlying tf.Variables, not the Keras model: a tf.Module
holding a Keras 3 model saves a SavedModel whose variables the TF1 / C++ loader
(TF Serving) cannot find ("Could not find variable ...", tensorflow/tensorflow#72963).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from keras_gan.exporters.verify import BATCH_SIZES, compare
from keras_gan.latents import seed_latents
from keras_gan.serving.common import pixel_outputs, png_bytes

MAX_IMAGES = 256


def n_seeds(num_images, seed):
    """The seeds generate_n draws: seed .. seed + num_images - 1, as `sample --n N --seed S`."""
    return tf.cast(seed, tf.int64) + tf.range(tf.cast(num_images, tf.int64), dtype=tf.int64)


def postprocess(images) -> dict:
    """float [-1, 1] -> the three documented SavedModel outputs."""
    outputs = pixel_outputs(images)
    outputs["images_png_bytes"] = png_bytes(outputs["images"])
    return outputs


@dataclass(frozen=True)
class LatentSpec:
    """What an exported generator takes: a latent, and a class label when conditional."""

    latent_dim: int
    num_classes: int | None = None
    outputs = "images"
    task_name = "noise_to_image"
    tensor_signature = "serving_default"  # the SavedModel signature that takes `names`
    quantize = ("float32", "float16", "int8")  # the TFLite variants export writes by default

    @property
    def conditional(self) -> bool:
        return self.num_classes is not None

    @property
    def names(self) -> tuple[str, ...]:
        return ("latent", "label") if self.conditional else ("latent",)

    def input_specs(self) -> list[tf.TensorSpec]:
        specs = [tf.TensorSpec([None, self.latent_dim], tf.float32, "latent")]
        if self.conditional:
            specs.append(tf.TensorSpec([None], tf.int32, "label"))
        return specs

    def model_inputs(self, *tensors):
        """Positional tensors in `names` order -> what the Keras generator is called on."""
        return list(tensors) if self.conditional else tensors[0]

    def fixed(self, batch_size: int) -> dict[str, np.ndarray]:
        """Fixed verification inputs by name (labels cycle through the classes)."""
        return self.calibration(batch_size, seed=1000 + batch_size)

    def calibration(self, count: int, seed: int = 0) -> dict[str, np.ndarray]:
        feed = {"latent": np.random.default_rng(seed).standard_normal(
            (count, self.latent_dim)).astype("float32")}
        if self.conditional:
            feed["label"] = (np.arange(count) % self.num_classes).astype("int32")
        return feed

    def expected(self, network, feed: dict) -> np.ndarray:
        return network(self.model_inputs(*feed.values()), training=False).numpy()

    def pixel_function(self, network, prefix: str = outputs):
        """tf.function (latent[, label]) -> pixel_outputs, traced for a dynamic batch."""
        function = tf.function(
            lambda *tensors: pixel_outputs(network(self.model_inputs(*tensors), training=False), prefix),
            input_signature=self.input_specs())
        function.get_concrete_function()
        return function

    def module(self, network, options) -> "GeneratorServing":
        return GeneratorServing(network, self, max_images=options.max_images)

    def saved_model_checks(self, signatures, network, artifact: str, tolerance) -> list:
        """generate and generate_n against the Keras generator on the same seeds."""
        label = 1 % self.num_classes if self.conditional else None
        seeded = {  # signature -> (its inputs, the seeds it should draw latents from)
            "generate": lambda n: ({"seed": tf.constant(np.arange(n, dtype=np.int64) + 7)},
                                   np.arange(n, dtype=np.int64) + 7),
            "generate_n": lambda n: ({"num_images": tf.constant(n, tf.int32),
                                      "seed": tf.constant(3, tf.int64)}, n_seeds(n, 3)),
        }
        checks = []
        for signature, case in seeded.items():
            for batch in BATCH_SIZES:
                feed, seeds = case(batch)
                latents = seed_latents(tf.constant(seeds), self.latent_dim)
                if self.conditional:  # one class for the batch: [batch] for generate, scalar for _n
                    labels = np.full(batch, label, np.int32)
                    feed["label"] = tf.constant(labels if signature == "generate" else label, tf.int32)
                    latents = [latents, tf.constant(labels)]
                expected = network(latents, training=False).numpy()
                checks.append(compare(artifact, signature, expected,
                                      signatures[signature](**feed), tolerance, self.outputs))
        return checks


class GeneratorServing(tf.Module):
    def __init__(self, generator, spec: LatentSpec, max_images: int = MAX_IMAGES):
        super().__init__(name="generator_serving")
        self.weights = [variable.value for variable in generator.variables]
        self._call_generator = lambda x: generator(x, training=False)  # untracked
        self.spec = spec
        self.latent_dim = spec.latent_dim
        self.max_images = max_images
        seed = tf.TensorSpec([None], tf.int64, "seed")
        count, one_seed = tf.TensorSpec([], tf.int32, "num_images"), tf.TensorSpec([], tf.int64, "seed")
        if spec.conditional:
            label, one_label = tf.TensorSpec([None], tf.int32, "label"), tf.TensorSpec([], tf.int32, "label")
            self.serve = tf.function(self._serve, input_signature=spec.input_specs())
            self.generate = tf.function(self._generate, input_signature=[seed, label])
            self.generate_n = tf.function(self._generate_n, input_signature=[count, one_seed, one_label])
        else:
            self.serve = tf.function(lambda latent: self._serve(latent),
                                     input_signature=spec.input_specs())
            self.generate = tf.function(lambda seed: self._generate(seed), input_signature=[seed])
            self.generate_n = tf.function(lambda num_images, seed: self._generate_n(num_images, seed),
                                          input_signature=[count, one_seed])

    def images_float(self, latent, label=None):
        if label is None:
            return self._call_generator(latent)
        checks = [
            tf.debugging.assert_non_negative(label, message="label must be >= 0"),
            tf.debugging.assert_less(label, tf.constant(self.spec.num_classes, tf.int32),
                                     message=f"label must be < {self.spec.num_classes} (the classes)"),
        ]
        with tf.control_dependencies(checks):  # before the embedding lookup reads the label
            label = tf.identity(label)
        return self._call_generator([latent, label])

    def _serve(self, latent, label=None):
        return postprocess(self.images_float(latent, label))

    def _generate(self, seed, label=None):
        return postprocess(self.images_float(seed_latents(seed, self.latent_dim), label))

    def _generate_n(self, num_images, seed, label=None):
        tf.debugging.assert_positive(num_images, message="num_images must be >= 1")
        tf.debugging.assert_less_equal(
            num_images, tf.constant(self.max_images, tf.int32),
            message=f"num_images must be <= {self.max_images} (the export's max_images)")
        if label is not None:
            label = tf.fill([num_images], label)
        return self._generate(n_seeds(num_images, seed), label)

    def signatures(self) -> dict:
        return {"serving_default": self.serve, "generate": self.generate,
                "generate_n": self.generate_n}
