"""text2image after training: export (text in, in-graph tokenizer; tokens + latent for
phones), sample and interpolate by prompt, metrics, resume, load_generator."""

from __future__ import annotations

import json
import logging
import re
import signal

import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli
from keras_gan.data.source import Data
from keras_gan.errors import ConfigError
from keras_gan.evaluation import TextEvaluator, default_metrics
from keras_gan.generator import load_generator
from keras_gan.io.images import to_uint8
from keras_gan.latents import latents_for
from keras_gan.commands.prompting import write_prompt_samples
from keras_gan.resolve import resolve
from keras_gan.runs import load_run
from keras_gan.text import build_vocabulary, load_vocabulary, r_precision
from keras_gan.text.vocabulary import reference_tokenize
from keras_gan.training.run import resume_training, run_training
from tests.conftest import export_every_format
from tests.interrupted_run import InterruptAt
from tests.test_resume import assert_same_state, weights_and_counters
from tests.test_text2image_run import captions_folder, tiny  # noqa: F401 (a fixture)

TRICKY = ["A  Handwritten SEVEN!!", "zebra", "", "the-digit 7.", "café CRÈME\u00a0brûlée",
          "a\tb\nc\u2003d", "seven " * 20]


SCALE = 64 // 16  # save_grid shows 16 px cells 4x, nearest


def grid_shape(grid, side: int = 16, padding: int = 2) -> tuple[int, int]:
    """(rows, columns) of a save_grid PNG of `side` px cells."""
    width, height = grid.width // SCALE, grid.height // SCALE
    return (height - padding) // (side + padding), (width - padding) // (side + padding)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, captions_folder):
    """One encoder epoch, then two GAN epochs, scored every epoch (R-precision)."""
    tmp = tmp_path_factory.mktemp("trained")
    return run_training(tiny(tmp, captions_folder, epochs=3, seed=3, eval_every=1), verbose=0)


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    return export_every_format(trained.run_dir, tmp_path_factory.mktemp("export"), "t2i")


def test_the_export_verifies_every_signature_and_writes_the_vocabulary(exported, trained):
    assert all(check.passed for check in exported.checks)
    signatures = {(c.artifact, c.signature) for c in exported.checks}
    for signature in ("serving_default", "generate", "generate_tokens", "tokenize"):
        assert ("saved_model", signature) in signatures
    # no int8 file by default for text (measured under the 30 dB bar on a trained model)
    assert {c.artifact for c in exported.checks} == {
        "saved_model", "generator.tflite", "generator_fp16.tflite", "generator.onnx"}
    folder = exported.path
    vocabulary = load_vocabulary(folder / "vocabulary.txt")  # its .json and sha256 check out
    assert vocabulary.get_vocabulary() == load_vocabulary(
        trained.run_dir / "vocabulary.txt").get_vocabulary()
    card = (folder / "MODEL_CARD.md").read_text()
    assert "pipeline_tag: text-to-image" in card and "## Tokenizer" in card
    first_prompt = (trained.run_dir / "prompts.txt").read_text().splitlines()[0]
    assert f'"{first_prompt}"' in card
    with Image.open(folder / "samples.png") as grid:  # 4 prompt rows, 8 seeds (scaled up)
        assert grid_shape(grid) == (4, 8)


def test_a_rest_body_of_strings_through_the_tf1_loader_gives_sample_s_images(exported, trained,
                                                                            tmp_path):
    """TF Serving's row format {"instances": [...]} feeds serving_default's one string input;
    row i is seed i, the image `sample --prompt P --seed i` draws."""
    body = json.loads('{"instances": ["a handwritten seven", "a handwritten seven"]}')
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        graph = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(exported.path))
        signature = graph.signature_def["serving_default"]
        assert list(signature.inputs) == ["text"]
        fetched = session.run({k: v.name for k, v in signature.outputs.items()},
                              {signature.inputs["text"].name: body["instances"]})
    npz, _, _ = write_prompt_samples(trained.run_dir, ["a handwritten seven"], 2, 0,
                                     tmp_path / "seven.npz")
    with np.load(npz) as sampled:
        np.testing.assert_allclose(fetched["images_float"], sampled["images"], atol=1e-5)
    assert not np.allclose(fetched["images_float"][0], fetched["images_float"][1])  # two seeds
    png = tf.io.decode_png(fetched["images_png_bytes"][1]).numpy()
    np.testing.assert_array_equal(png, fetched["images"][1])


def test_the_card_s_tokenizer_and_the_tflite_file_are_the_app_path(exported):
    """The Python block of the card, run as an app would: its ids equal the SavedModel's
    tokenize on hard strings, and the float32 TFLite file fed them with a seed's latent
    gives the SavedModel's image for that text and seed."""
    folder = exported.path
    card = (folder / "MODEL_CARD.md").read_text()
    block = re.search(r"```python\n(import string\n.*?)```", card, re.S).group(1)
    block = block.replace('open("vocabulary.txt"', f'open("{folder / "vocabulary.txt"}"')
    namespace = {}
    exec(block, namespace)  # noqa: S102 - the card's own snippet
    vocabulary, tokenize = namespace["vocabulary"], namespace["reference_tokenize"]
    model = tf.saved_model.load(str(folder))
    served = model.signatures["tokenize"](text=tf.constant(TRICKY))["tokens"].numpy()
    ours = np.array([tokenize(text, vocabulary, 16) for text in TRICKY], np.int32)
    np.testing.assert_array_equal(ours, served)
    assert ours[1][0] == 1 and not ours[2].any()  # an unknown word is 1, empty text all padding

    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=str(folder / "generator.tflite")).get_signature_runner()
    phone = runner(tokens=ours[:1], latent=latents_for([5], 8))["images_float"]
    server = model.signatures["generate"](text=tf.constant(TRICKY[:1]),
                                          seed=tf.constant([5], tf.int64))["images_float"]
    np.testing.assert_allclose(phone, server.numpy(), atol=1e-4)


def test_reference_tokenize_matches_the_layer_on_unicode_case_punctuation_and_length():
    layer = build_vocabulary(["a handwritten seven", "Café crème brûlée", "ÉTÉ"], length=6)
    for text in TRICKY + ["ÉTÉ été", "café"]:
        assert reference_tokenize(text, layer.get_vocabulary(), 6) == layer([text]).numpy()[0].tolist()


def test_sample_writes_a_row_per_prompt_and_refuses_what_does_not_apply(trained, tmp_path):
    prompts_file = tmp_path / "prompts.txt"
    prompts_file.write_text("the digit 3\n\n  a handwritten one  \n")
    out = tmp_path / "grid.npz"
    result = CliRunner().invoke(cli, ["sample", "--run", str(trained.run_dir), "--prompt",
                                      "a handwritten seven", "--prompts", str(prompts_file),
                                      "--n", "3", "--seed", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1. a handwritten seven" in result.output and "3. a handwritten one" in result.output
    with np.load(out) as grid:
        assert grid["images"].shape == (9, 16, 16, 1)
        assert list(grid["prompts"][::3]) == ["a handwritten seven", "the digit 3", "a handwritten one"]
        np.testing.assert_array_equal(grid["latents"][:3], latents_for([4, 5, 6], 8))
        np.testing.assert_array_equal(grid["latents"][3:6], grid["latents"][:3])  # columns share
    default = CliRunner().invoke(cli, ["sample", "--run", str(trained.run_dir)])
    assert default.exit_code == 0, default.output  # the run's own prompts, 8 seeds each
    with Image.open(trained.run_dir / "samples" / "prompts-seed0-n8.png") as grid:
        assert grid_shape(grid) == (10, 8)
    refused = CliRunner().invoke(cli, ["sample", "--run", str(trained.run_dir), "--seeds", "0-3"])
    assert refused.exit_code != 0 and "--seeds" in refused.output
    (tmp_path / "blank.txt").write_text("\n \n")
    blank = CliRunner().invoke(cli, ["sample", "--run", str(trained.run_dir), "--prompts",
                                     str(tmp_path / "blank.txt")])
    assert blank.exit_code != 0 and "Invalid prompts" in blank.output


def test_interpolate_walks_between_prompts_from_each_prompt_s_own_image(trained, tmp_path):
    out = tmp_path / "walk.gif"
    result = CliRunner().invoke(cli, ["interpolate", "--run", str(trained.run_dir), "--prompt",
                                      "a handwritten one", "--prompt", "the digit 7", "--steps", "4",
                                      "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as gif:
        assert gif.n_frames == 8
    sampled, _, _ = write_prompt_samples(trained.run_dir, ["a handwritten one", "the digit 7"], 1, 2,
                                         tmp_path / "ends.npz")
    with Image.open(out.with_suffix(".png")) as strip, np.load(sampled) as ends:
        cells = np.asarray(strip)[::SCALE, ::SCALE]
        for row in range(2):  # each leg's first frame is its prompt's image of seed 2
            cell = cells[2 + row * 18:2 + row * 18 + 16, 2:18]
            cell = cell[..., 0] if cell.ndim == 3 else cell
            np.testing.assert_array_equal(cell, to_uint8(ends["images"][row])[..., 0])
    one = CliRunner().invoke(cli, ["interpolate", "--run", str(trained.run_dir), "--prompt", "x"])
    assert one.exit_code != 0 and "two or more prompts" in one.output


def test_prompts_the_run_cannot_read_are_refused_and_the_others_warned_and_echoed_short(
        trained, tmp_path, caplog):
    run = str(trained.run_dir)
    for command in (["sample", "--prompt", "a handwritten seven", "--prompt", "zebra quokka"],
                    ["interpolate", "--prompt", "the digit 7", "--prompt", "Zebra, quokka!"]):
        done = CliRunner().invoke(cli, [*command, "--run", run, "--out",  # any such: same images
                                        str(tmp_path / {"sample": "s.png"}.get(command[0], "w.gif"))])
        assert done.exit_code == 1 and "Invalid prompt: expected at least one word" in done.output
        assert "lacks (zebra, quokka)" in done.output and "words, e.g. " in done.output
    with caplog.at_level(logging.WARNING, logger="keras_gan.commands.prompting"):
        done = CliRunner().invoke(cli, ["sample", "--run", run, "--prompt", "a handwritten quokka seven",
                                        "--prompt", "a handwritten seven " * 500, "--n", "1",
                                        "--out", str(tmp_path / "grid.png")])
    assert done.exit_code == 0, done.output
    assert "1 word not in the run's vocabulary, read as [UNK] (any unknown word is the same " \
           "token): quokka." in caplog.text
    assert "has 1500 words; the text encoder reads the first 16 (its token limit)" in caplog.text
    echoed = [line for line in done.output.splitlines() if line.startswith("  2. ")]
    assert len(echoed) == 1 and len(echoed[0]) <= 85 and echoed[0].endswith("...")
    with pytest.raises(ConfigError, match="Invalid prompt: expected at least one word"):
        load_generator(trained.run_dir).generate([0], prompt="zebra quokka")


def test_prompts_are_refused_on_runs_without_text(tmp_path):
    from tests.conftest import tiny_config

    run = run_training(tiny_config(tmp_path, epochs=1), verbose=0).run_dir
    result = CliRunner().invoke(cli, ["sample", "--run", str(run), "--prompt", "a seven"])
    assert result.exit_code != 0 and "takes no captions" in result.output


def test_training_scores_r_precision_every_epoch_and_keeps_the_best(trained):
    history = trained.history  # the encoder epoch leaves G untrained: not scored
    assert len(history["r_precision"]) == 3 and np.isnan(history["r_precision"][0])
    assert all(0 <= v <= 1 for v in history["r_precision"][1:])
    best = json.loads((trained.run_dir / "checkpoints" / "best.json").read_text())
    assert best["metric"] == "r_precision" and best["value"] == pytest.approx(max(history["r_precision"][1:]))
    assert 0 <= best["result"]["r_precision_real"] <= 1


def test_r_precision_draws_mismatches_from_other_groups_only():
    """Four rows, two classes; captions of the same class are identical. Without groups,
    an identical caption of another row ties and every row misses; with the classes as
    groups, only the other class is a mismatch and every row hits."""
    text = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    image = text + 0.1
    assert r_precision(image, text) == 0.0
    assert r_precision(image, text, groups=[0, 0, 1, 1]) == 1.0
    with pytest.raises(Exception, match="groups"):
        r_precision(image, text, groups=[0, 0, 0, 0])


def test_captioned_digits_are_scored_by_the_digit_each_caption_names(tmp_path):
    """The domain score's label_accuracy: a generator that draws the named digit's real
    image scores 1.0, one that draws another digit 0."""
    config, data = resolve(tiny(tmp_path, "mnist_captions").replace(data={"image_size": 32}))
    assert data.fields["image"].shape[1:] == (32, 32, 1)  # 28 px digits padded
    pick = np.sort(np.random.default_rng(0).choice(len(data.fields["image"]), 1000, replace=False))
    data = Data(fields={k: np.asarray(v)[pick] for k, v in data.fields.items()},
                description=data.description, class_names=data.class_names, extras=data.extras)
    assert default_metrics("text_to_image", data) == ("rprecision", "domain")
    evaluator = TextEvaluator(config, data, ("domain",), n=60)
    reals = evaluator.reals.astype("float32") / 127.5 - 1
    named = evaluator.score(reals, evaluator.labels)
    shifted = evaluator.score(reals, (evaluator.labels + 1) % 10)
    assert named["label_accuracy"] >= 0.9 and shifted["label_accuracy"] <= 0.1
    assert named["class_entropy"] > 0.9


def test_resume_across_the_encoder_to_gan_switch_equals_the_uninterrupted_run(
        trained, tmp_path, captions_folder):
    stopped = run_training(tiny(tmp_path, captions_folder, epochs=3, seed=3, eval_every=1), verbose=0,
                           callbacks=[InterruptAt(1, 2, signal.SIGINT)])
    assert stopped.interrupted
    again = resume_training(stopped.run_dir, verbose=0, callbacks=[InterruptAt(2, 1, signal.SIGINT)])
    assert again.interrupted
    resume_training(stopped.run_dir, verbose=0)
    assert_same_state(weights_and_counters(stopped.run_dir), weights_and_counters(trained.run_dir))


def test_load_generator_draws_from_a_prompt_in_an_export_or_a_run(trained, tmp_path):
    from keras_gan.config import ExportConfig
    from keras_gan.commands.export import export_run

    keras_file = export_run(trained.run_dir, ExportConfig(out=str(tmp_path), formats=("keras",)))
    from_export = load_generator(keras_file.path)
    from_run = load_generator(trained.run_dir)
    images = from_export.generate([0, 1], prompt="a handwritten seven")
    assert images.dtype == np.uint8 and images.shape == (2, 16, 16, 1)
    np.testing.assert_array_equal(images, from_run.generate([0, 1], prompt="a handwritten seven"))
    with pytest.raises(Exception, match="prompt"):
        from_export.generate([0])
