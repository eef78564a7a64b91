import pytest

from keras_gan.config import ConfigError, RunConfig
from keras_gan.runs import create_run_dir, resolve_run, slug


def test_run_folders_are_numbered_and_descriptive(tmp_path):
    config = RunConfig(runs_root=str(tmp_path)).replace(model={"family": "dcgan"},
                                                        data={"name": "/data/My Frames/"})
    first, second = create_run_dir(config), create_run_dir(config)
    assert first.name == "00001-dcgan-My_Frames" and second.name == "00002-dcgan-My_Frames"
    (first / "config.json").write_text("{}")
    (second / "config.json").write_text("{}")
    assert resolve_run("latest", tmp_path) == second
    assert resolve_run(None, tmp_path) == second
    assert resolve_run(str(first), tmp_path) == first


def test_explicit_run_dir_must_be_new_or_empty(tmp_path):
    target = tmp_path / "mine"
    config = RunConfig(run_dir=str(target))
    assert create_run_dir(config) == target
    (target / "x").write_text("keep me")
    with pytest.raises(ConfigError, match="new or empty folder"):
        create_run_dir(config)


def test_resolve_run_errors(tmp_path):
    with pytest.raises(ConfigError, match="holds no runs yet"):
        resolve_run("latest", tmp_path)
    with pytest.raises(ConfigError, match="containing config.json"):
        resolve_run(str(tmp_path), tmp_path)


def test_slug():
    assert slug("mnist_5k") == "mnist_5k"
    assert slug("a/b/c d!") == "c_d"
