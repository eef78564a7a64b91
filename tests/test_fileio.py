import stat

import pytest

from keras_gan.io.files import FILE_MODE, atomic_path, write_text_atomic


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


def test_cannot_write_errors_become_one_message_naming_the_place(tmp_path):
    import errno

    from keras_gan.io.files import WriteError, writing

    class ResourceExhaustedError(Exception):  # TensorFlow's name, as tf.saved_model.save raises it
        pass

    with pytest.raises(WriteError, match=f"Cannot write to {tmp_path / 'x.png'}: read-only file "
                                         "system. Make it writable, or write somewhere else."):
        with atomic_path(tmp_path / "x.png"):
            raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / ".x.png.tmp"))
    with pytest.raises(WriteError, match=r"Cannot write to .*/out: no space left on the device "
                                         r"\([\d,.]+ MB free\)\. Free some space there, or pass --out"):
        try:
            with writing(tmp_path / "out"):
                raise ResourceExhaustedError("out/variables; No space left on device")
        except WriteError as err:
            raise err.or_else("pass --out a folder elsewhere")
    with pytest.raises(FileNotFoundError):  # not a "cannot write": a bug keeps its traceback
        with writing(tmp_path):
            raise FileNotFoundError(errno.ENOENT, "gone")
    assert [p.name for p in tmp_path.iterdir()] == []
