import stat

import pytest

from keras_gan.fileio import FILE_MODE, atomic_path, write_text_atomic


def test_atomic_write_replaces_and_uses_normal_permissions(tmp_path):
    target = tmp_path / "sub" / "config.json"
    write_text_atomic(target, "old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == FILE_MODE
    assert [p.name for p in target.parent.iterdir()] == ["config.json"]


def test_failed_write_keeps_the_previous_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "epoch_0001.weights.h5"
    target.write_bytes(b"good checkpoint")
    with pytest.raises(OSError):
        with atomic_path(target) as tmp:
            assert tmp.name.endswith(".weights.h5")  # writers that check the suffix still work
            tmp.write_bytes(b"half a")
            raise OSError("disk full")
    assert target.read_bytes() == b"good checkpoint"
    assert [p.name for p in tmp_path.iterdir()] == ["epoch_0001.weights.h5"]
