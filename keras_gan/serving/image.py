"""Serving images: the exported generator of an image-to-image family (`pix2pix`).

SavedModel signatures:
- serving_default: image uint8 [batch, H, W, C] (any H, W) -> image uint8 [batch, H, W, C'],
    image_float float32 [-1, 1]
- translate_bytes: image_bytes string [batch], PNG or JPEG files (TF Serving's REST API
    takes them as {"b64": ...}) -> image_png_bytes string [batch]; the images may differ
    in size, and each comes back at its own size
Inputs of any size are padded by reflection to the generator's multiple and cropped
back (keras_gan.tasks.image_to_image.translate_tensor). TFLite and ONNX files have
serving_default, at the training size: their batch is dynamic, H and W are fixed.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_gan.exporters.verify import BATCH_SIZES, UINT8_LEVEL, compare
from keras_gan.io.images import from_uint8
from keras_gan.serving.common import pixel_outputs

ODD_SIZE = (37, 53)  # a size that is no multiple of anything: padding and cropping both run


def smooth_images(count: int, size: tuple[int, int], channels: int, seed: int = 0) -> np.ndarray:
    """uint8 test pictures with structure (random blobs), for when no real examples exist."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size[0], 0:size[1]] / max(size)
    images = np.zeros((count, *size, channels), np.float64)
    for _ in range(4):
        centre, width = rng.uniform(0, 1, (count, 2, channels)), rng.uniform(0.1, 0.4, (count, 1, 1, channels))
        distance = (y[None, ..., None] - centre[:, None, None, 0]) ** 2 \
            + (x[None, ..., None] - centre[:, None, None, 1]) ** 2
        images += np.exp(-distance / width**2)
    return np.clip(images / images.max() * 255, 0, 255).astype(np.uint8)


class ImageSpec:
    outputs = "image"
    task_name = "image_to_image"
    tensor_signature = "serving_default"  # the SavedModel signature that takes `names`
    quantize = ("float32", "float16", "int8")  # the TFLite variants export writes by default
    names = ("image",)

    def __init__(self, task, examples: np.ndarray | None = None):
        self.task = task
        size = (task.image_size, task.image_size)
        if examples is None or not len(examples):
            examples = smooth_images(8, size, task.source_channels)
        self.examples = np.asarray(examples, np.uint8)  # real sources: calibrate, verify

    def input_specs(self) -> list[tf.TensorSpec]:
        size = self.task.image_size
        return [tf.TensorSpec([None, size, size, self.task.source_channels], tf.uint8, "image")]

    def images_float(self, network, image):
        return self.task.apply(network, tf.cast(image, tf.float32) / 127.5 - 1.0)

    def pixel_function(self, network, prefix: str = outputs):
        function = tf.function(lambda image: pixel_outputs(self.images_float(network, image), prefix),
                               input_signature=self.input_specs())
        function.get_concrete_function()
        return function

    def fixed(self, batch_size: int) -> dict[str, np.ndarray]:
        index = np.arange(batch_size) % len(self.examples)
        return {"image": self.examples[index]}

    def calibration(self, count: int) -> dict[str, np.ndarray]:
        """The examples, each also mirrored, repeated up to `count` inputs."""
        pool = np.concatenate([self.examples, self.examples[:, :, ::-1]])
        return {"image": pool[np.arange(min(count, max(len(pool), 1))) % len(pool)]}

    def expected(self, network, feed: dict) -> np.ndarray:
        return self.task.translate(network, from_uint8(feed["image"]))

    def module(self, network, options) -> "TranslatorServing":
        del options
        return TranslatorServing(network, self)

    def saved_model_checks(self, signatures, network, artifact: str, tolerance) -> list:
        """serving_default at a size that needs padding; translate_bytes on PNG files."""
        odd = self.examples[:2, :ODD_SIZE[0], :ODD_SIZE[1]]
        if odd.shape[1:3] != ODD_SIZE:  # examples smaller than the odd size
            odd = smooth_images(2, ODD_SIZE, self.task.source_channels)
        checks = [compare(artifact, f"serving_default {odd.shape[1]}x{odd.shape[2]}",
                          self.expected(network, {"image": odd}),
                          signatures["serving_default"](image=tf.constant(odd)), tolerance,
                          self.outputs)]
        for batch in BATCH_SIZES:
            feed = self.fixed(batch)["image"]
            files = tf.constant([tf.io.encode_png(image).numpy() for image in feed])
            returned = signatures["translate_bytes"](image_bytes=files)["image_png_bytes"]
            decoded = np.stack([tf.io.decode_png(png).numpy() for png in returned.numpy()])
            # a PNG holds [-1, 1] only (an upscaler's linear output runs past it)
            expected = np.clip(self.expected(network, {"image": feed}), -1.0, 1.0)
            outputs = {"image": decoded, "image_float": from_uint8(decoded)}
            checks.append(compare(artifact, "translate_bytes", expected, outputs,
                                  UINT8_LEVEL, self.outputs))
        return checks


class TranslatorServing(tf.Module):
    def __init__(self, generator, spec: ImageSpec):
        super().__init__(name="translator_serving")
        self.weights = [variable.value for variable in generator.variables]
        self._generator = lambda x, training=False: generator(x, training=training)  # untracked
        self.spec = spec
        channels = spec.task.source_channels
        self.serve = tf.function(
            self._serve, input_signature=[tf.TensorSpec([None, None, None, channels], tf.uint8, "image")])
        self.translate_bytes = tf.function(
            self._translate_bytes, input_signature=[tf.TensorSpec([None], tf.string, "image_bytes")])

    def _serve(self, image):
        return pixel_outputs(self.spec.images_float(self._generator, image), "image")

    def _translate_bytes(self, image_bytes):
        channels = self.spec.task.source_channels

        def one(data):
            image = tf.io.decode_image(data, channels=channels, expand_animations=False)
            pixels = pixel_outputs(self.spec.images_float(self._generator, image[None]), "image")
            return tf.io.encode_png(pixels["image"][0])

        return {"image_png_bytes": tf.map_fn(one, image_bytes, fn_output_signature=tf.string)}

    def signatures(self) -> dict:
        return {"serving_default": self.serve, "translate_bytes": self.translate_bytes}
