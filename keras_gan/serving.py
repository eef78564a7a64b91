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


def postprocess(images):
    """float [-1, 1] -> the three documented outputs."""
    pixels = tf.cast(tf.clip_by_value(tf.round((images + 1.0) * 127.5), 0.0, 255.0), tf.uint8)
    png = tf.map_fn(tf.io.encode_png, pixels, fn_output_signature=tf.string)
    return {"images": pixels, "images_float": images, "images_png_bytes": png}


class GeneratorServing(tf.Module):
    def __init__(self, generator, latent_dim: int, max_images: int = MAX_IMAGES):
        super().__init__(name="generator_serving")
        self.weights = [variable.value for variable in generator.variables]
        self._call_generator = lambda latent: generator(latent, training=False)  # untracked
        self.latent_dim = latent_dim
        self.max_images = max_images
        self.serve = tf.function(
            self._serve, input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, "latent")])
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
        seeds = seed * 1_000_003 + tf.range(tf.cast(num_images, tf.int64))
        return self._generate(seeds)

    def signatures(self) -> dict:
        return {"serving_default": self.serve, "generate": self.generate,
                "generate_n": self.generate_n}
