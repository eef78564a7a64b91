"""Resizing decoded uint8 arrays with TensorFlow (sources that are not files: mnist_5k, TFDS)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def center_crop_resize(image, size: int, channels: int):
    """uint8 HWC (or NHWC) -> uint8 (size, size, channels): channels converted, centre square
    crop, bilinear antialiased resize, rounded."""
    if image.shape[-1] != channels:
        if channels == 3:
            image = tf.image.grayscale_to_rgb(image[..., :1])
        else:
            image = tf.image.rgb_to_grayscale(image[..., :3])
    if image.shape[-3] == size and image.shape[-2] == size:
        return image
    height, width = tf.shape(image)[-3], tf.shape(image)[-2]
    side = tf.minimum(height, width)
    image = tf.image.crop_to_bounding_box(
        image, (height - side) // 2, (width - side) // 2, side, side
    )
    image = tf.image.resize(image, (size, size), method="bilinear", antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)


def resize_arrays(images: np.ndarray, size: int, channels: int, batch: int = 1024) -> np.ndarray:
    """uint8 NHWC arrays of one size -> uint8 (N, size, size, channels)."""
    return np.concatenate([center_crop_resize(tf.constant(images[i:i + batch]), size, channels).numpy()
                           for i in range(0, len(images), batch)])
