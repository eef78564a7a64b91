"""FusedAdam: Keras' Adam, with each variable's update one ResourceApplyAdam kernel."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gan.training.optimizers import FusedAdam

SHAPES = [(6, 5), (5,), (5, 1), (1,)]


def train(cls, settings, steps=40, sparse=False):
    """Variables after `steps` updates with a fixed, varying sequence of gradients."""
    rng = np.random.default_rng(0)
    variables = [keras.Variable(rng.normal(0, 0.1, s).astype("float32")) for s in SHAPES]
    optimizer = cls(**settings, name="adam")
    optimizer.build(variables)
    grads = [[tf.constant(rng.normal(0, 10.0 ** -(i % 4), s).astype("float32")) for s in SHAPES]
             for i in range(7)]

    @tf.function
    def step(gs):
        if sparse:  # rows 1 and 3 of the first variable, as an embedding lookup would give
            gs = [tf.IndexedSlices(tf.gather(gs[0], [1, 3]), tf.constant([1, 3]), tf.constant(SHAPES[0])),
                  *gs[1:]]
        optimizer.apply(gs, variables)

    for i in range(steps):
        step(grads[i % 7])
    return [v.numpy() for v in variables], optimizer


@pytest.mark.parametrize("settings", [
    {"learning_rate": 2e-4, "beta_1": 0.5},                   # the GAN default
    {"learning_rate": 1e-3, "beta_1": 0.0, "beta_2": 0.9},    # WGAN-GP's
    {"learning_rate": 5e-2, "epsilon": 1e-3},
])
def test_fused_adam_follows_keras_adam(settings):
    expected, _ = train(keras.optimizers.Adam, settings)
    got, optimizer = train(FusedAdam, settings)
    start = train(FusedAdam, settings, steps=0)[0]
    assert_same_path(got, expected, start)
    assert int(optimizer.iterations.numpy()) == 40


def assert_same_path(got, expected, start):
    """Each variable moved, and ended where Keras' did up to float rounding: a few ulps of
    the value plus 1e-5 of how far it moved (a wrong formula is off by whole steps)."""
    for e, g, s in zip(expected, got, start):
        moved = np.max(np.abs(e - s))
        assert moved > 0
        np.testing.assert_array_less(np.abs(g - e), 1e-5 * moved + 1e-6 * np.abs(e) + 1e-12)


def test_fused_adam_keeps_keras_state_so_checkpoints_load_either_way():
    """Checkpoints written before FusedAdam (Keras' Adam) resume into it, and back."""
    _, keras_adam = train(keras.optimizers.Adam, {"learning_rate": 1e-3}, steps=3)
    _, fused = train(FusedAdam, {"learning_rate": 1e-3}, steps=0)
    store = {}
    keras_adam.save_own_variables(store)
    fused.load_own_variables(store)
    assert int(fused.iterations.numpy()) == 3
    for a, b in zip(fused.variables, keras_adam.variables, strict=True):
        assert a.shape == b.shape and a.path.rsplit("_", 1)[-1] == b.path.rsplit("_", 1)[-1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    restored = FusedAdam.from_config(fused.get_config())
    assert isinstance(restored, FusedAdam) and restored.get_config() == fused.get_config()


def test_sparse_gradients_take_keras_update():
    expected, _ = train(keras.optimizers.Adam, {"learning_rate": 1e-2}, sparse=True)
    got, _ = train(FusedAdam, {"learning_rate": 1e-2}, sparse=True)
    start = train(FusedAdam, {}, steps=0)[0]
    np.testing.assert_array_equal(got[0], expected[0])  # Keras' own update, bit for bit
    np.testing.assert_array_equal(got[0][[0, 2, 4, 5]], start[0][[0, 2, 4, 5]])  # rows never looked up
    assert_same_path(got[1:], expected[1:], start[1:])


def test_learning_rate_changes_reach_the_kernel():
    """NaN rollback halves optimizer.learning_rate in place; the fused update must see it."""
    variable = keras.Variable(np.zeros(3, "float32"))
    optimizer = FusedAdam(learning_rate=0.1)
    optimizer.build([variable])
    step = tf.function(lambda g: optimizer.apply([g], [variable]))
    step(tf.ones(3))
    first = variable.numpy().copy()
    optimizer.learning_rate.assign(0.05)
    step(tf.ones(3))
    # a constant gradient makes Adam's step exactly lr (to epsilon): -0.1, then -0.05 more
    np.testing.assert_allclose(first, -0.1, rtol=1e-5)
    np.testing.assert_allclose(variable.numpy() - first, -0.05, rtol=1e-5)
