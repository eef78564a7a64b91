"""The shared learning-rate schedule: constant, then a linear decay, the reference's rule at
every epoch boundary, through resume and NaN rollback."""

import json

import numpy as np
import pytest

from keras_gan.runs import load_run
from keras_gan.schedule import decay_factor
from keras_gan.train import resume_training, run_training
from tests.conftest import tiny_config


def reference_rule(epoch_1_based: int, n_epochs: int, n_epochs_decay: int) -> float:
    """pytorch-CycleGAN-and-pix2pix's lambda_rule (epoch_count 1), as applied during an epoch
    when its scheduler steps at the end of each epoch: epoch k runs at lambda(k - 1)."""
    last = epoch_1_based - 1
    return 1.0 - max(0, last + 1 - n_epochs) / float(n_epochs_decay + 1)


@pytest.mark.parametrize("epochs, decay", [(100, 100), (3, 5), (1, 1), (7, 0)])
def test_the_factor_equals_the_reference_rule_at_every_epoch(epochs, decay):
    for epoch in range(epochs + decay):
        assert decay_factor(epoch, epochs, decay) == pytest.approx(
            reference_rule(epoch + 1, epochs, decay))
    assert all(decay_factor(e, epochs, decay) == 1.0 for e in range(epochs))  # constant first
    if decay:
        steps = np.diff([decay_factor(e, epochs, decay) for e in range(epochs - 1, epochs + decay)])
        assert np.allclose(steps, -1 / (decay + 1))  # then linear, toward zero


def lr_per_epoch(run_dir):
    rows = (run_dir / "checkpoints").glob("epoch_*.json")
    return {json.loads(p.read_text())["epoch"]: json.loads(p.read_text()) for p in rows}


def test_a_decaying_run_resumed_mid_schedule_equals_an_uninterrupted_one(tmp_path):
    config = tiny_config(tmp_path / "a", epochs=2, decay_epochs=2, keep_checkpoints=5)
    full = run_training(config, verbose=0)
    _, straight, _ = load_run(full.run_dir)
    assert float(straight.g_optimizer.learning_rate.numpy()) == pytest.approx(2e-4 * 1 / 3)
    first = run_training(config.replace(train={"epochs": 2, "decay_epochs": 2},
                                        run_dir=str(tmp_path / "b")),
                         verbose=0, callbacks=[StopAfter(3)])
    assert first.interrupted is False and (first.run_dir / "checkpoints" / "epoch_0003.json").is_file()
    resume_training(first.run_dir, verbose=0)
    _, resumed, _ = load_run(first.run_dir)
    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    metas = lr_per_epoch(full.run_dir)
    assert metas[4]["learning_rates"] == {"d_optimizer": pytest.approx(2e-4),
                                          "g_optimizer": pytest.approx(2e-4)}  # bases, undecayed


class StopAfter:
    """Not a Ctrl-C: ends training cleanly after `epochs` whole epochs (as a short run would)."""

    def __new__(cls, epochs):
        import keras

        class _Stop(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch + 1 >= epochs:
                    self.model.stop_training = True

        return _Stop()
