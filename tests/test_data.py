import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_gan.data import DATASETS, DataError, resolve_source, training_pipeline
from keras_gan.data.pipeline import resized_pixels, steps_per_epoch
from keras_gan.data.folder import ImageFolder, decode_image, find_images, load_folder
from keras_gan.data.tfds_source import TFDSSource
from keras_gan.data.tom_and_jerry import KAGGLE_URL, TomAndJerry
from tests.conftest import make_corrupt_files, write_image


def batches(loaded, size, channels, batch_size=4, seed=0):
    """One epoch of batches (the pipeline itself is endless)."""
    dataset = training_pipeline(resized_pixels(loaded, size, channels), batch_size, seed)
    return list(dataset.take(steps_per_epoch(loaded.count, batch_size)).as_numpy_iterator())


def test_mnist_5k_is_offline_and_balanced():
    loaded = DATASETS.get("mnist_5k").load("mnist_5k", None, 28, None)
    assert loaded.count == 5000 and loaded.channels == 1
    first = next(iter(loaded.images)).numpy()
    assert first.shape == (28, 28, 1) and first.dtype == np.uint8 and first.max() > 200


def test_pipeline_yields_float_batches_in_range_with_partial_last_batch():
    images = np.random.default_rng(0).integers(0, 256, (10, 28, 28, 1), dtype=np.uint8)
    loaded = DATASETS.get("mnist_5k").load("mnist_5k", None, 28, None)
    loaded.images, loaded.count = tf.data.Dataset.from_tensor_slices(images), 10
    out = batches(loaded, 32, 1)
    assert [b.shape for b in out] == [(4, 32, 32, 1), (4, 32, 32, 1), (2, 32, 32, 1)]
    assert all(b.dtype == np.float32 and b.min() >= -1 and b.max() <= 1 for b in out)


def test_pipeline_reshuffles_each_epoch_and_a_resumed_pipeline_repeats_the_order():
    images = np.arange(12, dtype=np.uint8).reshape(12, 1, 1, 1).repeat(4, 1).repeat(4, 2)
    loaded = DATASETS.get("mnist_5k").load("mnist_5k", None, 28, None)
    loaded.images, loaded.count = tf.data.Dataset.from_tensor_slices(images), 12
    epochs = iter(training_pipeline(resized_pixels(loaded, 4, 1), 12, seed=0))
    first, second, third = (next(epochs).numpy()[:, 0, 0, 0] for _ in range(3))
    assert sorted(first.tolist()) == sorted(second.tolist()) and not np.array_equal(first, second)
    resumed = iter(training_pipeline(resized_pixels(loaded, 4, 1), 12, seed=0, first_epoch=1))
    assert np.array_equal(next(resumed).numpy()[:, 0, 0, 0], second)
    assert np.array_equal(next(resumed).numpy()[:, 0, 0, 0], third)


def test_folder_skips_and_counts_corrupt_files_and_mixes_modes(tmp_path):
    write_image(tmp_path / "a.jpg", size=(40, 20), mode="RGB")
    write_image(tmp_path / "sub" / "b.png", size=(9, 30), mode="L")
    write_image(tmp_path / "sub" / "c.png", mode="RGBA")
    write_image(tmp_path / "d.gif", mode="P")
    write_image(tmp_path / "e.jpg", mode="CMYK")
    write_image(tmp_path / "f.BMP", mode="RGB", fmt="BMP")
    (tmp_path / "notes.txt").write_text("not an image")
    bad = make_corrupt_files(tmp_path / "bad")
    loaded = load_folder(tmp_path, 16, None, "test")
    assert loaded.count == 6 and loaded.channels == 3
    assert sorted(p for p, _ in loaded.skipped) == sorted(str(p) for p in bad)
    assert dict(loaded.skipped)[str(tmp_path / "bad" / "empty.jpg")] == "empty file"
    out = batches(loaded, 16, 3, batch_size=6)
    assert out[0].shape == (6, 16, 16, 3)


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path):
    from PIL import Image

    ramp = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "deep.png")
    array = decode_image(tmp_path / "deep.png", 8)
    assert array.shape == (8, 8, 1)
    assert array.min() < 10 and array.max() > 200  # not all saturated at 255


def test_grayscale_only_folder_trains_in_one_channel(tmp_path):
    for i in range(3):
        write_image(tmp_path / f"{i}.png", mode="L", seed=i)
    loaded = load_folder(tmp_path, 8, None, "gray")
    assert loaded.channels == 1
    rgb = load_folder(tmp_path, 8, 3, "gray as rgb")
    assert rgb.channels == 3 and next(iter(rgb.images)).shape == (8, 8, 3)


def test_center_crop_keeps_the_middle(tmp_path):
    from PIL import Image

    wide = np.zeros((10, 30, 3), np.uint8)
    wide[:, 10:20] = 255  # a white centre square between black side bands
    Image.fromarray(wide).save(tmp_path / "wide.png")
    assert decode_image(tmp_path / "wide.png", 10).min() > 240


def test_empty_and_all_corrupt_folders_are_clear_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="No images in .*searched recursively"):
        load_folder(tmp_path / "empty", 8, None, "x")
    make_corrupt_files(tmp_path / "bad")
    with pytest.raises(DataError, match="None of the 3 image files"):
        load_folder(tmp_path / "bad", 8, None, "x")


def test_tom_and_jerry_layout_is_found_recursively(tom_and_jerry_dir):
    loaded = TomAndJerry().load("tom_and_jerry", str(tom_and_jerry_dir), 16, None)
    assert loaded.count == 12 and loaded.channels == 3 and len(loaded.skipped) == 3
    assert next(iter(loaded.images)).shape == (16, 16, 3)


def test_tom_and_jerry_missing_says_where_to_get_it(tmp_path):
    with pytest.raises(DataError) as err:
        TomAndJerry().load("tom_and_jerry", str(tmp_path / "nowhere"), 16, None)
    assert KAGGLE_URL in str(err.value) and "unzip" in str(err.value)


def test_resolve_source_order(tmp_path):
    assert resolve_source("mnist_5k") is DATASETS.get("mnist_5k")
    assert isinstance(resolve_source(str(tmp_path)), ImageFolder)
    assert isinstance(resolve_source("cifar10"), TFDSSource)


def test_tfds_source_with_mock_data(tmp_path):
    source = TFDSSource()
    assert source.native_size("cifar10", str(tmp_path)) == 32
    with tfds.testing.mock_data(num_examples=6):
        loaded = source.load("cifar10", str(tmp_path), 8, None)
    assert loaded.count == 6 and loaded.channels == 3
    out = batches(loaded, 8, 3, batch_size=6)
    assert out[0].shape == (6, 8, 8, 3)


def test_tfds_source_converts_channels(tmp_path):
    with tfds.testing.mock_data(num_examples=4):
        loaded = TFDSSource().load("mnist", str(tmp_path), 8, None)
        assert loaded.channels == 1
        assert batches(loaded, 8, 3)[0].shape == (4, 8, 8, 3)


def test_tfds_not_prepared_offline_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="not prepared.*does not download"):
        TFDSSource().load("mnist", str(tmp_path), 28, None)


def test_unknown_dataset_name(tmp_path):
    with pytest.raises(DataError, match="Unknown dataset 'no_such_data'"):
        TFDSSource().native_size("no_such_data", str(tmp_path))


def test_find_images_is_case_insensitive_and_sorted(tmp_path):
    for name in ["b.PNG", "a.jpeg", "c.txt"]:
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in find_images(tmp_path)] == ["a.jpeg", "b.PNG"]
