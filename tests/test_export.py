import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner

from cli import cli
from keras_gan.config import ConfigError
from keras_gan.export import export_run, export_saved_model, folder_size
from keras_gan.train import run_training
from tests.conftest import tiny_config


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    config = tiny_config(tmp, arch="dcgan", epochs=1, batch_size=64).replace(
        data={"image_size": 16})
    return run_training(config, verbose=0).run_dir


@pytest.fixture(scope="module")
def exported(trained_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    return export_run(trained_run, out, name="digits"), out


def test_tf_serving_layout_versions_and_model_card(exported, trained_run):
    result, out = exported
    assert result.path == out / "digits" / "1"
    assert (result.path / "saved_model.pb").is_file() and (result.path / "variables").is_dir()
    assert [p.name for p in (out / "digits").iterdir() if p.name.startswith(".")] == []
    second = export_run(trained_run, out, name="digits")
    assert second.path.name == "2"
    card = (out / "digits" / "MODEL_CARD.md").read_text()
    assert "docker run" in card and '"signature_name": "generate_n", "inputs"' in card
    assert "| serving_default | 5 |" in card


def test_every_check_passes_at_two_batch_sizes(exported):
    result, _ = exported
    assert {(c.signature, c.batch_size) for c in result.checks} == {
        ("serving_default", 1), ("serving_default", 5), ("generate", 1), ("generate", 5)}
    assert all(c.max_abs_diff <= 1e-4 and c.max_uint8_diff <= 1 for c in result.checks)


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
    expected = np.clip(np.rint((gan.generator(latents, training=False).numpy() + 1) * 127.5), 0, 255)
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
    assert folder_size(result.path / "variables") < 1.2 * weight_bytes


def test_a_failure_mid_export_leaves_no_version_folder(trained_run, tmp_path, monkeypatch):
    from keras_gan.runs import load_run

    _, gan, _ = load_run(trained_run)
    original = tf.saved_model.save

    def save_then_die(obj, path, **kwargs):
        original(obj, path, **kwargs)
        raise KeyboardInterrupt  # Ctrl-C after the files are half way there

    monkeypatch.setattr(tf.saved_model, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        export_saved_model(gan.generator, gan.latent_dim, tmp_path / "m")
    assert list((tmp_path / "m").iterdir()) == []


def test_existing_version_is_refused(exported, trained_run):
    _, out = exported
    with pytest.raises(ConfigError, match="version=1 \\(exists"):
        export_run(trained_run, out, name="digits", version=1)


def test_cli_export_prints_the_verification_table(trained_run, tmp_path):
    result = CliRunner().invoke(cli, ["export", "--run", str(trained_run), "--out",
                                      str(tmp_path), "--name", "x"])
    assert result.exit_code == 0, result.output
    assert "serving_default" in result.output and "generate" in result.output
    assert (tmp_path / "x" / "1" / "saved_model.pb").is_file()
    bad = CliRunner().invoke(cli, ["export", "--run", str(trained_run), "--out", str(tmp_path),
                                   "--name", "../escape"])
    assert bad.exit_code == 1 and "Invalid name" in bad.output
