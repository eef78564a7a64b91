"""The history pool (Shrivastava et al. 2017, as CycleGAN uses it): D sees, half of the
time, a fake from a buffer of the last `size` generated images instead of the newest one.

query(images): while the buffer is filling, each image is stored and passed through; once
full, each image is, with probability 1/2, swapped into the buffer in place of a random
stored image, which is returned instead (the batch's picks are distinct slots). The
buffer, its fill count and its random state are variables of this layer, so checkpoints
carry them and a resumed run queries exactly as an uninterrupted one. size 0 passes every
image through.

Under tf.distribute the pool is queried with the global batch: every replica gathers all
replicas' fakes (keras_gan.training.distribute.gather_batch), makes the same draws from the same
seed state on them, and keeps its own rows of the result. So every replica's fakes are
stored, the replicas draw distinct slots, and N replicas store, swap and return exactly
what one device does with the same global batch (the buffer stays one buffer of `size`
slots: a checkpoint resumes under any replica count). The cost is the gather of one
batch of fakes per query.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from keras_gan.training.distribute import gather_batch, own_rows
from keras_gan.training.seeds import SeedStates


class ImagePool(SeedStates, keras.layers.Layer):
    SEED_STATES = {"pool_seed_state": "seed_generator"}

    def __init__(self, size: int, image_shape: tuple, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.seed_generator = keras.random.SeedGenerator(seed, name="pool_seed")
        if self.size:
            # one value for every replica's copy: each computes the same global update
            self.images = self.add_weight(shape=(self.size, *image_shape), initializer="zeros",
                                          trainable=False, name="images",
                                          aggregation="only_first_replica")
            self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32",
                                         trainable=False, name="count",
                                         aggregation="only_first_replica")
        self.built = True

    def call(self, images):
        if not self.size:
            return images
        images = ops.cast(images, self.images.dtype)
        everything, start = gather_batch(images)
        returned = self.query(everything)
        return returned if everything is images else own_rows(returned, start, images)

    def query(self, images):
        """The pool's answer for a whole (global) batch; stores and swaps."""
        n = ops.shape(images)[0]
        index = ops.arange(n)
        stored = ops.convert_to_tensor(self.count)
        filling = index < self.size - stored  # empty slots left: store and pass through
        swap = ~filling & (keras.random.uniform((n,), seed=self.seed_generator) < 0.5)
        order = ops.argsort(keras.random.uniform((ops.maximum(self.size, n),), seed=self.seed_generator))
        slots = ops.mod(order[:n], self.size)  # distinct while the batch fits in the buffer
        returned = ops.where(swap[:, None, None, None], ops.take(self.images, slots, axis=0), images)
        targets = ops.where(filling, stored + index, ops.where(swap, slots, -1))
        keep = targets >= 0
        updated = tf.tensor_scatter_nd_update(self.images, tf.boolean_mask(targets, keep)[:, None],
                                              tf.boolean_mask(images, keep))
        self.images.assign(updated)
        self.count.assign(ops.minimum(self.size, stored + ops.cast(n, "int32")))
        return returned
