"""The user cache: decoded image folders are reused, invalidated by any file change, and a
damaged or unwritable cache never stops training."""

import os

import numpy as np
import pytest

from keras_gan.data import cache
from keras_gan.data import folder
from keras_gan.data.decode import try_decode
from keras_gan.data.folder import load_folder
from tests.conftest import make_corrupt_files, write_image


@pytest.fixture
def images_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    root = tmp_path / "images"
    for cls in ("cats", "dogs"):
        for i in range(3):
            write_image(root / cls / f"{i}.png", size=(20, 16), seed=i + 10 * len(cls))
    make_corrupt_files(root / "cats")
    return root


def count_decodes(monkeypatch):
    calls = []
    monkeypatch.setattr(folder, "try_decode", lambda p, *args: calls.append(p) or try_decode(p, *args))
    return calls


def as_arrays(loaded):
    return np.asarray(loaded.fields["image"])


def test_a_second_load_reuses_the_decoded_images(images_dir, monkeypatch):
    calls = count_decodes(monkeypatch)
    first = load_folder(images_dir, 8, None, "folder")
    assert len(calls) == 9  # 6 images + 3 corrupt files
    second = load_folder(images_dir, 8, None, "folder")
    assert len(calls) == 9  # nothing decoded again
    np.testing.assert_array_equal(as_arrays(first), as_arrays(second))
    np.testing.assert_array_equal(first.labels, second.labels)
    assert isinstance(second.fields["image"], np.memmap)  # read from the cache, not decoded
    assert (second.channels, second.class_names) == (first.channels, ("cats", "dogs"))
    assert second.skipped == first.skipped and len(second.skipped) == 3
    load_folder(images_dir, 16, None, "folder")  # another size is another entry
    assert len(calls) == 18


def test_any_changed_file_invalidates_the_entry(images_dir, monkeypatch):
    calls = count_decodes(monkeypatch)
    load_folder(images_dir, 8, None, "folder")
    changed = images_dir / "dogs" / "0.png"
    write_image(changed, size=(20, 16), seed=99)
    os.utime(changed, ns=(1, 1))  # even with an old mtime: the size/ctime differ
    reloaded = load_folder(images_dir, 8, None, "folder")
    assert len(calls) == 18
    (images_dir / "dogs" / "1.png").unlink()
    assert load_folder(images_dir, 8, None, "folder").count == reloaded.count - 1


def test_a_damaged_entry_is_rebuilt_and_an_unwritable_cache_only_warns(images_dir, monkeypatch,
                                                                         caplog, tmp_path):
    calls = count_decodes(monkeypatch)
    load_folder(images_dir, 8, None, "folder")
    (entry,) = [p for p in (tmp_path / "cache" / "data").iterdir() if not p.name.startswith(".")]
    (entry / "meta.json").write_text("{not json")
    loaded = load_folder(images_dir, 8, None, "folder")
    assert loaded.count == 6 and len(calls) == 18
    assert "unreadable" in caplog.text
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker))  # a file where the folder should be
    assert load_folder(images_dir, 8, None, "folder").count == 6
    assert "Could not write cache entry" in caplog.text


def test_uncached_loads_decode_every_time(images_dir, monkeypatch, tmp_path):
    calls = count_decodes(monkeypatch)
    load_folder(images_dir, 8, None, "folder", cache=False)
    load_folder(images_dir, 8, None, "folder", cache=False)
    assert len(calls) == 18 and not (tmp_path / "cache").exists()


def test_two_processes_decoding_the_same_data_share_one_entry(images_dir, tmp_path):
    """Workers of a multi-worker run decode the same folder at once: whoever publishes
    second reads the first one's entry instead of deleting it under the other's feet."""
    first, second = cache.EntryWriter("data", "same"), cache.EntryWriter("data", "same")
    first.append("image", np.ones((2, 4, 4, 1), np.uint8))
    second.append("image", np.ones((2, 4, 4, 1), np.uint8))
    published, _ = first.finish({"who": "first"})
    arrays, meta = second.finish({"who": "second"})
    assert meta["who"] == "first" and np.array_equal(arrays["image"], published["image"])
    assert [p.name for p in (tmp_path / "cache" / "data").iterdir()] == ["same"]  # no leftovers
