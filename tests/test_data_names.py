"""--data that is neither a registered set nor an existing path: a mistyped path or an
unknown name is one clear paragraph from every command that reads data, no traceback."""

import pytest
from click.testing import CliRunner

from keras_gan.cli.app import cli
from keras_gan.data import DataError, resolve_source
from keras_gan.data.names import looks_like_path

MISTYPED = "/a/mistyped/path"


@pytest.mark.parametrize("name, path", [
    ("/a/mistyped/path", True), ("./faces", True), ("~/faces", True), ("faces.png", True),
    ("Photos/faces", True), ("a/b/c", True), ("mnsit", False), ("my-data", False),
    ("cycle_gan/horse2zebra", False), ("mnist:3.0.1", False),
])
def test_what_looks_like_a_path(name, path):
    assert looks_like_path(name) is path


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def assert_clear_error(result, *expected):
    assert result.exit_code not in (0, None), result.output
    assert isinstance(result.exception, SystemExit), result.exception  # a message, not a crash
    assert "Traceback" not in result.output and "Parsing builder name" not in result.output
    for text in expected:
        assert text in result.output, result.output


@pytest.mark.parametrize("family", ["gan", "dcgan", "srgan", "text2image"])
def test_a_mistyped_path_is_refused_as_a_path_by_train_and_dry_run(tmp_path, family):
    runs = str(tmp_path / "runs")
    for extra in ([], ["--dry-run"]):
        result = invoke("train", "--family", family, "--data", MISTYPED, "--runs-root", runs, *extra)
        assert_clear_error(result, "Invalid data: expected an existing",
                           f"Received: data='{MISTYPED}', which does not exist")
    assert not (tmp_path / "runs").exists()


def test_a_mistyped_path_is_refused_by_check_data_with_the_nearest_folder(tmp_path):
    (tmp_path / "images").mkdir()
    assert_clear_error(invoke("check-data", "--data", MISTYPED),
                       f"Received: data='{MISTYPED}', which does not exist")
    typo = str(tmp_path / "imagse" / "cats")
    assert_clear_error(invoke("check-data", "--data", typo),
                       f"the nearest existing folder is {tmp_path}; did you mean "
                       f"{tmp_path / 'images'}?")


@pytest.mark.parametrize("name, guess", [("mnsit", "Did you mean 'mnist'"), ("my-data", "")])
def test_an_unknown_name_lists_the_registered_ones_and_points_to_list(tmp_path, name, guess):
    for args in (["train", "--data", name, "--dry-run"], ["check-data", "--data", name]):
        assert_clear_error(invoke(*args, "--data-dir", str(tmp_path)),
                           f"Unknown dataset '{name}'", "mnist_5k, tom_and_jerry",
                           "`keras-gan list`", f"Received: data='{name}'", guess)


def test_a_tfds_name_with_an_unknown_config_says_what_tfds_found(tmp_path):
    with pytest.raises(DataError, match="Unknown dataset 'cycle_gan/no_such_pair'.*mnist_colours.*"
                                        "TFDS says: .*BuilderConfig no_such_pair not found"):
        resolve_source("cycle_gan/no_such_pair", "unpaired").native_size(
            "cycle_gan/no_such_pair", str(tmp_path))
