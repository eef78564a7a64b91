import json
import logging
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gan.errors import ConfigError
from keras_gan.text import (build_vocabulary, contrastive_loss, image_encoder, load_vocabulary,
                            r_precision, save_vocabulary, text_encoder)
from keras_gan.commands.prompting import check_prompts, shorten
from keras_gan.text.vocabulary import settings_path, words

CAPTIONS = ["A small bird, with red wings.", "a BIRD with a yellow belly", "red bird!",
            "the bird has small wings"]
QUADRANTS = [("top", "left"), ("top", "right"), ("bottom", "left"), ("bottom", "right")]
PHRASES = ["{v} {h}", "a square in the {v} {h}", "The {V} {H} corner.", "colour at {v} {h}!"]


def ids(layer, sentences) -> np.ndarray:
    return np.asarray(layer(sentences))


def test_vocabulary_round_trip_keeps_every_id(tmp_path):
    layer = build_vocabulary(CAPTIONS, length=6)
    vocabulary = layer.get_vocabulary()
    assert vocabulary[:3] == ["", "[UNK]", "bird"]  # padding, OOV, then the most frequent
    path = save_vocabulary(layer, tmp_path / "vocabulary.txt")
    # line n is the token with id n; the settings file gives the length
    assert path.read_text(encoding="utf-8").split("\n") == vocabulary
    assert json.loads(settings_path(path).read_text())["length"] == 6
    loaded = load_vocabulary(path)
    sentences = ["red bird", "RED, bird?!", "a zebra and a quokka sing", "wings " * 9, ""]
    before, after = ids(layer, sentences), ids(loaded, sentences)
    np.testing.assert_array_equal(after, before)
    word = {token: i for i, token in enumerate(vocabulary)}
    np.testing.assert_array_equal(after[0], [word["red"], word["bird"], 0, 0, 0, 0])
    np.testing.assert_array_equal(after[1], after[0])  # case and punctuation ignored
    np.testing.assert_array_equal(after[2], [word["a"], 1, 1, word["a"], 1, 1])  # unknown -> 1
    np.testing.assert_array_equal(after[3], [word["wings"]] * 6)  # truncated to the length
    np.testing.assert_array_equal(after[4], [0] * 6)


def test_max_tokens_keeps_the_most_frequent_words():
    # bird 4, a 3, then with, wings, small and red 2 each: ties in reverse alphabetical order
    layer = build_vocabulary(CAPTIONS, max_tokens=5, length=3)  # padding, [UNK], 3 words
    assert layer.get_vocabulary() == ["", "[UNK]", "bird", "a", "with"]
    np.testing.assert_array_equal(ids(layer, ["red bird with"]), [[1, 2, 4]])


def test_vocabulary_refuses_bad_input_and_mismatched_files(tmp_path):
    for captions in ([], "a caption", ["!!!", "..."]):
        with pytest.raises(ConfigError, match="captions"):
            build_vocabulary(captions)
    with pytest.raises(ConfigError, match="max_tokens"):
        build_vocabulary(CAPTIONS, max_tokens=2)
    path = save_vocabulary(build_vocabulary(CAPTIONS), tmp_path / "vocabulary.txt")
    path.write_text(path.read_text().replace("bird", "fish"))  # ids would shift silently
    with pytest.raises(ConfigError, match="sha256"):
        load_vocabulary(path)
    settings_path(path).unlink()
    with pytest.raises(ConfigError, match="vocabulary.json"):
        load_vocabulary(path)


def test_text_encoder_ignores_padding_and_serialises():
    keras.utils.set_random_seed(0)
    short = text_encoder(vocab_size=10, length=4, dim=8)
    long = text_encoder(vocab_size=10, length=7, dim=8)
    long.set_weights(short.get_weights())  # weights do not depend on the length
    tokens = np.array([[3, 5, 0, 0], [7, 0, 0, 0], [0, 0, 0, 0]], dtype=np.int32)
    sentence = np.asarray(short(tokens))
    padded = np.pad(tokens, [(0, 0), (0, 3)])
    np.testing.assert_allclose(np.asarray(long(padded)), sentence, atol=1e-6)
    assert sentence.shape == (3, 8)
    np.testing.assert_allclose(np.linalg.norm(sentence[:2], axis=1), np.sqrt(8), rtol=1e-5)
    assert not np.allclose(sentence[0], sentence[1])
    assert np.all(sentence[2] == 0)  # an empty caption: zeros, and a finite loss
    assert np.isfinite(float(contrastive_loss(np.eye(3, 8), sentence)))
    clone = keras.models.model_from_json(short.to_json())
    clone.set_weights(short.get_weights())
    assert clone.name == "text_encoder"
    assert [layer.name for layer in clone.layers] == [layer.name for layer in short.layers]
    np.testing.assert_allclose(np.asarray(clone(tokens)), sentence, atol=1e-6)
    with pytest.raises(ConfigError, match="dim"):
        text_encoder(10, 4, dim=7)


@pytest.mark.parametrize("size, convs", [(8, 3), (32, 3), (64, 4)])
def test_image_encoder_halves_three_or_four_times(size, convs):
    model = image_encoder((size, size, 3), dim=5, width=2)
    assert [layer.name for layer in model.layers if "conv" in layer.name] == [
        f"conv{i}" for i in range(convs)]
    assert model.output.shape == (None, 5) and model.name == "image_encoder"
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = np.linspace(-1, 1, 2 * size * size * 3, dtype=np.float32).reshape(2, size, size, 3)
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(model(x)), atol=1e-6)


def symmetric_infonce(image, text, temperature, parts=False):
    """The loss written out in numpy: rows' and columns' cross-entropies, averaged."""
    u = image / np.linalg.norm(image, axis=1, keepdims=True)
    v = text / np.linalg.norm(text, axis=1, keepdims=True)
    s = u @ v.T / temperature
    rows = np.log(np.exp(s).sum(axis=1)) - np.diag(s)
    columns = np.log(np.exp(s).sum(axis=0)) - np.diag(s)
    return (rows.mean(), columns.mean()) if parts else 0.5 * (rows.mean() + columns.mean())


def test_contrastive_loss_matches_hand_computed_values():
    eye, swapped = np.eye(2), np.eye(2)[::-1]
    # identity: logits [[10, 0], [0, 10]], each row/column -log(e^10 / (e^10 + 1))
    assert float(contrastive_loss(eye, eye)) == pytest.approx(math.log1p(math.exp(-10)), abs=1e-6)
    # swapped: logits [[0, 10], [10, 0]], each -log(1 / (1 + e^10))
    assert float(contrastive_loss(eye, swapped)) == pytest.approx(math.log1p(math.exp(10)), rel=1e-5)
    # rows and columns differ here, and lengths do not matter (cosine similarity)
    image = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 1.0], [3.0, 0.0, 1.0]])
    text = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.5], [0.0, 1.0, 0.0]])
    expected = symmetric_infonce(image, text, 0.25)
    assert float(contrastive_loss(image, text, temperature=0.25)) == pytest.approx(expected, rel=1e-5)
    assert float(contrastive_loss(7 * image, text / 3, 0.25)) == pytest.approx(expected, rel=1e-5)
    rows_only, columns_only = symmetric_infonce(image, text, 0.25, parts=True)
    assert abs(rows_only - columns_only) > 0.2  # so the check above needs both halves
    with pytest.raises(ConfigError, match="temperature"):
        contrastive_loss(eye, eye, temperature=0)


def test_r_precision_perfect_random_and_collapsed():
    rng = np.random.default_rng(0)
    image = rng.normal(size=(400, 16))
    assert r_precision(image, image.copy()) == 1.0
    random_text = rng.normal(size=(400, 16))
    assert r_precision(image, random_text, mismatched=9) == pytest.approx(0.1, abs=0.04)
    assert r_precision(image, random_text, mismatched=1) == pytest.approx(0.5, abs=0.08)
    assert r_precision(np.ones((5, 3)), np.ones((5, 3))) == 0.0  # ties are misses


def test_r_precision_ranks_against_every_row_when_fewer_than_mismatched():
    def at(*degrees):
        return np.array([[math.cos(math.radians(a)), math.sin(math.radians(a))] for a in degrees])

    image = at(0, 90, 180, 270)
    # image 3 is nearer caption 0 (at 10 degrees) than its own caption (at 50): it alone misses
    text = at(10, 100, 190, 50)
    assert {r_precision(image, text, mismatched=99, seed=s) for s in range(5)} == {0.75}
    with pytest.raises(ConfigError, match="text_emb"):
        r_precision(image, text[:3])


def quadrant_pairs(count: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """8x8 uint8 images with a square of a random colour in the quadrant of class i % 4,
    on dark noise, and a caption naming the quadrant in one of several phrasings."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 60, (count, 8, 8, 3)).astype(np.uint8)
    captions = []
    for i in range(count):
        row, column = divmod(i % 4, 2)
        images[i, 4 * row:4 * row + 4, 4 * column:4 * column + 4] = rng.integers(120, 256, 3)
        v, h = QUADRANTS[i % 4]
        captions.append(PHRASES[rng.integers(len(PHRASES))].format(v=v, h=h, V=v.title(), H=h.upper()))
    return images, captions


def encoders(vocabulary, seed=0):
    keras.utils.set_random_seed(seed)
    return (text_encoder(vocabulary.vocabulary_size(), 6, dim=16),
            image_encoder((8, 8, 3), dim=16, width=8))


def fit_encoders(images, tokens, text_enc, image_enc, epochs, batch_size, seed=0):
    """A plain loop of the contrastive loss (the family's encoder stage does the same inside
    the training loop); returns each epoch's mean loss."""
    optimizer = keras.optimizers.Adam(1e-3)
    variables = text_enc.trainable_variables + image_enc.trainable_variables
    rng, losses = np.random.default_rng(seed), []
    for _ in range(epochs):
        order, total = rng.permutation(len(images)), 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            with tf.GradientTape() as tape:
                loss = contrastive_loss(image_enc(images[batch] / 127.5 - 1),
                                        text_enc(tokens[batch]))
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            total += float(loss) * len(batch)
        losses.append(total / len(images))
    return losses


def test_the_encoders_learn_to_match_quadrants_to_their_captions():
    images, captions = quadrant_pairs(64, seed=0)
    vocabulary = build_vocabulary(captions, length=6)
    text_enc, image_enc = encoders(vocabulary)
    test_images, test_captions = quadrant_pairs(32, seed=1)

    def held_out_r_precision() -> float:
        """Held-out pairs ranked in groups of the four quadrants: chance is 1/4."""
        sentences = np.asarray(text_enc(ids(vocabulary, test_captions)))
        embeddings = np.asarray(image_enc(test_images / 127.5 - 1))
        return float(np.mean([r_precision(embeddings[k:k + 4], sentences[k:k + 4], mismatched=3,
                                          seed=k) for k in range(0, 32, 4)]))

    before = held_out_r_precision()
    losses = fit_encoders(images.astype("float32"), ids(vocabulary, captions), text_enc,
                          image_enc, epochs=10, batch_size=16)
    assert losses[-1] < 0.7 * losses[0]
    after = held_out_r_precision()
    assert after > 0.6 and after > before + 0.2


def test_words_are_what_the_layer_looks_up():
    layer = build_vocabulary(CAPTIONS, length=6)
    vocabulary = layer.get_vocabulary()
    for text in ("A small  BIRD!", "red-bird, wings.", "café zebra\twings", "", "bird " * 9):
        looked_up = [vocabulary.index(w) if w in vocabulary else 1 for w in words(text)][:6]
        assert looked_up + [0] * (6 - len(looked_up)) == ids(layer, [text])[0].tolist()


def test_a_prompt_of_only_unknown_words_is_refused_with_the_vocabulary_size_and_examples():
    layer = build_vocabulary(CAPTIONS, length=6)
    size = len(layer.get_vocabulary()) - 2
    for prompt, what in (("zebra quokka", "lacks (zebra, quokka)"), ("Zebra! QUOKKA?", "(zebra, quokka)"),
                         ("?!", "no word once punctuation is stripped")):
        with pytest.raises(ConfigError) as err:
            check_prompts(layer, ["red bird", prompt])
        message = str(err.value)
        assert f"one word of the run's vocabulary ({size} words, e.g. bird, " in message
        assert what in message and "every such prompt draws the same images" in message
    with pytest.raises(ConfigError, match="among its first 6"):  # the known word comes too late
        check_prompts(layer, ["zebra " * 6 + "bird"])
    with pytest.raises(ConfigError) as err:  # a huge prompt is echoed shortened
        check_prompts(layer, ["zebra " * 2000])
    assert "zebra zebra..." in str(err.value) and len(str(err.value)) < 600


def test_unknown_words_and_words_past_the_token_limit_are_warned_about(caplog):
    layer = build_vocabulary(CAPTIONS, length=6)
    with caplog.at_level(logging.WARNING, logger="keras_gan.commands.prompting"):
        check_prompts(layer, ["a red bird", "The small bird"])
        assert not caplog.records  # every word known, within the limit
        check_prompts(layer, ["a red zebra with a Quokka!"])
        assert "2 words not in the run's vocabulary, read as [UNK]" in caplog.text
        assert "zebra, quokka" in caplog.text
        caplog.clear()
        check_prompts(layer, ["red bird " * 500])
    assert len(caplog.records) == 1
    assert "has 1000 words; the text encoder reads the first 6 (its token limit)" in caplog.text
    assert len(caplog.records[0].getMessage()) < 250


def test_echoed_prompts_are_shortened():
    assert shorten("a red bird") == "a red bird"
    cut = shorten("x" * 10_000)
    assert len(cut) == 80 and cut.endswith("...")
