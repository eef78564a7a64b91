"""Checkpointing keras.random.SeedGenerator states, which Keras does not save.

A layer or model lists its generators in SEED_STATES (store key -> attribute);
their states are written next to its own variables and restored from them, so a
resumed run continues the exact random sequences of an uninterrupted one.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_gan.training.distribute import replica_context, replica_rows


class SeedStates:
    """Mixin for keras.layers.Layer subclasses (put it first in the bases)."""

    SEED_STATES: dict[str, str] = {}

    def seed_state_items(self) -> list[tuple[str, keras.random.SeedGenerator]]:
        """(store key, generator) pairs to checkpoint; subclasses may add more."""
        return [(key, getattr(self, attribute)) for key, attribute in self.SEED_STATES.items()]

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for key, generator in self.seed_state_items():
            store[key] = ops.convert_to_numpy(generator.state)

    def load_own_variables(self, store):
        keys = list(store.keys())
        own = dict(self.seed_state_items())
        for key, generator in own.items():
            if key in keys:  # checkpoints written before a generator existed lack it
                generator.state.assign(np.asarray(store[key]))
        super().load_own_variables({k: store[k] for k in keys if k not in own})


class ReplicaRandom:
    """Per-sample keras.random draws from one SeedGenerator that differ across replicas.

    Under tf.distribute every replica holds the same (mirrored) seed state, so a plain
    draw would give every replica the same numbers. Here each of R replicas draws for
    R x its batch and keeps its own slice: replicas differ, and the global batch gets
    exactly the numbers one device would draw for it, however the batch splits. The first
    dimension of `shape` is this replica's batch.
    """

    def __init__(self, generator):
        self.generator = generator

    def normal(self, shape, dtype=None):
        return self._draw(keras.random.normal, shape, dtype=dtype)

    def uniform(self, shape, minval=0.0, maxval=1.0, dtype=None):
        return self._draw(keras.random.uniform, shape, minval=minval, maxval=maxval, dtype=dtype)

    def randint(self, shape, minval, maxval):
        return self._draw(keras.random.randint, shape, minval=minval, maxval=maxval)

    def _draw(self, draw, shape, **kwargs):
        if replica_context() is None:
            return draw(shape, seed=self.generator, **kwargs)
        n = shape[0]
        start, total = replica_rows(n)  # an uneven last batch too: 4 + 3 rows draw 7
        everything = draw((total, *shape[1:]), seed=self.generator, **kwargs)
        return everything[start:start + n]
