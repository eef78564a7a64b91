"""Pixel outputs every exported artifact shares."""

from __future__ import annotations

import tensorflow as tf


def pixel_outputs(images, prefix: str = "images") -> dict:
    """float [-1, 1] -> <prefix> uint8 and <prefix>_float: built-in ops only (TFLite, ONNX).

    round((x + 1) * 127.5) written as floor(x * 127.5 + 128) clamped with minimum/maximum:
    the int8 TFLite converter mis-quantizes tf.round and tf.clip_by_value here (uint8
    images off by up to 50 levels while the floats were right); this form stays within
    one level of the float result.
    """
    pixels = tf.cast(tf.minimum(tf.maximum(images * 127.5 + 128.0, 0.0), 255.0), tf.uint8)
    return {prefix: pixels, f"{prefix}_float": images}


def png_bytes(pixels):
    """uint8 NHWC -> one PNG file (string) per image."""
    return tf.map_fn(tf.io.encode_png, pixels, fn_output_signature=tf.string)
