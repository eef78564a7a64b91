import json

import pytest

from keras_gan.config import ConfigError, DataConfig, RunConfig, TrainConfig
from keras_gan.losses import LOSSES


def test_json_round_trip(tmp_path):
    config = RunConfig().replace(data={"image_size": 32, "channels": 1}, train={"epochs": 3})
    path = tmp_path / "config.json"
    path.write_text(config.to_json())
    assert RunConfig.from_json(path) == config
    assert json.loads(path.read_text())["train"]["epochs"] == 3


@pytest.mark.parametrize(
    "section, field, value",
    [("train", "epochs", 0), ("train", "batch_size", -1), ("train", "lr", -0.1),
     ("train", "lr", 0.0), ("data", "image_size", 2), ("data", "channels", 2),
     ("model", "latent_dim", 0), ("train", "keep_checkpoints", 0)],
)
def test_out_of_range_values_name_the_field_and_value(section, field, value):
    config = RunConfig().replace(**{section: {field: value}})
    with pytest.raises(ConfigError) as err:
        config.validate()
    assert f"Invalid {field}" in str(err.value) and f"{field}={value!r}" in str(err.value)


def test_unknown_keys_in_saved_config_are_reported(tmp_path):
    raw = RunConfig().to_dict()
    raw["train"]["epoch"] = 5
    with pytest.raises(ConfigError, match="'epoch'"):
        RunConfig.from_dict(raw)


def test_defaults_come_from_the_dataclasses():
    assert RunConfig().train == TrainConfig()
    assert RunConfig().data == DataConfig()
    plain = TrainConfig().with_defaults({})
    assert (plain.lr, plain.beta_1, plain.beta_2, plain.d_steps) == (2e-4, 0.5, 0.999, 1)


def test_a_loss_supplies_only_the_settings_left_unset():
    wgan = TrainConfig(loss="wgan_gp", lr=3e-4).with_defaults(LOSSES.get("wgan_gp").defaults)
    assert (wgan.lr, wgan.beta_1, wgan.beta_2, wgan.d_steps) == (3e-4, 0.0, 0.9, 5)
