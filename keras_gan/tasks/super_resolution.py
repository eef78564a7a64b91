"""super_resolution: a low-resolution image in, the same picture `scale` times larger out
(`srgan`).

The generator is fully convolutional, so any H x W goes in whole (no padding); large
pictures are tiled by `keras-gan upscale` (keras_gan.io.tiling). The held-out split of a
run is pairs made once from whole held-out images: source = the LR image
(keras_gan.io.resampling.downscale), target = the modcropped original.

The preview grid shows four rows per held-out image: the LR input (each pixel repeated),
bicubic upscaling, the model's output and the original.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_gan.cards import upscale as upscale_card
from keras_gan.evaluation.super_resolution import SREvaluator
from keras_gan.io.images import from_uint8, to_uint8
from keras_gan.io.resampling import downscale, upscale_bicubic, upscale_nearest
from keras_gan.serving.upscale import UpscaleSpec
from keras_gan.tasks.base import Preview
from keras_gan.tasks.image_to_image import ImageToImage
from keras_gan.tasks.noise_to_image import random_reals


class SuperResolution(ImageToImage):
    name = "super_resolution"
    summary = "a low-resolution image in, `scale` times larger out (tiled); upscale"
    metrics = ("psnr", "ssim")
    convention = {"convention": "uint8 upscales of modcropped held-out images, `scale` border "
                                "pixels cropped, BT.601 Y (or RGB: metric_space), data range 255; "
                                "keras_gan.evaluation.super_resolution"}
    card = upscale_card
    use = "upscale --run {run} INPUT --out DIR"
    commands = ("upscale", "translate")

    def __init__(self, channels: int, scale: int, image_size: int):
        # image_size: the HR training size; the LR side of a held-out image is the tile
        # fixed-size files (TFLite) take
        super().__init__(channels, channels, 1, image_size // scale)
        self.scale = scale
        self.hr_size = image_size

    def apply(self, network, images):
        """Fully convolutional: the whole LR image in, `scale` times larger out (no padding)."""
        return tf.cast(network(images, training=False), tf.float32)

    def render_preview(self, model, inputs: dict, ncols: int) -> Preview:
        del ncols  # one column per held-out image
        outputs = self.translate(model.sampling_generator, inputs["source"])
        rows = [upscale_nearest(inputs["source"], self.scale),
                upscale_bicubic(inputs["source"], self.scale), to_uint8(outputs), inputs["target"]]
        return Preview(outputs, np.concatenate([from_uint8(row) for row in rows]), len(outputs))

    def reals(self, data, n: int, seed: int) -> tuple[np.ndarray, int]:
        """Training images before their random crops."""
        return random_reals(data, n, seed)

    def serving(self, examples=None) -> UpscaleSpec:
        return UpscaleSpec(self, examples)

    @classmethod
    def free_metric(cls, data) -> str | None:
        return "psnr"

    @classmethod
    def default_metrics(cls, data) -> tuple[str, ...]:
        return ("psnr", "ssim")

    @classmethod
    def scored_on(cls, record: dict) -> str:
        space = record["metric_space"]
        return (f"{record['n_images']} held-out images, x{record['crop_border']}, {space} "
                f"channel{'s' if space == 'rgb' else ''}, {record['crop_border']} px border cropped")

    @classmethod
    def evaluator(cls, config, data, metrics, n, inception_weights, seed):
        del metrics, inception_weights, seed  # scores PSNR and SSIM at once
        scale = config.model.scale
        return SREvaluator(data.heldout["target"], scale, lambda hr: downscale(hr, scale),
                           upscale_bicubic, n, config.model.metric_space)
