"""From decoded uint8 arrays to the training tf.data pipeline.

Each epoch permutes the example indices with a stateless op drawn from (seed, epoch),
reads those rows, converts images to float32 in [-1, 1], applies the family's
per-example transform (random crops and flips, drawn from (seed, epoch, position): the
same for both images of a pair), and prefetches. A resumed run sees exactly the
batches an uninterrupted one would have seen.

Rows are read in TensorFlow (a gather from a tensor) while the arrays fit in
IN_MEMORY_BYTES, the fast path with no Python in the loop; larger data
(keras_gan.data.source.Data.fields, memory-mapped from the cache) is read a batch at a
time through numpy, so only the batches in use are ever in memory.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf

INTEGER_FIELDS = ("label", "tokens")  # tokens: caption ids (text2image)
# Captions (a numpy unicode array; tf.constant makes it a tf.string tensor) are read as
# they are: never scaled like pixels, flipped or cropped.
STRING_FIELDS = ("caption",)
NOT_IMAGES = INTEGER_FIELDS + STRING_FIELDS  # everything else is a uint8 image
# Larger data streams from the memory-mapped cache; below this, one copy in memory is cheap
# and a tf.gather keeps Python out of the loop (a tensor captured by tf.data must also stay
# under protobuf's 2 GB).
IN_MEMORY_BYTES = 1 << 30


def to_float(images):
    """uint8 [0, 255] -> float32 [-1, 1] (the package-wide value range)."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def steps_per_epoch(count: int, batch_size: int) -> int:
    return -(-count // batch_size)  # the last, smaller batch is kept


def training_pipeline(fields: dict[str, np.ndarray], batch_size: int, seed: int,
                      first_epoch: int = 0, transform: Callable | None = None,
                      groups: list[tuple[str, ...]] | None = None) -> tf.data.Dataset:
    """Endless dict batches, epoch after epoch from `first_epoch`; fit with steps_per_epoch.

    groups: fields read with the same rows (default: all, as images and labels, or the
    two images of a pair); each group has its own order, so unpaired domains are drawn
    independently. An epoch is as long as the longest group; a shorter one repeats some
    of its examples that epoch.
    transform(example, seed) -> example: per-example random augmentation of the float
    example dict; `seed` is a stateless-op seed unique to (seed, epoch, position).
    """
    groups = groups or [tuple(fields)]
    count = max(len(fields[group[0]]) for group in groups)
    readers = [(group, _row_reader({name: fields[name] for name in group})) for group in groups]

    def read(orders):
        batch = {}
        for (group, rows), index in zip(readers, orders):
            for name, value in zip(group, rows(index)):
                batch[name] = value if name in NOT_IMAGES else to_float(value)
        return batch

    def one_epoch(epoch):
        key = tf.stack([tf.constant(seed, tf.int64), epoch])
        orders = []
        for g, (group, _) in enumerate(readers):
            # the first group keeps the single-group key, so its order is as before groups
            group_key = key if g == 0 else key + tf.constant([0, 2**40], tf.int64) * g
            order = tf.argsort(tf.random.stateless_uniform([count], seed=group_key))
            orders.append(tf.math.floormod(order, len(fields[group[0]])))
        batches = tf.data.Dataset.from_tensor_slices(tuple(orders)).batch(batch_size).map(
            lambda *index: read(index), num_parallel_calls=tf.data.AUTOTUNE)
        if transform is None:
            return batches
        examples = batches.unbatch().enumerate().map(
            lambda position, example: transform(example, tf.stack([key[0], key[1] * 2**32 + position])))
        return examples.batch(batch_size)

    # Multi-worker training: every worker builds this same pipeline and keeps its share of
    # each global batch (there are no files to shard by).
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return (
        tf.data.Dataset.range(first_epoch, 2**62)
        .flat_map(one_epoch)
        .prefetch(tf.data.AUTOTUNE)
        .with_options(options)
    )


def _row_reader(fields: dict[str, np.ndarray]) -> Callable:
    """index batch -> [the rows of each array], in TensorFlow or through numpy (large data)."""
    names = list(fields)
    if sum(array.nbytes for array in fields.values()) <= IN_MEMORY_BYTES:
        tensors = [tf.constant(np.asarray(fields[name])) for name in names]
        return lambda index: [tf.gather(tensor, index) for tensor in tensors]
    dtypes = [tf.as_dtype(fields[name].dtype) for name in names]

    def rows(index):
        return [np.ascontiguousarray(fields[name][np.sort(index)][np.argsort(np.argsort(index))])
                for name in names]

    def read(index):
        values = tf.numpy_function(rows, [index], dtypes, stateful=False)
        for name, value in zip(names, values):
            value.set_shape([None, *fields[name].shape[1:]])
        return values

    return read


def random_flip(example, seed):
    """A transform: every image of an example flipped left-right, half the time (x-flip)."""
    out = dict(example)
    for name, image in example.items():
        if name not in NOT_IMAGES:
            out[name] = tf.image.stateless_random_flip_left_right(image, seed=seed)
    return out


def random_crop_flip(size: int, flip: bool = True) -> Callable:
    """A transform: the same random size x size crop (and horizontal flip, half the time)
    for every image of an example (both images of a pair)."""

    def transform(example, seed):
        images = {k: v for k, v in example.items() if k not in NOT_IMAGES}
        stacked = tf.concat(list(images.values()), axis=-1)
        crop = tf.image.stateless_random_crop(stacked, [size, size, stacked.shape[-1]], seed=seed)
        if flip:
            crop = tf.image.stateless_random_flip_left_right(crop, seed=seed + [0, 1])
        out, start = dict(example), 0
        for name, image in images.items():
            out[name] = crop[..., start:start + image.shape[-1]]
            start += image.shape[-1]
        return out

    return transform
