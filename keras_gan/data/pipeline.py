"""From decoded uint8 images to the training tf.data pipeline.

Crop/resize/channel conversion happen once (`resized_pixels`, held in memory);
each epoch then permutes the uint8 images, batches them, converts to float32 in
[-1, 1] and prefetches.
"""

from __future__ import annotations

import tensorflow as tf

from keras_gan.data.source import LoadedImages


def center_crop_resize(image, size: int, channels: int):
    """uint8 HWC -> uint8 (size, size, channels): centre square crop, antialiased resize."""
    if image.shape[-1] != channels:
        if channels == 3:
            image = tf.image.grayscale_to_rgb(image[..., :1])
        else:
            image = tf.image.rgb_to_grayscale(image[..., :3])
    if image.shape[0] == size and image.shape[1] == size:
        return image
    height, width = tf.shape(image)[0], tf.shape(image)[1]
    side = tf.minimum(height, width)
    image = tf.image.crop_to_bounding_box(
        image, (height - side) // 2, (width - side) // 2, side, side
    )
    image = tf.image.resize(image, (size, size), method="bilinear", antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)


def to_float(images):
    """uint8 [0, 255] -> float32 [-1, 1] (the package-wide value range)."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def steps_per_epoch(count: int, batch_size: int) -> int:
    return -(-count // batch_size)  # the last, smaller batch is kept


def resized_pixels(loaded: LoadedImages, image_size: int, channels: int) -> tf.Tensor:
    """Every image cropped and resized once: uint8 [count, size, size, channels]."""
    resized = loaded.images.map(
        lambda image: center_crop_resize(image, image_size, channels),
        num_parallel_calls=tf.data.AUTOTUNE,
    ).batch(1024)
    return tf.concat(list(resized), axis=0)


def training_pipeline(pixels: tf.Tensor, batch_size: int, seed: int, first_epoch: int = 0,
                      labels=None) -> tf.data.Dataset:
    """Endless batches, epoch after epoch from `first_epoch`; fit with steps_per_epoch.

    pixels: from `resized_pixels`, held in memory (as `cache()` did). Each epoch is
    a full permutation drawn from (seed, epoch) with a stateless op, so a resumed
    run sees exactly the batches an uninterrupted one would have seen, whatever
    this process iterated before. labels (int, one per image): batches are
    (images, labels), for conditional GANs.
    """
    count = int(pixels.shape[0])
    labels = None if labels is None else tf.constant(labels, tf.int32)

    def one_epoch(epoch):
        key = tf.stack([tf.constant(seed, tf.int64), epoch])
        order = tf.argsort(tf.random.stateless_uniform([count], seed=key))
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    def gather(index):
        images = to_float(tf.gather(pixels, index))
        return images if labels is None else (images, tf.gather(labels, index))

    # Multi-worker training: every worker builds this same pipeline and keeps its share of
    # each global batch (there are no files to shard by).
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return (
        tf.data.Dataset.range(first_epoch, 2**62)
        .flat_map(one_epoch)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
        .with_options(options)
    )


def some_images(loaded: LoadedImages, image_size: int, channels: int, n: int, seed: int = 0):
    """`n` preprocessed images drawn at random (from the first 2,048), float32 [-1, 1].

    For the reals grid: sources are often sorted by class (mnist_5k is), so
    the first `n` would all be zeros.
    """
    pool = loaded.images.take(2048).shuffle(2048, seed=seed)
    batch = pool.take(n).map(lambda im: center_crop_resize(im, image_size, channels))
    return to_float(tf.stack(list(batch))).numpy()
