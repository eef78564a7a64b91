"""DiffAugment transforms and the ADA controller."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gan.training.augment import ADA_KIMG, DiffAugment, TRANSFORMS, parse_augment, translation
from keras_gan.config import ConfigError
from keras_gan.training.seeds import ReplicaRandom

SIZE = 8


def images(n=4, channels=3, seed=0):
    # strictly positive pixels, so a zero can only come from padding or cutout
    return tf.constant(np.random.default_rng(seed).uniform(0.1, 1, (n, SIZE, SIZE, channels)),
                       tf.float32)


@pytest.mark.parametrize("name", TRANSFORMS.names())
def test_every_transform_keeps_the_shape_and_passes_gradients(name):
    x = images()
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = TRANSFORMS.get(name)(x, ReplicaRandom(keras.random.SeedGenerator(1)))
        total = tf.reduce_sum(y * y)
    grads = tape.gradient(total, x)
    assert y.shape == x.shape
    assert grads is not None and float(tf.reduce_sum(tf.abs(grads))) > 0  # differentiable
    assert not np.allclose(y.numpy(), x.numpy())  # it did something


def test_translation_is_a_zero_filled_shift_within_an_eighth_of_the_size():
    x = images(n=16)
    y = translation(x, ReplicaRandom(keras.random.SeedGenerator(3))).numpy()
    x = x.numpy()
    limit = round(SIZE * 0.125)
    for original, shifted in zip(x, y):
        matches = []
        for dy in range(-limit, limit + 1):
            for dx in range(-limit, limit + 1):
                expected = np.zeros_like(original)
                # output[i, j] = input[i + dy, j + dx] where that exists, else 0
                src = original[max(dy, 0):SIZE + min(dy, 0), max(dx, 0):SIZE + min(dx, 0)]
                expected[max(-dy, 0):SIZE + min(-dy, 0), max(-dx, 0):SIZE + min(-dx, 0)] = src
                matches.append(np.allclose(expected, shifted))
        assert any(matches)


def test_cutout_zeroes_one_square_of_half_the_size_at_most():
    rng = ReplicaRandom(keras.random.SeedGenerator(0))
    y = TRANSFORMS.get("cutout")(images(n=16, channels=1), rng).numpy()
    for image in y[..., 0]:
        rows, cols = np.nonzero(image == 0)
        assert 0 < len(rows) <= (SIZE // 2) ** 2
        # one axis-aligned rectangle: every pixel inside its bounding box is zero
        box = image[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        assert (box == 0).all() and box.shape[0] <= SIZE // 2 and box.shape[1] <= SIZE // 2


def test_parse_augment_accepts_subsets_and_ada_and_names_what_is_wrong():
    assert parse_augment("") == ()
    assert parse_augment("translation, color") == ("translation", "color")
    assert parse_augment("ada") == ("ada",)
    with pytest.raises(ConfigError, match=r"augment.*translation.*Received: augment='flip'"):
        parse_augment("flip")
    with pytest.raises(ConfigError, match="each once"):
        parse_augment("color,color")


def ada_step(layer, logits_sign, batch=64):
    layer.update(tf.fill([batch, 1], float(logits_sign)))
    return float(layer.p.numpy())


def test_ada_raises_p_when_the_discriminator_is_always_right_and_lowers_it_when_wrong():
    layer = DiffAugment(adaptive=True, seed=0)
    assert float(layer.p.numpy()) == 0.0  # adaptive starts without augmentation
    step = 64 / (ADA_KIMG * 1000)
    ps = [ada_step(layer, +1) for _ in range(10)]  # D(real) > 0 always: overfitting
    np.testing.assert_allclose(ps, step * np.arange(1, 11), rtol=1e-4)
    ps = [ada_step(layer, -1) for _ in range(4)]  # D(real) < 0 always: not overfitting
    np.testing.assert_allclose(ps, step * np.arange(9, 5, -1), rtol=1e-4)
    for _ in range(20):
        ada_step(layer, -1)
    assert float(layer.p.numpy()) == 0.0  # clipped at 0
    layer.p.assign(0.9999)
    ada_step(layer, +1)
    assert float(layer.p.numpy()) == 1.0  # clipped at 1


def test_fixed_diffaugment_is_always_on_and_ignores_updates():
    layer = DiffAugment(("color",), seed=0)
    assert ada_step(layer, +1) == 1.0


def test_ada_probability_gates_each_transform_per_sample():
    x = images(n=64)
    layer = DiffAugment(("color",), adaptive=True, seed=0)
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())  # p = 0: untouched
    layer.p.assign(0.5)
    changed = np.mean([not np.allclose(a, b) for a, b in zip(layer(x).numpy(), x.numpy())])
    assert 0.25 < changed < 0.75  # about half of the samples


def test_augment_probability_and_rng_are_checkpointed(tmp_path):
    from keras_gan.training.factory import build_model
    from tests.conftest import tiny_config

    config = tiny_config(tmp_path, augment="ada").replace(data={"channels": 1})
    gan = build_model(config)
    gan.augment.p.assign(0.37)
    gan.augment(images(channels=1))  # advance the augmentation RNG
    path = tmp_path / "gan.weights.h5"
    gan.save_weights(path)
    restored = build_model(config)
    restored.load_weights(path)
    assert float(restored.augment.p.numpy()) == pytest.approx(0.37)
    np.testing.assert_array_equal(restored.augment.rng.state.numpy(), gan.augment.rng.state.numpy())


def test_a_fixed_probability_gates_each_transform_and_never_moves():
    x = images(n=64)
    never = DiffAugment(("color",), fixed_p=0.0, seed=0)
    np.testing.assert_array_equal(never(x).numpy(), x.numpy())
    quarter = DiffAugment(("color",), fixed_p=0.25, seed=0)
    changed = np.mean([not np.allclose(a, b) for a, b in zip(quarter(x).numpy(), x.numpy())])
    assert 0.1 < changed < 0.4
    assert ada_step(quarter, +1) == 0.25  # not adaptive: updates change nothing


def test_the_ada_target_decides_which_way_p_moves():
    # D calls 90% of the reals real, E[sign D(x)] = 0.8: overfitting against 0.6, not against 0.9
    logits = np.where(np.arange(80) < 72, 1.0, -1.0).astype("float32")
    for target, direction in ((0.6, +1), (0.9, -1)):
        layer = DiffAugment(adaptive=True, target=target, seed=0)
        layer.p.assign(0.5)
        layer.update(tf.constant(logits))
        assert np.sign(float(layer.p.numpy()) - 0.5) == direction, target


def test_ada_target_and_augment_p_are_checked():
    from keras_gan.config import TrainConfig

    for values, message in (({"ada_target": 1.5}, "Invalid ada_target"),
                            ({"augment": "color", "augment_p": 2.0}, "Invalid augment_p: expected a probability"),
                            ({"augment": "ada", "augment_p": 0.5}, "not with 'ada'"),
                            ({"augment_p": 0.5}, "Invalid augment_p")):
        with pytest.raises(ConfigError, match=message):
            TrainConfig(**values).validate()
    TrainConfig(augment="translation,color", augment_p=0.3, ada_target=0.7).validate()


def test_ada_pixel_blitting_transforms_only_move_pixels():
    from keras_gan.training.augment import int_translation, rotate90, xflip

    x = images(n=32, channels=1, seed=3).numpy()
    rng = ReplicaRandom(keras.random.SeedGenerator(2))
    flipped = xflip(tf.constant(x), rng).numpy()
    mirrored = [np.array_equal(f, a[:, ::-1]) for f, a in zip(flipped, x)]
    assert all(m or np.array_equal(f, a) for m, f, a in zip(mirrored, flipped, x))
    assert 4 < sum(mirrored) < 28  # about half
    turned = rotate90(tf.constant(x), rng).numpy()
    quarters = [next(k for k in range(4) if np.array_equal(t, np.rot90(a, k, axes=(0, 1))))
                for t, a in zip(turned, x)]
    assert len(set(quarters)) == 4  # each rotation occurs
    shifted = int_translation(tf.constant(x), rng).numpy()
    assert all(np.array_equal(np.sort(s.ravel()), np.sort(a.ravel())) for s, a in zip(shifted, x))
    assert parse_augment("ada,xflip,rotate90,int_translation") == ("ada", "xflip", "rotate90", "int_translation")


def test_dcgan_on_a_small_rgb_set_gets_x_flips_diffaugment_and_r1_unless_told_otherwise(tmp_path):
    from keras_gan.resolve import resolve
    from tests.conftest import small_digits, tiny_config, write_image

    folder = tmp_path / "sprites"
    for i in range(20):
        write_image(folder / ("cats" if i % 2 else "dogs") / f"{i}.png", size=(8, 8), seed=i)

    def resolved(family="dcgan", data=folder, model=None, **train):
        config = tiny_config(tmp_path, family=family, data=data, **train)
        return resolve(config.replace(model=model or {}))[0]

    small = resolved()
    assert (small.train.augment, small.model.mirror, small.model.r1) == (
        "translation,color,cutout", True, 1.0)
    # what the user typed wins, each on its own
    typed = resolved(augment="none", model={"mirror": False, "r1": 0.0})
    assert (typed.train.augment, typed.model.mirror, typed.model.r1) == ("", False, 0.0)
    assert resolved(augment="ada").model.mirror is True
    assert resolved(model={"r1": 0.5}).model.r1 == 0.5
    assert resolved(model={"mirror": False}).train.augment == "translation,color,cutout"
    # grayscale digits (a mirror changes a digit) and the MLP gan: off, as measured before
    for config in (resolved(data=small_digits()), resolved(family="gan")):
        assert (config.train.augment, config.model.mirror, config.model.r1) == ("", False, 0.0)
    # resolving a resolved config changes nothing
    assert resolve(small)[0] == small
