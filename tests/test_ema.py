"""The EMA generator: the update rule, checkpoints, and that sampling and export use it."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gan.training.checkpoints import restore, save_checkpoint
from keras_gan.training.factory import build_model
from tests.conftest import tiny_config


def ema_gan(tmp_path, decay):
    config = tiny_config(tmp_path, ema=decay).replace(data={"channels": 1})
    return config, build_model(config)


@pytest.mark.parametrize("done_steps, expected_decay", [
    (999, 0.75),  # warmed up: the configured decay (1001/1010 > 0.75)
    (0, 2 / 11),  # first G step, t=1: (1 + t) / (10 + t) < 0.75, the average follows G closely
])
def test_each_generator_step_moves_the_average_by_one_minus_the_warmed_up_decay(
        tmp_path, done_steps, expected_decay):
    _, gan = ema_gan(tmp_path, 0.75)
    gan.g_optimizer.iterations.assign(done_steps)
    before = [w.copy() for w in gan.generator.get_weights()]
    assert all(np.array_equal(a, b) for a, b in zip(gan.ema_generator.get_weights(), before, strict=True))
    gan.train_on_batch(np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 1)).astype("float32"))
    after = gan.generator.get_weights()
    changed = 0
    d = expected_decay
    for average, old, new in zip(gan.ema_generator.get_weights(), before, after, strict=True):
        np.testing.assert_allclose(average, d * old + (1 - d) * new, rtol=1e-5, atol=1e-6)
        changed += not np.array_equal(old, new)
    assert changed > 0  # the step really moved G, so the check above is not trivially true
    assert not gan.ema_generator.trainable_weights  # the optimizer never touches the average


def test_ema_weights_survive_a_checkpoint(tmp_path):
    config, gan = ema_gan(tmp_path, 0.5)
    gan.train_on_batch(np.random.default_rng(1).uniform(-1, 1, (4, 8, 8, 1)).astype("float32"))
    save_checkpoint(gan, tmp_path / "ckpt", 1, "gan", keep=3)
    fresh = build_model(config)
    restore(fresh, tmp_path / "ckpt", "gan")
    for a, b in zip(fresh.ema_generator.get_weights(), gan.ema_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(
        fresh.ema_generator.get_weights(), fresh.generator.get_weights(), strict=True))


def test_sampling_and_export_use_the_ema_generator(tmp_path):
    from keras_gan.config import ExportConfig
    from keras_gan.commands.export import export_run
    from keras_gan.runs import load_run
    from keras_gan.training.run import run_training

    result = run_training(tiny_config(tmp_path, ema=0.9, epochs=1), verbose=0)
    _, gan, _ = load_run(result.run_dir)
    assert gan.sampling_generator is gan.ema_generator
    latents = gan.latents(3, seed=4)
    ema_out = gan.ema_generator(latents, training=False).numpy()
    raw_out = gan.generator(latents, training=False).numpy()
    assert np.abs(ema_out - raw_out).max() > 1e-3
    np.testing.assert_allclose(gan.generate(3, seed=4), ema_out, atol=1e-5)
    exported = export_run(result.run_dir, ExportConfig(out=str(tmp_path / "export"),
                                                       formats=("saved_model",)))
    served = tf.saved_model.load(str(exported.path)).signatures["serving_default"](
        latent=tf.constant(latents))["images_float"].numpy()
    np.testing.assert_allclose(served, ema_out, atol=1e-5)
    assert "the EMA generator (decay 0.9)" in (exported.path / "MODEL_CARD.md").read_text()


# A resumed EMA run equals an uninterrupted one: tests/test_resume.py (conditional WGAN-GP,
# ADA and EMA together).
