"""The exported generator: a tf.Module whose signatures are the serving API.

Built on a plain tf.Module rather than Keras' ExportArchive, which tracks every
weight twice (a SavedModel double the size, double the memory in the server).
The module tracks the generator's underlying tf.Variables, not the Keras model:
a tf.Module holding a Keras 3 model saves a SavedModel whose variables the TF1 /
C++ loader (TF Serving) cannot find ("Could not find variable ...",
tensorflow/tensorflow#72963).

Signatures (TF Serving names; every output is batch-first):
- serving_default: latent float32 [batch, latent_dim] (+ label int32 [batch]) ->
    images uint8 [batch, H, W, C], images_float float32 [-1, 1], images_png_bytes string [batch]
- generate: seed int64 [batch] (+ label int32 [batch]) -> one deterministic image per seed
- generate_n: num_images int32 scalar, seed int64 scalar (+ label int32 scalar) ->
    num_images images; counts outside 1..max_images are rejected with InvalidArgument
The label inputs exist only for conditional generators; labels outside
0..num_classes-1 are rejected with InvalidArgument.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

MAX_IMAGES = 256


def seed_latents(seeds, latent_dim: int):
    """One standard-normal latent per int64 seed (stateless: same seed, same latent)."""
    seeds = tf.cast(tf.reshape(seeds, [-1]), tf.int64)
    return tf.map_fn(
        lambda s: tf.random.stateless_normal([latent_dim], seed=tf.stack([s, tf.constant(0, tf.int64)])),
        seeds, fn_output_signature=tf.float32,
    )


def n_seeds(num_images, seed):
    """The per-image seeds generate_n uses: distinct for every (seed, index) a client asks for."""
    return (tf.cast(seed, tf.int64) * 1_000_003
            + tf.range(tf.cast(num_images, tf.int64), dtype=tf.int64))


def pixel_outputs(images):
    """float [-1, 1] -> images uint8 and images_float: built-in ops only (TFLite, ONNX).

    round((x + 1) * 127.5) written as floor(x * 127.5 + 128) clamped with minimum/maximum:
    the int8 TFLite converter mis-quantizes tf.round and tf.clip_by_value here (uint8
    images off by up to 50 levels while images_float was right); this form stays within
    one level of the float result.
    """
    pixels = tf.cast(tf.minimum(tf.maximum(images * 127.5 + 128.0, 0.0), 255.0), tf.uint8)
    return {"images": pixels, "images_float": images}


def postprocess(images):
    """float [-1, 1] -> the three documented SavedModel outputs."""
    outputs = pixel_outputs(images)
    outputs["images_png_bytes"] = tf.map_fn(
        tf.io.encode_png, outputs["images"], fn_output_signature=tf.string)
    return outputs


@dataclass(frozen=True)
class GeneratorInputs:
    """What an exported generator takes: a latent, and a class label when conditional."""

    latent_dim: int
    num_classes: int | None = None

    @classmethod
    def of(cls, value) -> "GeneratorInputs":
        """A GeneratorInputs, or an int latent_dim for an unconditional generator."""
        return value if isinstance(value, cls) else cls(int(value))

    @property
    def conditional(self) -> bool:
        return self.num_classes is not None

    @property
    def names(self) -> tuple[str, ...]:
        return ("latent", "label") if self.conditional else ("latent",)

    def specs(self) -> list[tf.TensorSpec]:
        specs = [tf.TensorSpec([None, self.latent_dim], tf.float32, "latent")]
        if self.conditional:
            specs.append(tf.TensorSpec([None], tf.int32, "label"))
        return specs

    def model_inputs(self, *tensors):
        """Positional tensors in `names` order -> what the Keras generator is called on."""
        return list(tensors) if self.conditional else tensors[0]

    def fixed(self, batch_size: int) -> dict[str, np.ndarray]:
        """Fixed verification inputs by name (labels cycle through the classes)."""
        feed = {"latent": np.random.default_rng(1000 + batch_size).standard_normal(
            (batch_size, self.latent_dim)).astype("float32")}
        if self.conditional:
            feed["label"] = (np.arange(batch_size) % self.num_classes).astype("int32")
        return feed


def pixel_function(generator, inputs: GeneratorInputs):
    """tf.function (latent[, label]) -> pixel_outputs, traced for a dynamic batch."""
    function = tf.function(
        lambda *tensors: pixel_outputs(generator(inputs.model_inputs(*tensors), training=False)),
        input_signature=inputs.specs())
    function.get_concrete_function()
    return function


class GeneratorServing(tf.Module):
    def __init__(self, generator, inputs: GeneratorInputs, max_images: int = MAX_IMAGES):
        super().__init__(name="generator_serving")
        self.weights = [variable.value for variable in generator.variables]
        self._call_generator = lambda x: generator(x, training=False)  # untracked
        self.inputs = inputs
        self.latent_dim = inputs.latent_dim
        self.max_images = max_images
        seed = tf.TensorSpec([None], tf.int64, "seed")
        count, one_seed = tf.TensorSpec([], tf.int32, "num_images"), tf.TensorSpec([], tf.int64, "seed")
        if inputs.conditional:
            label, one_label = tf.TensorSpec([None], tf.int32, "label"), tf.TensorSpec([], tf.int32, "label")
            self.serve = tf.function(self._serve, input_signature=inputs.specs())
            self.generate = tf.function(self._generate, input_signature=[seed, label])
            self.generate_n = tf.function(self._generate_n, input_signature=[count, one_seed, one_label])
        else:
            self.serve = tf.function(lambda latent: self._serve(latent),
                                     input_signature=inputs.specs())
            self.generate = tf.function(lambda seed: self._generate(seed), input_signature=[seed])
            self.generate_n = tf.function(lambda num_images, seed: self._generate_n(num_images, seed),
                                          input_signature=[count, one_seed])

    def images_float(self, latent, label=None):
        if label is None:
            return self._call_generator(latent)
        checks = [
            tf.debugging.assert_non_negative(label, message="label must be >= 0"),
            tf.debugging.assert_less(label, tf.constant(self.inputs.num_classes, tf.int32),
                                     message=f"label must be < {self.inputs.num_classes} (the classes)"),
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
