"""The learning-rate schedule every family shares: `epochs` in all, the last `decay_epochs`
of them with the rate decaying linearly (the pix2pix / CycleGAN reference schedule).

The reference counts n_epochs at the full rate, then n_epochs_decay more; here
--epochs is their sum and --decay-epochs is n_epochs_decay (the reference's 100 + 100 is
--epochs 200 --decay-epochs 100). During epoch e (1-based) of E epochs with D decaying
the rate is base x (1 - max(0, e - (E - D)) / (D + 1)): the reference's lambda_rule,
lr x (1 - max(0, epoch + epoch_count - n_epochs) / (n_epochs_decay + 1)), with
epoch_count 1 and n_epochs = E - D, stepped at the end of each epoch as in its original
train.py. With D = 0 it is the base rate throughout.

When --decay-epochs is not given, a family's (or a demo data set's) train_defaults may
name DECAY_SHARE: that share of the epochs decays (pix2pix and cyclegan: half, as the
reference); without it, none.

With a --minutes budget and no --epochs (keras_gan.training.budget) the run has no epoch
count to decay over: the last decay_epochs / epochs share of the budget decays instead, the
factor set from the share used at each epoch's start (budget_factor). A --kimg budget sets
the epochs it needs, and the schedule follows them as above.

The base rate of each optimizer (model.learning_rates) is what NaN rollback halves and
what checkpoints record, so the position in the schedule and every halving survive a
resume; the rate itself is set again from them at the start of every epoch.
"""

from __future__ import annotations

import keras

DECAY_SHARE = "decay_share"  # a train_defaults key beside TrainConfig's fields


def decay_part(epochs: int, share: float) -> int:
    """The decaying epochs among `epochs` at `share`, rounded down: an odd epoch stays at
    the full rate (--epochs 5 at half: 3 constant, 2 decaying)."""
    return int(epochs * share + 1e-9)


def decay_factor(epoch: int, epochs: int, decay_epochs: int) -> float:
    """The multiplier during `epoch` (0-based) of `epochs` in all, the last
    `decay_epochs` of them decaying."""
    return 1.0 - max(0, epoch + 1 - (epochs - decay_epochs)) / (decay_epochs + 1)


def set_learning_rates(model, epoch: int, epochs: int, decay_epochs: int) -> dict[str, float]:
    """Each optimizer's rate for `epoch`, from its base rate; returns the rates set."""
    factor = decay_factor(epoch, epochs, decay_epochs)
    rates = {name: base * factor for name, base in model.learning_rates.items()}
    for name, optimizer in model.optimizers.items():
        optimizer.learning_rate = rates[name]
    return rates


def budget_factor(used: float, share: float) -> float:
    """The multiplier when `used` of a --minutes budget is spent and the last `share` of it
    decays (linearly toward 0, as the epochs do without a budget)."""
    return 1.0 - max(0.0, used - (1.0 - share)) / share if share > 0 else 1.0


class LearningRateDecay(keras.callbacks.Callback):
    """Sets every optimizer's rate at the start of each epoch (decay_factor x its base).
    `used`: a function giving the share of a --minutes budget spent, when that budget ends
    the run; the last decay_epochs / epochs of the budget then decays (budget_factor)."""

    def __init__(self, epochs: int, decay_epochs: int, used=None):
        super().__init__()
        self.epochs, self.decay_epochs, self.used = epochs, decay_epochs, used

    def on_epoch_begin(self, epoch, logs=None):
        if self.used is None:
            set_learning_rates(self.model, epoch, self.epochs, self.decay_epochs)
            return
        factor = budget_factor(self.used(), self.decay_epochs / self.epochs)
        for name, optimizer in self.model.optimizers.items():
            optimizer.learning_rate = self.model.learning_rates[name] * factor
