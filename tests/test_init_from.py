"""train --init-from: a new run starting from another run's networks, on new data."""

import json

import keras
import numpy as np
import pytest

from keras_gan.config import ConfigError
from keras_gan.io.images import to_uint8
from keras_gan.training.init_from import parse
from keras_gan.runs import load_run
from keras_gan.training.run import run_training
from tests.conftest import tiny_config


class FirstGrid(keras.callbacks.Callback):
    """The grid before the first step: what the new run starts from."""

    def on_train_begin(self, logs=None):
        self.images = to_uint8(self.model.sample_images(self.model.grid_inputs(2, seed=0)))


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("source")
    return run_training(tiny_config(tmp, family="dcgan", epochs=2, batch_size=32), verbose=0).run_dir


def test_the_first_grid_of_a_fine_tuning_run_is_the_sources_last(source, tmp_path):
    _, trained, _ = load_run(source)
    last = to_uint8(trained.sample_images(trained.grid_inputs(2, seed=0)))
    first = FirstGrid()
    config = tiny_config(tmp_path, family="dcgan", epochs=1, batch_size=16, seed=5)
    result = run_training(config.replace(train={"init_from": str(source)}), verbose=0, callbacks=[first])
    np.testing.assert_array_equal(first.images, last)  # networks and EMA copied, seed aside
    fresh = FirstGrid()
    run_training(tiny_config(tmp_path / "fresh", family="dcgan", epochs=1, batch_size=16, seed=5),
                 verbose=0, callbacks=[fresh])
    assert not np.array_equal(fresh.images, last)  # without it, a different start
    saved = json.loads((result.run_dir / "config.json").read_text())["train"]["init_from"]
    assert saved == f"{source.resolve()}:epoch_0002.weights.h5"
    _, tuned, _ = load_run(result.run_dir)
    assert int(tuned.g_optimizer.iterations) > 0  # it trained on from there, optimizers fresh
    from keras_gan.config import ExportConfig
    from keras_gan.commands.export import export_run

    exported = export_run(result.run_dir, ExportConfig(out=str(tmp_path / "export"), formats=("keras",)))
    assert f"started from `{saved}`" in (exported.path / "MODEL_CARD.md").read_text()


def test_an_unfit_source_is_refused_before_any_run_folder_exists(source, tmp_path):
    cases = {
        "gan": (tiny_config(tmp_path, family="gan"), "a 'dcgan' run"),
        "size": (tiny_config(tmp_path, family="dcgan").replace(data={"image_size": 16}), "fits this one"),
        "missing": (tiny_config(tmp_path, family="dcgan"), "a run folder with a config.json"),
    }
    for case, (config, message) in cases.items():
        spec = str(tmp_path / "nowhere") if case == "missing" else f"{source}:latest"
        with pytest.raises(ConfigError, match="Invalid init_from") as err:
            run_training(config.replace(train={"init_from": spec}), verbose=0)
        assert message in str(err.value), case
        assert not (tmp_path / "runs").exists(), case


def test_the_checkpoint_can_be_named():
    assert parse("runs/x:best") == (parse("runs/x")[0], "best")
    assert parse("runs/x:epoch_0003.weights.h5")[1] == "epoch_0003.weights.h5"
    assert parse("runs/x") == (parse("runs/x:latest")[0], "latest")


def test_a_source_with_the_same_count_but_other_classes_is_refused(source, tmp_path, monkeypatch):
    import dataclasses

    import keras_gan.training.init_from as init_from

    real = init_from.load_run

    def with_classes(run_dir, which):
        config, model, used = real(run_dir, which)
        data = dataclasses.replace(config.data, class_names=("cat", "dog"))
        return dataclasses.replace(config, data=data), model, used

    monkeypatch.setattr(init_from, "load_run", with_classes)
    _, model, _ = real(source, "latest")
    with pytest.raises(ConfigError, match=r"this run's classes, \['dog', 'cat'\], in that order"):
        init_from.initialize_from(model, str(source), "dcgan", ("dog", "cat"))
    assert init_from.initialize_from(model, str(source), "dcgan", ("cat", "dog")).endswith(".weights.h5")
