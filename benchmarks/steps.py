"""A step budget for the quality benchmarks: stop training after N steps (a mid-epoch stop
is fine) and time the steps after tracing and warm-up."""

from __future__ import annotations

import time

import keras

WARM_UP = 20


class StepBudget(keras.callbacks.Callback):
    def __init__(self, steps: int):
        super().__init__()
        self.steps, self.done, self.start = steps, 0, None

    def on_train_batch_begin(self, batch, logs=None):
        if self.start is None and self.done == WARM_UP:
            self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.done += 1
        if self.done >= self.steps:
            self.model.stop_training = True

    @property
    def seconds_per_step(self) -> float:
        if self.start is None:
            return float("nan")
        return (time.perf_counter() - self.start) / max(1, self.done - WARM_UP)
