"""Places that cannot be written (read-only folders, full disks) are one paragraph naming the
path and what to do, for every command; a command that writes nothing it was asked to
write exits non-zero; counts printed are the files written.

Tests run as root, where chmod does not stop writes, so a read-only folder is simulated where
the file system says no: os.open and os.mkdir (under tempfile, pathlib and keras_gan.io.files)
fail with EROFS below it, as on a read-only mount."""

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import keras_gan.cli.app as cli
from keras_gan.training.checkpoints import save_checkpoint
from keras_gan.training.factory import build_model
from keras_gan.resolve import resolve
from keras_gan.runs import CONFIG
from tests.conftest import tiny_config, write_image

WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@pytest.fixture
def read_only(monkeypatch):
    """read_only(folder): every file or folder created below `folder` fails with EROFS."""
    folders = []
    real_open, real_mkdir = os.open, os.mkdir

    def below(path) -> bool:
        path = Path(os.fsdecode(path)).absolute()
        return any(path == f or f in path.parents for f in folders)

    def guarded_open(path, flags, *args, **kwargs):
        if flags & WRITES and below(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if below(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)
    return lambda folder: folders.append(Path(folder).absolute())


def untrained_run(root: Path, family: str) -> Path:
    """A run folder as `train` leaves it after its first checkpoint (no training needed
    to read, write or refuse outputs)."""
    config, _ = resolve(tiny_config(root, family=family))
    run_dir = root / f"run-{family}"
    save_checkpoint(build_model(config), run_dir / "checkpoints", 0, family, keep=3)
    (run_dir / CONFIG).write_text(config.to_json())
    return run_dir


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    return untrained_run(tmp_path_factory.mktemp("gan"), "gan")


def invoke(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args])


def assert_cannot_write(result, place: Path, reason="read-only file system"):
    assert result.exit_code == 1, result.output
    assert f"Error: Cannot write to {place}" in result.output and reason in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command, out", [
    (["sample", "--n", "4"], "grid.png"),
    (["sample", "--seeds", "0-2"], "seeds"),
    (["sample", "--n", "4"], "raw.npz"),
    (["interpolate", "--seeds", "0,1", "--steps", "2"], "walk.gif"),
    (["export", "--formats", "keras"], "export"),
])
def test_writing_into_a_read_only_folder_names_it_and_what_to_do(gan_run, tmp_path, read_only,
                                                                command, out):
    locked = tmp_path / "locked"
    locked.mkdir()
    read_only(locked)
    result = invoke(*command, "--run", gan_run, "--out", locked / out)
    assert_cannot_write(result, locked / out)
    assert "Make it writable, or pass --out a folder elsewhere." in result.output
    assert list(locked.iterdir()) == []


def test_sample_into_a_read_only_run_folder_says_so(gan_run, read_only):
    read_only(gan_run)
    result = invoke("sample", "--run", gan_run, "--n", "4")
    assert_cannot_write(result, gan_run / "samples")


def test_a_full_disk_names_the_free_space_and_the_way_out(gan_run, tmp_path, monkeypatch):
    def full(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and str(tmp_path) in os.fsdecode(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fsdecode(path))
        return real(path, flags, *args, **kwargs)

    real = os.open
    monkeypatch.setattr(os, "open", full)
    result = invoke("sample", "--run", gan_run, "--n", "4", "--out", tmp_path / "grid.png")
    assert_cannot_write(result, tmp_path / "grid.png", "no space left on the device (")
    assert "MB free). Free some space there, or pass --out a folder elsewhere." in result.output


def test_evaluate_prints_its_scores_before_the_read_only_run_folder_refuses_them(
        gan_run, read_only, monkeypatch):
    class Scores:  # the real metrics cost minutes; what matters is what happens after them
        def evaluate(self, model):
            return {"kid": 0.125, "n_generated": 4, "n_real": 4}

    monkeypatch.setattr("keras_gan.commands.evaluate.make_evaluator", lambda *args: Scores())
    read_only(gan_run)
    result = invoke("evaluate", "--run", gan_run, "--metrics", "kid")
    assert_cannot_write(result, gan_run / "evaluation.jsonl")
    assert "kid 0.125" in result.output
    assert result.output.index("kid 0.125") < result.output.index("Cannot write")
    assert "copy the run folder somewhere writable and evaluate the copy" in result.output
    assert "The scores above were not added to evaluation.jsonl." in result.output


def test_resume_of_a_read_only_run_folder_fails_before_any_training(gan_run, read_only, monkeypatch):
    def no_training(*args):
        raise AssertionError("trained although nothing could be saved")

    monkeypatch.setattr("keras_gan.training.run._resume", no_training)
    read_only(gan_run)
    result = invoke("train", "--resume", gan_run)
    assert_cannot_write(result, gan_run)
    assert (f"Make it writable, or copy the run folder somewhere writable and resume the copy "
            f"(cp -r {gan_run} COPY && keras-gan train --resume COPY).") in result.output


def test_resume_refuses_a_disk_without_room_for_the_next_checkpoint(gan_run, monkeypatch):
    import shutil

    usage = shutil.disk_usage(gan_run)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=1000))
    monkeypatch.setattr("keras_gan.training.run._resume", lambda *args: pytest.fail("trained"))
    result = invoke("train", "--resume", gan_run)
    assert_cannot_write(result, gan_run / "checkpoints", "not enough space for the next checkpoint")


def test_repeated_seeds_are_one_file_and_the_count_is_the_files_written(gan_run, tmp_path):
    result = invoke("sample", "--run", gan_run, "--seeds", "1,1,2", "--out", tmp_path / "seeds")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "seeds").iterdir()) == ["seed0001.png", "seed0002.png"]
    assert "Wrote 2 images (one per seed)" in result.output
    assert "1 repeated seed left out" in result.output


@pytest.mark.parametrize("family, command", [("pix2pix", "translate"), ("srgan", "upscale")])
def test_nothing_usable_to_translate_or_upscale_exits_1(tmp_path, family, command, read_only):
    run_dir = untrained_run(tmp_path, family)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "broken.png").write_bytes(b"not an image")
    (inputs / "empty.jpg").write_bytes(b"")
    result = invoke(command, "--run", run_dir, inputs, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "Wrote no images: none of the 2 inputs could be read (" in result.output
    assert "broken.png: UnidentifiedImageError" in result.output and "Traceback" not in result.output

    write_image(inputs / "good.png", size=(16, 16))  # one usable: written, counted, exit 0
    result = invoke(command, "--run", run_dir, inputs, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Wrote 1 image from" in result.output and "skipped 2 unreadable" in result.output

    read_only(tmp_path / "locked")
    result = invoke(command, "--run", run_dir, inputs / "good.png", "--out", tmp_path / "locked")
    assert_cannot_write(result, tmp_path / "locked")
    assert "Make it writable, or pass --out a folder elsewhere." in result.output
