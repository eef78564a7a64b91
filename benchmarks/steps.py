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


def budget_arguments(parser, steps: int, out: str, width: int) -> None:
    """The options both quality scripts share."""
    parser.add_argument("--width", type=int, default=width)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--steps", type=int, default=steps, help="Training steps (a mid-epoch stop is fine).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--xla", default="auto", choices=("auto", "on", "off"))
    parser.add_argument("--out", default=out)
    parser.add_argument("--run", help="Score this run's newest checkpoint instead of training one.")


def train_for(config, steps: int) -> tuple[float, float, int]:
    """Train `config` (epochs: unlimited) for `steps` steps: (wall seconds, seconds per step
    after warm-up, steps done)."""
    from keras_gan.training.run import run_training

    stop = StepBudget(steps)
    start = time.perf_counter()
    run_training(config, verbose=0, callbacks=[stop])
    return time.perf_counter() - start, stop.seconds_per_step, stop.done


def trainable(model) -> int:
    import numpy as np

    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)
