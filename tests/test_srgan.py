"""SRGAN on the shared spine: the networks' shapes and size, both stages and every content
loss train a step, resume across the stage switch equals an uninterrupted run, the
held-out split and bicubic baseline, `upscale` of any kind of picture, tiled equals
untiled for the real generator, and a verified export."""

import json
import signal

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli
from keras_gan.data.tfds_source import _image_key
from keras_gan.errors import ConfigError
from keras_gan.training.factory import build_model
from keras_gan.families import srgan
from keras_gan.networks.srresnet import build_srgan_discriminator, build_srresnet
from keras_gan.io.resampling import downscale, upscale_bicubic
from keras_gan.resolve import resolve
from keras_gan.runs import load_run
from keras_gan.io.tiling import upscale_tiled
from keras_gan.training.run import resume_training, run_training
from tests.conftest import export_every_format, tiny_config
from tests.interrupted_run import InterruptAt
from tests.test_resume import assert_same_state, weights_and_counters


def test_srresnet_is_the_papers_size_and_any_input_grows_exactly_by_the_scale():
    generator = build_srresnet(3, scale=4, blocks=16, width=64)
    trainable = sum(int(np.prod(w.shape)) for w in generator.trainable_weights)
    # 16 blocks of 2 x (3x3x64x64 conv + BN) with per-channel PReLU, 9x9 head and tail,
    # two x2 sub-pixel stages of 3x3 convs to 256 channels: the paper's "1.5 M"
    assert (generator.count_params(), trainable) == (1_554_883, 1_550_659)
    assert build_srresnet(3, scale=4, blocks=16, width=64, use_batch_norm=False).count_params() == 1_546_435
    shuffles = [layer for layer in generator.layers if layer.name.endswith("_shuffle")]
    assert [layer.factor for layer in shuffles] == [2, 2]
    for height, width in ((16, 16), (7, 13), (1, 1)):
        image = np.zeros((2, height, width, 3), np.float32)
        assert generator(image).shape == (2, 4 * height, 4 * width, 3)
    assert build_srresnet(1, scale=8, blocks=1, width=4)(np.zeros((1, 5, 3, 1))).shape == (1, 40, 24, 1)


def test_the_discriminator_is_the_papers_eight_convolutions_and_two_dense_layers():
    discriminator = build_srgan_discriminator((96, 96, 3))
    convs = [layer for layer in discriminator.layers if isinstance(layer, tf.keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 64, 128, 128, 256, 256, 512, 512]
    assert [c.strides[0] for c in convs] == [1, 2, 1, 2, 1, 2, 1, 2]
    assert discriminator.get_layer("dense").units == 1024
    assert discriminator.output.shape == (None, 1)


def sr_batch(n=8, size=16, scale=2, seed=0):
    rng = np.random.default_rng(seed)
    target = rng.uniform(-1, 1, (n, size, size, 1)).astype("float32")
    return {"source": target[:, ::scale, ::scale], "target": target}


def one_step(tmp_path, stage, model=None, **train):
    config = tiny_config(tmp_path, family="srgan", **train).replace(data={"channels": 1},
                                                                   model=model or {})
    gan = build_model(config)
    gan.prepare_stage(stage)
    gan.run_eagerly = True
    before = {name: [w.copy() for w in net.get_weights()] for name, net in gan.networks.items()}
    logs = gan.train_on_batch(sr_batch(8 * gan.d_steps), return_dict=True)
    assert all(np.isfinite(v) for v in logs.values())
    changed = {name: any(not np.array_equal(a, b) for a, b in zip(before[name], net.get_weights()))
               for name, net in gan.networks.items()}
    return gan, logs, changed


def test_pretraining_updates_the_generator_alone_on_the_pixel_loss(tmp_path):
    gan, logs, changed = one_step(tmp_path, srgan.PRETRAIN)
    assert changed == {"generator": True, "discriminator": False}
    assert logs["g_loss"] == pytest.approx(logs["pixel"]) and logs["d_loss"] == 0
    assert {n: int(o.iterations) for n, o in gan.optimizers.items()} == {"d_optimizer": 0, "g_optimizer": 1}


@pytest.mark.parametrize("model, train", [
    ({}, {}), ({"content_loss": "feature"}, {}), ({"pixel_loss": "l1", "bn": False}, {}),
    ({"spectral_norm": True}, {"loss": "wgan_gp"}), ({}, {"augment": "ada"}),
    ({}, {"precision": "mixed_bfloat16"}),
], ids=["mse", "feature", "l1_no_bn", "sn_wgan_gp", "ada", "bf16"])
def test_the_adversarial_stage_trains_both_networks_with_each_option(tmp_path, model, train):
    gan, logs, changed = one_step(tmp_path, srgan.ADVERSARIAL, model, **train)
    assert changed == {"generator": True, "discriminator": True}
    assert {"d_loss", "g_content", "g_adversarial", "real_score", "fake_score"} <= set(logs)
    weight = gan.adversarial_weight
    assert logs["g_loss"] == pytest.approx(logs["g_content"] + weight * logs["g_adversarial"], rel=1e-4)
    if model.get("content_loss", "pixel") == "pixel":
        assert logs["g_content"] == pytest.approx(logs["pixel"])


def test_the_content_losses_on_hand_computed_values(tmp_path):
    config = tiny_config(tmp_path, family="srgan").replace(data={"channels": 1})
    gan = build_model(config)
    target, fake = tf.zeros((2, 16, 16, 1)), tf.fill((2, 16, 16, 1), 0.5)
    assert float(gan.content(fake, target)[0]) == pytest.approx(0.25)  # MSE
    gan.pixel_loss = "l1"
    assert float(gan.content(fake, target)[0]) == pytest.approx(0.5)


def test_vgg_content_without_weights_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="vgg_weights.*does not exist"):
        srgan.vgg_features(str(tmp_path / "missing.h5"))
    monkeypatch.setattr("keras.applications.VGG19", lambda **kw: (_ for _ in ()).throw(OSError("offline")))
    monkeypatch.setattr(srgan, "VGG_FILE", "not-cached.h5")
    with pytest.raises(ConfigError, match="--vgg-weights PATH"):
        srgan.vgg_features(None)


def test_vgg_content_uses_block5_conv4_of_the_weights_file_given(tmp_path, monkeypatch):
    """A stand-in VGG19 (a real one is 80 MB): the loss is its block5_conv4 features' MSE / 12.75^2."""
    seen = {}

    def fake_vgg19(include_top, weights):
        seen.update(include_top=include_top, weights=weights)
        image = tf.keras.Input((None, None, 3))
        features = tf.keras.layers.Conv2D(4, 3, padding="same", name="block5_conv4")(image)
        return tf.keras.Model(image, tf.keras.layers.Dense(2)(features))

    monkeypatch.setattr("keras.applications.VGG19", fake_vgg19)
    weights = tmp_path / "vgg19.h5"
    weights.write_bytes(b"stand-in")
    gan, logs, changed = one_step(tmp_path, srgan.ADVERSARIAL, {"content_loss": "vgg", "vgg_weights": str(weights)})
    assert seen == {"include_top": False, "weights": str(weights)} and changed["generator"]
    assert logs["g_content"] != pytest.approx(logs["pixel"])
    network = gan._content.network
    target, fake = tf.zeros((1, 16, 16, 1)), tf.fill((1, 16, 16, 1), 0.5)
    to_vgg = lambda x: tf.keras.applications.vgg19.preprocess_input((tf.repeat(x, 3, -1) + 1) * 127.5)  # noqa: E731
    expected = np.mean(np.square((network(to_vgg(fake)) - network(to_vgg(target))).numpy() / 12.75))
    assert float(gan.content(fake, target)[0]) == pytest.approx(expected, rel=1e-5)
    assert not any(w.name.startswith("block5") for w in gan.weights)  # never in a checkpoint


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """3 epochs, the first one pretraining: the reference for the resume test."""
    tmp = tmp_path_factory.mktemp("srgan")
    return run_training(tiny_config(tmp, family="srgan", epochs=3, seed=3, eval_every=1)
                        .replace(model={"pretrain_epochs": 1}), verbose=0)


def test_a_run_holds_out_whole_images_and_scores_them_beside_bicubic(trained):
    run = trained.run_dir
    config = json.loads((run / "config.json").read_text())["model"]
    assert (config["crop"], config["pretrain_epochs"], config["metric_space"]) == (16, 1, "y")
    with np.load(run / "examples.npz") as examples:  # 16 of the 160 digits, 16 px -> 8 px
        assert examples["source"].shape == (16, 8, 8, 1) and examples["target"].shape == (16, 16, 16, 1)
        np.testing.assert_array_equal(examples["source"], downscale(examples["target"], 2))
    best = json.loads((run / "checkpoints" / "best.json").read_text())
    assert best["metric"] == "psnr" and best["value"] == pytest.approx(max(trained.history["psnr"]))
    assert best["result"]["crop_border"] == 2 and 5 < best["result"]["bicubic_psnr"] < 40
    history = trained.history
    assert history["d_loss"][0] == 0 and history["d_loss"][1] > 0  # D waits for the second stage
    with Image.open(run / "samples" / "epoch_0003.png") as grid:  # LR, bicubic, SR, HR rows
        width, height = grid.size
    assert height / width == pytest.approx((4 * 18 + 2) / (2 * 18 + 2), rel=0.01)  # 2 images


def test_evaluate_states_the_convention_and_scores_bicubic_beside_the_model(trained):
    result = CliRunner().invoke(cli, ["evaluate", "--run", str(trained.run_dir), "--metrics", "psnr,ssim"])
    assert result.exit_code == 0, result.output
    assert "16 held-out images, x2, y channel, 2 px border cropped" in result.output
    assert "bicubic_psnr" in result.output and "bicubic_ssim" in result.output
    record = json.loads((trained.run_dir / "evaluation.jsonl").read_text().splitlines()[-1])
    assert record["metric_space"] == "y" and "BT.601" in record["convention"]


def test_ctrl_c_in_each_stage_then_resume_equals_the_uninterrupted_run(trained, tmp_path):
    config = tiny_config(tmp_path, family="srgan", epochs=3, seed=3, eval_every=1).replace(
        model={"pretrain_epochs": 1})
    stopped = run_training(config, verbose=0, callbacks=[InterruptAt(1, 5, signal.SIGINT)])
    assert stopped.interrupted
    again = resume_training(stopped.run_dir, verbose=0, callbacks=[InterruptAt(3, 4, signal.SIGINT)])
    assert again.interrupted
    resume_training(stopped.run_dir, verbose=0)
    assert_same_state(weights_and_counters(stopped.run_dir), weights_and_counters(trained.run_dir))


def test_images_smaller_than_the_training_size_are_skipped_and_counted(tmp_path):
    for i, size in enumerate((40, 40, 40, 12)):
        Image.fromarray(np.full((size, size, 3), 30 * i, np.uint8)).save(tmp_path / f"{i}.png")
    config = tiny_config(tmp_path, family="srgan", batch_size=2, data=tmp_path).replace(
        data={"image_size": 32})
    _, data = resolve(config)
    assert len(data.fields["image"]) + len(data.heldout["target"]) == 3
    assert [reason for _, reason in data.skipped] == ["ValueError: too small (12x12; the shorter side must be >= 32 px)"]


def test_tiled_upscaling_equals_the_whole_image_for_a_batch_norm_free_generator():
    generator = build_srresnet(3, scale=4, blocks=1, width=4, use_batch_norm=False)
    image = np.random.default_rng(0).uniform(-1, 1, (90, 101, 3)).astype("float32")
    whole = generator(image[None]).numpy()[0]
    # reach: 4 (9x9 head) + 2 (block) + 1 + 1 + 0.5 (x2 stages) + 1 (9x9 tail at x4) < 10 px
    tiled = upscale_tiled(lambda x: generator(x).numpy(), image, 4, tile=80, overlap=40)
    assert tiled.shape == whole.shape == (360, 404, 3)
    np.testing.assert_allclose(tiled, whole, atol=2e-5)


def test_upscale_keeps_grey_alpha_16_bit_and_paths_and_skips_broken_files(trained, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (9, 13), np.uint8)).save(src / "grey.png")
    Image.fromarray(rng.integers(0, 255, (6, 7, 4), np.uint8), "RGBA").save(src / "sub" / "rgba.png")
    tf.io.write_file(str(src / "deep.png"), tf.io.encode_png(rng.integers(0, 65535, (5, 6, 1)).astype(np.uint16)))
    (src / "broken.jpg").write_bytes(b"not a picture")
    out = tmp_path / "out"
    # the default tile (128 px) holds each picture whole: the output is the generator's own
    result = CliRunner().invoke(cli, ["upscale", "--run", str(trained.run_dir), str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 images" in result.output and "skipped" in result.output
    with Image.open(out / "grey.png") as grey, Image.open(out / "sub" / "rgba.png") as rgba:
        # a colour picture through this grey model comes out grey, with its own alpha
        assert (grey.mode, grey.size, rgba.mode, rgba.size) == ("L", (26, 18), "LA", (14, 12))
        alpha = np.asarray(rgba)[..., 1]
    deep = tf.io.decode_png(tf.io.read_file(str(out / "deep.png")), dtype=tf.uint16).numpy()
    assert deep.shape == (10, 12, 1) and deep.dtype == np.uint16 and deep.max() > 255
    _, model, _ = load_run(trained.run_dir)
    with Image.open(src / "grey.png") as picture:
        pixels = np.asarray(picture)[None, ..., None]
    expected = np.floor(model.task.translate(model.sampling_generator, pixels)[0] * 127.5 + 128).clip(0, 255)
    with Image.open(out / "grey.png") as grey:
        assert np.abs(np.asarray(grey, int) - expected[..., 0]).max() <= 1
    assert alpha.std() > 0  # the alpha channel came through, upscaled
    again = CliRunner().invoke(cli, ["upscale", "--run", str(trained.run_dir), str(src), "--out", str(out)])
    assert again.exit_code != 0 and "--overwrite" in again.output


def test_upscale_turns_photos_upright_and_keeps_16_bit_tiffs(trained, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    photo = Image.fromarray(np.random.default_rng(0).integers(0, 255, (6, 10, 3), np.uint8))
    exif = photo.getexif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to view
    photo.save(src / "phone.jpg", exif=exif)
    scan = tmp_path / "scan.tif"  # named as a file (folders are searched for jpg/png/bmp/gif)
    Image.fromarray(np.full((5, 7), 40000, np.uint16)).save(scan)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["upscale", "--run", str(trained.run_dir), str(src), str(scan),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out / "phone.png") as phone:
        assert phone.size == (12, 20)  # upright: 10 x 6 becomes 6 wide, 10 high, then x2
    deep = tf.io.decode_png(tf.io.read_file(str(out / "scan.png")), dtype=tf.uint16).numpy()
    assert deep.shape == (10, 14, 1) and deep.max() > 255


def test_bad_tiles_and_too_small_images_name_the_option(trained, tmp_path):
    picture = tmp_path / "a.png"
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(picture)
    result = CliRunner().invoke(cli, ["upscale", "--run", str(trained.run_dir), str(picture),
                                      "--out", str(tmp_path / "o"), "--tile", "16", "--tile-overlap", "9"])
    assert result.exit_code != 0 and "Invalid tile_overlap: expected an integer in [0, tile // 2]" in result.output
    config = tiny_config(tmp_path, family="srgan").replace(model={"scale": 8}, data={"image_size": 16})
    with pytest.raises(ConfigError, match="Invalid image_size: expected more than 16 px.*scale=8"):
        resolve(config)


def test_a_vgg_run_needs_its_weights_only_when_the_adversarial_stage_starts(tmp_path):
    config = tiny_config(tmp_path, family="srgan").replace(
        data={"channels": 1}, model={"content_loss": "vgg", "vgg_weights": str(tmp_path / "gone.h5")})
    gan = build_model(config)  # as sample / evaluate / export / upscale build it: no VGG needed
    gan.prepare_stage(srgan.PRETRAIN)
    with pytest.raises(ConfigError, match="Invalid vgg_weights"):
        gan.prepare_stage(srgan.ADVERSARIAL)


def test_tfds_sets_with_several_images_train_on_the_originals():
    assert _image_key({"lr": tfds.features.Image(), "hr": tfds.features.Image()}) == "hr"
    assert _image_key({"mask": tfds.features.Image(), "image": tfds.features.Image()}) == "image"


def test_bicubic_baseline_restores_the_size_of_a_modcropped_image():
    images = np.random.default_rng(0).integers(0, 255, (2, 18, 21, 3)).astype(np.uint8)
    small = downscale(images, 4)
    assert small.shape == (2, 4, 5, 3) and upscale_bicubic(small, 4).shape == (2, 16, 20, 3)


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    return export_every_format(trained.run_dir, tmp_path_factory.mktemp("export"), "digits_x2")


@pytest.mark.slow
def test_every_artifact_is_verified_and_upscales_by_the_scale(exported, trained):
    assert all(c.passed for c in exported.checks)
    artifacts = {c.artifact for c in exported.checks}
    assert {"saved_model", "generator.tflite", "generator_int8.tflite", "generator.onnx"} <= artifacts
    assert ("saved_model", "serving_default 37x53") in {(c.artifact, c.signature) for c in exported.checks}
    served = tf.saved_model.load(str(exported.path)).signatures["serving_default"]
    image = served(image=tf.zeros((1, 5, 7, 1), tf.uint8))["image"]
    assert image.shape == (1, 10, 14, 1)
    card = (exported.path / "MODEL_CARD.md").read_text()
    assert "[batch, 2H, 2W, 1]" in card


@pytest.mark.slow
def test_the_cards_tiling_loop_runs_the_tflite_file(exported, monkeypatch):
    """The loop the model card gives app developers, run as written on the exported file."""
    card = (exported.path / "MODEL_CARD.md").read_text()
    blocks = [part.split("```")[0] for part in card.split("```python\n")[1:]]
    code = next((block for block in blocks if "def upscale(pixels)" in block), "")
    assert "def upscale(pixels)" in code
    monkeypatch.chdir(exported.path)
    namespace = {}
    exec(code, namespace)  # noqa: S102 - the card's own snippet
    tile = namespace["TILE"]
    pixels = np.random.default_rng(0).integers(0, 255, (2 * tile + 3, tile + 5, 1)).astype(np.uint8)
    big = namespace["upscale"](pixels)
    assert big.shape == (2 * pixels.shape[0], 2 * pixels.shape[1], 1) and big.dtype == np.uint8
    one = pixels[:tile, :tile]  # one tile: exactly the file's own output
    single = namespace["run"](image=one[None])["image"][0]
    assert np.abs(namespace["upscale"](one).astype(int) - single).max() <= 1
