"""The learning-rate schedule every family shares: constant for `epochs`, then a linear
decay over `decay_epochs` (the pix2pix / CycleGAN reference schedule).

During epoch e (1-based) of epochs E + decay D the rate is base x (1 - max(0, e - E) / (D + 1)):
the reference implementation's lambda_rule with epoch_count 1, stepped at the end of each
epoch as in its original train.py. With D = 0 it is the base rate throughout.

The base rate of each optimizer (model.learning_rates) is what NaN rollback halves and
what checkpoints record, so the position in the schedule and every halving survive a
resume; the rate itself is set again from them at the start of every epoch.
"""

from __future__ import annotations

import keras


def decay_factor(epoch: int, epochs: int, decay_epochs: int) -> float:
    """The multiplier during `epoch` (0-based)."""
    return 1.0 - max(0, epoch + 1 - epochs) / (decay_epochs + 1)


def set_learning_rates(model, epoch: int, epochs: int, decay_epochs: int) -> dict[str, float]:
    """Each optimizer's rate for `epoch`, from its base rate; returns the rates set."""
    factor = decay_factor(epoch, epochs, decay_epochs)
    rates = {name: base * factor for name, base in model.learning_rates.items()}
    for name, optimizer in model.optimizers.items():
        optimizer.learning_rate = rates[name]
    return rates


class LearningRateDecay(keras.callbacks.Callback):
    """Sets every optimizer's rate at the start of each epoch (decay_factor x its base)."""

    def __init__(self, epochs: int, decay_epochs: int):
        super().__init__()
        self.epochs, self.decay_epochs = epochs, decay_epochs

    def on_epoch_begin(self, epoch, logs=None):
        set_learning_rates(self.model, epoch, self.epochs, self.decay_epochs)
