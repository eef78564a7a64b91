"""super_resolution: a low-resolution image in, the same picture `scale` times larger out
(`srgan`).

The generator is fully convolutional, so any H x W goes in whole (no padding); large
pictures are tiled by `python cli.py upscale` (keras_gan.tiling). The held-out split of a
run is pairs made once from whole held-out images: source = the LR image
(keras_gan.resampling.downscale), target = the modcropped original.

The preview grid shows four rows per held-out image: the LR input (each pixel repeated),
bicubic upscaling, the model's output and the original.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_gan.images import from_uint8, to_uint8
from keras_gan.resampling import upscale_bicubic, upscale_nearest
from keras_gan.serving.upscale import UpscaleSpec
from keras_gan.tasks.base import Preview
from keras_gan.tasks.image_to_image import ImageToImage


class SuperResolution(ImageToImage):
    name = "super_resolution"

    def __init__(self, channels: int, scale: int, image_size: int):
        # image_size: the HR training size; the LR side of a held-out image is the tile
        # fixed-size files (TFLite) take
        super().__init__(channels, channels, 1, image_size // scale)
        self.scale = scale
        self.hr_size = image_size

    def translate(self, network, images, batch_size: int = 16) -> np.ndarray:
        """LR images (uint8 or float [-1, 1], NHWC, one H x W) -> float32 [-1, 1]-ish outputs
        `scale` times larger."""
        images = np.asarray(images)
        if images.dtype == np.uint8:
            images = from_uint8(images)
        key = id(network)
        if key not in self._functions:
            self._functions[key] = tf.function(
                lambda x: tf.cast(network(x, training=False), tf.float32), reduce_retracing=True)
        function = self._functions[key]
        return np.concatenate([function(tf.constant(images[i:i + batch_size])).numpy()
                               for i in range(0, len(images), batch_size)])

    def render_preview(self, model, inputs: dict, ncols: int) -> Preview:
        del ncols  # one column per held-out image
        outputs = self.translate(model.sampling_generator, inputs["source"])
        rows = [upscale_nearest(inputs["source"], self.scale),
                upscale_bicubic(inputs["source"], self.scale), to_uint8(outputs), inputs["target"]]
        return Preview(outputs, np.concatenate([from_uint8(row) for row in rows]), len(outputs))

    def reals(self, data, n: int, seed: int) -> tuple[np.ndarray, int]:
        """(cells, columns): training images (before their random crops), a square grid."""
        images = data.fields["image"]
        count = min(n, len(images))
        pick = np.sort(np.random.default_rng(seed).choice(len(images), count, replace=False))
        return from_uint8(images[pick]), max(1, int(np.sqrt(n)))

    def serving(self, examples=None) -> UpscaleSpec:
        return UpscaleSpec(self, examples)
