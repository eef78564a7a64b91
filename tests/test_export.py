import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner

from keras_gan.cli.app import cli
from keras_gan.config import ConfigError, ExportConfig
from keras_gan.commands.export import ExportError, export_network, export_run
from keras_gan.io.files import WriteError, path_size
from keras_gan.exporters.tflite import QUANTIZATIONS
from keras_gan.training.run import run_training
from tests.conftest import tiny_config


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    config = tiny_config(tmp, family="dcgan", epochs=1, batch_size=64).replace(
        data={"image_size": 16})
    return run_training(config, verbose=0).run_dir


@pytest.fixture(scope="module")
def exported(trained_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    options = ExportConfig(out=str(out), name="digits", formats=("saved_model", "tflite", "onnx", "keras"),
                           calibration_samples=32)
    return export_run(trained_run, options), out


def options_for(out, **changes) -> ExportConfig:
    return ExportConfig(out=str(out), calibration_samples=8, **changes)


def keras_images(trained_run, latents):
    from keras_gan.runs import load_run

    _, gan, _ = load_run(trained_run)
    return gan.sampling_generator(latents, training=False).numpy()  # what export writes


def test_tf_serving_layout_versions_and_model_card(exported, trained_run):
    result, out = exported
    assert result.path == out / "digits" / "1"
    assert sorted(p.name for p in result.path.iterdir()) == [
        "MODEL_CARD.md", "assets", "fingerprint.pb", "generator.json", "generator.keras",
        "generator.onnx", "generator.tflite", "generator_fp16.tflite", "generator_int8.tflite",
        "samples.png", "saved_model.pb", "variables"]
    assert [p.name for p in (out / "digits").iterdir() if p.name.startswith(".")] == []
    second = export_run(trained_run, options_for(out, name="digits", formats=("saved_model",)))
    assert second.path.name == "2" and not (second.path / "generator.tflite").exists()
    card = (out / "digits" / "MODEL_CARD.md").read_text()
    assert card.startswith("---\nlibrary_name: keras\npipeline_tag: unconditional-image-generation")
    assert "\n# digits, version 2" in card and "TFLite" not in card
    first_card = (result.path / "MODEL_CARD.md").read_text()
    assert "docker run" in first_card and '"signature_name": "generate_n", "inputs"' in first_card
    assert "| generator_int8.tflite |" in first_card and "runSignature" in first_card
    assert "| saved_model | " in first_card and "| serving_default | 5 |" in first_card
    for name in ("generator.tflite", "variables/variables.index"):
        size = (result.path / name).stat().st_size
        assert f"| {name} | {size} | `" in first_card


def test_every_artifact_and_signature_is_checked_at_two_batch_sizes(exported):
    result, _ = exported
    expected = {("saved_model", s, b) for s in ("serving_default", "generate", "generate_n")
                for b in (1, 5)}
    expected |= {(f, "serving_default", b) for b in (1, 5) for f in (
        "generator.tflite", "generator_fp16.tflite", "generator_int8.tflite", "generator.onnx",
        "generator.keras")}
    assert {(c.artifact, c.signature, c.batch_size) for c in result.checks} == expected
    assert all(c.passed for c in result.checks)
    floats = [c for c in result.checks if c.artifact in ("saved_model", "generator.tflite",
                                                          "generator.onnx")]
    assert all(c.max_abs_diff <= 1e-4 and c.psnr_db > 40 for c in floats)


@pytest.mark.parametrize("variant", ["float32", "float16", "int8"])
def test_each_tflite_file_runs_in_litert_with_builtin_ops(exported, trained_run, variant):
    from ai_edge_litert.interpreter import Interpreter

    from keras_gan.exporters.verify import psnr
    from keras_gan.io.images import to_uint8

    result, _ = exported
    quantization = QUANTIZATIONS.get(variant)
    path = result.path / quantization.filename
    assert b"Flex" not in path.read_bytes()  # no TF (Flex) ops: stock mobile interpreters run it
    interpreter = Interpreter(model_path=str(path), num_threads=2)
    runner = interpreter.get_signature_runner("serving_default")
    latents = np.random.default_rng(5).standard_normal((3, 8)).astype("float32")  # batch 3: dynamic
    outputs = runner(latent=latents)
    expected = keras_images(trained_run, latents)
    assert outputs["images"].dtype == np.uint8 and outputs["images"].shape == (3, 16, 16, 1)
    if variant == "float32":
        assert np.abs(outputs["images_float"] - expected).max() <= 1e-4
    else:
        assert psnr(to_uint8(expected), outputs["images"]) >= quantization.tolerance.min_psnr_db
    dtypes = {d["dtype"] for d in interpreter.get_tensor_details()}
    assert (np.int8 in dtypes) == (variant == "int8")


def test_onnx_runs_in_onnxruntime(exported, trained_run):
    import onnxruntime

    result, _ = exported
    session = onnxruntime.InferenceSession(str(result.path / "generator.onnx"),
                                           providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["latent"]
    latents = np.random.default_rng(6).standard_normal((4, 8)).astype("float32")
    images, images_float = session.run(["images", "images_float"], {"latent": latents})
    assert images.dtype == np.uint8 and images.shape == (4, 16, 16, 1)
    assert np.abs(images_float - keras_images(trained_run, latents)).max() <= 1e-4


def test_saved_model_cli_lists_the_documented_signatures(exported):
    result, _ = exported
    cli_path = Path(sys.executable).parent / "saved_model_cli"
    shown = subprocess.run([str(cli_path), "show", "--dir", str(result.path), "--all"],
                           capture_output=True, text=True, check=True).stdout
    for signature in ("serving_default", "generate", "generate_n"):
        assert f"signature_def['{signature}']" in shown
    assert "inputs['latent']" in shown and "shape: (-1, 8)" in shown
    assert "inputs['seed']" in shown and "DT_INT64" in shown
    assert "outputs['images']" in shown and "DT_UINT8" in shown and "shape: (-1, 16, 16, 1)" in shown
    assert "outputs['images_png_bytes']" in shown and "DT_STRING" in shown


def test_tf1_session_loader_serves_a_rest_request(exported, trained_run):
    """The path TF Serving's C++ server uses: tag 'serve', tensors from a JSON body."""
    from keras_gan.runs import load_run

    result, _ = exported
    body = json.loads(json.dumps({"instances": [[0.1] * 8, [-0.3] * 8]}))
    latents = np.asarray(body["instances"], dtype=np.float32)
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        meta = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(result.path))
        signature = meta.signature_def["serving_default"]
        images, pngs = session.run(
            [signature.outputs["images"].name, signature.outputs["images_png_bytes"].name],
            {signature.inputs["latent"].name: latents})
    _, gan, _ = load_run(trained_run)
    pixels = gan.sampling_generator(latents, training=False).numpy()
    expected = np.clip(np.rint((pixels + 1) * 127.5), 0, 255)
    assert images.dtype == np.uint8 and np.abs(images.astype(int) - expected).max() <= 1
    decoded = tf.io.decode_png(pngs[0]).numpy()
    assert np.array_equal(decoded, images[0])


def test_generate_n_rejects_absurd_counts(exported):
    result, _ = exported
    loaded = tf.saved_model.load(str(result.path))
    ok = loaded.signatures["generate_n"](num_images=tf.constant(3), seed=tf.constant(1, tf.int64))
    assert ok["images"].shape[0] == 3
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_images must be <= 256"):
        loaded.signatures["generate_n"](num_images=tf.constant(10**6),
                                        seed=tf.constant(1, tf.int64))


def test_each_weight_is_stored_once(exported, trained_run):
    from keras_gan.runs import load_run

    result, _ = exported
    _, gan, _ = load_run(trained_run)
    weight_bytes = sum(w.nbytes for w in gan.generator.get_weights())
    assert path_size(result.path / "variables") < 1.2 * weight_bytes


def test_a_failure_mid_export_leaves_no_version_folder(trained_run, tmp_path, monkeypatch):
    from keras_gan.runs import load_run

    _, gan, _ = load_run(trained_run)
    original = tf.saved_model.save

    def save_then_die(obj, path, **kwargs):
        original(obj, path, **kwargs)
        raise KeyboardInterrupt  # Ctrl-C after the files are half way there

    monkeypatch.setattr(tf.saved_model, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        export_network(gan.generator, gan.latent_dim, tmp_path / "m",
                         options_for(tmp_path, formats=("saved_model",)))
    assert list((tmp_path / "m").iterdir()) == []


def test_sigterm_mid_export_removes_the_staged_files_and_exits_143(trained_run, tmp_path, monkeypatch):
    import os
    import signal

    original = tf.saved_model.save

    def save_then_terminated(obj, path, **kwargs):
        original(obj, path, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # `timeout` or a scheduler, half way through

    monkeypatch.setattr(tf.saved_model, "save", save_then_terminated)
    result = CliRunner().invoke(cli, ["export", "--run", str(trained_run), "--out", str(tmp_path),
                                      "--name", "x", "--formats", "saved_model,tflite"])
    assert result.exit_code == 143, result.output
    assert "Stopped by SIGTERM" in result.output and "Traceback" not in result.output
    assert list((tmp_path / "x").iterdir()) == []  # neither a version nor its staging folder


def test_a_full_disk_mid_export_is_one_message_and_leaves_nothing(trained_run, tmp_path, monkeypatch):
    def disk_fills(obj, path, **kwargs):
        Path(path, "saved_model.pb").write_bytes(b"half")
        raise tf.errors.ResourceExhaustedError(
            None, None, f"{path}/variables/variables_temp; No space left on device [Op:SaveV2]")

    monkeypatch.setattr(tf.saved_model, "save", disk_fills)
    result = CliRunner().invoke(cli, ["export", "--run", str(trained_run), "--out", str(tmp_path),
                                      "--name", "x", "--formats", "saved_model"])
    assert result.exit_code == 1, result.output
    assert f"Cannot write to {tmp_path / 'x' / '1'}: no space left on the device (" in result.output
    assert "MB free). Free some space there, or pass --out a folder elsewhere." in result.output
    assert "Traceback" not in result.output and list((tmp_path / "x").iterdir()) == []


def test_an_export_that_would_not_fit_is_refused_before_writing(trained_run, tmp_path, monkeypatch):
    import shutil

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=10**6))
    with pytest.raises(WriteError, match=r"not enough space for version 1 of the export \(it "
                                         r"needs about [\d.]+ MB; 1.0 MB free\)"):
        export_run(trained_run, options_for(tmp_path / "out", formats=("saved_model",)))
    assert not (tmp_path / "out").exists()


def test_an_artifact_below_its_floor_fails_the_export_and_publishes_nothing(
        trained_run, tmp_path, monkeypatch):
    import dataclasses

    from keras_gan.exporters.verify import Tolerance

    impossible = dataclasses.replace(QUANTIZATIONS.get("int8"), tolerance=Tolerance(min_psnr_db=500))
    monkeypatch.setitem(QUANTIZATIONS._items, "int8", impossible)
    args = ["export", "--run", str(trained_run), "--out", str(tmp_path), "--name", "x",
            "--quantize", "float32,int8", "--calibration-samples", "8"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "verification failed for generator_int8.tflite" in result.output
    assert "PSNR >= 500 dB" in result.output and "NO" in result.output
    assert list((tmp_path / "x").iterdir()) == []
    with pytest.raises(ExportError):
        export_run(trained_run, options_for(tmp_path, name="y", quantize=("int8",)))


@pytest.mark.parametrize("changes, message", [
    ({"formats": ("saved_model", "zip")}, "Invalid formats: expected a comma-separated list of keras, onnx"),
    ({"quantize": ("int4",)}, "Invalid quantize: expected a comma-separated list of float16"),
    ({"formats": ("tflite",), "quantize": ()}, "Invalid quantize: expected at least one"),
    ({"formats": ()}, "Invalid formats: expected at least one"),
])
def test_bad_options_are_refused_before_anything_is_written(trained_run, tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message):
        export_run(trained_run, options_for(tmp_path / "out", **changes))
    assert not (tmp_path / "out").exists()


def test_a_missing_converter_names_the_package(trained_run, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tf2onnx" else real(name, *a))
    with pytest.raises(ConfigError, match=r'onnx needs the Python packages tf2onnx, which are not '
                                          r'installed \(pip install "keras-gan\[onnx\]"\)'):
        export_run(trained_run, options_for(tmp_path, formats=("onnx",)))


def test_existing_version_is_refused(exported, trained_run):
    _, out = exported
    with pytest.raises(ConfigError, match="version=1 \\(exists"):
        export_run(trained_run, options_for(out, name="digits", version=1))


def test_cli_export_prints_the_verification_table(trained_run, tmp_path):
    result = CliRunner().invoke(cli, ["export", "--run", str(trained_run), "--out",
                                      str(tmp_path), "--name", "x", "--formats", "tflite",
                                      "--quantize", "float32, float16"])
    assert result.exit_code == 0, result.output
    assert "generator_fp16.tflite" in result.output and "every check passed" in result.output
    assert sorted(p.name for p in (tmp_path / "x" / "1").iterdir()) == [
        "MODEL_CARD.md", "generator.tflite", "generator_fp16.tflite", "samples.png"]
    bad = CliRunner().invoke(cli, ["export", "--run", str(trained_run), "--out", str(tmp_path),
                                   "--name", "../escape"])
    assert bad.exit_code == 1 and "Invalid name" in bad.output


def test_a_run_stopped_mid_epoch_exports_with_its_progress_in_the_card(trained_run, tmp_path):
    import shutil

    from keras_gan.training.checkpoints import save_checkpoint
    from keras_gan.runs import load_run

    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    config, gan, _ = load_run(run)
    save_checkpoint(gan, run / "checkpoints", 1, config.model.family, keep=3, step=12)
    result = export_run(run, options_for(tmp_path / "out", formats=("saved_model",)))
    card = (result.path / "MODEL_CARD.md").read_text()
    assert "checkpoint `epoch_0001_step_00012.weights.h5` (epoch 1 of 1, plus 12 steps" in card


def test_one_seed_is_one_image_in_sample_the_grid_the_saved_model_and_tflite(exported, trained_run,
                                                                            tmp_path):
    from ai_edge_litert.interpreter import Interpreter
    from PIL import Image

    from keras_gan.io.images import to_uint8
    from keras_gan.latents import latents_for, reference_latents
    from keras_gan.runs import load_run

    seeds = [0, 7, 123]
    done = CliRunner().invoke(cli, ["sample", "--run", str(trained_run), "--seeds", "0,7,123",
                                    "--out", str(tmp_path / "seeds")])
    assert done.exit_code == 0, done.output
    files = np.stack([np.asarray(Image.open(tmp_path / "seeds" / f"seed{s:04d}.png"))[..., None]
                      for s in seeds])
    result, _ = exported
    loaded = tf.saved_model.load(str(result.path))
    served = loaded.signatures["generate"](seed=tf.constant(seeds, tf.int64))["images"].numpy()
    np.testing.assert_array_equal(files, served)
    # the per-epoch grid drawn from seed 0 holds seed k's latent and image at position k
    _, gan, _ = load_run(trained_run)
    grid = gan.grid_inputs(12, seed=0)
    np.testing.assert_array_equal(grid[seeds], latents_for(seeds, gan.latent_dim))
    np.testing.assert_array_equal(to_uint8(gan.sample_images(grid[seeds])), served)
    # an app feeding the TFLite file the documented latent (the NumPy rule) gets the same image
    runner = Interpreter(model_path=str(result.path / "generator.tflite")).get_signature_runner()
    tflite = runner(latent=reference_latents(seeds, gan.latent_dim))["images"]
    np.testing.assert_array_equal(tflite, served)
    # --n N --seed S and generate_n(N, S) are seeds S .. S+N-1
    block = loaded.signatures["generate_n"](num_images=tf.constant(3), seed=tf.constant(6, tf.int64))
    npz = tmp_path / "six.npz"
    assert CliRunner().invoke(cli, ["sample", "--run", str(trained_run), "--n", "3", "--seed", "6",
                                    "--out", str(npz)]).exit_code == 0
    np.testing.assert_array_equal(to_uint8(np.load(npz)["images"]), block["images"].numpy())
    assert np.array_equal(block["images"].numpy()[1], served[1])  # seed 7 again
    # generator.keras through keras_gan.load_generator, from the export or from the run
    import keras_gan

    for source in (result.path, trained_run):
        np.testing.assert_array_equal(keras_gan.load_generator(source).generate(seeds), served)


def test_load_generator_names_what_it_needs(tmp_path, exported):
    import keras_gan

    with pytest.raises(ConfigError, match="expected an export version folder with generator.keras"):
        keras_gan.load_generator(tmp_path)
    generator = keras_gan.load_generator(exported[0].path / "generator.keras")
    assert generator.task == "noise_to_image" and generator.latent_dim == 8
    with pytest.raises(ConfigError, match="not conditional"):
        generator.generate([0], label=1)
    meta = json.loads((exported[0].path / "generator.json").read_text())
    assert meta["seed_rule"].startswith("keras-gan") and meta["latent_dim"] == 8


class StandInHub:
    """huggingface_hub's HfApi as export uses it, recording instead of uploading."""

    calls: list = []

    def create_repo(self, repo_id, repo_type, exist_ok):
        self.calls.append(("create_repo", repo_id, repo_type, exist_ok))

    def upload_folder(self, folder_path, repo_id, repo_type, path_in_repo, commit_message):
        files = sorted(p.name for p in Path(folder_path).iterdir())
        card = (Path(folder_path) / "MODEL_CARD.md").read_text()
        self.calls.append(("upload_folder", repo_id, path_in_repo, files, card))

    def upload_file(self, path_or_fileobj, path_in_repo, repo_id, repo_type, commit_message):
        self.calls.append(("upload_file", repo_id, path_in_repo, Path(path_or_fileobj).read_text()))


def test_push_to_hub_uploads_the_verified_version_with_a_hub_card(trained_run, tmp_path, monkeypatch):
    import types

    hub = types.ModuleType("huggingface_hub")
    hub.HfApi = StandInHub
    StandInHub.calls = []
    monkeypatch.setitem(sys.modules, "huggingface_hub", hub)
    result = export_run(trained_run, options_for(tmp_path, formats=("saved_model",), push_to_hub="me/gan"))
    assert result.pushed == "https://huggingface.co/me/gan"
    (_, *create), (_, repo, path_in_repo, files, card), (_, _, readme, readme_text) = StandInHub.calls
    assert create == ["me/gan", "model", True] and repo == "me/gan" and path_in_repo is None
    assert readme == "README.md" and readme_text == card  # the Hub reads the card from README.md
    assert "saved_model.pb" in files and "samples.png" in files and "MODEL_CARD.md" in files
    assert card.startswith("---\nlibrary_name: keras\npipeline_tag: unconditional-image-generation\n")
    assert "![the images of seeds 0-15](samples.png)" in card and "## Intended use and limitations" in card
    # without huggingface_hub: the export is written, the push refused with what to install
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(ConfigError, match=r'pip install "keras-gan\[hub\]"'):
        export_run(trained_run, options_for(tmp_path, formats=("saved_model",), push_to_hub="me/gan"))
    with pytest.raises(ConfigError, match="Invalid push_to_hub: expected a Hugging Face model repository"):
        options_for(tmp_path, push_to_hub="no slash").validate()
