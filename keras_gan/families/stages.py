"""Families that train in two stages chosen by the epoch (srgan: pixel pretraining, then
adversarial; text2image: the encoders, then the GAN).

The stage is a function of the epoch, so a resumed run continues in the right one with
nothing stored: `StageSwitch` sets it at every epoch's start and retraces the step when it
changes (a tf.cond around the optimizer updates would not merge under tf.distribute).
"""

from __future__ import annotations

import logging

import keras

log = logging.getLogger(__name__)


class TwoStages:
    """Mixin for a GANModel: FIRST for the first `first_epochs` epochs, then SECOND.
    `prepare_stage` may be extended (srgan builds its content network there)."""

    FIRST: str
    SECOND: str

    def init_stages(self, first_epochs: int) -> None:
        self.first_epochs = int(first_epochs)
        self.stage = self.stage_at(0)

    def stage_at(self, epoch: int) -> str:
        return self.FIRST if epoch < self.first_epochs else self.SECOND

    def epoch_callbacks(self) -> list:
        return [StageSwitch()]

    def prepare_stage(self, stage: str) -> None:
        """Before `stage`'s step is traced."""
        self.stage = stage


class StageSwitch(keras.callbacks.Callback):
    """Sets the model's stage from the epoch at every epoch's start; a new stage retraces
    the step (Keras looks train_function up at every step)."""

    def on_epoch_begin(self, epoch, logs=None):
        stage = self.model.stage_at(epoch)
        if stage != self.model.stage or self.model.train_function is None:
            if stage != self.model.stage:
                log.info("Epoch %d: %s stage.", epoch + 1, stage)
            self.model.prepare_stage(stage)
            self.model.make_train_function(force=True)
