"""Pix2Pix on the shared spine: every option trains a step, the losses are the paper's,
resume (after SIGKILL or Ctrl-C) equals an uninterrupted run, NaN rollback,
previews, evaluation, translate of any size, and a verified export."""

import json
import signal

import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli
from keras_gan.evaluation.paired import paired_scores
from keras_gan.training.factory import build_model
from keras_gan.training.losses import LOSSES
from keras_gan.resolve import resolve
from keras_gan.runs import load_run
from keras_gan.training.run import resume_training, run_training
from tests.conftest import blobs, export_every_format, small_pairs, tiny_config
from tests.interrupted_run import InterruptAt
from tests.test_resume import assert_same_state, cli_run, weights_and_counters


def pairs_batch(n=4, size=16, seed=0):
    source = blobs(n, size, seed) / 127.5 - 1
    return {"source": source.astype("float32"), "target": source[..., :1].astype("float32")}


@pytest.mark.parametrize("loss", LOSSES.names())
def test_one_train_step_of_every_loss(tmp_path, loss):
    run_step(tmp_path, loss=loss)


@pytest.mark.parametrize("model, train", [
    ({"spectral_norm": True}, {}), ({}, {"augment": "translation,cutout,color"}),
    ({}, {"augment": "ada"}), ({"l1_weight": 0.0}, {"d_steps": 2}), ({}, {"ema": None}),
    ({}, {"precision": "mixed_bfloat16"}), ({}, {"precision": "mixed_float16"}),
], ids=["sn", "diffaug", "ada", "no_l1_two_critic_steps", "no_ema", "bf16", "fp16"])
def test_one_train_step_per_option(tmp_path, model, train):
    run_step(tmp_path, model=model, **train)


def run_step(tmp_path, model=None, **train):
    config = tiny_config(tmp_path, family="pix2pix", **train).replace(
        data={"channels": 1, "source_channels": 3}, model=model or {})
    gan = build_model(config)
    gan.run_eagerly = True
    before = {name: [w.copy() for w in net.get_weights()] for name, net in gan.networks.items()}
    d_steps = gan.d_steps
    # float16's dynamic loss scale starts high: its first steps may overflow and be skipped
    repeats = 8 if train.get("precision") == "mixed_float16" else 1
    for _ in range(repeats):
        logs = gan.train_on_batch(pairs_batch(4 * d_steps), return_dict=True)
    assert {"d_loss", "g_loss", "g_adversarial", "g_l1", "real_score", "fake_score"} <= set(logs)
    assert all(np.isfinite(v) for v in logs.values())
    for name, net in gan.networks.items():
        assert any(not np.array_equal(a, b) for a, b in zip(before[name], net.get_weights())), name
    steps = {n: int(o.iterations) for n, o in gan.optimizers.items()}
    if repeats == 1:
        assert steps == {"d_optimizer": d_steps, "g_optimizer": 1}
    else:
        assert all(1 <= count <= repeats for count in steps.values()), steps


def test_losses_are_the_papers_halved_d_loss_and_l1_weighted_100(tmp_path):
    config = tiny_config(tmp_path, family="pix2pix").replace(data={"channels": 1, "source_channels": 3})
    gan = build_model(config)
    for weight in gan.discriminator.weights:  # D(anything) = 2.0 at every patch
        weight.assign(np.zeros(weight.shape, weight.dtype))
    gan.discriminator.get_layer("logit").bias.assign([2.0])
    batch = pairs_batch()
    fake = tf.zeros_like(batch["target"])
    d_loss, (real_logits, _) = gan.discriminator_loss(batch["source"], batch["target"], fake)
    softplus = np.log1p(np.exp(2.0)), np.log1p(np.exp(-2.0))
    assert float(d_loss) == pytest.approx(0.5 * (softplus[1] + softplus[0]), rel=1e-5)
    assert real_logits.shape == (4, 2, 2, 1)  # one logit per patch
    g_loss, (adversarial, l1) = gan.generator_loss(batch["source"], batch["target"], fake)
    assert float(adversarial) == pytest.approx(softplus[1], rel=1e-5)
    assert float(l1) == pytest.approx(np.abs(batch["target"]).mean(), rel=1e-5)
    assert float(g_loss) == pytest.approx(softplus[1] + 100 * float(l1), rel=1e-5)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """3 epochs of a tiny pix2pix run (RGB blobs -> grey), the reference for resume tests."""
    tmp = tmp_path_factory.mktemp("pix2pix")
    return run_training(tiny_config(tmp, family="pix2pix", epochs=3, seed=3, eval_every=1,
                                    tensorboard=True), verbose=0)


def test_a_run_writes_previews_scores_and_per_optimizer_checkpoints(trained):
    run = trained.run_dir
    config = json.loads((run / "config.json").read_text())
    assert config["model"]["family"] == "pix2pix" and config["data"]["source_channels"] == 3
    with Image.open(run / "samples" / "epoch_0003.png") as grid:
        assert grid.mode == "RGB"
        width, height = grid.size  # 2 held-out pairs in 3 rows: source, output, target
    assert height / width == pytest.approx((3 * 18 + 2) / (2 * 18 + 2), rel=0.01)
    meta = json.loads((run / "checkpoints" / "epoch_0003.json").read_text())
    assert meta["iterations"] == {"d_optimizer": 33, "g_optimizer": 33}  # 44 pairs, batch 4
    best = json.loads((run / "checkpoints" / "best.json").read_text())
    assert best["metric"] == "l1" and best["value"] == pytest.approx(min(trained.history["l1"]))
    assert best["result"]["baseline_l1"] > 0 and (run / "examples.npz").is_file()
    tags = {value.tag for path in (run / "tensorboard").rglob("events.out.tfevents.*")
            for event in tf.compat.v1.train.summary_iterator(str(path)) for value in event.summary.value}
    assert {"samples", "epoch_g_l1", "epoch_d_loss"} <= tags


def test_ctrl_c_mid_epoch_then_resume_equals_the_uninterrupted_run(trained, tmp_path):
    config = tiny_config(tmp_path, family="pix2pix", epochs=3, seed=3, eval_every=1)
    stopped = run_training(config, verbose=0, callbacks=[InterruptAt(2, 5, signal.SIGINT)])
    assert stopped.interrupted
    assert (stopped.run_dir / "checkpoints" / "epoch_0001_step_00005.weights.h5").is_file()
    resume_training(stopped.run_dir, verbose=0)
    assert_same_state(weights_and_counters(stopped.run_dir), weights_and_counters(trained.run_dir))


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_equals_the_uninterrupted_run(trained, tmp_path):
    run_dir = tmp_path / "killed"
    args = ["train", "--family", "pix2pix", "--data", str(small_pairs()), "--image-size", "16", "--decay-epochs", "0",
            "--width", "2", "--batch-size", "4", "--epochs", "3", "--seed", "3",
            "--run-dir", str(run_dir)]
    assert cli_run(args, at=(3, 2), signal_name="KILL").returncode == -signal.SIGKILL
    assert not (run_dir / "checkpoints" / "epoch_0003.weights.h5").exists()
    resume_training(run_dir, verbose=0)
    assert_same_state(weights_and_counters(run_dir), weights_and_counters(trained.run_dir))


def test_a_nan_batch_rolls_back_and_halves_both_learning_rates(tmp_path, monkeypatch, caplog):
    import keras_gan.training.run as train_module

    real, built = train_module.training_pipeline, []

    def poisoned(*args, **kwargs):
        built.append(1)
        dataset = real(*args, **kwargs)
        if len(built) > 1:
            return dataset
        return dataset.enumerate().map(lambda i, x: {
            **x, "source": tf.where(i == 3, x["source"] * float("nan"), x["source"])})

    monkeypatch.setattr(train_module, "training_pipeline", poisoned)
    result = run_training(tiny_config(tmp_path, family="pix2pix", epochs=1), verbose=0)
    assert len(built) == 2 and "rolled back to epoch_0000.weights.h5" in caplog.text
    _, model, _ = load_run(result.run_dir)
    assert {n: float(o.learning_rate.numpy()) for n, o in model.optimizers.items()} == {
        "d_optimizer": pytest.approx(1e-4), "g_optimizer": pytest.approx(1e-4)}
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_paired_scores_follow_the_stated_conventions():
    rng = np.random.default_rng(0)
    target = rng.integers(0, 256, (3, 16, 16, 3), dtype=np.uint8)
    same = paired_scores(target, target)
    assert same == {"l1": 0.0, "psnr": 100.0, "ssim": pytest.approx(1.0)}
    noisy = np.clip(target.astype(int) + rng.integers(-8, 9, target.shape), 0, 255).astype(np.uint8)
    scores = paired_scores(noisy, target)
    mse = ((noisy.astype(float) - target) ** 2).reshape(3, -1).mean(axis=1)
    assert scores["psnr"] == pytest.approx(np.mean(10 * np.log10(255**2 / mse)), rel=1e-9)
    assert scores["l1"] == pytest.approx(np.abs(noisy.astype(float) - target).mean() / 255)
    expected = tf.image.ssim(tf.constant(noisy, tf.float32), tf.constant(target, tf.float32), 255.0)
    assert scores["ssim"] == pytest.approx(float(np.mean(expected)), abs=1e-6) and scores["ssim"] < 1


def test_evaluate_scores_the_held_out_pairs_beside_the_baseline(trained):
    done = CliRunner().invoke(cli, ["evaluate", "--run", str(trained.run_dir)])
    assert done.exit_code == 0, done.output
    record = json.loads((trained.run_dir / "evaluation.jsonl").read_text().splitlines()[-1])
    assert record["metrics"] == ["l1", "psnr", "ssim"] and record["n_pairs"] == 4
    assert {"baseline_l1", "baseline_psnr", "baseline_ssim", "convention"} <= set(record)
    assert "baseline_l1" in done.output and "4 held-out pairs" in done.output


def test_translate_keeps_any_size_and_the_relative_paths(trained, tmp_path):
    rng = np.random.default_rng(0)
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    Image.fromarray(rng.integers(0, 256, (301, 437, 3), dtype=np.uint8)).save(inputs / "big.jpg")
    Image.fromarray(rng.integers(0, 256, (5, 7), dtype=np.uint8)).save(inputs / "sub" / "tiny.png")
    (inputs / "sub" / "broken.png").write_bytes(b"not an image")
    out = tmp_path / "out"
    args = ["translate", "--run", str(trained.run_dir), str(inputs), "--out", str(out)]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert "Wrote 2 images" in done.output and "skipped 1 unreadable" in done.output
    with Image.open(out / "big.png") as big, Image.open(out / "sub" / "tiny.png") as tiny:
        assert big.size == (437, 301) and tiny.size == (7, 5) and big.mode == "L"
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 1 and "Pass --overwrite" in again.output
    assert CliRunner().invoke(cli, [*args, "--overwrite"]).exit_code == 0
    # the same pixels as the model on the padded image, cropped back
    _, model, _ = load_run(trained.run_dir)
    picture = np.asarray(Image.open(inputs / "sub" / "tiny.png").convert("RGB"))
    expected = model.task.translate(model.sampling_generator, picture[None])[0]
    written = np.asarray(Image.open(out / "sub" / "tiny.png"))
    assert np.abs(written.astype(int) - np.rint((expected[..., 0] + 1) * 127.5)).max() <= 1


def test_sample_and_translate_refuse_runs_of_the_other_task(trained, tmp_path):
    runner = CliRunner()
    sampled = runner.invoke(cli, ["sample", "--run", str(trained.run_dir)])
    assert sampled.exit_code == 1 and "use `keras-gan translate" in sampled.output
    gan = run_training(tiny_config(tmp_path, batch_size=64), verbose=0).run_dir
    image = tmp_path / "x.png"
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(image)
    translated = runner.invoke(cli, ["translate", "--run", str(gan), str(image), "--out", str(tmp_path / "o")])
    assert translated.exit_code == 1 and "use `keras-gan sample`" in translated.output


def test_cli_refuses_options_of_another_family_and_prints_pix2pix_defaults(tmp_path):
    runner = CliRunner()
    wrong = runner.invoke(cli, ["train", "--family", "dcgan", "--l1-weight", "10", "--dry-run"])
    assert wrong.exit_code == 2 and "--l1-weight is for pix2pix" in wrong.output
    dry = runner.invoke(cli, ["train", "--family", "pix2pix", "--data", str(small_pairs()),
                              "--direction", "BtoA", "--no-flip", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    config = json.loads(dry.output[dry.output.index("{"):])
    assert config["model"]["direction"] == "BtoA" and config["model"]["flip"] is False
    assert config["train"]["batch_size"] == 1 and config["data"]["image_size"] == 32
    assert (config["data"]["source_channels"], config["data"]["channels"]) == (1, 3)  # BtoA


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    return export_every_format(trained.run_dir, tmp_path_factory.mktemp("export"), "blobs")


@pytest.mark.slow
def test_every_artifact_is_verified_and_the_card_shows_image_clients(exported):
    expected = {("saved_model", s, b) for s in ("serving_default", "translate_bytes") for b in (1, 5)}
    expected |= {("saved_model", "serving_default 37x53", 2)}  # padded and cropped back
    expected |= {(f, "serving_default", b) for b in (1, 5) for f in (
        "generator.tflite", "generator_fp16.tflite", "generator_int8.tflite", "generator.onnx")}
    assert {(c.artifact, c.signature, c.batch_size) for c in exported.checks} == expected
    assert all(c.passed for c in exported.checks)
    card = (exported.path / "MODEL_CARD.md").read_text()
    assert "translate_bytes" in card and f"base64 -w0 {exported.path.resolve()}/example_input.png" in card
    assert (exported.path / "example_input.png").is_file()


@pytest.mark.slow
def test_tf1_serve_loader_runs_a_decoded_rest_body(exported, trained):
    """TF Serving's path: tag 'serve'; a JSON body of pixels, and one of base64 PNG bytes."""
    import base64
    import io

    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (2, 19, 23, 3)).tolist()  # any size, as JSON lists
    png = io.BytesIO()
    Image.fromarray(np.asarray(pixels[0], np.uint8)).save(png, format="PNG")
    body = json.loads(json.dumps({"instances": [{"b64": base64.b64encode(png.getvalue()).decode()}]}))
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        meta = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(exported.path))
        serve, from_bytes = meta.signature_def["serving_default"], meta.signature_def["translate_bytes"]
        images = session.run(serve.outputs["image"].name,
                             {serve.inputs["image"].name: np.asarray(pixels, np.uint8)})
        files = session.run(from_bytes.outputs["image_png_bytes"].name,
                            {from_bytes.inputs["image_bytes"].name:
                             [base64.b64decode(i["b64"]) for i in body["instances"]]})
    _, model, _ = load_run(trained.run_dir)
    expected = model.task.translate(model.sampling_generator, np.asarray(pixels, np.uint8))
    assert images.shape == (2, 19, 23, 1) and images.dtype == np.uint8
    assert np.abs(images.astype(int) - np.rint((expected + 1) * 127.5)).max() <= 1
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(files[0])))[..., None], images[0])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["generator.tflite", "generator_fp16.tflite", "generator_int8.tflite"])
def test_each_tflite_file_runs_in_litert_on_a_held_out_image(exported, trained, name):
    from ai_edge_litert.interpreter import Interpreter

    from keras_gan.exporters.verify import psnr

    path = exported.path / name
    assert b"Flex" not in path.read_bytes()
    runner = Interpreter(model_path=str(path), num_threads=2).get_signature_runner("serving_default")
    with np.load(trained.run_dir / "examples.npz") as examples:
        source = examples["source"][:3]
    outputs = runner(image=source)
    _, model, _ = load_run(trained.run_dir)
    expected = np.rint((model.task.translate(model.sampling_generator, source) + 1) * 127.5)
    assert outputs["image"].shape == (3, 16, 16, 1) and outputs["image"].dtype == np.uint8
    assert psnr(expected.astype(np.uint8), outputs["image"]) > (30 if "int8" in name else 40)
