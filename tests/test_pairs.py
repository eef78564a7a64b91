"""Paired image folders (A/ + B/, side-by-side A|B, train/ + val/) and mnist_outline."""

import numpy as np
import pytest
from PIL import Image

from keras_gan.data import DATASETS, DataError, DataRequest
from keras_gan.data.pairs import held_out, load_pairs
from tests.conftest import blobs


def save(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def ab_folder(root, count=10, size=16):
    pictures = blobs(count, size, seed=1)
    for i, picture in enumerate(pictures):
        sub = "x" if i % 2 else "y"
        save(root / "A" / sub / f"{i}.png", picture)
        save(root / "B" / sub / f"{i}.bmp", 255 - picture)
    return pictures


def request(root, **changes):
    return DataRequest(str(root), image_size=8, **changes)


def test_a_and_b_files_pair_by_path_and_the_split_is_stable(tmp_path):
    ab_folder(tmp_path, count=20)
    data = load_pairs(tmp_path, request(tmp_path))
    assert data.count + len(data.heldout["source"]) == 20 and not data.skipped
    assert data.fields["source"].shape[1:] == (8, 8, 3)
    names = [f"{'x' if i % 2 else 'y'}/{i}" for i in range(20)]
    assert len(data.heldout["source"]) == max(1, sum(held_out(n, 0.1) for n in names))
    # B is A inverted: every pair stays together through decoding (within rounding)
    both = np.concatenate([data.fields["source"], data.heldout["source"]]).astype(int)
    targets = np.concatenate([data.fields["target"], data.heldout["target"]]).astype(int)
    assert np.abs(255 - both - targets).max() <= 1


def test_partners_missing_duplicated_or_unreadable_are_skipped_and_named(tmp_path):
    ab_folder(tmp_path, count=6)
    save(tmp_path / "A" / "x" / "lonely.png", blobs(1, 16)[0])
    save(tmp_path / "A" / "y" / "0.jpg", blobs(1, 16)[0])  # a second file named y/0 in A/
    (tmp_path / "B" / "x" / "1.bmp").write_bytes(b"not an image")
    data = load_pairs(tmp_path, request(tmp_path))
    reasons = dict(data.skipped)
    assert "no partner: expected B/x/lonely.<ext>" in reasons[str(tmp_path / "A" / "x" / "lonely.png")]
    assert "2 files named y/0 in A/" in reasons[str(tmp_path / "A" / "y" / "0.jpg")]
    assert "UnidentifiedImageError" in reasons[str(tmp_path / "B" / "x" / "1.bmp")]
    assert data.count + len(data.heldout["source"]) == 4  # 6 - y/0 - x/1


def test_side_by_side_files_split_into_halves_and_files_of_another_shape_are_skipped(tmp_path):
    pictures = blobs(6, 16, seed=2)
    for i, picture in enumerate(pictures):
        save(tmp_path / "train" / f"{i}.png", np.concatenate([picture, 255 - picture], axis=1))
    save(tmp_path / "train" / "odd.png", np.zeros((16, 33, 3), np.uint8))  # a pixel over: a pair
    save(tmp_path / "train" / "square.png", np.zeros((16, 16, 3), np.uint8))
    save(tmp_path / "val" / "v.png", np.concatenate([pictures[0], pictures[1]], axis=1))
    data = load_pairs(tmp_path, DataRequest(str(tmp_path), image_size=16))
    assert data.count == 7 and len(data.heldout["source"]) == 1  # val/ is the held-out split
    np.testing.assert_array_equal(data.heldout["source"][0], pictures[0])
    np.testing.assert_array_equal(data.heldout["target"][0], pictures[1])
    assert "not a side-by-side A|B file (16x16" in dict(data.skipped)[str(tmp_path / "train" / "square.png")]


def test_a_and_b_folders_are_found_in_any_case(tmp_path):
    for i, picture in enumerate(blobs(6, 16)):
        save(tmp_path / "a" / f"{i}.png", picture)
        save(tmp_path / "B" / f"{i}.png", 255 - picture)
    data = load_pairs(tmp_path, request(tmp_path))
    assert data.count + len(data.heldout["source"]) == 6 and not data.skipped
    assert data.fields["source"].shape[1:] == (8, 8, 3)  # a whole square image, not its half


@pytest.mark.parametrize("folders, found", [
    (("input", "target"), "subfolders input/, target/ and 8 image files (e.g. input/0.png, 16x16)"),
    (("A",), "subfolders A/ and 4 image files (e.g. A/0.png, 16x16)"),
    (("",), "no subfolders and 4 image files (e.g. 0.png, 16x16)"),
])
def test_a_folder_in_neither_pair_layout_is_refused_with_the_layouts_and_what_it_holds(
        tmp_path, folders, found):
    for folder in folders:  # square images: side by side, each would be cut in half
        for i, picture in enumerate(blobs(4, 16)):
            save(tmp_path / folder / f"{i}.png", picture)
    with pytest.raises(DataError) as error:
        load_pairs(tmp_path, request(tmp_path))
    message = str(error.value)
    assert "expected a folder of image pairs: A/ and B/ subfolders (any case)" in message
    assert "side-by-side A|B files, each about twice as wide as high" in message
    assert found in message


def test_direction_swaps_source_and_target_and_load_size_stores_larger_training_pairs(tmp_path):
    ab_folder(tmp_path, count=8)
    a_to_b = load_pairs(tmp_path, request(tmp_path, load_size=10))
    b_to_a = load_pairs(tmp_path, request(tmp_path, load_size=10, direction="BtoA"))
    assert a_to_b.fields["source"].shape[1:] == (10, 10, 3)  # random 8 px crops come from these
    assert a_to_b.heldout["source"].shape[1:] == (8, 8, 3)  # held out: the training size
    np.testing.assert_array_equal(a_to_b.fields["source"], b_to_a.fields["target"])


def test_channels_follow_each_side(tmp_path):
    for i, picture in enumerate(blobs(4, 16)):
        save(tmp_path / "A" / f"{i}.png", picture)
        save(tmp_path / "B" / f"{i}.png", picture[..., 0])  # grey
    data = load_pairs(tmp_path, request(tmp_path))
    assert (data.source_channels, data.channels) == (3, 1)


def test_too_few_pairs_is_a_clear_error(tmp_path):
    save(tmp_path / "A" / "a.png", blobs(1, 16)[0])
    save(tmp_path / "B" / "b.png", blobs(1, 16)[0])
    with pytest.raises(DataError, match="at least 2 image pairs.*2 files without a partner"):
        load_pairs(tmp_path, request(tmp_path))


def test_mnist_outline_pairs_an_outline_with_its_filled_digit():
    data = DATASETS.get("mnist_outline").load(DataRequest("mnist_outline", image_size=28))
    assert data.count + len(data.heldout["source"]) == 1000  # 100 digits per class
    assert 70 < len(data.heldout["source"]) < 130
    outline, filled = data.fields["source"][:50] > 127, data.fields["target"][:50] > 127
    assert (outline & ~filled).sum() == 0  # the outline lies on the digit
    assert filled.sum() > 1.5 * outline.sum()  # and the digit has an inside to fill


def test_check_data_reports_the_pairs_and_the_files_without_a_partner(tmp_path):
    from click.testing import CliRunner

    from keras_gan.cli.app import cli

    ab_folder(tmp_path, count=6)
    save(tmp_path / "B" / "x" / "extra.png", blobs(1, 16)[0])
    result = CliRunner().invoke(cli, ["check-data", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "12 of 13 images readable, 1 skipped" in result.output
    assert "5 pairs for training and 1 held out" in result.output
    assert "extra.png: no partner: expected A/x/extra.<ext>" in result.output


def test_check_data_counts_the_pairs_that_training_uses(tmp_path):
    from click.testing import CliRunner

    from keras_gan.cli.app import cli

    ab_folder(tmp_path, count=9)
    (tmp_path / "B" / "x" / "1.bmp").write_bytes(b"not an image")  # both sides listed, one unreadable
    save(tmp_path / "A" / "y" / "2.png", np.zeros((4, 4, 3), np.uint8))  # too small to train on
    data = load_pairs(tmp_path, request(tmp_path), cache=False)
    trained = (data.count, len(data.heldout["source"]))
    assert sum(trained) == 7
    result = CliRunner().invoke(cli, ["check-data", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"{trained[0]} pairs for training and {trained[1]} held out" in result.output


def test_translate_plans_outputs_by_relative_path_and_refuses_collisions(tmp_path):
    from keras_gan.errors import ConfigError
    from keras_gan.commands.translate import plan

    save(tmp_path / "in" / "a.jpg", blobs(1, 16)[0])
    save(tmp_path / "in" / "deep" / "b.png", blobs(1, 16)[0])
    save(tmp_path / "c.bmp", blobs(1, 16)[0])
    planned = plan([tmp_path / "in", tmp_path / "c.bmp"], tmp_path / "out")
    assert [(s.name, t.relative_to(tmp_path / "out").as_posix()) for s, t in planned] == [
        ("a.jpg", "a.png"), ("b.png", "deep/b.png"), ("c.bmp", "c.png")]
    save(tmp_path / "in" / "a.png", blobs(1, 16)[0])
    with pytest.raises(ConfigError, match="a.jpg and .*a.png would both be written to .*a.png"):
        plan([tmp_path / "in"], tmp_path / "out")
