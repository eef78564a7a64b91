import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli

TINY = ["--image-size", "8", "--latent-dim", "4", "--width", "2", "--epochs", "1",
        "--batch-size", "32"]


@pytest.fixture
def runner():
    return CliRunner()


def test_list_shows_every_registry(runner):
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0
    for name in ["gan", "dcgan", "bce", "minimax", "lsgan", "hinge", "wgan_gp", "mnist_5k",
                 "tom_and_jerry", "kid", "fid", "domain", "translation", "cutout", "color"]:
        assert f"  {name} " in result.output


def test_dry_run_prints_the_resolved_config_and_writes_nothing(runner, tmp_path):
    result = runner.invoke(cli, ["train", "--family", "dcgan", "--dry-run",
                                 "--runs-root", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    config = json.loads(result.output)
    assert config["data"]["image_size"] == 32 and config["model"]["latent_dim"] == 128
    assert config["train"]["lr"] == 2e-4 and config["train"]["d_steps"] == 1
    assert config["train"]["d_lr"] == 2e-4  # written out: the rate D trains with
    assert not (tmp_path / "runs").exists()


def test_dry_run_of_a_conditional_augmented_wgan_gp_run(runner, tmp_path):
    result = runner.invoke(cli, ["train", "--family", "dcgan", "--loss", "wgan_gp", "--conditional",
                                 "--augment", "ada", "--ema", "0.999", "--eval-every", "5",
                                 "--mirror", "--r1", "0.5", "--d-lr", "3e-4", "--dry-run",
                                 "--runs-root", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    config = json.loads(result.output)
    train = config["train"]
    assert (train["d_steps"], train["lr"], train["beta_1"], train["beta_2"]) == (5, 1e-4, 0.0, 0.9)
    assert train["d_lr"] == 3e-4
    assert train["augment"] == "ada" and train["eval_every"] == 5 and train["ema"] == 0.999
    assert config["model"]["conditional"] is True and config["model"]["mirror"] is True
    assert config["model"]["r1"] == 0.5


def test_train_then_sample_png_and_npz(runner, tmp_path):
    runs = str(tmp_path / "runs")
    result = runner.invoke(cli, ["--quiet", "train", "--runs-root", runs, *TINY])
    assert result.exit_code == 0, result.output
    assert "keras-gan sample --run" in result.output  # the console script's name by default

    png = tmp_path / "grid.png"
    result = runner.invoke(cli, ["sample", "--runs-root", runs, "--n", "9", "--out", str(png)])
    assert result.exit_code == 0, result.output
    with Image.open(png) as picture:
        assert picture.mode == "L" and picture.width == picture.height

    npz = tmp_path / "out" / "raw.npz"
    result = runner.invoke(cli, ["sample", "--runs-root", runs, "--n", "5", "--seed", "3",
                                 "--out", str(npz)])
    assert result.exit_code == 0, result.output
    arrays = np.load(npz)
    assert arrays["images"].shape == (5, 8, 8, 1) and arrays["latents"].shape == (5, 4)
    assert arrays["images"].min() >= -1 and arrays["images"].max() <= 1

    result = runner.invoke(cli, ["sample", "--runs-root", runs, "--n", "4", "--out", str(png)])
    assert result.exit_code == 1 and "Invalid out: expected a path that does not exist yet" in result.output
    assert "--overwrite" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["sample", "--runs-root", runs, "--n", "4", "--out", str(png), "--overwrite"])
    assert result.exit_code == 0, result.output
    # without --out: inside the run folder, named by what was drawn, never the current folder
    result = runner.invoke(cli, ["sample", "--runs-root", runs, "--n", "4", "--seed", "2"])
    assert result.exit_code == 0, result.output
    run = next((tmp_path / "runs").iterdir())
    assert (run / "samples" / "sample-seed2-n4.png").is_file() and str(run) in result.output


@pytest.mark.parametrize(
    "args, message",
    [(["train", "--family", "stylegan9"], "'stylegan9' is not one of"),
     (["train", "--epochs", "0"], "0 is not in the range x>=1"),
     (["train", "--family", "dcgan", "--image-size", "48", "--dry-run"],
      "image_size for family 'dcgan'"),
     (["train", "--data", "no_such_dataset_xyz", "--dry-run"], "Unknown dataset"),
     (["sample", "--runs-root", "RUNS"], "holds no runs yet"),
     (["sample", "--out", "grid.jpg"], "expected a path ending in .png or .npz"),
     (["train", "--augment", "flip", "--dry-run"], "Invalid augment: expected a comma-separated subset"),
     (["train", "--d-steps", "0"], "0 is not in the range 1<=x<=20"),
     (["train", "--d-lr", "0"], "'--d-lr': 0.0 is not in the range x>0"),
     (["train", "--eval-metric", "is"], "'is' is not one of"),
     (["evaluate", "--runs-root", "RUNS"], "holds no runs yet")],
)
def test_bad_input_is_a_one_paragraph_error_without_traceback(runner, tmp_path, args, message):
    args = [str(tmp_path / "runs") if a == "RUNS" else a for a in args]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2 if "is not" in message else result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_empty_folder_is_an_error_before_training(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli, ["train", "--data", str(tmp_path / "empty"),
                                 "--runs-root", str(tmp_path / "runs")])
    assert result.exit_code == 1 and "No images in" in result.output
    assert not (tmp_path / "runs").exists()


def test_quiet_and_verbose_are_accepted_after_the_subcommand_too(runner, tmp_path):
    import logging

    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.INFO)
    try:
        result = runner.invoke(cli, ["train", "--dry-run", "--quiet", "--verbose",
                                     "--runs-root", str(tmp_path / "runs")])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["model"]["family"] == "gan"
        assert root.level == logging.WARNING  # --quiet after the name did what it does before it
    finally:
        root.setLevel(before)


@pytest.mark.parametrize("argv0, name", [
    ("/home/me/keras-gan/cli.py", "python cli.py"),
    ("/venv/lib/python3.11/site-packages/keras_gan/__main__.py", "python -m keras_gan"),
    ("/venv/bin/keras-gan", "keras-gan"),
    ("", "keras-gan"),  # the Python API in an embedded interpreter
])
def test_command_name_is_the_command_as_the_user_ran_it(monkeypatch, argv0, name):
    from keras_gan.console import command_name

    monkeypatch.setattr("sys.argv", [argv0])
    assert command_name() == name


def test_messages_name_the_command_as_run(runner, tmp_path, monkeypatch):
    empty = str(tmp_path / "runs")
    result = runner.invoke(cli, ["sample", "--runs-root", empty])
    assert "Train one first (`keras-gan train`)" in result.output  # under a test runner
    monkeypatch.setattr("sys.argv", ["cli.py"])
    result = runner.invoke(cli, ["sample", "--runs-root", empty])
    assert "Train one first (`python cli.py train`)" in result.output
