"""Checkpointing keras.random.SeedGenerator states, which Keras does not save.

A layer or model lists its generators in SEED_STATES (store key -> attribute);
their states are written next to its own variables and restored from them, so a
resumed run continues the exact random sequences of an uninterrupted one.
"""

from __future__ import annotations

import numpy as np
from keras import ops


class SeedStates:
    """Mixin for keras.layers.Layer subclasses (put it first in the bases)."""

    SEED_STATES: dict[str, str] = {}

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for key, attribute in self.SEED_STATES.items():
            store[key] = ops.convert_to_numpy(getattr(self, attribute).state)

    def load_own_variables(self, store):
        keys = list(store.keys())
        for key, attribute in self.SEED_STATES.items():
            if key in keys:  # checkpoints written before a generator existed lack it
                getattr(self, attribute).state.assign(np.asarray(store[key]))
        super().load_own_variables({k: store[k] for k in keys if k not in self.SEED_STATES})
