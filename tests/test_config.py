import json
import re

import pytest

from keras_gan.config import ConfigError, DataConfig, RunConfig, TrainConfig, model_options
from keras_gan.training.factory import build_model
from keras_gan.families import FAMILIES
from keras_gan.families.gan import GANOptions
from keras_gan.families.pix2pix import Pix2PixOptions
from keras_gan.resolve import fill_defaults, optimizer_settings
from tests.conftest import saved_config, tiny_config


def test_json_round_trip(tmp_path):
    config = saved_config().replace(train={"epochs": 3})
    path = tmp_path / "config.json"
    path.write_text(config.to_json())
    assert RunConfig.from_json(path, saved=True) == config
    assert json.loads(path.read_text())["train"]["epochs"] == 3
    pix2pix = saved_config("pix2pix", l1_weight=10.0)
    path.write_text(pix2pix.to_json())
    assert RunConfig.from_json(path, saved=True) == pix2pix and isinstance(pix2pix.model, Pix2PixOptions)


def test_a_run_saved_before_the_data_chosen_options_existed_resumes_without_them(tmp_path):
    # config.json of a dcgan run written before --mirror and --r1 (and one without precision):
    # resolving it now must not switch on the small-RGB recipe half-way through training
    raw = json.loads(saved_config("dcgan").to_json())
    for name in ("mirror", "r1"):
        raw["model"].pop(name)
    raw["train"].pop("augment")
    raw["train"].pop("precision")
    path = tmp_path / "config.json"
    path.write_text(json.dumps(raw))
    config = RunConfig.from_json(path, saved=True)
    assert (config.model.mirror, config.model.r1, config.train.augment) == (False, 0.0, "")
    assert config.train.precision == "float32"
    # a family without those model options gets none of them
    raw = json.loads(saved_config("pix2pix").to_json())
    raw["train"].pop("augment")
    path.write_text(json.dumps(raw))
    pix2pix = RunConfig.from_json(path, saved=True)
    assert pix2pix.model == saved_config("pix2pix").model and pix2pix.train.augment == ""


@pytest.mark.parametrize(
    "section, field, value",
    [("train", "epochs", 0), ("train", "batch_size", -1), ("train", "lr", -0.1),
     ("train", "lr", 0.0), ("train", "d_lr", 0.0), ("data", "image_size", 2), ("data", "channels", 2),
     ("model", "latent_dim", 0), ("train", "keep_checkpoints", 0), ("data", "holdout", 1.0)],
)
def test_out_of_range_values_name_the_field_and_value(section, field, value):
    config = RunConfig().replace(**{section: {field: value}})
    with pytest.raises(ConfigError) as err:
        config.validate()
    assert f"Invalid {field}" in str(err.value) and f"{field}={value!r}" in str(err.value)


@pytest.mark.parametrize("field, value, expected", [
    ("l1_weight", -1.0, "a number >= 0"), ("direction", "sideways", "one of AtoB, BtoA"),
    ("generator", "stylegan", "one of discogan, resnet, unet")])
def test_family_options_are_checked_from_their_metadata(field, value, expected):
    with pytest.raises(ConfigError, match=f"Invalid {field}: expected {expected}"):
        model_options("pix2pix", **{field: value}).validate()


def test_unknown_keys_in_saved_config_are_reported(tmp_path):
    raw = RunConfig().to_dict()
    raw["train"]["epoch"] = 5
    with pytest.raises(ConfigError, match="'epoch'"):
        RunConfig.from_dict(raw)
    raw = RunConfig().to_dict()
    raw["model"]["l1_weight"] = 5  # a pix2pix option in a gan run
    with pytest.raises(ConfigError, match="Unknown model options for family 'gan': \\['l1_weight'\\]"):
        RunConfig.from_dict(raw)


def test_a_config_from_a_newer_keras_gan_or_an_unknown_arch_is_a_clear_error():
    raw = {**RunConfig().to_dict(), "format": 99}
    with pytest.raises(ConfigError, match="format 99 is newer"):
        RunConfig.from_dict(raw)
    raw = RunConfig().to_dict()
    raw["model"]["family"] = "stylegan9"
    with pytest.raises(ConfigError, match="Unknown family 'stylegan9'"):
        RunConfig.from_dict(raw)


def test_a_config_json_of_keras_gan_0_1_still_loads():
    # format 1: no "format" key, flat gan fields, the data section's old shuffle_buffer
    old = {"data": {"channels": 1, "class_names": None, "data_dir": None, "image_size": 28,
                    "name": "mnist_5k", "shuffle_buffer": 10000},
           "model": {"arch": "dcgan", "conditional": False, "latent_dim": 128, "num_classes": None,
                     "spectral_norm": False, "width": 64},
           "run_dir": None, "runs_root": "runs",
           "train": {k: v for k, v in TrainConfig(epochs=100, batch_size=64).__dict__.items()
                     if k != "d_lr"}}
    config = RunConfig.from_dict(json.loads(json.dumps(old)))
    assert config.model == GANOptions(family="dcgan", latent_dim=128)
    assert config.data.image_size == 28 and config.train.epochs == 100


def test_switching_arch_switches_to_that_familys_options():
    config = RunConfig().replace(model={"family": "pix2pix", "direction": "BtoA"})
    assert config.model == Pix2PixOptions(direction="BtoA")
    assert config.replace(model={"family": "dcgan"}).model == GANOptions(family="dcgan")
    assert RunConfig().replace(model={"latent_dim": 4}).model.latent_dim == 4


def test_defaults_come_from_the_dataclasses():
    assert RunConfig().train == TrainConfig()
    assert RunConfig().data == DataConfig()
    plain = optimizer_settings(TrainConfig(loss="bce"))
    assert (plain.lr, plain.beta_1, plain.beta_2, plain.d_steps) == (2e-4, 0.5, 0.999, 1)


def test_a_loss_supplies_only_the_settings_left_unset():
    wgan = optimizer_settings(TrainConfig(loss="wgan_gp", lr=3e-4))
    assert (wgan.lr, wgan.beta_1, wgan.beta_2, wgan.d_steps) == (3e-4, 0.0, 0.9, 5)


def test_d_lr_is_lr_unless_the_user_or_the_family_sets_it(monkeypatch):
    assert optimizer_settings(TrainConfig(loss="bce")).d_lr == 2e-4
    assert optimizer_settings(TrainConfig(loss="wgan_gp")).d_lr == 1e-4  # the loss's lr
    assert optimizer_settings(TrainConfig(loss="bce", lr=1e-4, d_lr=4e-4)).d_lr == 4e-4
    resolved = saved_config().train  # config.json holds the rate D trains with, not None
    assert resolved.d_lr == resolved.lr == 2e-4
    # a TTUR preset (DF-GAN's): G 1e-4, D 4e-4, betas 0 / 0.9
    preset = {"lr": 1e-4, "d_lr": 4e-4, "beta_1": 0.0, "beta_2": 0.9}
    for key, value in preset.items():
        monkeypatch.setitem(FAMILIES.get("dcgan").train_defaults, key, value)
    train = fill_defaults(RunConfig().replace(model={"family": "dcgan"}, data={"image_size": 32})).train
    assert (train.lr, train.d_lr, train.beta_1, train.beta_2) == (1e-4, 4e-4, 0.0, 0.9)


def test_discriminator_optimizers_train_at_d_lr_and_the_others_at_lr(tmp_path):
    rates = lambda model: {name: float(o.learning_rate.numpy())  # noqa: E731
                           for name, o in model.optimizers.items()}
    ttur = {"lr": 1e-4, "d_lr": 4e-4}
    dcgan = build_model(tiny_config(tmp_path, family="dcgan", **ttur).replace(data={"channels": 1}))
    expected = {"d_optimizer": pytest.approx(4e-4), "g_optimizer": pytest.approx(1e-4)}
    assert rates(dcgan) == expected and dcgan.learning_rates == expected  # schedule and rollback scale these
    cyclegan = build_model(tiny_config(tmp_path, family="cyclegan", **ttur)
                           .replace(data={"channels": 3, "source_channels": 3}))
    assert cyclegan.OPTIMIZERS["d_optimizer"] == ("discriminator_a", "discriminator_b")
    assert rates(cyclegan) == expected
    same = build_model(tiny_config(tmp_path, family="dcgan", lr=3e-4).replace(data={"channels": 1}))
    assert rates(same) == {"d_optimizer": pytest.approx(3e-4), "g_optimizer": pytest.approx(3e-4)}


def test_a_saved_config_without_d_lr_loads_and_trains_d_at_lr(tmp_path):
    raw = saved_config().to_dict()
    del raw["train"]["d_lr"]  # written before d_lr existed
    path = tmp_path / "config.json"
    path.write_text(json.dumps(raw))
    train = RunConfig.from_json(path, saved=True).train
    assert train.d_lr is None and optimizer_settings(train).d_lr == train.lr


def test_a_saved_config_is_checked_for_types_sections_and_filled_values(tmp_path):
    path = tmp_path / "config.json"
    cases = [  # (change to the saved JSON, what the one-paragraph error says)
        (lambda raw: raw["train"].update(epochs="ten"), "train.epochs expected an integer"),
        (lambda raw: raw["train"].update(ema="yes"), "train.ema expected a number or null"),
        (lambda raw: raw["train"].update(tensorboard=1), "train.tensorboard expected true or false"),
        (lambda raw: raw["model"].update(latent_dim=8.5), "model.latent_dim expected an integer"),
        (lambda raw: raw["data"].update(class_names=[1, 2]), "data.class_names expected a list or null"),
        (lambda raw: raw.pop("train"), "Received: no train"),
        (lambda raw: raw["train"].pop("loss"), "expected a value for train.loss"),
        (lambda raw: raw["model"].update(latent_dim=None), "expected a value for model.latent_dim"),
        (lambda raw: raw["train"].update(precision="float8"), "Invalid precision"),
    ]
    for change, message in cases:
        raw = saved_config().to_dict()
        change(raw)
        path.write_text(json.dumps(raw))
        with pytest.raises(ConfigError, match=re.escape(message)) as err:
            RunConfig.from_json(path, saved=True)
        assert str(path) in str(err.value) and "\n" not in str(err.value)
    raw = saved_config().to_dict()
    raw["train"]["lr"], raw["data"]["class_names"] = 1, ["cat", "dog"]  # int for float, list for tuple
    path.write_text(json.dumps(raw))
    assert RunConfig.from_json(path, saved=True).data.class_names == ("cat", "dog")


@pytest.mark.parametrize("family", ["pix2pix", "cyclegan"])
def test_epochs_count_every_epoch_and_by_default_the_last_half_decay(tmp_path, family):
    for epochs, decay in ((1, 0), (5, 2), (200, 100)):  # --epochs 1 trains 1, not 1 + 100
        train = fill_defaults(tiny_config(tmp_path, family=family, epochs=epochs, decay_epochs=None)).train
        assert (train.epochs, train.total_epochs, train.decay_epochs) == (epochs, epochs, decay)
    train = fill_defaults(tiny_config(tmp_path, family=family, epochs=10, decay_epochs=3)).train
    assert (train.total_epochs, train.decay_epochs) == (10, 3)
    with pytest.raises(ConfigError, match="Invalid decay_epochs: expected at most epochs=2.*"
                                          "Received: decay_epochs=3"):
        fill_defaults(tiny_config(tmp_path, family=family, epochs=2, decay_epochs=3))
    with pytest.raises(ConfigError, match="Invalid decay_epochs: expected at most epochs=200"):
        fill_defaults(tiny_config(tmp_path, family=family, epochs=None, decay_epochs=201))


def test_the_offline_demos_keep_their_epochs_and_schedule(tmp_path):
    from keras_gan.training.schedule import decay_factor

    def rates(family):
        train = fill_defaults(tiny_config(tmp_path, family=family, epochs=None, decay_epochs=None)
                              .replace(data={"name": None, "image_size": None})).train
        return [decay_factor(e, train.epochs, train.decay_epochs) for e in range(train.epochs)]

    # mnist_colours: 3 at the full rate then 2 decaying, as when they were epochs 3 + decay 2
    assert rates("cyclegan") == rates("discogan") == pytest.approx([1, 1, 1, 2 / 3, 1 / 3])
    assert rates("pix2pix") == [1.0] * 5  # mnist_outline: 5, none decaying


def test_a_config_saved_when_epochs_excluded_the_decaying_ones_keeps_total_and_schedule(tmp_path):
    # formats 1 and 2: epochs at the full rate, decay_epochs on top (100 + 100 = 200 in all)
    raw = saved_config("pix2pix").to_dict()
    raw["format"], raw["train"]["epochs"], raw["train"]["decay_epochs"] = 2, 100, 100
    path = tmp_path / "config.json"
    path.write_text(json.dumps(raw))
    train = RunConfig.from_json(path, saved=True).train
    assert (train.epochs, train.decay_epochs) == (200, 100)
    raw["train"]["epochs"], raw["train"]["decay_epochs"] = 3, None  # saved before any decay
    path.write_text(json.dumps(raw))
    assert RunConfig.from_json(path, saved=True).train.epochs == 3
    assert RunConfig.from_json(path, saved=True).train.decay_epochs == 0
    current = saved_config("pix2pix").replace(train={"epochs": 7, "decay_epochs": 3})
    path.write_text(current.to_json())  # the current format is read as written
    assert RunConfig.from_json(path, saved=True) == current
