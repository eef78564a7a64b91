"""The seed -> latent rule: TensorFlow and the published NumPy form agree; standard normal."""

import numpy as np
import pytest

from keras_gan.latents import latents_for, parse_seeds, reference_latents


def test_tensorflow_and_the_published_numpy_rule_agree_for_any_int64_seed():
    seeds = [0, 1, 7, 123, 2**31, 2**32 + 5, 2**62, -1]
    tf_latents, np_latents = latents_for(seeds, 128), reference_latents(seeds, 128)
    assert tf_latents.shape == (8, 128) and tf_latents.dtype == np.float32
    np.testing.assert_allclose(tf_latents, np_latents, atol=2e-6)
    assert len({row.tobytes() for row in tf_latents}) == 8  # every seed its own latent
    # a seed's latent does not depend on the others drawn with it, nor on the latent size
    np.testing.assert_array_equal(latents_for([123], 128)[0], tf_latents[3])
    np.testing.assert_array_equal(latents_for([7], 64)[0], tf_latents[2, :64])


def test_the_latents_are_standard_normal_and_uncorrelated():
    z = latents_for(list(range(4000)), 32)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert abs(np.mean(z > 1.96) - 0.025) < 0.005  # the tail, not just two moments
    corr = np.corrcoef(z.T)[np.triu_indices(32, 1)]
    assert np.abs(corr).max() < 0.07  # 4,000 draws: chance alone gives about 0.05 at most
    neighbours = np.corrcoef(z[:-1].ravel(), z[1:].ravel())[0, 1]  # seed s vs seed s + 1
    assert abs(neighbours) < 0.02


def test_seed_lists_and_ranges():
    assert parse_seeds("0-3,10") == [0, 1, 2, 3, 10]
    assert parse_seeds(" 5 ") == [5]
    for bad in ("3-1", "a", "1,,2", "-4", "2-", "0-100000000", str(2**63)):
        with pytest.raises(ValueError):
            parse_seeds(bad)
