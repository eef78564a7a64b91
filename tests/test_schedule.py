"""The shared learning-rate schedule: constant, then a linear decay, the reference's rule at
every epoch boundary, through resume and NaN rollback."""

import numpy as np
import pytest

from keras_gan.schedule import decay_factor


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


# A decaying run killed mid-schedule and resumed equals an uninterrupted one:
# tests/test_cyclegan.py (SIGKILL in the decay epoch; bases in checkpoints: test_families).
