"""Latent walks (slerp, GIF + strip) and the progress GIF written after training."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli
from keras_gan.commands.interpolate import slerp
from keras_gan.training.run import run_training
from tests.conftest import tiny_config


def test_slerp_hits_both_ends_and_keeps_the_norm_between_orthogonal_unit_vectors():
    a, b = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    path = slerp(a, b, np.linspace(0, 1, 9))
    np.testing.assert_allclose(path[0], a, atol=1e-6)
    np.testing.assert_allclose(path[-1], b, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-6)  # lerp dips to 0.71
    np.testing.assert_allclose(path[4], [np.sqrt(0.5), np.sqrt(0.5), 0], atol=1e-6)
    np.testing.assert_allclose(slerp(a, 2 * a, np.array([0.5])), [[1.5, 0, 0]])  # parallel: lerp


def test_interpolate_writes_a_looping_gif_and_a_strip_and_progress_gif_has_every_epoch(tmp_path):
    result = run_training(tiny_config(tmp_path, epochs=3, batch_size=64), verbose=0)
    with Image.open(result.run_dir / "progress.gif") as gif:
        assert gif.n_frames == 3
    out = tmp_path / "walk.gif"
    done = CliRunner().invoke(cli, ["interpolate", "--run", str(result.run_dir), "--seeds", "0,5,9",
                                    "--steps", "4", "--out", str(out)])
    assert done.exit_code == 0, done.output
    with Image.open(out) as gif:
        assert gif.n_frames == 12 and gif.info.get("loop") == 0
        first = np.asarray(gif.convert("L"))
    with Image.open(out.with_suffix(".png")) as strip:
        width, height = strip.size
    assert width / height == pytest.approx((4 * 10 + 2) / (3 * 10 + 2))  # 3 legs x 4 frames
    # the walk starts at seed 0's latent: the first frame is `sample --seed 0 --n 1`
    sample = tmp_path / "s.npz"
    CliRunner().invoke(cli, ["sample", "--run", str(result.run_dir), "--n", "1", "--out", str(sample)])
    expected = np.rint((np.load(sample)["images"][0, ..., 0] + 1) * 127.5)
    scale = first.shape[0] // 8
    assert np.abs(first[::scale, ::scale].astype(float) - expected).max() <= 1
    # without --out: in the run folder; a second walk to the same files needs --overwrite
    args = ["interpolate", "--run", str(result.run_dir), "--seeds", "1,2", "--steps", "2"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert (result.run_dir / "samples" / "walk-seeds1-2.gif").is_file()
    assert (result.run_dir / "samples" / "walk-seeds1-2.png").is_file()
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 1 and "which exists" in again.output
    assert CliRunner().invoke(cli, [*args, "--overwrite"]).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["--seeds", "3"], "two or more seeds >= 0"),
    (["--out", "walk.mp4"], "ending in .gif"),
])
def test_interpolate_bad_options(tmp_path, args, message):
    done = CliRunner().invoke(cli, ["interpolate", "--runs-root", str(tmp_path), *args])
    assert done.exit_code == 2 and message in done.output
