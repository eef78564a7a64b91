import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_gan.data import DATASETS, DataError, DataRequest, load_data, resolve_source, training_pipeline
from keras_gan.data.decode import decode_image, find_images
from keras_gan.data.folder import ImageFolder, load_folder
from keras_gan.data.pairs import PairedFolder
from keras_gan.data.pipeline import random_crop_flip, random_flip, steps_per_epoch
from keras_gan.data.tfds_source import TFDSSource
from keras_gan.data.tom_and_jerry import KAGGLE_URL, TomAndJerry
from tests.conftest import make_corrupt_files, write_image


def batches(fields, batch_size=4, seed=0, transform=None):
    """One epoch of batches (the pipeline itself is endless)."""
    dataset = training_pipeline(fields, batch_size, seed, transform=transform)
    count = len(next(iter(fields.values())))
    return list(dataset.take(steps_per_epoch(count, batch_size)).as_numpy_iterator())


def test_mnist_5k_is_offline_and_balanced():
    data = DATASETS.get("mnist_5k").load(DataRequest("mnist_5k", image_size=28))
    assert data.count == 5000 and data.channels == 1
    first = data.fields["image"][0]
    assert first.shape == (28, 28, 1) and first.dtype == np.uint8 and first.max() > 200


def test_pipeline_yields_float_dict_batches_in_range_with_partial_last_batch():
    images = np.random.default_rng(0).integers(0, 256, (10, 8, 8, 1), dtype=np.uint8)
    out = batches({"image": images, "label": np.arange(10, dtype=np.int32)})
    assert [b["image"].shape for b in out] == [(4, 8, 8, 1), (4, 8, 8, 1), (2, 8, 8, 1)]
    assert all(b["image"].dtype == np.float32 and -1 <= b["image"].min() <= b["image"].max() <= 1
               for b in out)
    assert sorted(np.concatenate([b["label"] for b in out]).tolist()) == list(range(10))


def test_pipeline_reshuffles_each_epoch_and_a_resumed_pipeline_repeats_the_order():
    images = np.arange(12, dtype=np.uint8).reshape(12, 1, 1, 1).repeat(4, 1).repeat(4, 2)
    fields = {"image": images}
    epochs = iter(training_pipeline(fields, 12, seed=0))
    first, second, third = (next(epochs)["image"].numpy()[:, 0, 0, 0] for _ in range(3))
    assert sorted(first.tolist()) == sorted(second.tolist()) and not np.array_equal(first, second)
    resumed = iter(training_pipeline(fields, 12, seed=0, first_epoch=1))
    assert np.array_equal(next(resumed)["image"].numpy()[:, 0, 0, 0], second)
    assert np.array_equal(next(resumed)["image"].numpy()[:, 0, 0, 0], third)


def test_random_crops_and_flips_are_the_same_for_both_images_of_a_pair_and_repeat_on_resume():
    rng = np.random.default_rng(0)
    source = rng.integers(0, 256, (6, 12, 12, 3), dtype=np.uint8)
    fields = {"source": source, "target": source[..., :1].copy()}  # target: source's first channel
    out = batches(fields, batch_size=3, transform=random_crop_flip(8))
    for batch in out:
        assert batch["source"].shape == (3, 8, 8, 3) and batch["target"].shape == (3, 8, 8, 1)
        np.testing.assert_array_equal(batch["source"][..., :1], batch["target"])
    crops = {tuple(b["source"][i, 0, 0]) for b in out for i in range(3)}
    assert len(crops) > 1  # not one fixed window
    again = batches(fields, batch_size=3, transform=random_crop_flip(8))
    assert all(np.array_equal(a["source"], b["source"]) for a, b in zip(out, again))
    later = training_pipeline(fields, 3, 0, first_epoch=0, transform=random_crop_flip(8)).skip(1)
    np.testing.assert_array_equal(next(iter(later))["source"].numpy(), out[1]["source"])


def test_x_flip_mirrors_about_half_the_images_differently_each_epoch_and_repeats_on_resume():
    ramp = np.tile(np.arange(8, dtype=np.uint8) * 30, (8, 1))[None, :, :, None]  # dark left
    images = np.repeat(ramp, 64, axis=0)
    fields = {"image": images, "label": np.arange(64, dtype=np.int32)}
    epochs = iter(training_pipeline(fields, 64, seed=0, transform=random_flip))
    flips = []
    for _ in range(2):
        batch = {k: v.numpy() for k, v in next(epochs).items()}
        mirrored = batch["image"][:, 0, 0, 0] > batch["image"][:, 0, -1, 0]  # bright left now
        plain = np.isclose(batch["image"], images[:1] / 127.5 - 1).all(axis=(1, 2, 3))
        assert (mirrored | plain).all()  # each image as it was or exactly mirrored
        assert 16 <= mirrored.sum() <= 48  # about half
        flips.append(dict(zip(batch["label"].tolist(), mirrored.tolist())))
    assert flips[0] != flips[1]  # a new draw every epoch, labels untouched
    resumed = next(iter(training_pipeline(fields, 64, seed=0, first_epoch=1, transform=random_flip)))
    again = resumed["image"].numpy()[:, 0, 0, 0] > resumed["image"].numpy()[:, 0, -1, 0]
    assert dict(zip(resumed["label"].numpy().tolist(), again.tolist())) == flips[1]


def test_folder_skips_and_counts_corrupt_files_and_mixes_modes(tmp_path):
    write_image(tmp_path / "a.jpg", size=(40, 20), mode="RGB")
    write_image(tmp_path / "sub" / "b.png", size=(9, 30), mode="L")
    write_image(tmp_path / "sub" / "c.png", mode="RGBA")
    write_image(tmp_path / "d.gif", mode="P")
    write_image(tmp_path / "e.jpg", mode="CMYK")
    write_image(tmp_path / "f.BMP", mode="RGB", fmt="BMP")
    (tmp_path / "notes.txt").write_text("not an image")
    bad = make_corrupt_files(tmp_path / "bad")
    data = load_folder(tmp_path, 16, None, "test")
    assert data.count == 6 and data.channels == 3
    assert sorted(p for p, _ in data.skipped) == sorted(str(p) for p in bad)
    assert dict(data.skipped)[str(tmp_path / "bad" / "empty.jpg")] == "empty file"
    assert batches(data.fields, batch_size=6)[0]["image"].shape == (6, 16, 16, 3)


def test_decoded_folders_are_memory_mapped_from_the_cache(tmp_path):
    for i in range(3):
        write_image(tmp_path / "images" / f"{i}.png", seed=i)
    data = load_folder(tmp_path / "images", 8, None, "x")
    assert isinstance(data.fields["image"], np.memmap)  # read as needed, never all in memory
    assert data.fields["image"].shape == (3, 8, 8, 3)


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
    assert load_folder(tmp_path, 8, None, "gray").channels == 1
    rgb = load_folder(tmp_path, 8, 3, "gray as rgb")
    assert rgb.channels == 3 and rgb.fields["image"].shape == (3, 8, 8, 3)


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
    data = TomAndJerry().load(DataRequest("tom_and_jerry", str(tom_and_jerry_dir), 16))
    assert data.count == 12 and data.channels == 3 and len(data.skipped) == 3
    assert data.fields["image"].shape[1:] == (16, 16, 3)


def test_tom_and_jerry_missing_says_where_to_get_it(tmp_path):
    with pytest.raises(DataError) as err:
        TomAndJerry().load(DataRequest("tom_and_jerry", str(tmp_path / "nowhere"), 16))
    assert KAGGLE_URL in str(err.value) and "unzip" in str(err.value)


def test_resolve_source_order_and_layouts(tmp_path):
    assert resolve_source("mnist_5k") is DATASETS.get("mnist_5k")
    assert isinstance(resolve_source(str(tmp_path)), ImageFolder)
    assert isinstance(resolve_source(str(tmp_path), "pairs"), PairedFolder)
    assert isinstance(resolve_source("cifar10"), TFDSSource)
    with pytest.raises(DataError, match="expected pairs .*mnist_outline.*Received: data='mnist_5k'"):
        resolve_source("mnist_5k", "pairs")
    with pytest.raises(DataError, match="expected images .*Received: data='mnist_outline'"):
        resolve_source("mnist_outline")


def test_tfds_source_with_mock_data(tmp_path):
    source = TFDSSource()
    assert source.native_size("cifar10", str(tmp_path)) == 32
    with tfds.testing.mock_data(num_examples=6):
        data = source.load(DataRequest("cifar10", str(tmp_path), 8))
    assert data.count == 6 and data.channels == 3
    assert batches(data.fields, batch_size=6)[0]["image"].shape == (6, 8, 8, 3)


def test_tfds_source_converts_channels(tmp_path):
    with tfds.testing.mock_data(num_examples=4):
        assert load_data(DataRequest("mnist", str(tmp_path), 8)).channels == 1
        rgb = load_data(DataRequest("mnist", str(tmp_path), 8, channels=3))
    assert rgb.fields["image"].shape == (4, 8, 8, 3)


def test_tfds_not_prepared_offline_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="not prepared.*does not download"):
        TFDSSource().load(DataRequest("mnist", str(tmp_path), 28))


def test_unknown_dataset_name(tmp_path):
    with pytest.raises(DataError, match="Unknown dataset 'no_such_data'"):
        TFDSSource().native_size("no_such_data", str(tmp_path))


def test_find_images_is_case_insensitive_and_sorted(tmp_path):
    for name in ["b.PNG", "a.jpeg", "c.txt"]:
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in find_images(tmp_path)] == ["a.jpeg", "b.PNG"]


@pytest.mark.parametrize("fmt, suffix", [("WEBP", ".webp"), ("TIFF", ".tif"), ("TIFF", ".TIFF")])
def test_webp_and_tiff_folders_are_found_and_decoded(tmp_path, fmt, suffix):
    """Product photos often come as WebP, scans as TIFF: a folder of them is data too."""
    path = tmp_path / f"picture{suffix}"
    write_image(path, size=(24, 20), fmt=fmt)
    assert find_images(tmp_path) == [path]
    pixels = decode_image(path, 16)
    assert pixels.shape == (16, 16, 3) and pixels.dtype == np.uint8 and pixels.std() > 0


def test_large_data_streams_through_numpy_with_the_same_batches(monkeypatch):
    from keras_gan.data import pipeline

    rng = np.random.default_rng(3)
    fields = {"image": rng.integers(0, 256, (11, 4, 4, 3), dtype=np.uint8),
              "label": np.arange(11, dtype=np.int32)}
    in_memory = batches(fields, batch_size=4, transform=None)
    monkeypatch.setattr(pipeline, "IN_MEMORY_BYTES", 0)  # as if larger than memory
    streamed = batches(fields, batch_size=4)
    for a, b in zip(in_memory, streamed, strict=True):
        np.testing.assert_array_equal(a["image"], b["image"])
        np.testing.assert_array_equal(a["label"], b["label"])


def test_an_animated_gif_is_read_as_its_first_frame_with_a_warning(tmp_path, caplog):
    """translate and upscale read one picture per file: the warning names the file and
    its frame count, and the picture is the first frame."""
    from PIL import Image

    from keras_gan.commands.translate import read_picture
    from keras_gan.commands.upscale import read_hires

    frames = [Image.new("RGB", (12, 10), colour) for colour in ((255, 255, 255), (0, 0, 0))]
    path = tmp_path / "moving.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    for read in (lambda p: read_picture(p, 3), read_hires):
        caplog.clear()
        with caplog.at_level("WARNING", logger="keras_gan.data.decode"):
            picture = read(path)
        assert f"{path} is animated (2 frames): only its first frame is used" in caplog.text
        assert np.asarray(getattr(picture, "colour", picture)).min() > 0  # white, not black
    still = tmp_path / "still.gif"
    frames[0].save(still)
    with caplog.at_level("WARNING", logger="keras_gan.data.decode"):
        caplog.clear()
        read_picture(still, 3)
    assert "animated" not in caplog.text
