"""--spectral-norm: every discriminator Dense/Conv2D is wrapped, and their spectral norms stay ~1."""

import numpy as np
import pytest

from keras_gan.training.factory import build_model
from tests.conftest import tiny_config


def top_singular_value(kernel: np.ndarray) -> float:
    return float(np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0])


@pytest.mark.parametrize("family", ["gan", "dcgan"])
def test_discriminator_kernels_are_normalized_while_training(tmp_path, family):
    import keras

    config = tiny_config(tmp_path, family=family).replace(
        data={"channels": 1}, model={"spectral_norm": True})
    gan = build_model(config)
    wrapped = [l for l in gan.discriminator.layers if isinstance(l, keras.layers.SpectralNormalization)]
    plain = [l for l in gan.discriminator.layers
             if isinstance(l, (keras.layers.Dense, keras.layers.Conv2D))]
    assert wrapped and not plain
    assert gan.generator.count_params() == build_model(
        config.replace(model={"spectral_norm": False})).generator.count_params()
    real = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    for _ in range(30):
        gan.train_on_batch(real)
    sigmas = [top_singular_value(layer.layer.kernel.numpy()) for layer in wrapped]
    assert max(sigmas) < 1.2 and min(sigmas) > 0.8, sigmas
