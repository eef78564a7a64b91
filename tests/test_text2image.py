"""text2image (DF-GAN) on the shared spine: network shapes, one train step that moves G and D
but not the frozen text encoder, the D loss's hinge terms with mismatched captions at
the paper's weights, and the matching-aware gradient penalty against closed forms."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gan.data.captions import caption_for
from keras_gan.errors import ConfigError
from keras_gan.training.factory import build_model
from keras_gan.families.text2image import Text2Image, Text2ImageOptions
from keras_gan.networks import dfgan
from keras_gan.text import build_vocabulary, image_encoder, text_encoder
from tests.conftest import pairwise, tiny_config

SIZE, WIDTH, BATCH, LATENT, DIM, LENGTH = 16, 4, 4, 8, 6, 6
CAPTIONS = [caption_for(digit, digit % 8) for digit in range(8)]


@pytest.fixture(scope="module")
def parts():
    keras.utils.set_random_seed(0)
    vocabulary = build_vocabulary(CAPTIONS, length=LENGTH)
    encoder = text_encoder(vocabulary.vocabulary_size(), LENGTH, DIM)
    tokens = np.asarray(vocabulary(CAPTIONS[:BATCH])).astype("int32")
    images = np.random.default_rng(0).uniform(-1, 1, (BATCH, SIZE, SIZE, 1)).astype("float32")
    return encoder, tokens, images


def make_model(encoder, discriminator=None, **kwargs):
    generator = dfgan.build_generator(LATENT, DIM, (SIZE, SIZE, 1), WIDTH)
    discriminator = discriminator or dfgan.build_discriminator((SIZE, SIZE, 1), DIM, WIDTH)
    model = Text2Image(generator, discriminator, encoder, image_encoder((SIZE, SIZE, 1), DIM, 4),
                       latent_dim=LATENT, seed=1, **kwargs)
    model.compile(d_optimizer=keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=0.9),
                  g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
                  e_optimizer=keras.optimizers.Adam(1e-3), loss="hinge")
    return model


def linear_discriminator(w, v):
    """D(x, s) = sum(w * x) + sum(v * s): its gradient is (w, v) for every pair."""
    images = keras.Input((SIZE, SIZE, 1))
    sentence = keras.Input((DIM,))
    image_part = keras.layers.Dense(1, use_bias=False)(keras.layers.Flatten()(images))
    sentence_part = keras.layers.Dense(1, use_bias=False)(sentence)
    model = keras.Model([images, sentence], keras.layers.Add()([image_part, sentence_part]))
    model.layers[3].set_weights([w.reshape(-1, 1)])  # after the two inputs and Flatten
    model.layers[4].set_weights([v.reshape(-1, 1)])
    return model


def hinge_terms(real, fake, mismatch):
    relu = lambda x: np.maximum(x, 0.0)  # noqa: E731
    return relu(1 - real).mean(), relu(1 + fake).mean(), relu(1 + mismatch).mean()


def test_networks_shapes_and_the_text_fusion(parts):
    generator = dfgan.build_generator(LATENT, DIM, (SIZE, SIZE, 1), WIDTH)
    discriminator = dfgan.build_discriminator((SIZE, SIZE, 1), DIM, WIDTH)
    rng = np.random.default_rng(1)
    noise = np.repeat(rng.normal(size=(1, LATENT)), BATCH, axis=0).astype("float32")
    sentence = rng.normal(size=(BATCH, DIM)).astype("float32")
    images = np.asarray(generator([noise, sentence]))
    assert images.shape == (BATCH, SIZE, SIZE, 1) and np.abs(images).max() <= 1
    # the fusion starts as the identity (gamma 1, beta 0): same noise, same image ...
    assert np.allclose(images, images[:1], atol=1e-6)
    # ... and once the affine layers' output kernels move, the text steers the image
    for layer in generator.layers:
        if isinstance(layer, dfgan.Affine):
            for dense in (layer.gamma_out, layer.beta_out):
                dense.kernel.assign(rng.normal(0, 0.3, dense.kernel.shape))
    moved = np.asarray(generator([noise, sentence]))
    assert np.abs(moved - moved[:1]).max() > 1e-3
    logits = discriminator([images, sentence])
    assert logits.shape == (BATCH, 1)
    assert dfgan.image_features(discriminator)(images).shape == (BATCH, 4, 4, 8 * WIDTH)
    big = dfgan.build_generator(LATENT, DIM, (64, 64, 3), WIDTH)
    assert big.output.shape == (None, 64, 64, 3)
    with pytest.raises(ConfigError, match="power of two"):
        dfgan.build_generator(LATENT, DIM, (28, 28, 1), WIDTH)
    assert dfgan.padded_size(28) == 32 and dfgan.padded_size(8) == 16
    digits = rng.uniform(-1, 1, (2, 28, 28, 1)).astype("float32")
    padded = dfgan.pad_to(digits, 32)
    assert padded.shape == (2, 32, 32, 1) and np.array_equal(padded[:, 2:30, 2:30], digits)
    assert (padded[:, :2] == -1).all() and (padded[:, :, 30:] == -1).all()


def test_one_train_step_moves_g_and_d_and_leaves_the_text_encoder(parts):
    encoder, tokens, images = parts
    model = make_model(encoder, ema_decay=0.999)
    encoder_before = [w.copy() for w in encoder.get_weights()]
    before = {name: [w.copy() for w in net.get_weights()] for name, net in model.networks.items()}
    logs = model.train_on_batch({"image": images, "tokens": tokens}, return_dict=True)
    assert set(Text2Image.LOGS) <= set(logs) and all(np.isfinite(v) for v in logs.values())
    assert logs["ma_gp"] > 0 and logs["d_mismatch"] > 0
    for name, net in model.networks.items():
        moved = any(not np.array_equal(a, b) for a, b in zip(before[name], net.get_weights()))
        assert moved == (name in ("generator", "discriminator")), name
    assert all(np.array_equal(a, b) for a, b in zip(encoder_before, encoder.get_weights()))
    # the encoders are the model's (checkpointed, restored on resume), trained in their stage
    encoder_ids = {id(w) for w in encoder.weights}
    assert encoder_ids <= {id(w) for w in model.weights}
    assert {n: int(o.iterations) for n, o in model.optimizers.items()} == {
        "d_optimizer": 1, "g_optimizer": 1, "e_optimizer": 0}
    assert model.ema_generator is not None


def test_d_loss_terms_on_a_constant_discriminator(parts):
    encoder, tokens, images = parts
    model = make_model(encoder)
    for weight in model.discriminator.weights:  # D(anything) = 0.5
        weight.assign(np.zeros(weight.shape, weight.dtype))
    model.discriminator.get_layer("logit").bias.assign([0.5])
    sentence = model.encode(tokens)
    fake = np.zeros_like(images)
    loss, ((d_real, d_fake, d_mismatch, ma_gp), real_logits, _) = model.discriminator_loss(
        images, sentence, fake)
    assert float(d_real) == pytest.approx(0.5)  # relu(1 - 0.5)
    assert float(d_fake) == pytest.approx(1.5) and float(d_mismatch) == pytest.approx(1.5)
    assert float(ma_gp) == 0.0  # D ignores its inputs: no gradient
    assert float(loss) == pytest.approx(0.5 + 0.5 * (1.5 + 1.5))
    assert np.allclose(real_logits, 0.5)
    g_loss, _ = model.generator_loss(fake, sentence)
    assert float(g_loss) == pytest.approx(-0.5)


@pytest.mark.parametrize("mismatch", [True, False])
def test_d_loss_and_ma_gp_on_a_linear_discriminator(parts, mismatch):
    encoder, _, images = parts
    rng = np.random.default_rng(2)
    w = rng.normal(0, 0.05, (SIZE, SIZE, 1)).astype("float32")
    v = rng.normal(0, 0.3, DIM).astype("float32")
    model = make_model(encoder, linear_discriminator(w, v), mismatch=mismatch)
    sentence = rng.normal(size=(BATCH, DIM)).astype("float32")
    fake = rng.uniform(-1, 1, images.shape).astype("float32")
    score = lambda x, s: (x * w).reshape(BATCH, -1).sum(1) + s @ v  # noqa: E731
    real, fake_logits = score(images, sentence), score(fake, sentence)
    mismatched = score(images, np.roll(sentence, 1, axis=0))  # image i with caption i - 1
    expected_real, expected_fake, expected_mismatch = hinge_terms(real, fake_logits, mismatched)
    squared_norm = (w.astype(float) ** 2).sum() + (v.astype(float) ** 2).sum()
    expected_gp = 2.0 * squared_norm ** 3  # k ||(w, v)||^6, the same for every pair
    loss, ((d_real, d_fake, d_mismatch, ma_gp), _, _) = model.discriminator_loss(
        images, sentence, fake)
    assert float(d_real) == pytest.approx(expected_real, rel=1e-5)
    assert float(d_fake) == pytest.approx(expected_fake, rel=1e-5)
    assert float(ma_gp) == pytest.approx(expected_gp, rel=1e-4)
    if mismatch:
        assert float(d_mismatch) == pytest.approx(expected_mismatch, rel=1e-5)
        assert expected_mismatch != pytest.approx(expected_fake)  # the weighting is visible
        total = expected_real + 0.5 * (expected_fake + expected_mismatch)
    else:
        assert float(d_mismatch) == 0.0
        total = expected_real + expected_fake
    assert float(loss) == pytest.approx(total + expected_gp, rel=1e-5)


def test_ma_gp_matches_finite_differences_on_the_dfgan_discriminator(parts):
    encoder, _, images = parts
    model = make_model(encoder, ma_gp_power=2.0, ma_gp_weight=1.0)
    rng = np.random.default_rng(3)
    sentence = rng.normal(size=(1, DIM)).astype("float64")
    x = images[:1].astype("float64")
    inputs = np.concatenate([x.ravel(), sentence.ravel()])
    step = 1e-3

    def d(flat):
        image = flat[:x.size].reshape(x.shape).astype("float32")
        return float(model.discriminator([image, flat[x.size:].reshape(1, DIM).astype("float32")])[0, 0])

    # central differences along a few coordinates, both image and sentence ones
    picks = list(rng.choice(x.size, 6, replace=False)) + list(x.size + np.arange(DIM))
    grads = {}
    for i in picks:
        up, down = inputs.copy(), inputs.copy()
        up[i] += step
        down[i] -= step
        grads[i] = (d(up) - d(down)) / (2 * step)
    image_t = tf.constant(x, tf.float32)
    sentence_t = tf.constant(sentence, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch([image_t, sentence_t])
        logits = model.discriminate(image_t, sentence_t)
    grad_image, grad_sentence = tape.gradient(logits, [image_t, sentence_t])
    analytic = np.concatenate([np.ravel(grad_image), np.ravel(grad_sentence)])
    for i in picks:
        assert analytic[i] == pytest.approx(grads[i], abs=2e-3)
    # with k = 1, p = 2 the penalty is the squared norm of that very gradient
    gp = float(model.matching_gradient_penalty(image_t, sentence_t))
    assert gp == pytest.approx(float((analytic.astype(float) ** 2).sum()), rel=1e-4) and gp > 0


def test_only_the_hinge_loss_and_valid_options(parts):
    encoder, _, _ = parts
    generator = dfgan.build_generator(LATENT, DIM, (SIZE, SIZE, 1), WIDTH)
    discriminator = dfgan.build_discriminator((SIZE, SIZE, 1), DIM, WIDTH)
    model = Text2Image(generator, discriminator, encoder, image_encoder((SIZE, SIZE, 1), DIM, 4),
                       latent_dim=LATENT)
    with pytest.raises(ConfigError, match="expected 'hinge'"):
        model.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), loss="bce")
    options = Text2ImageOptions()
    assert (options.latent_dim, options.ma_gp_weight, options.ma_gp_power, options.mismatch) == (
        100, 2.0, 6.0, True)
    with pytest.raises(ConfigError, match="ma_gp_weight"):
        Text2ImageOptions(ma_gp_weight=-1.0).validate()


STEPS = pairwise(mismatch=[True, False], ma_gp_weight=[0.0, 2.0], d_steps=[1, 2],
                 augment=["", "translation,cutout"], ema=[0.0, 0.999])


@pytest.mark.parametrize("combo", STEPS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_one_gan_step_of_every_pair_of_options(tmp_path, combo):
    """Through build_model, as a run builds it: G and D move, the encoders do not, and each
    optimizer counts its own steps."""
    mismatch, ma_gp_weight, d_steps, augment, ema = combo.values()
    config = tiny_config(tmp_path, family="text2image", d_steps=d_steps, augment=augment,
                         ema=ema).replace(model={"mismatch": mismatch, "ma_gp_weight": ma_gp_weight})
    model = build_model(config)
    model.run_eagerly = True
    rng = np.random.default_rng(0)
    batch = {"image": rng.uniform(-1, 1, (4 * d_steps, SIZE, SIZE, 1)).astype("float32"),
             "tokens": rng.integers(0, 20, (4 * d_steps, 16)).astype("int32")}
    before = {n: [w.copy() for w in net.get_weights()] for n, net in model.networks.items()}
    logs = model.train_on_batch(batch, return_dict=True)
    assert all(np.isfinite(v) for v in logs.values()), logs
    assert (logs["ma_gp"] > 0) == bool(ma_gp_weight) and (logs["d_mismatch"] > 0) == mismatch
    for name, net in model.networks.items():
        moved = any(not np.array_equal(a, b) for a, b in zip(before[name], net.get_weights()))
        assert moved == (name in ("generator", "discriminator")), name
    assert {n: int(o.iterations) for n, o in model.optimizers.items()} == {
        "d_optimizer": d_steps, "g_optimizer": 1, "e_optimizer": 0}
    assert (model.ema_generator is not None) == bool(ema)
    rates = {n: (round(float(o.learning_rate), 8), round(float(o.beta_1), 4))
             for n, o in model.optimizers.items()}  # (no resolve here: the loss's lr for G, D)
    assert rates["e_optimizer"] == (1e-3, 0.9) and rates["g_optimizer"] == rates["d_optimizer"]
