"""Training budgets (--minutes, --kimg): the run stops at the budget with a checkpoint, a grid
and scores, exits 0, and a resume with a larger budget continues exactly."""

import dataclasses
import io
import json
import math
from pathlib import Path

import keras
import pytest
from click.testing import CliRunner

import keras_gan
from keras_gan.cli.app import cli
from keras_gan.config import RunConfig, TrainConfig
from keras_gan.errors import ConfigError
from keras_gan.registry import FAMILIES
from keras_gan.resolve import resolve
from keras_gan.training import budget as budget_module
from keras_gan.training.budget import TRAINED_SECONDS, kimg_steps
from keras_gan.training.progress import RunProgress
from keras_gan.training.run import resume_training
from keras_gan.training.schedule import budget_factor
from tests.conftest import saved_config, small_digits, tiny_config
from tests.test_resume import assert_same_state, weights_and_counters

# the families whose stop, exit code and exact resume are tested (tiny_config, --decay-epochs 0:
# a constant learning rate); a new family is one more name here
EXACT = ["gan", "pix2pix", "lightweight"]


def images_per_step(family: str) -> int:
    return tiny_config(Path("unused"), family).train.batch_size  # d_steps 1


def newest(run_dir) -> dict:
    """The newest checkpoint's metadata."""
    latest = json.loads((run_dir / "checkpoints" / "latest.json").read_text())["file"]
    return json.loads((run_dir / "checkpoints" / latest.replace(".weights.h5", ".json")).read_text())


def steps_done(run_dir) -> int:
    return newest(run_dir)["iterations"]["g_optimizer"]


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class AdvanceAt(keras.callbacks.Callback):
    """Moves `clock` on by `seconds` after the `at`-th step of this fit()."""

    def __init__(self, clock, at, seconds):
        super().__init__()
        self.clock, self.at, self.seconds, self.steps = clock, at, seconds, 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.steps == self.at:
            self.clock.now += self.seconds


def test_minutes_stop_with_checkpoint_and_grid_and_count_across_resumes(tmp_path, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(budget_module, "default_clock", clock)
    # --epochs not given: the family's 1 epoch is a plan only, it must not end the run
    monkeypatch.setitem(FAMILIES.get("gan").train_defaults, "epochs", 1)
    options = dict(data=str(small_digits()), image_size=8, latent_dim=8, width=2, batch_size=16,
                   seed=3, eval_every=0, snap=1, grid_every=1, grid_size=2, steps_per_execution=1,
                   runs_root=str(tmp_path / "runs"))
    # 10 steps per epoch; a minute passes after step 13: the budget stops the run after step 14
    result = keras_gan.train(minutes=1, verbose=0, callbacks=[AdvanceAt(clock, 13, 61)], **options)
    assert result.budget == "minutes" and result.config.train.budget_ends
    meta = newest(result.run_dir)
    assert (meta["epoch"], meta["step"], meta[TRAINED_SECONDS]) == (1, 4, 61.0)
    assert (result.run_dir / "samples" / "epoch_0002.png").is_file()  # the stopped epoch's grid
    rows = (result.run_dir / "history.csv").read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ["0", "1"]  # and its history row
    assert "--minutes" in result.budget_note and "Budget reached" in result.budget_note

    with pytest.raises(ConfigError, match="Invalid minutes: expected more than the 1.02 minutes"):
        resume_training(result.run_dir, minutes=1, verbose=0)
    # 61 s spent: with a 2-minute total, one more minute after step 3 of the resumed run
    again = resume_training(result.run_dir, minutes=2, verbose=0,
                            callbacks=[AdvanceAt(clock, 3, 60)])
    meta = newest(result.run_dir)
    assert again.budget == "minutes" and (meta["epoch"], meta["step"]) == (1, 8)
    assert meta[TRAINED_SECONDS] == 121.0


def tiny_model_args(model) -> list[str]:
    """The command-line options of tiny_config's family options that differ from the defaults."""
    args = []
    for f in dataclasses.fields(model):
        value = getattr(model, f.name)
        if f.name != "family" and not f.metadata.get("filled") and value != f.default \
                and isinstance(value, (int, float, str)) and not isinstance(value, bool):
            args += [f"--{f.name.replace('_', '-')}", str(value)]
    return args


def tiny_train_args(family: str, run_dir, kimg: float) -> list[str]:
    """`train` as tiny_config trains `family`, with a --kimg budget and no --epochs."""
    config = tiny_config(Path("unused"), family)
    # pix2pix scores L1 on held-out pairs (cheap): every 5 epochs would score none of these
    scores = ["--eval-every", "5", "--eval-samples", "4"] if family == "pix2pix" else \
        ["--eval-every", "0"]
    return ["train", "--family", family, "--data", config.data.name, "--image-size",
            str(config.data.image_size), "--batch-size", str(config.train.batch_size),
            "--decay-epochs", "0", "--loss", config.train.loss, "--seed", "3",
            "--kimg", f"{kimg:g}", "--run-dir", str(run_dir), "--quiet", *scores,
            *tiny_model_args(config.model)]


@pytest.mark.parametrize("family", EXACT)
def test_kimg_stops_at_its_step_with_exit_0_and_a_larger_kimg_resumes_to_the_uninterrupted_weights(
        family, tmp_path):
    images, runner = images_per_step(family), CliRunner()
    first, total = (7 * images - 1) / 1000, 19 * images / 1000  # 7 steps (rounded up), 19 steps
    whole = runner.invoke(cli, tiny_train_args(family, tmp_path / "whole", total))
    assert whole.exit_code == 0, whole.output
    assert steps_done(tmp_path / "whole") == 19

    part_dir = tmp_path / "part"
    part = runner.invoke(cli, tiny_train_args(family, part_dir, first))
    assert part.exit_code == 0 and "Budget reached" in part.output, part.output
    assert f"--resume {part_dir} --kimg" in part.output  # how to continue
    assert steps_done(part_dir) == 7 and newest(part_dir)["step"] > 0  # inside an epoch
    assert (part_dir / "samples" / "epoch_0001.png").is_file()
    if family == "pix2pix":  # scored at the stop, as at a last epoch
        best = json.loads((part_dir / "checkpoints" / "best.json").read_text())
        assert best["metric"] == "l1" and math.isfinite(best["value"])
    spent = runner.invoke(cli, ["train", "--resume", str(part_dir), "--kimg", f"{first / 2:g}"])
    assert spent.exit_code == 1 and "Invalid kimg: expected more than" in spent.output
    assert "pass --kimg N" in spent.output

    resumed = runner.invoke(cli, ["train", "--resume", str(part_dir), "--kimg", f"{total:g}"])
    assert resumed.exit_code == 0, resumed.output
    assert steps_done(part_dir) == 19
    assert_same_state(weights_and_counters(part_dir), weights_and_counters(tmp_path / "whole"))


def test_a_kimg_budget_without_epochs_sets_the_epochs_it_needs_and_the_familys_decay(tmp_path):
    config = tiny_config(tmp_path, "pix2pix", epochs=None, decay_epochs=None, kimg=0.4)
    resolved, data = resolve(config)
    steps = math.ceil(data.count / 4)
    train = resolved.train
    assert train.budget_ends and train.epochs == math.ceil(kimg_steps(0.4, 4) / steps)
    assert train.decay_epochs == train.epochs // 2  # pix2pix decays the last half
    both, _ = resolve(tiny_config(tmp_path, "pix2pix", epochs=3, kimg=0.4))
    assert not both.train.budget_ends and both.train.epochs == 3  # whichever comes first


def test_budgets_are_validated_and_old_configs_load_without_them(tmp_path):
    for name, value in (("minutes", 0), ("minutes", -1.0), ("kimg", 0)):
        with pytest.raises(ConfigError, match=f"Invalid {name}: expected a budget > 0"):
            TrainConfig(**{name: value}).validate()
    with pytest.raises(ConfigError, match="Invalid budget_ends"):
        TrainConfig(budget_ends=True).validate()
    result = CliRunner().invoke(cli, ["train", "--minutes", "0", "--dry-run"])
    assert result.exit_code == 2 and "--minutes" in result.output
    saved = json.loads(tiny_config(tmp_path).to_json())
    for key in ("minutes", "kimg", "budget_ends"):
        del saved["train"][key]
    old = RunConfig.from_dict(saved).train
    assert (old.minutes, old.kimg, old.budget_ends) == (None, None, False)
    assert "minutes" in json.loads(tiny_config(tmp_path, minutes=5.0).to_json())["train"]
    help_text = CliRunner().invoke(cli, ["train", "--help"]).output
    assert "minutes of training in all" in help_text and "thousand real images in all" in help_text


class Budget:
    def __init__(self, limit=None, left=None):
        self.limit, self.left = limit, left

    def seconds_left(self):
        return self.left


def test_the_progress_eta_follows_the_budget():
    out = io.StringIO()
    # --minutes alone: no epoch total, the ETA is the time left of the budget
    progress = RunProgress(None, 10, 100, mode=2, stream=out, budget=Budget(left=125.0))
    progress.begin(2, 0)
    assert progress.status(3).startswith("epoch 3  2.0 kimg") and "ETA 02:05" in progress.status(3)
    # --kimg: the steps left to its step at this pace (10 steps in 100 s, 10 to go)
    progress = RunProgress(5, 10, 100, mode=2, stream=out, budget=Budget(limit=20))
    progress.begin(1, 0)
    progress.start -= 100
    progress.started_at = 0
    status = progress.status(2)
    assert status.startswith("epoch 2/5  1.0/2 kimg") and "ETA 01:40" in status


def test_the_decay_under_a_minutes_budget_follows_the_share_used():
    from types import SimpleNamespace

    from keras_gan.training.schedule import LearningRateDecay

    assert budget_factor(0.25, 0.5) == 1.0 and budget_factor(0.75, 0.5) == 0.5
    assert budget_factor(0.9, 0.0) == 1.0  # families that do not decay
    used = [0.0]
    model = SimpleNamespace(optimizers={"g_optimizer": SimpleNamespace(learning_rate=None)},
                            learning_rates={"g_optimizer": 2e-4})
    decay = LearningRateDecay(200, 100, used=lambda: used[0])  # pix2pix's plan: the last half
    decay.set_model(model)
    for share, rate in ((0.1, 2e-4), (0.5, 2e-4), (0.75, 1e-4), (0.9, 0.4e-4)):
        used[0] = share
        decay.on_epoch_begin(7)  # the epoch does not matter, the share used does
        assert model.optimizers["g_optimizer"].learning_rate == pytest.approx(rate)


def test_calls_into_tensorflow_end_at_the_kimg_step():
    from keras_gan.training.run import execution_steps

    gan = saved_config("gan")
    assert execution_steps(gan, 256, 20) == 20  # an epoch per call without a budget
    assert execution_steps(gan, 256, 20, to_stop=15) == 5  # and the one the budget ends: to 15
    assert execution_steps(gan, 256, 19, to_stop=7) == 1
