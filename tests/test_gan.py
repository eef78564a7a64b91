import numpy as np
import pytest

from keras_gan.training.augment import ADA_KIMG
from keras_gan.training.factory import build_model
from keras_gan.training.losses import LOSSES
from tests.conftest import pairwise, tiny_config


def real_batch(n, shape=(8, 8, 1), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


AUGMENTS = ("", "translation,cutout,color", "ada")


COMBINATIONS = pairwise(family=["gan", "dcgan"], loss=LOSSES.names(), conditional=[False, True],
                        augment=list(AUGMENTS), spectral_norm=[False, True])


def combination_id(combo: dict) -> str:
    return "-".join(f"{k}={v}" for k, v in combo.items())


def test_the_combinations_cover_every_pair_of_options():
    import itertools

    seen = {(a, c[a], b, c[b]) for c in COMBINATIONS for a, b in itertools.combinations(c, 2)}
    assert len(seen) == 2 * 5 + 2 * 2 + 2 * 3 + 2 * 2 + 5 * 2 + 5 * 3 + 5 * 2 + 2 * 3 + 2 * 2 + 3 * 2
    assert len(COMBINATIONS) < 25  # of the 120 in the full product


@pytest.mark.parametrize("combo", COMBINATIONS, ids=combination_id)
def test_one_train_step_of_every_pair_of_options(tmp_path, combo):
    family, loss, conditional, augment, spectral_norm = combo.values()
    config = tiny_config(tmp_path, family=family, loss=loss, augment=augment).replace(
        data={"channels": 1},
        model={"conditional": conditional, "num_classes": 3 if conditional else None,
               "spectral_norm": spectral_norm})
    gan = build_model(config)
    gan.run_eagerly = True  # many combinations: skipping the graph trace keeps this fast
    g_before = [w.copy() for w in gan.generator.get_weights()]
    d_before = [w.copy() for w in gan.discriminator.get_weights()]
    d_steps = LOSSES.get(loss).defaults.get("d_steps", 1)
    images = real_batch(3 * d_steps)
    batch = (images, np.arange(len(images), dtype="int32") % 3) if conditional else images
    logs = gan.train_on_batch(*batch if conditional else (batch,), return_dict=True)

    expected = {"d_loss", "g_loss", "real_score", "fake_score"} | ({"augment_p"} if augment else set())
    assert set(logs) == expected
    assert all(np.isfinite(v) for v in logs.values())
    assert 0 <= logs["real_score"] <= 1 and 0 <= logs["fake_score"] <= 1
    if augment == "ada":  # starts at 0, moves by at most batch / (ADA_KIMG * 1000) per D step
        assert 0 <= logs["augment_p"] <= d_steps * len(images) / (ADA_KIMG * 1000)
    elif augment:  # fixed DiffAugment always applies
        assert logs["augment_p"] == 1.0
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, gan.generator.get_weights()))
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, gan.discriminator.get_weights()))
    assert int(gan.d_optimizer.iterations) == d_steps and int(gan.g_optimizer.iterations) == 1
    assert gan.generate(2, labels=1 if conditional else None).shape == (2, 8, 8, 1)


def test_fit_handles_a_partial_last_batch(tmp_path):
    import tensorflow as tf

    gan = build_model(tiny_config(tmp_path, family="dcgan").replace(data={"channels": 1}))
    data = tf.data.Dataset.from_tensor_slices(real_batch(10)).batch(4)  # 4, 4, 2
    history = gan.fit(data, epochs=1, verbose=0, shuffle=False)
    assert int(gan.g_optimizer.iterations) == 3
    assert np.isfinite(history.history["d_loss"][0])


def test_generate_is_deterministic_per_seed(tmp_path):
    gan = build_model(tiny_config(tmp_path).replace(data={"channels": 3}))
    a, b, c = gan.generate(5, seed=1), gan.generate(5, seed=1), gan.generate(5, seed=2)
    assert a.shape == (5, 8, 8, 3) and a.dtype == np.float32
    assert np.array_equal(a, b) and not np.allclose(a, c)
    assert a.min() >= -1 and a.max() <= 1


def test_checkpoint_restores_weights_and_both_optimizers(tmp_path):
    config = tiny_config(tmp_path, family="dcgan").replace(data={"channels": 1})
    gan = build_model(config)
    for seed in range(3):
        gan.train_on_batch(real_batch(4, seed=seed))
    path = tmp_path / "gan.weights.h5"
    gan.save_weights(path)

    restored = build_model(config)
    restored.load_weights(path)
    assert int(restored.d_optimizer.iterations) == 3
    assert int(restored.g_optimizer.iterations) == 3
    for a, b in zip(gan.d_optimizer.variables, restored.d_optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(gan.g_optimizer.variables, restored.g_optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(gan.generate(3, seed=0), restored.generate(3, seed=0))
    # The latent RNG continues where it was, so training after a restore matches.
    np.testing.assert_array_equal(
        gan.seed_generator.state.numpy(), restored.seed_generator.state.numpy()
    )
