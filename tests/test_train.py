import json
from pathlib import Path

import numpy as np
import pytest

from keras_gan.training.history import read_history
from keras_gan.config import ConfigError, TrainConfig
from keras_gan.runs import load_run
from keras_gan.resolve import fill_defaults, resolve
from keras_gan.training.run import run_training
from tests.conftest import tiny_config


def test_dcgan_on_a_tom_and_jerry_layout_writes_the_whole_run(tmp_path, tom_and_jerry_dir):
    config = tiny_config(tmp_path, family="dcgan", data="tom_and_jerry", epochs=2, batch_size=5)
    config = config.replace(data={"data_dir": str(tom_and_jerry_dir)}, model={"mirror": True})
    result = run_training(config, verbose=0)
    run = result.run_dir
    assert run.name == "00001-dcgan-tom_and_jerry"
    saved = json.loads((run / "config.json").read_text())
    assert saved["data"]["channels"] == 3 and saved["model"]["latent_dim"] == 8
    assert saved["model"]["mirror"] is True  # x-flipped reals, recorded for resume
    samples = sorted(p.name for p in (run / "samples").iterdir())
    assert samples == ["epoch_0001.png", "epoch_0002.png", "reals.png"]
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [
        "epoch_0000.json", "epoch_0000.weights.h5", "epoch_0001.json", "epoch_0001.weights.h5",
        "epoch_0002.json", "epoch_0002.weights.h5", "latest.json"]
    history = read_history(run / "history.csv")
    assert history["epoch"] == [0.0, 1.0] and len(history["d_loss"]) == 2
    assert (run / "losses.png").stat().st_size > 1000
    assert len((run / "skipped_files.txt").read_text().splitlines()) == 3


def test_same_seed_same_run(tmp_path):
    def final_weights(sub):
        config = tiny_config(tmp_path / sub, epochs=2, batch_size=64)
        _, gan, _ = load_run(run_training(config, verbose=0).run_dir)
        return gan.generator.get_weights() + gan.discriminator.get_weights()

    first, second = final_weights("a"), final_weights("b")
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_resolve_fills_every_auto_default_in_one_place(tmp_path):
    config = tiny_config(tmp_path, family="dcgan", data="mnist_5k", batch_size=None).replace(
        data={"image_size": None}, model={"latent_dim": None})
    resolved, data = resolve(config)
    assert resolved.data.image_size == 32 and resolved.model.latent_dim == 128
    assert resolved.data.channels == 1 and resolved.train.batch_size == 64
    assert (resolved.train.lr, resolved.train.d_steps) == (2e-4, 1) and data.count == 5000
    assert resolve(resolved)[0] == resolved  # resolving again changes nothing
    auto = {"batch_size": None, "epochs": None, "decay_epochs": None}
    pairs = fill_defaults(tiny_config(tmp_path, family="pix2pix", **auto)
                          .replace(data={"name": None, "image_size": None}))
    assert (pairs.data.name, pairs.data.image_size) == ("mnist_outline", 32)
    assert (pairs.train.batch_size, pairs.train.epochs, pairs.train.decay_epochs) == (1, 5, 0)
    folder = fill_defaults(tiny_config(tmp_path, family="pix2pix", **auto))
    assert (folder.train.batch_size, folder.train.epochs, folder.train.decay_epochs) == (1, 200, 100)


@pytest.mark.parametrize(
    "changes, message",
    [({"model": {"family": "dcgan", "latent_dim": 0}}, "Invalid latent_dim"),
     ({"train": {"loss": "wgan"}}, "Unknown loss 'wgan'"),
     ({"model": {"family": "dcgan"}, "data": {"image_size": 48}}, "image_size for family 'dcgan'"),
     ({"train": {"epochs": 0}}, "Invalid epochs")],
)
def test_bad_config_fails_before_any_run_folder_exists(tmp_path, changes, message):
    config = tiny_config(tmp_path).replace(**changes)
    with pytest.raises(ConfigError, match=message):
        run_training(config, verbose=0)
    assert not (tmp_path / "runs").exists()


def test_batch_larger_than_dataset_and_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="No images in"):
        run_training(tiny_config(tmp_path, data=tmp_path / "empty"), verbose=0)
    with pytest.raises(ConfigError, match="batch_size: expected at most the dataset size"):
        run_training(tiny_config(tmp_path, batch_size=161), verbose=0)
    assert not (tmp_path / "runs").exists()


def test_xla_is_opt_in_on_cpus_and_compiles_the_whole_step(tmp_path):
    from keras_gan.training.factory import build_model, jit_compile

    assert not any(jit_compile("auto", family) for family in ("gan", "dcgan", "pix2pix"))
    assert jit_compile("on", "dcgan") is True and jit_compile("off", "gan") is False
    with pytest.raises(ConfigError, match="xla.*auto, on, off"):
        TrainConfig(xla="yes").validate()
    config = tiny_config(tmp_path, epochs=2, xla="on", augment="ada,translation")
    config = config.replace(model={"conditional": True})
    assert build_model(config.replace(data={"channels": 1, "class_names": tuple("0123456789")},
                                    model={"num_classes": 10})).jit_compile is True
    result = run_training(config, verbose=0)
    assert np.isfinite(result.history["d_loss"]).all() and len(result.history["d_loss"]) == 2
    assert (result.run_dir / "checkpoints" / "epoch_0002.weights.h5").is_file()


def test_snap_and_grid_every_thin_the_side_work_but_the_end_and_a_stop_always_save(tmp_path):
    import keras

    from keras_gan.training.run import resume_training

    config = tiny_config(tmp_path, epochs=5, batch_size=64, snap=2, grid_every=3, keep_checkpoints=10)
    run = run_training(config, verbose=0).run_dir
    names = lambda folder, pattern: sorted(p.name for p in (run / folder).glob(pattern))  # noqa: E731
    assert names("checkpoints", "epoch_*.weights.h5") == [
        "epoch_0000.weights.h5", "epoch_0002.weights.h5", "epoch_0004.weights.h5", "epoch_0005.weights.h5"]
    assert names("samples", "epoch_*.png") == ["epoch_0003.png", "epoch_0005.png"]
    assert len(read_history(run / "history.csv")["d_loss"]) == 5  # the numbers every epoch

    class StopAfterFirstEpoch(keras.callbacks.Callback):  # as Ctrl-C does: during the last step
        def on_train_batch_end(self, batch, logs=None):
            if batch + 1 == self.params["steps"]:
                self.model.stop_training = True

    stopped = run_training(config.replace(runs_root=str(tmp_path / "stopped")), verbose=0,
                           callbacks=[StopAfterFirstEpoch()]).run_dir
    assert (stopped / "checkpoints" / "epoch_0001.weights.h5").is_file()  # off the --snap beat
    assert (stopped / "samples" / "epoch_0001.png").is_file()
    assert resume_training(stopped, verbose=0).history["d_loss"]  # and it goes on from there


def test_a_stop_at_an_epochs_end_off_the_snap_beat_still_saves_that_epoch(tmp_path):
    import keras

    class StopAtEpochEnd(keras.callbacks.Callback):  # as EarlyStopping does, after the checkpointer
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                self.model.stop_training = True

    config = tiny_config(tmp_path, epochs=5, batch_size=64, snap=2, keep_checkpoints=10)
    run = run_training(config, verbose=0, callbacks=[StopAtEpochEnd()]).run_dir
    assert (run / "checkpoints" / "epoch_0003.weights.h5").is_file()


def test_the_returned_history_stays_one_value_per_epoch_across_fits():
    from keras_gan.training.callbacks import AlignedHistory

    aligned = AlignedHistory()

    class Model:  # what History sets at each epoch's end
        history = None

    aligned.set_model(Model())
    aligned.on_train_begin()  # a mid-epoch resume finishes one epoch
    aligned.on_epoch_end(4, {"d_loss": 1.0})
    aligned.on_train_begin()  # then the next fit() runs the rest
    for epoch, (d_loss, score) in enumerate([(0.9, 3.0), (0.8, 2.0)], start=5):
        aligned.on_epoch_end(epoch, {"d_loss": d_loss, "domain_fd": score})
    history = aligned.history
    assert history["d_loss"] == [1.0, 0.9, 0.8] and np.isnan(history["domain_fd"][0])
    assert history["domain_fd"][1:] == [3.0, 2.0]


def test_steps_per_execution_divides_the_epoch_so_a_call_never_runs_into_the_next():
    from keras_gan.training.run import execution_steps

    gan = fill_defaults(tiny_config(Path("unused"), batch_size=256))  # gan: up to 8,192 images
    assert execution_steps(gan, 256, 19) == 19  # mnist_5k at batch 256: an epoch per call
    assert execution_steps(gan, 256, 64) == 32
    assert execution_steps(gan, 256, 37) == 1  # a prime above the cap: one step per call
    assert execution_steps(gan, 256, 15) == 15  # what is left of an epoch after a stop
    assert execution_steps(gan.replace(train={"steps_per_execution": 4}), 256, 18) == 3
    dcgan = fill_defaults(tiny_config(Path("unused"), family="dcgan"))
    assert execution_steps(dcgan, 128, 16) == 1  # seconds per step: nothing to save
