"""The shared learning-rate schedule: constant, then a linear decay, the reference's rule at
every epoch boundary, through resume and NaN rollback."""

import numpy as np
import pytest

from keras_gan.training.schedule import decay_factor, decay_part


def reference_rule(epoch_1_based: int, n_epochs: int, n_epochs_decay: int) -> float:
    """pytorch-CycleGAN-and-pix2pix's lambda_rule (epoch_count 1), as applied during an epoch
    when its scheduler steps at the end of each epoch: epoch k runs at lambda(k - 1)."""
    last = epoch_1_based - 1
    return 1.0 - max(0, last + 1 - n_epochs) / float(n_epochs_decay + 1)


@pytest.mark.parametrize("n_epochs, decay", [(100, 100), (3, 5), (1, 1), (7, 0)])
def test_the_factor_equals_the_reference_rule_at_every_epoch(n_epochs, decay):
    epochs = n_epochs + decay  # --epochs counts every epoch: the reference's 100 + 100 is 200
    for epoch in range(epochs):
        assert decay_factor(epoch, epochs, decay) == pytest.approx(
            reference_rule(epoch + 1, n_epochs, decay))
    assert all(decay_factor(e, epochs, decay) == 1.0 for e in range(n_epochs))  # constant first
    if decay:
        steps = np.diff([decay_factor(e, epochs, decay) for e in range(n_epochs - 1, epochs)])
        assert np.allclose(steps, -1 / (decay + 1))  # then linear, toward zero


def test_the_reference_schedule_is_epochs_200_with_half_decaying():
    rates = [decay_factor(e, 200, decay_part(200, 0.5)) for e in range(200)]
    assert rates[:100] == [1.0] * 100 and rates[100] == pytest.approx(100 / 101)
    assert rates[-1] == pytest.approx(1 / 101)  # the reference's last epoch
    assert [decay_part(n, 0.5) for n in (1, 2, 5, 200)] == [0, 1, 2, 100]  # odd: one more constant


# A decaying run killed mid-schedule and resumed equals an uninterrupted one:
# tests/test_cyclegan.py (SIGKILL in the decay epoch; bases in checkpoints: test_families).
