"""How super-resolution makes its low-resolution inputs and its bicubic baseline.

Downscaling is antialiased bicubic (tf.image.resize, method "bicubic", antialias=True:
the Keys a = -0.5 kernel stretched by the scale, as MATLAB's imresize, the convention of
the SR literature), then rounded to uint8 levels: a model trains on the same 256 levels
a real low-resolution picture has. High-resolution images are first cropped to a
multiple of the scale ("modcrop"), so LR x scale is exactly the HR size.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def modcrop(images, scale: int):
    """NHWC (or HWC) cropped at the bottom and right to multiples of `scale`."""
    height, width = images.shape[-3], images.shape[-2]
    return images[..., :height - height % scale, :width - width % scale, :]


def downscale_float(images, scale: int):
    """float [-1, 1] (N)HWC whose sides are multiples of `scale` -> the LR image, quantized
    to uint8 levels, float [-1, 1]. Traceable (the training transform calls it)."""
    size = tf.shape(images)[-3:-1] // scale
    small = tf.image.resize(images, size, method="bicubic", antialias=True)
    levels = tf.clip_by_value(tf.round((small + 1.0) * 127.5), 0.0, 255.0)
    return levels / 127.5 - 1.0


def downscale(images: np.ndarray, scale: int) -> np.ndarray:
    """uint8 NHWC -> uint8 NHWC LR images of the modcropped HR images."""
    images = modcrop(np.asarray(images), scale)
    small = tf.image.resize(tf.cast(images, tf.float32), (images.shape[1] // scale,
                                                          images.shape[2] // scale),
                            method="bicubic", antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(small), 0, 255), tf.uint8).numpy()


def upscale_bicubic(images: np.ndarray, scale: int) -> np.ndarray:
    """uint8 NHWC -> uint8 NHWC `scale` times larger, bicubic: the baseline every SR model
    must beat."""
    images = np.asarray(images)
    big = tf.image.resize(tf.cast(images, tf.float32), (images.shape[1] * scale,
                                                        images.shape[2] * scale), method="bicubic")
    return tf.cast(tf.clip_by_value(tf.round(big), 0, 255), tf.uint8).numpy()


def upscale_nearest(images: np.ndarray, scale: int) -> np.ndarray:
    """Each pixel repeated scale x scale times: how a grid shows an LR input at HR size."""
    return np.repeat(np.repeat(np.asarray(images), scale, axis=-3), scale, axis=-2)
