"""SIGTERM (preemption, `timeout`, `docker stop`) is handled like Ctrl-C: a checkpoint at the
current step, the resume command, exit code 143; a second signal acts at once."""

import functools
import json
import os
import signal

import pytest
from click.testing import CliRunner

import keras_gan.cli.app as cli
from keras_gan.training import run as train
from keras_gan.training.callbacks import StopOnInterrupt
from keras_gan.training.signals import Terminated, terminate_raises
from tests.conftest import small_digits
from tests.interrupted_run import InterruptAt


def train_args(run_dir) -> list[str]:
    # one step per call into TensorFlow, so the signal arrives at a known step
    return ["--quiet", "train", "--data", str(small_digits()), "--image-size", "8",
            "--latent-dim", "4", "--width", "2", "--epochs", "2", "--batch-size", "16",
            "--steps-per-execution", "1", "--eval-every", "0", "--run-dir", str(run_dir)]


def test_sigterm_mid_epoch_checkpoints_that_step_exits_143_and_resume_finishes(tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(cli, "run_training", functools.partial(
        train.run_training, callbacks=[InterruptAt(1, 3, signal.SIGTERM)]))
    stopped = CliRunner().invoke(cli.cli, train_args(run_dir))
    assert stopped.exit_code == 143, stopped.output
    assert "Stopped by SIGTERM; checkpoint saved" in stopped.output
    assert f"Resume with: keras-gan train --resume {run_dir}" in stopped.output
    latest = json.loads((run_dir / "checkpoints" / "latest.json").read_text())
    assert latest["file"] == "epoch_0000_step_00003.weights.h5"
    assert signal.getsignal(signal.SIGTERM) is before  # given back after the command

    resumed = CliRunner().invoke(cli.cli, ["--quiet", "train", "--resume", str(run_dir)])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads((run_dir / "checkpoints" / "latest.json").read_text())["epoch"] == 2
    meta = json.loads((run_dir / "checkpoints" / "epoch_0002.json").read_text())
    assert meta["iterations"]["g_optimizer"] == 2 * 10  # 160 digits / 16: no step lost or repeated


class Model:
    stop_training = False


def test_stop_on_interrupt_records_the_signal_and_a_second_one_acts_at_once():
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    # what SIGINT did before: Python's handler, or SIG_IGN where the runner was started in
    # the background (`cmd &` in a shell without job control ignores SIGINT)
    sigint_before = signal.getsignal(signal.SIGINT)
    try:
        stopper = StopOnInterrupt()
        stopper.set_model(Model())
        stopper.on_train_begin()
        os.kill(os.getpid(), signal.SIGTERM)
        assert stopper.interrupted and stopper.signal == signal.SIGTERM and not seen
        stopper.on_train_batch_end(0)
        assert stopper.model.stop_training
        os.kill(os.getpid(), signal.SIGTERM)  # the handler from before is back
        assert seen == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGINT) is sigint_before
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_outside_training_sigterm_raises_so_cleanup_runs():
    cleaned, before = [], signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated) as stop:
        with terminate_raises():
            try:
                os.kill(os.getpid(), signal.SIGTERM)
            finally:
                cleaned.append(True)
    assert cleaned and stop.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before
