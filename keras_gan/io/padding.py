"""Translating images of any size: reflect-pad to the generator's multiple, crop back.

One TensorFlow function serves `translate`, the previews, evaluation and every
exported artifact, so they agree to float rounding. Built-in ops only (gather,
floormod, where), so TFLite and ONNX convert it.
"""

from __future__ import annotations

import tensorflow as tf


def reflect_index(positions, n):
    """Indices into a length-n axis for `positions` that run past either end, mirrored as
    numpy's and TF's "reflect" padding (edge not repeated), any number of times over."""
    period = tf.maximum(2 * (n - 1), 1)
    folded = tf.math.floormod(positions, period)
    return tf.where(folded < n, folded, period - folded)


def pad_amounts(length, multiple: int):
    """(before, after) padding that centres `length` in the next multiple of `multiple`."""
    extra = tf.math.floormod(-length, multiple)
    return extra // 2, extra - extra // 2


def translate_tensor(network, images, multiple: int):
    """float [-1, 1] NHWC of any H x W -> the network's output at the same H x W."""
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    top, bottom = pad_amounts(height, multiple)
    left, right = pad_amounts(width, multiple)
    rows = reflect_index(tf.range(-top, height + bottom), height)
    cols = reflect_index(tf.range(-left, width + right), width)
    padded = tf.gather(tf.gather(images, rows, axis=1), cols, axis=2)
    output = tf.cast(network(padded, training=False), tf.float32)
    return output[:, top:top + height, left:left + width, :]
