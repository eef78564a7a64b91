import json

import numpy as np

from keras_gan.training.callbacks import GANCheckpoint, plot_history
from keras_gan.training.checkpoints import latest_checkpoint
from keras_gan.training.factory import build_model
from tests.conftest import tiny_config


def test_checkpoints_keep_the_last_few_and_point_at_the_newest(tmp_path):
    gan = build_model(tiny_config(tmp_path).replace(data={"channels": 1}))
    callback = GANCheckpoint(tmp_path / "ckpt", family="gan", keep=2)
    callback.set_model(gan)
    for epoch in range(4):
        callback.on_epoch_end(epoch)
    names = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert names == ["epoch_0003.json", "epoch_0003.weights.h5", "epoch_0004.json",
                     "epoch_0004.weights.h5", "latest.json"]
    assert json.loads((tmp_path / "ckpt" / "latest.json").read_text())["epoch"] == 4
    assert latest_checkpoint(tmp_path / "ckpt").name == "epoch_0004.weights.h5"


def test_latest_checkpoint_falls_back_when_the_pointer_is_broken(tmp_path):
    (tmp_path / "epoch_0002.weights.h5").write_bytes(b"x")
    (tmp_path / "epoch_0010.weights.h5").write_bytes(b"x")
    (tmp_path / "latest.json").write_text("{not json")
    assert latest_checkpoint(tmp_path).name == "epoch_0010.weights.h5"
    assert latest_checkpoint(tmp_path / "missing") is None


def test_plot_history_writes_a_png(tmp_path):
    history = {"epoch": [0.0, 1.0, 2.0], "d_loss": [1.4, 1.2, 1.1], "g_loss": [0.8, 0.9, 1.0],
               "real_score": [0.6, 0.6, 0.7], "fake_score": [0.4, 0.4, 0.3]}
    plot_history(history, tmp_path / "losses.png")
    assert (tmp_path / "losses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.isfinite(history["d_loss"]).all()


def test_plot_history_adds_a_quality_panel_only_when_a_metric_was_measured(tmp_path):
    from PIL import Image

    history = {"epoch": [0, 1, 2], "d_loss": [1.0, 0.9, 0.8], "g_loss": [0.7, 0.8, 0.9],
               "real_score": [0.6] * 3, "fake_score": [0.4] * 3}
    plot_history(history, tmp_path / "two.png")
    plot_history({**history, "domain_fd": [float("nan"), 40.0, float("nan")],
                  "augment_p": [0.0, 0.01, 0.02]}, tmp_path / "three.png")
    with Image.open(tmp_path / "two.png") as two, Image.open(tmp_path / "three.png") as three:
        assert three.width == two.width * 3 // 2 and three.height == two.height


def test_tensorboard_run_writes_scalars_and_grid_images(tmp_path):
    import tensorflow as tf

    from keras_gan.training.run import run_training
    from tests.conftest import tiny_config

    result = run_training(tiny_config(tmp_path, epochs=2, batch_size=64, tensorboard=True),
                          verbose=0)
    tags = {}
    for event_file in (result.run_dir / "tensorboard").rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    assert {"epoch_d_loss", "epoch_g_loss", "epoch_fake_score"} <= set(tags)
    assert sorted(tags["samples"]) == [1, 2]  # one grid image per epoch


def test_loss_plot_redraws_within_its_time_budget_and_always_at_the_end(tmp_path, monkeypatch):
    import keras_gan.training.callbacks as callbacks

    csv = tmp_path / "history.csv"
    csv.write_text("epoch,d_loss,g_loss\n0,1.5,0.7\n")
    clock = [100.0]
    drawn = []

    def draw(history, out):  # a drawing that takes 0.15 s: the next one 0.15 / 1% = 15 s later
        drawn.append(clock[0])
        clock[0] += 0.15

    monkeypatch.setattr(callbacks, "plot_history", draw)
    plot = callbacks.LossPlot(csv, tmp_path / "losses.png")
    plot.pace.clock = lambda: clock[0]
    assert callbacks.PLOT_SHARE == 0.01
    logs = {"d_loss": 1.5, "g_loss": 0.7}
    for when in (100.0, 100.5, 115.0, 115.2, 116.0):
        clock[0] = max(clock[0], when)
        plot.on_epoch_end(0, logs)
    assert drawn == [100.0, 115.2]
    clock[0] = 130.0
    plot.on_epoch_end(1, {"d_loss": float("nan"), "g_loss": 0.7})  # diverged: not drawn
    assert drawn == [100.0, 115.2]
    clock[0] = 130.5
    plot.on_train_end()  # the good epochs at 115.2 and 116.0 were drawn up to 115.2
    assert drawn == [100.0, 115.2, 130.5]


def test_grid_images_equal_predict_in_any_batching(tmp_path):
    from keras_gan.families.model import generate_in_batches

    gan = build_model(tiny_config(tmp_path).replace(data={"channels": 1}))
    latents = gan.latents(10, seed=1)
    expected = gan.sampling_generator.predict(latents, verbose=0)
    np.testing.assert_allclose(generate_in_batches(gan.sampling_generator, latents, 4), expected,
                               atol=1e-6)
    conditional = build_model(tiny_config(tmp_path, epochs=1).replace(
        data={"channels": 1}, model={"conditional": True, "num_classes": 3}))
    inputs = conditional.sampling_inputs(latents)
    images = generate_in_batches(conditional.sampling_generator, inputs, 3)
    assert images.shape == (10, 8, 8, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images, conditional.sampling_generator.predict(inputs, verbose=0),
                               atol=1e-6)


def test_paced_scoring_skips_epochs_while_it_would_cost_over_2_percent_and_scores_the_last(
        tmp_path, monkeypatch):
    from types import SimpleNamespace

    import keras_gan.training.callbacks as callbacks

    clock = [0.0]
    scored = []

    class Evaluator:  # a scoring that takes 1 s and its best checkpoint 0.5 s: 75 s of pause
        def evaluate(self, model):
            scored.append(epoch + 1)
            clock[0] += 1.0
            return {"domain_fd": 100.0 - epoch}

    def save(*args, **kwargs):
        saved.append(args[2])
        clock[0] += 0.5

    steps = SimpleNamespace(iterations=SimpleNamespace(numpy=lambda: clock[0]))
    model = SimpleNamespace(g_optimizer=steps, stop_training=False)
    quality = callbacks.QualityEval(Evaluator(), "domain_fd", 1, tmp_path, "gan", last_epoch=60,
                                    paced=True)
    quality.set_model(model)
    quality.pace.clock = lambda: clock[0]
    saved = []
    monkeypatch.setattr(callbacks, "save_checkpoint", save)
    for epoch in range(60):  # 2-s epochs
        quality.on_epoch_begin(epoch)
        clock[0] += 2.0
        quality.on_epoch_end(epoch, {"d_loss": 1.0, "g_loss": 1.0})
    # 1.5 s / 2% = 75 s after each scoring ends (26 without the checkpoint), and the last
    assert scored == [1, 39, 60]
    assert saved == scored  # each a new best
