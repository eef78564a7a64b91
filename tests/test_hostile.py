"""Hostile input: every bad file is skipped and counted, training finishes on the good ones."""

import errno
import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from keras_gan.data.folder import display_path
from keras_gan.io.files import WriteError
from keras_gan.training.run import run_training
from tests.conftest import tiny_config, write_image


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that claims width x height (a decompression bomb) but holds one tiny IDAT."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    return path


def hostile_folder(root: Path) -> tuple[int, dict[str, str]]:
    """Good images plus one of each hostile case; returns (good count, {name: expected reason})."""
    from PIL import Image

    for i in range(20):
        write_image(root / "good" / f"{i}.png", size=(16, 12), seed=i)
    sixteen = Image.fromarray((np.arange(256, dtype=np.uint16).reshape(16, 16) * 256))
    sixteen.save(root / "good" / "sixteen_bit.png")
    frames = [Image.new("RGB", (16, 16), color) for color in ("red", "blue")]
    frames[0].save(root / "good" / "animated.gif", save_all=True, append_images=frames[1:])
    write_image(root / "good" / "really_a_jpeg.png", size=(16, 16), fmt="JPEG")
    good = 23

    bad = root / "bad"
    bad.mkdir()
    expected = {}
    (bad / "random.jpg").write_bytes(np.random.default_rng(0).integers(0, 256, 500, np.uint8).tobytes())
    expected["random.jpg"] = "UnidentifiedImageError"
    (bad / "zero.png").write_bytes(b"")
    expected["zero.png"] = "empty file"
    jpeg = write_image(root / "tmp.jpg", size=(64, 64)).read_bytes()
    (bad / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    expected["truncated.jpg"] = "truncated"
    png = write_image(root / "tmp.png", size=(64, 64)).read_bytes()
    (bad / "truncated.png").write_bytes(png[: len(png) // 2])
    expected["truncated.png"] = "truncated"
    (root / "tmp.jpg").unlink()
    (root / "tmp.png").unlink()
    png_header_only(bad / "bomb.png", 30000, 30000)
    expected["bomb.png"] = "DecompressionBombError"
    write_image(bad / "one_pixel.png", size=(1, 1))
    expected["one_pixel.png"] = "too small (1x1"
    write_image(bad / "thin.png", size=(400, 10))
    expected["thin.png"] = "too thin (400x10"
    os.symlink(root, bad / "loop")  # a symlink back up the tree
    (bad / "folder.png").mkdir()  # a directory named like an image
    name = os.fsdecode(b"not_utf8_\xff.png")
    (bad / name).write_bytes(b"not an image at all")
    expected[name] = "UnidentifiedImageError"
    locked = write_image(bad / "locked.png", size=(16, 16))
    locked.chmod(0)
    if os.geteuid() != 0:  # root reads it anyway
        expected["locked.png"] = "PermissionError"
    else:
        good += 1
    return good, expected


def test_training_completes_on_the_good_images_and_reports_every_bad_one(tmp_path, caplog):
    good, expected = hostile_folder(tmp_path / "data")
    config = tiny_config(tmp_path, data=tmp_path / "data", epochs=1, batch_size=8)
    result = run_training(config, verbose=0)
    assert f"Skipped {len(expected)} of {good + len(expected)} image files" in caplog.text
    lines = (result.run_dir / "skipped_files.txt").read_text(errors="strict").splitlines()
    reasons = {Path(line.split("\t")[0]).name: line.split("\t")[1] for line in lines}
    def shown(name):  # how skipped_files.txt spells a non-UTF-8 name: not_utf8_\xff.png
        return display_path(name)

    assert set(reasons) == {shown(name) for name in expected}
    for name, reason in expected.items():
        assert reason in reasons[shown(name)], (name, reasons[shown(name)])
    assert (result.run_dir / "checkpoints" / "epoch_0001.weights.h5").is_file()
    assert result.history["d_loss"] and np.isfinite(result.history["d_loss"]).all()


def test_disk_full_during_a_checkpoint_keeps_the_previous_one(tmp_path, monkeypatch):
    from keras_gan.training.callbacks import GANCheckpoint
    from keras_gan.training.checkpoints import latest_checkpoint, restore
    from keras_gan.training.factory import build_model

    gan = build_model(tiny_config(tmp_path).replace(data={"channels": 1}))
    callback = GANCheckpoint(tmp_path / "ckpt", family="gan")
    callback.set_model(gan)
    callback.on_epoch_end(0, {"d_loss": 1.0, "g_loss": 1.0})
    good = (tmp_path / "ckpt" / "epoch_0001.weights.h5").read_bytes()

    monkeypatch.setattr("keras_gan.training.checkpoints.write_weights", full_disk)
    callback.on_epoch_end(1, {"d_loss": 1.0, "g_loss": 1.0})
    # the failure is kept for the trainer to report, and training stops after this step
    assert isinstance(callback.failed, WriteError) and gan.stop_training
    assert f"Cannot write to {tmp_path / 'ckpt' / 'epoch_0002.weights.h5'}: no space left" in str(callback.failed)
    files = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert files == ["epoch_0001.json", "epoch_0001.weights.h5", "latest.json"]
    assert (tmp_path / "ckpt" / "epoch_0001.weights.h5").read_bytes() == good
    assert json.loads((tmp_path / "ckpt" / "latest.json").read_text())["epoch"] == 1
    assert latest_checkpoint(tmp_path / "ckpt").name == "epoch_0001.weights.h5"
    monkeypatch.undo()
    assert restore(gan, tmp_path / "ckpt", "gan")[0].name == "epoch_0001.weights.h5"


def full_disk(gan, path, *args, **kwargs):
    """A weights writer on a disk that fills up half way through."""
    Path(path).write_bytes(b"\x89HDF half written")
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_mid_training_stops_at_that_step_and_the_run_resumes(tmp_path, monkeypatch):
    from keras_gan.training import checkpoints
    from keras_gan.training.history import read_history
    from keras_gan.training.run import resume_training

    real, calls = checkpoints.write_weights, []

    def fills_at_the_third(gan, path):  # epoch 0 and epoch 1 fit, epoch 2's does not
        calls.append(path)
        (real if len(calls) < 3 else full_disk)(gan, path)

    monkeypatch.setattr(checkpoints, "write_weights", fills_at_the_third)
    config = tiny_config(tmp_path, epochs=3).replace(run_dir=str(tmp_path / "run"))
    with pytest.raises(WriteError) as failed:
        run_training(config, verbose=0)
    run_dir = tmp_path / "run"
    message = str(failed.value)
    assert f"Cannot write to {run_dir / 'checkpoints' / 'epoch_0002.weights.h5'}: no space left" in message
    assert "its newest checkpoint, epoch_0001.weights.h5, is intact" in message
    assert f"then resume with: keras-gan train --resume {run_dir}" in message
    assert len(read_history(run_dir / "history.csv")["epoch"]) == 2  # no epoch after the failure
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == [
        "epoch_0000.json", "epoch_0000.weights.h5", "epoch_0001.json", "epoch_0001.weights.h5",
        "latest.json"]

    monkeypatch.undo()  # space freed
    result = resume_training(run_dir, verbose=0)
    assert not result.interrupted
    assert len(read_history(run_dir / "history.csv")["epoch"]) == 3


def test_too_little_free_space_refuses_a_checkpoint_before_writing_it(tmp_path, monkeypatch):
    import shutil

    from keras_gan.training.checkpoints import save_checkpoint
    from keras_gan.training.factory import build_model

    gan = build_model(tiny_config(tmp_path).replace(data={"channels": 1}))
    first = save_checkpoint(gan, tmp_path / "ckpt", 1, "gan", keep=3)
    size = first.stat().st_size
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=size // 2))
    with pytest.raises(WriteError, match=r"not enough space for a checkpoint \(it needs about "
                                         r"[\d.]+ MB; [\d.]+ MB free\)\. Free some space"):
        save_checkpoint(gan, tmp_path / "ckpt", 2, "gan", keep=3)
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == [
        "epoch_0001.json", "epoch_0001.weights.h5", "latest.json"]


FILE_SIZE_LIMIT = """
import resource, signal, sys, tempfile
from pathlib import Path
from keras_gan.training.checkpoints import save_checkpoint
from keras_gan.training.factory import build_model
from tests.conftest import tiny_config

gan = build_model(tiny_config(Path(tempfile.mkdtemp())).replace(data={"channels": 1}))
folder = Path(tempfile.mkdtemp())
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
try:
    save_checkpoint(gan, folder, 1, "gan", keep=3)
except Exception as err:
    print(type(err).__name__, err)
print(sorted(p.name for p in folder.iterdir()))
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="RLIMIT_FSIZE and SIGXFSZ as on Linux")
def test_a_checkpoint_write_that_fails_half_way_is_an_error_not_a_segfault():
    """HDF5 writing to a full disk crashed the process at exit (exit code 139); a file-size
    limit makes its writes fail the same way without filling a disk."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMIT], cwd=root, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "WriteError Cannot write to" in done.stdout and "file too large" in done.stdout
    assert done.stdout.strip().endswith("[]")  # no temporary or half file left


def test_check_data_reports_every_case_and_exits_by_usability(tmp_path):
    import shutil

    from click.testing import CliRunner

    from keras_gan.cli.app import cli

    good, expected = hostile_folder(tmp_path / "data")
    shutil.copy(tmp_path / "data" / "good" / "0.png", tmp_path / "data" / "copy_of_0.png")
    result = CliRunner().invoke(cli, ["check-data", "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    total = good + 1 + len(expected)
    assert f"{good + 1} of {total} images readable, {len(expected)} skipped, 1 exact duplicates" \
        in result.output
    assert "16x12 x21" in result.output and "identical: " in result.output
    assert "DecompressionBombError" in result.output and "too thin (400x10" in result.output
    assert "Modes: " in result.output and "I;16" in result.output
    assert "not_utf8_\\xff.png: UnidentifiedImageError" in result.output

    bad_only = tmp_path / "bad_only"
    (bad_only).mkdir()
    (bad_only / "x.png").write_bytes(b"garbage")
    result = CliRunner().invoke(cli, ["check-data", "--data", str(bad_only)])
    assert result.exit_code == 1 and "NOT USABLE" in result.output

    mnist = CliRunner().invoke(cli, ["check-data"])
    assert mnist.exit_code == 0 and "5000 of 5000 images readable" in mnist.output


@pytest.mark.parametrize("args, message", [
    (["--epochs", "0"], "0 is not in the range x>=1"),
    (["--lr", "-0.1"], "-0.1 is not in the range x>0"),
    (["--batch-size", "6000"], "Invalid batch_size: expected at most the dataset size (5000"),
    (["--family", "dcgan", "--image-size", "48"], "Invalid image_size for family 'dcgan'"),
    (["--runs-root", "{file}/runs"], "Invalid runs_root: expected a folder keras-gan can create"),
])
def test_out_of_range_cli_values_get_a_clear_error_and_no_run_folder(tmp_path, args, message):
    from click.testing import CliRunner

    from keras_gan.cli.app import cli

    (tmp_path / "a_file").write_text("x")
    args = [a.replace("{file}", str(tmp_path / "a_file")) for a in args]
    if "--runs-root" not in args:
        args += ["--runs-root", str(tmp_path / "runs")]
    result = CliRunner().invoke(cli, ["train", *args])
    assert result.exit_code in (1, 2) and message in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "runs").exists()
