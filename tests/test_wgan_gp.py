"""WGAN-GP: the gradient penalty on known critics, critic steps, and the critic's norm; the
R1 penalty (--r1) on known critics."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gan.training.factory import build_model
from keras_gan.families.gan import GAN
from keras_gan.training.losses import LOSSES
from tests.conftest import tiny_config

DIM = 6


def gan_with_critic(critic_fn, seed=0, loss="wgan_gp", **options):
    """A GAN whose discriminator is a fixed function of the flattened image."""
    images = keras.Input((DIM,))
    critic = keras.Model(images, keras.layers.Lambda(critic_fn)(images))
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(DIM)])
    gan = GAN(generator, critic, latent_dim=2, seed=seed, **options)
    gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), loss=loss)
    return gan


def test_r1_penalty_is_half_gamma_times_the_squared_gradient_norm_at_the_reals():
    # D(x) = ||x||^2 / 2 has gradient x: R1 = gamma / 2 * E||real||^2, whatever the fakes are
    real = tf.constant(np.arange(8 * DIM, dtype="float32").reshape(8, DIM) / 10)
    fake = tf.random.normal((8, DIM), seed=2)
    squared = float(np.mean(np.sum(real.numpy() ** 2, axis=1)))
    gan = gan_with_critic(lambda x: 0.5 * tf.reduce_sum(x * x, axis=1, keepdims=True),
                          loss="bce", r1=2.0)
    assert float(gan.penalty(real, fake, None)) == pytest.approx(squared, rel=1e-5)
    off = gan_with_critic(lambda x: 0.5 * tf.reduce_sum(x * x, axis=1, keepdims=True), loss="bce")
    assert float(off.penalty(real, fake, None)) == 0.0
    # with WGAN-GP's own penalty, both add up: a linear critic, ||w|| = 5 everywhere
    w = np.array([3.0, 0, 4.0, 0, 0, 0], "float32")
    both = gan_with_critic(lambda x: tf.reduce_sum(x * w, axis=1, keepdims=True), r1=2.0)
    assert float(both.penalty(real, fake, None)) == pytest.approx(10 * 16.0 + 25.0, rel=1e-5)


def test_linear_critic_penalty_is_norm_of_its_weights_minus_one_squared():
    w = np.array([3.0, 0, 4.0, 0, 0, 0], "float32")  # ||w|| = 5 everywhere
    gan = gan_with_critic(lambda x: tf.reduce_sum(x * w, axis=1, keepdims=True))
    real = tf.random.normal((8, DIM), seed=1)
    fake = tf.random.normal((8, DIM), seed=2)
    assert float(gan.gradient_penalty(real, fake, None)) == pytest.approx((5.0 - 1.0) ** 2, rel=1e-5)
    # the loss adds it with lambda = 10
    assert float(gan.penalty(real, fake, None)) == pytest.approx(10 * 16.0, rel=1e-5)


def test_interpolation_weight_is_uniform_on_zero_one():
    # D(x) = ||x||^2 / 2 has gradient x. With real = 0 and ||fake|| = 1 the point is
    # (1 - a) * fake, whose gradient norm is 1 - a: the penalty is E[a^2] = 1/3 for a ~ U[0, 1]
    # (0 for a == 1 always, 1 for a == 0, 1/4 for a fixed 1/2).
    gan = gan_with_critic(lambda x: 0.5 * tf.reduce_sum(x * x, axis=1, keepdims=True))
    n = 20_000
    fake = np.zeros((n, DIM), "float32")
    fake[:, 0] = 1.0
    value = float(gan.gradient_penalty(tf.zeros((n, DIM)), tf.constant(fake), None))
    assert value == pytest.approx(1 / 3, abs=0.01)


def test_other_losses_add_no_penalty():
    gan = gan_with_critic(lambda x: tf.reduce_sum(x, axis=1, keepdims=True))
    gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), loss="hinge")
    assert gan.penalty(tf.zeros((2, DIM)), tf.ones((2, DIM)), None) == 0.0


def test_each_critic_step_sees_its_own_slice_of_the_batch(tmp_path):
    config = tiny_config(tmp_path, loss="wgan_gp", d_steps=3).replace(data={"channels": 1})
    gan = build_model(config)
    real = tf.constant(np.arange(7, dtype="float32"))
    seen = [gan._slice(real, None, i)[0].numpy().tolist() for i in range(3)]
    assert seen == [[0, 3, 6], [1, 4], [2, 5]]  # interleaved, disjoint, covering the batch
    tiny = tf.constant([5.0, 9.0])  # fewer images than critic steps: never an empty slice
    assert [gan._slice(tiny, None, i)[0].numpy().tolist() for i in range(3)] == [[5.0], [9.0], [5.0]]

    batch = np.random.default_rng(0).uniform(-1, 1, (12, 8, 8, 1)).astype("float32")
    gan.train_on_batch(batch)
    assert int(gan.d_optimizer.iterations) == 3 and int(gan.g_optimizer.iterations) == 1


def test_wgan_gp_takes_the_paper_defaults_and_a_layernorm_critic(tmp_path):
    from keras_gan.resolve import fill_defaults

    config = fill_defaults(tiny_config(tmp_path, family="dcgan", loss="wgan_gp"))
    train = config.train
    assert (train.d_steps, train.lr, train.beta_1, train.beta_2) == (5, 1e-4, 0.0, 0.9)
    gan = build_model(config.replace(data={"channels": 1, "image_size": 16}))
    kinds = {type(layer).__name__ for layer in gan.discriminator.layers}
    assert "BatchNormalization" not in kinds and "LayerNormalization" in kinds
    assert float(gan.d_optimizer.beta_2) == 0.9
    assert not LOSSES.get("wgan_gp").probabilistic  # the collapse watch skips score checks


def test_wgan_gp_trains_a_tiny_run_with_finite_losses(tmp_path):
    from keras_gan.training.run import run_training

    result = run_training(tiny_config(tmp_path, loss="wgan_gp", epochs=2, batch_size=32), verbose=0)
    assert all(np.isfinite(result.history["d_loss"])) and len(result.history["d_loss"]) == 2
    assert (result.run_dir / "checkpoints" / "epoch_0002.weights.h5").is_file()


def test_r1_trains_a_tiny_dcgan_with_augmentation_and_finite_losses(tmp_path):
    from keras_gan.training.run import run_training

    config = tiny_config(tmp_path, family="dcgan", epochs=1, batch_size=32, augment="translation")
    result = run_training(config.replace(model={"r1": 1.0}), verbose=0)
    assert all(np.isfinite(result.history["d_loss"]))
    assert result.config.model.r1 == 1.0
