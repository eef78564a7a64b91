import math

import numpy as np
import pytest

from keras_gan.training.losses import LOSSES

REAL = np.array([2.0, -1.0], dtype="float32")
FAKE = np.array([0.5, -3.0], dtype="float32")


def softplus(x):
    return math.log1p(math.exp(x))


def mean(values):
    return sum(values) / len(values)


# Hand-computed from each loss's formula on the fixed logits above.
EXPECTED = {
    "bce": (
        mean([softplus(-2.0), softplus(1.0)]) + mean([softplus(0.5), softplus(-3.0)]),
        mean([softplus(-0.5), softplus(3.0)]),
    ),
    "minimax": (
        mean([softplus(-2.0), softplus(1.0)]) + mean([softplus(0.5), softplus(-3.0)]),
        -mean([softplus(0.5), softplus(-3.0)]),
    ),
    # 0.5 * mean((r - 1)^2) + 0.5 * mean(f^2); 0.5 * mean((f - 1)^2)
    "lsgan": (0.5 * mean([1.0, 4.0]) + 0.5 * mean([0.25, 9.0]), 0.5 * mean([0.25, 16.0])),
    # mean(relu(1 - r)) + mean(relu(1 + f)); -mean(f)
    "hinge": (mean([0.0, 2.0]) + mean([1.5, 0.0]), -mean([0.5, -3.0])),
    # mean(f) - mean(r); -mean(f) (the gradient penalty is tested in test_wgan_gp.py)
    "wgan_gp": (mean([0.5, -3.0]) - mean([2.0, -1.0]), -mean([0.5, -3.0])),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loss_matches_hand_computed_values(name):
    loss = LOSSES.get(name)
    d_expected, g_expected = EXPECTED[name]
    assert float(loss.discriminator(REAL, FAKE)) == pytest.approx(d_expected, rel=1e-5)
    assert float(loss.generator(FAKE)) == pytest.approx(g_expected, rel=1e-5)


def test_every_registered_loss_has_a_hand_computed_test():
    assert set(LOSSES.names()) == set(EXPECTED)


def test_bce_is_stable_for_extreme_logits():
    big = np.array([1e4, -1e4], dtype="float32")
    loss = LOSSES.get("bce")
    assert np.isfinite(float(loss.discriminator(big, -big)))
    assert float(loss.generator(np.array([1e4], "float32"))) == pytest.approx(0.0, abs=1e-6)


def test_loss_docstrings_cite_formula_and_paper():
    for name, loss in LOSSES.items():
        for fn in (loss.discriminator, loss.generator):
            assert fn.__doc__ and any(year in fn.__doc__ for year in ("2014", "2017", "2018")), (
                name, fn.__name__)
