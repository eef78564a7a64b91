"""Conditional GANs: labels from every source, class rows in grids, sample --label, export."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli
from keras_gan.config import ConfigError
from keras_gan.data import DATASETS, DataRequest
from keras_gan.data.tfds_source import TFDSSource
from keras_gan.data.tom_and_jerry import TomAndJerry
from keras_gan.training.factory import build_model
from keras_gan.training.run import run_training
from tests.conftest import tiny_config, write_image


def test_mnist_5k_has_ten_balanced_digit_labels():
    loaded = DATASETS.get("mnist_5k").load(DataRequest("mnist_5k", image_size=28))
    assert loaded.class_names == tuple("0123456789")
    assert np.bincount(loaded.labels).tolist() == [500] * 10


def test_folder_classes_are_subfolder_names_aligned_after_skipped_files(tom_and_jerry_dir):
    loaded = TomAndJerry().load(DataRequest("tom_and_jerry", str(tom_and_jerry_dir), 16))
    assert loaded.class_names == ("jerry", "tom", "tom_jerry_0", "tom_jerry_1")
    assert len(loaded.skipped) == 3 and len(loaded.labels) == loaded.count == 12
    assert np.bincount(loaded.labels).tolist() == [3, 3, 3, 3]  # corrupt files took no label


def test_tfds_labels_come_from_the_class_label_feature(tmp_path):
    with tfds.testing.mock_data(num_examples=6):
        loaded = TFDSSource().load(DataRequest("mnist", str(tmp_path), 8, labels=True))
    assert loaded.class_names == tuple(str(i) for i in range(10))
    assert len(loaded.labels) == 6 and loaded.labels.dtype == np.int32
    assert loaded.labels.min() >= 0 and loaded.labels.max() < 10


def test_conditional_on_unlabelled_data_says_what_is_needed(tmp_path):
    for i in range(4):
        write_image(tmp_path / "flat" / f"{i}.png", size=(12, 12), seed=i)
    config = tiny_config(tmp_path, data=tmp_path / "flat", batch_size=2).replace(
        model={"conditional": True})
    with pytest.raises(ConfigError, match="conditional.*one subfolder per class.*no labels"):
        run_training(config, verbose=0)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_projection_discriminator_and_generator_depend_on_the_label(tmp_path):
    config = tiny_config(tmp_path, family="dcgan").replace(
        data={"channels": 1}, model={"conditional": True, "num_classes": 3})
    gan = build_model(config)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
    projection = gan.discriminator.get_layer("label_projection").embeddings
    projection.assign(np.random.default_rng(1).normal(0, 1, projection.shape).astype("float32"))
    logits = [gan.discriminator([images, np.full(2, k, "int32")]).numpy() for k in range(3)]
    assert not np.allclose(logits[0], logits[1])
    a, b = gan.generate(2, seed=0, labels=0), gan.generate(2, seed=0, labels=2)
    assert not np.allclose(a, b)


def test_conditional_run_grid_has_one_row_per_class_and_sample_takes_a_label(tmp_path):
    config = tiny_config(tmp_path, epochs=1, batch_size=64).replace(model={"conditional": True})
    result = run_training(config, verbose=0)
    saved = result.config
    assert saved.model.num_classes == 10 and saved.data.class_names == tuple("0123456789")
    with Image.open(result.run_dir / "samples" / "epoch_0001.png") as grid:
        width, height = grid.size
    cell = 8 + 2  # 8 px images, 2 px padding, grid_size 2 columns, 10 rows, then upscaled
    assert height / width == pytest.approx((10 * cell + 2) / (2 * cell + 2))

    runner = CliRunner()
    outs = {}
    for label in ("3", "7"):
        out = tmp_path / f"label{label}.npz"
        done = runner.invoke(cli, ["sample", "--run", str(result.run_dir), "--label", label,
                                   "--n", "4", "--out", str(out)])
        assert done.exit_code == 0, done.output
        outs[label] = np.load(out)
    assert (outs["3"]["labels"] == 3).all() and (outs["7"]["labels"] == 7).all()
    np.testing.assert_array_equal(outs["3"]["latents"], outs["7"]["latents"])
    assert not np.allclose(outs["3"]["images"], outs["7"]["images"])
    bad = runner.invoke(cli, ["sample", "--run", str(result.run_dir), "--label", "12"])
    assert bad.exit_code == 1 and "Invalid label: expected a class index 0-9" in bad.output


def test_label_on_an_unconditional_run_is_refused(tmp_path):
    result = run_training(tiny_config(tmp_path, batch_size=64), verbose=0)
    bad = CliRunner().invoke(cli, ["sample", "--run", str(result.run_dir), "--label", "3"])
    assert bad.exit_code == 1 and "this run is not conditional" in bad.output


def test_exported_signatures_take_a_label_and_reject_unknown_classes(tmp_path):
    from keras_gan.config import ExportConfig
    from keras_gan.commands.export import export_run

    result = run_training(tiny_config(tmp_path, batch_size=64).replace(
        model={"conditional": True}), verbose=0)
    exported = export_run(result.run_dir, ExportConfig(out=str(tmp_path / "export"),
                                                       formats=("saved_model",)))
    model = tf.saved_model.load(str(exported.path))
    serve = model.signatures["serving_default"]
    assert set(serve.structured_input_signature[1]) == {"latent", "label"}
    latent = tf.constant(np.random.default_rng(0).standard_normal((2, 8)), tf.float32)
    one = serve(latent=latent, label=tf.constant([1, 1]))["images_float"].numpy()
    other = serve(latent=latent, label=tf.constant([4, 4]))["images_float"].numpy()
    assert not np.allclose(one, other)
    n = model.signatures["generate_n"](num_images=tf.constant(3), seed=tf.constant(0, tf.int64),
                                       label=tf.constant(5))
    assert n["images"].shape[0] == 3
    with pytest.raises(tf.errors.InvalidArgumentError, match="label must be < 10"):
        serve(latent=latent, label=tf.constant([10, 0]))
    assert "| 9 | 9 |" in (exported.path / "MODEL_CARD.md").read_text()
