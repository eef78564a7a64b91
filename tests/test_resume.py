"""Crash safety: exact resume after SIGKILL, fallback from a damaged checkpoint, refusals,
Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from keras_gan.cli.app import cli
from keras_gan.training.checkpoints import CheckpointError, restore
from keras_gan.config import RunConfig
from keras_gan.training.factory import build_model
from keras_gan.runs import load_run
from keras_gan.training.run import resume_training, run_training
from tests.conftest import small_digits, tiny_config

ROOT = Path(__file__).resolve().parent.parent
TRAIN_ARGS = ["--image-size", "8", "--latent-dim", "8", "--batch-size", "16", "--seed", "3",
              "--eval-every", "0", "--snap", "1"]
STEPS = 10  # 160 digits at batch 16


def cli_run(args: list[str], at: tuple[int, int], signal_name: str) -> subprocess.CompletedProcess:
    """`cli.py ARGS` in a subprocess that gets SIGNAL right after step at[1] of epoch at[0]."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, str(ROOT / "tests" / "interrupted_run.py"), str(at[0]),
                           str(at[1]), signal_name, "--", "--quiet", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def train_args(run_dir: Path) -> list[str]:
    return ["train", "--data", str(small_digits()), "--epochs", "3", "--run-dir", str(run_dir),
            *TRAIN_ARGS]


def weights_and_counters(run_dir):
    _, model, _ = load_run(run_dir)
    counters = {name: int(o.iterations.numpy()) for name, o in model.optimizers.items()}
    seeds = [np.asarray(g.state) for _, g in model.seed_state_items()]
    return model.get_weights(), counters, seeds


def assert_same_state(a, b):
    (wa, ca, sa), (wb, cb, sb) = a, b
    assert ca == cb
    for x, y in zip(sa + wa, sb + wb, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The reference: 3 epochs in one go, with the same options the CLI runs use."""
    tmp = tmp_path_factory.mktemp("ref")
    config = tiny_config(tmp, epochs=3, seed=3)
    return run_training(config, verbose=0).run_dir


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_equals_an_uninterrupted_run(uninterrupted, tmp_path):
    run_dir = tmp_path / "killed"
    killed = cli_run(train_args(run_dir), at=(2, 4), signal_name="KILL")
    assert killed.returncode == -signal.SIGKILL
    assert (run_dir / "checkpoints" / "epoch_0001.weights.h5").exists()
    assert not (run_dir / "checkpoints" / "epoch_0002.weights.h5").exists()

    result = resume_training(run_dir, verbose=0)
    assert result.history["d_loss"] and not result.interrupted
    assert_same_state(weights_and_counters(run_dir), weights_and_counters(uninterrupted))
    epochs = [int(row.split(",")[0]) for row in (run_dir / "history.csv").read_text().splitlines()[1:]]
    assert epochs == [0, 1, 2]  # one row per epoch, none repeated by the resume


def test_sigkill_after_a_mid_epoch_checkpoint_by_minutes_resumes_from_it_exactly(uninterrupted, tmp_path):
    run_dir = tmp_path / "killed"
    args = [a for a in train_args(run_dir) if a not in ("--snap", "1")]  # by minutes, the default
    killed = cli_run([*args, "--snap-minutes", "0.00001", "--steps-per-execution", "2"], at=(2, 4),
                     signal_name="KILL")
    assert killed.returncode == -signal.SIGKILL
    newest = json.loads((run_dir / "checkpoints" / "latest.json").read_text())["file"]
    assert newest.startswith("epoch_0001_step_000")  # saved mid-epoch, no epoch end needed

    resume_training(run_dir, verbose=0)
    assert_same_state(weights_and_counters(run_dir), weights_and_counters(uninterrupted))


def test_a_corrupt_newest_checkpoint_falls_back_to_the_previous_one(uninterrupted, tmp_path):
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(uninterrupted, run_dir)
    newest = run_dir / "checkpoints" / "epoch_0003.weights.h5"
    newest.write_bytes(newest.read_bytes()[:1000])  # truncated, as by a full disk
    config, gan, checkpoint = load_run(run_dir)
    assert checkpoint.name == "epoch_0002.weights.h5"
    result = resume_training(run_dir, epochs=3, verbose=0)  # trains epoch 3 again
    assert_same_state(weights_and_counters(run_dir), weights_and_counters(uninterrupted))
    assert result.history["d_loss"]


def test_checkpoints_from_another_arch_or_format_are_refused(uninterrupted, tmp_path):
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(uninterrupted, run_dir)
    meta_file = run_dir / "checkpoints" / "epoch_0003.json"
    meta = json.loads(meta_file.read_text())
    gan = build_model(RunConfig.from_json(run_dir / "config.json"))
    meta_file.write_text(json.dumps({**meta, "family": "dcgan"}))
    with pytest.raises(CheckpointError, match="holds a 'dcgan' GAN, but the run's config.json says"):
        restore(gan, run_dir / "checkpoints", "gan")
    meta_file.write_text(json.dumps({**meta, "format": 99, "keras_gan": "9.0"}))
    with pytest.raises(CheckpointError, match="format 99 \\(written by keras-gan 9.0\\)"):
        restore(gan, run_dir / "checkpoints", "gan")


def test_restore_checks_that_optimizer_state_really_loaded(uninterrupted, tmp_path):
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(uninterrupted, run_dir)
    _, gan, checkpoint = load_run(run_dir)
    meta = json.loads((run_dir / "checkpoints" / "epoch_0003.json").read_text())
    assert int(gan.g_optimizer.iterations.numpy()) == meta["iterations"]["g_optimizer"] == 3 * STEPS
    assert any(np.abs(v.numpy()).sum() > 0 for v in gan.g_optimizer.variables[2:])  # Adam moments


def test_resume_refuses_a_finished_run_and_changed_options(uninterrupted):
    runner = CliRunner()
    done = runner.invoke(cli, ["train", "--resume", str(uninterrupted)])
    assert done.exit_code == 1 and "expected more than the 3 epochs" in done.output
    changed = runner.invoke(cli, ["train", "--resume", str(uninterrupted), "--lr", "0.1"])
    assert changed.exit_code == 2 and "only --epochs, --strategy, --cpu-replicas, --minutes, " \
        "--kimg can change" in changed.output
    assert "--lr" in changed.output


@pytest.mark.slow
def test_ctrl_c_saves_a_mid_epoch_checkpoint_and_resume_finishes_exactly(uninterrupted, tmp_path):
    run_dir = tmp_path / "interrupted"
    # two steps per call into TF: Ctrl-C stops at the end of the call holding step 4
    stopped = cli_run([*train_args(run_dir), "--steps-per-execution", "2"], at=(2, 4),
                      signal_name="INT")
    assert stopped.returncode == 130, stopped.stderr[-2000:]
    assert f"Resume with: keras-gan train --resume {run_dir}" in stopped.stdout
    partial = sorted((run_dir / "checkpoints").glob("epoch_0001_step_*.weights.h5"))
    assert [p.name for p in partial] == ["epoch_0001_step_00004.weights.h5"]
    assert "Traceback" not in stopped.stderr
    resumed = CliRunner().invoke(cli, ["--quiet", "train", "--resume", str(run_dir)])
    assert resumed.exit_code == 0, resumed.output
    assert_same_state(weights_and_counters(run_dir), weights_and_counters(uninterrupted))


def poison(monkeypatch, times: int, batch: int = 4):
    """Replace batch `batch` of the first `times` pipelines built with NaNs."""
    import tensorflow as tf

    import keras_gan.training.run as train_module

    real = train_module.training_pipeline
    built = []

    def poisoned(*args, **kwargs):
        dataset = real(*args, **kwargs)
        built.append(1)
        if len(built) > times:
            return dataset
        return dataset.enumerate().map(
            lambda i, x: {**x, "image": tf.where(i == batch, x["image"] * float("nan"), x["image"])})

    monkeypatch.setattr(train_module, "training_pipeline", poisoned)
    return built


def test_a_nan_batch_is_rolled_back_with_halved_learning_rates(tmp_path, monkeypatch, caplog):
    built = poison(monkeypatch, times=1)
    result = run_training(tiny_config(tmp_path, epochs=2, seed=3), verbose=0)
    assert len(built) == 2  # the poisoned run, then one rollback
    assert ("rolled back to epoch_0000.weights.h5 and halved every learning rate (d_optimizer "
            "1.00e-04, g_optimizer 1.00e-04)") in caplog.text
    _, gan, checkpoint = load_run(result.run_dir)
    assert checkpoint.name == "epoch_0002.weights.h5"
    assert all(np.isfinite(w).all() for w in gan.get_weights())
    assert float(gan.g_optimizer.learning_rate.numpy()) == pytest.approx(1e-4)  # kept on resume
    history = (result.run_dir / "history.csv").read_text()
    assert "nan" not in history.lower() and len(history.splitlines()) == 3


def test_a_run_that_keeps_diverging_stops_with_a_reason(tmp_path, monkeypatch):
    poison(monkeypatch, times=100)
    config = tiny_config(tmp_path, epochs=2, seed=3)
    args = ["train", "--data", str(small_digits()), "--epochs", "2", "--runs-root", config.runs_root,
            *TRAIN_ARGS]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "after 3 rollbacks with halved learning rates" in result.output
    assert "--resume" in result.output


def test_collapse_watch_warns_once_when_d_wins_and_when_samples_stop_varying(tmp_path):
    from keras_gan.training.callbacks import CollapseWatch, SampleGrid

    gan = build_model(tiny_config(tmp_path).replace(data={"channels": 1}))
    warnings = []
    grid = SampleGrid(tmp_path / "samples", gan.latents(4))
    grid.set_model(gan)
    watch = CollapseWatch(grid, patience=3, warn=warnings.append)
    watch.set_model(gan)
    for epoch, g_loss in enumerate([3.0, 4.0, 5.0, 6.0]):
        logs = {"fake_score": 0.01, "g_loss": g_loss, "d_loss": 0.1}
        grid.on_epoch_end(epoch, logs)
        watch.on_epoch_end(epoch, logs)
    assert len([w for w in warnings if "won outright for 3 epochs" in w]) == 1
    healthy = CollapseWatch(grid, warn=warnings.append, min_sample_std=1e-3)
    healthy.set_model(gan)
    logs = {"fake_score": 0.5, "g_loss": 1.0, "d_loss": 1.0}
    grid.on_epoch_end(0, logs)
    healthy.on_epoch_end(0, logs)
    assert not any("stopped varying" in w for w in warnings)
    for layer in gan.sampling_generator.layers:  # ignores its input: every sample alike
        for weight in layer.weights:
            weight.assign(np.zeros(weight.shape, dtype=weight.dtype))
    grid.on_epoch_end(1, logs)
    healthy.on_epoch_end(1, logs)
    assert any("stopped varying" in w for w in warnings)


def test_when_d_wins_outright_ada_raises_p_and_a_resumed_run_acts_on_the_same_epochs(tmp_path):
    from keras_gan.training.augment import ADA_BOOST
    from keras_gan.training.callbacks import CollapseWatch, SampleGrid

    gan = build_model(tiny_config(tmp_path, augment="ada").replace(data={"channels": 1}))
    grid = SampleGrid(tmp_path / "samples", gan.latents(4))
    grid.set_model(gan)
    losing = [{"fake_score": 0.01, "g_loss": 3.0 + e, "d_loss": 0.1} for e in range(7)]

    def watch_epochs(epochs, past=None):
        warnings, ps = [], []
        watch = CollapseWatch(grid, patience=3, warn=warnings.append, past=past)
        watch.set_model(gan)
        watch.on_train_begin()
        for epoch in epochs:
            ps.append(float(gan.augment.p.numpy()))  # logged before the callbacks act
            grid.on_epoch_end(epoch, losing[epoch])
            watch.on_epoch_end(epoch, losing[epoch])
        return warnings, ps

    warnings, ps = watch_epochs(range(7))
    # epochs 3 and 6 (1-based) end three losing epochs each: p rises at once, and again
    assert float(gan.augment.p.numpy()) == pytest.approx(2 * ADA_BOOST)
    assert ps == pytest.approx([0, 0, 0, ADA_BOOST, ADA_BOOST, ADA_BOOST, 2 * ADA_BOOST])
    assert [w.split(":")[0] for w in warnings] == ["Epoch 3", "Epoch 6"]
    assert "ADA raised p from 0.00 to 0.20" in warnings[0]
    # resumed after epoch 4 (history.csv's columns so far): the next act is still epoch 6
    gan.augment.p.assign(ADA_BOOST)
    past = {"fake_score": [0.01] * 4, "g_loss": [3.0, 4.0, 5.0, 6.0], "augment_p": ps[:4]}
    again, _ = watch_epochs(range(4, 7), past)
    assert [w.split(":")[0] for w in again] == ["Epoch 6"]
    assert float(gan.augment.p.numpy()) == pytest.approx(2 * ADA_BOOST)
    # without ADA there is nothing to raise: a warning, once, naming the remedy
    plain = build_model(tiny_config(tmp_path).replace(data={"channels": 1}))
    watch, told = CollapseWatch(grid, patience=3, warn=[].append), []
    watch.warn = told.append
    watch.set_model(plain)
    watch.on_train_begin()
    for epoch in range(7):
        watch.on_epoch_end(epoch, losing[epoch])
    assert len(told) == 1 and "--augment ada" in told[0]


def test_resume_of_a_conditional_ada_wgan_gp_ema_run_equals_an_uninterrupted_one(tmp_path):
    # Every extra random stream (penalty mixing, augmentation) and state (ADA's p, the EMA
    # generator, class names) must come back from the checkpoint for this to hold.
    options = {"loss": "wgan_gp", "d_steps": 2, "augment": "ada", "ema": 0.99, "batch_size": 16,
               "seed": 5}
    config = tiny_config(tmp_path / "a", epochs=2, **options).replace(model={"conditional": True})
    full = run_training(config, verbose=0).run_dir
    first = run_training(config.replace(train={"epochs": 1}, run_dir=str(tmp_path / "b")),
                         verbose=0).run_dir
    resume_training(first, epochs=2, verbose=0)
    _, a, _ = load_run(full)
    _, b, _ = load_run(first)
    assert float(a.augment.p.numpy()) > 0  # ADA moved, so its restore is really tested
    assert float(a.augment.p.numpy()) == float(b.augment.p.numpy())
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):  # incl. EMA and RNG states
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.aux_seed_generator.state.numpy(),
                                  b.aux_seed_generator.state.numpy())


def test_a_run_saved_when_epochs_excluded_the_decaying_ones_resumes_as_it_trained(tmp_path):
    # config.json format 2: epochs 1 at the full rate, then decay_epochs 2 on top (3 in all)
    config = tiny_config(tmp_path / "a", epochs=3, decay_epochs=2, seed=3)
    full = run_training(config, verbose=0).run_dir
    old = run_training(config.replace(train={"epochs": 1, "decay_epochs": 0},
                                      run_dir=str(tmp_path / "old")), verbose=0).run_dir
    raw = json.loads((old / "config.json").read_text())
    raw["format"], raw["train"]["epochs"], raw["train"]["decay_epochs"] = 2, 1, 2
    (old / "config.json").write_text(json.dumps(raw))
    resume_training(old, verbose=0)  # no --epochs: its own 1 + 2, the rate decaying in both
    assert_same_state(weights_and_counters(old), weights_and_counters(full))
    _, model, _ = load_run(old)
    assert float(model.g_optimizer.learning_rate.numpy()) == pytest.approx(2e-4 / 3)  # epoch 3
    saved = json.loads((old / "config.json").read_text())["train"]
    assert (saved["epochs"], saved["decay_epochs"]) == (3, 2)  # rewritten in epochs-in-all
    done = CliRunner().invoke(cli, ["train", "--resume", str(old), "--epochs", "3"])
    assert done.exit_code == 1 and "counts every epoch" in done.output
