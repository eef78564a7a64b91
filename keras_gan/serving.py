"""The exported generator: a tf.Module whose signatures are the serving API.

Built on a plain tf.Module rather than Keras' ExportArchive, which tracks every
weight twice (a SavedModel double the size, double the memory in the server).
The module tracks the generator's underlying tf.Variables, not the Keras model:
a tf.Module holding a Keras 3 model saves a SavedModel whose variables the TF1 /
C++ loader (TF Serving) cannot find ("Could not find variable ...",
tensorflow/tensorflow#72963).

Signatures (TF Serving names; every output is batch-first):
- serving_default: latent float32 [batch, latent_dim] ->
    images uint8 [batch, H, W, C], images_float float32 [-1, 1], images_png_bytes string [batch]
- generate: seed int64 [batch] -> one deterministic image per seed (same outputs)
- generate_n: num_images int32 scalar, seed int64 scalar -> num_images images;
    counts outside 1..max_images are rejected with InvalidArgument
"""

from __future__ import annotations

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


def latent_spec(latent_dim: int) -> tf.TensorSpec:
    return tf.TensorSpec([None, latent_dim], tf.float32, "latent")


def pixel_function(generator, latent_dim: int):
    """tf.function latent -> pixel_outputs, traced for a dynamic batch."""
    function = tf.function(lambda latent: pixel_outputs(generator(latent, training=False)),
                           input_signature=[latent_spec(latent_dim)])
    function.get_concrete_function()
    return function


class GeneratorServing(tf.Module):
    def __init__(self, generator, latent_dim: int, max_images: int = MAX_IMAGES):
        super().__init__(name="generator_serving")
        self.weights = [variable.value for variable in generator.variables]
        self._call_generator = lambda latent: generator(latent, training=False)  # untracked
        self.latent_dim = latent_dim
        self.max_images = max_images
        self.serve = tf.function(
            self._serve, input_signature=[latent_spec(latent_dim)])
        self.generate = tf.function(
            self._generate, input_signature=[tf.TensorSpec([None], tf.int64, "seed")])
        self.generate_n = tf.function(
            self._generate_n, input_signature=[tf.TensorSpec([], tf.int32, "num_images"),
                                               tf.TensorSpec([], tf.int64, "seed")])

    def images_float(self, latent):
        return self._call_generator(latent)

    def _serve(self, latent):
        return postprocess(self.images_float(latent))

    def _generate(self, seed):
        return postprocess(self.images_float(seed_latents(seed, self.latent_dim)))

    def _generate_n(self, num_images, seed):
        tf.debugging.assert_positive(num_images, message="num_images must be >= 1")
        tf.debugging.assert_less_equal(
            num_images, tf.constant(self.max_images, tf.int32),
            message=f"num_images must be <= {self.max_images} (the export's max_images)")
        return self._generate(n_seeds(num_images, seed))

    def signatures(self) -> dict:
        return {"serving_default": self.serve, "generate": self.generate,
                "generate_n": self.generate_n}
