"""keras_gan.training.pacing and the default pace of side work in a run."""

from keras_gan.training.pacing import Budget, Interval
from keras_gan.training.run import run_training
from tests.conftest import tiny_config


def test_a_budget_waits_in_proportion_to_the_last_cost():
    clock = [0.0]
    budget = Budget(0.02, clock=lambda: clock[0])
    assert budget.allows()  # the first time, always
    with budget.spend():
        clock[0] += 0.1  # 0.1 s of work: the next waits 0.1 / 2% = 5 s
    for now, allowed in ((1.0, False), (5.09, False), (5.1, True)):
        clock[0] = now
        assert budget.allows() is allowed


def test_an_interval_is_due_after_its_seconds_and_restarts_when_reset():
    clock = [10.0]
    interval = Interval(300, clock=lambda: clock[0])
    clock[0] = 309.9
    assert not interval.allows()
    clock[0] = 310.0
    assert interval.allows()
    interval.reset()
    assert not interval.allows()


def test_by_default_a_short_run_checkpoints_at_its_start_and_end_and_draws_its_last_grid(tmp_path):
    config = tiny_config(tmp_path, epochs=4, snap=None, grid_every=None)  # snap_minutes 5
    run = run_training(config, verbose=0).run_dir
    checkpoints = sorted(p.name for p in (run / "checkpoints").glob("epoch_*.weights.h5"))
    assert checkpoints == ["epoch_0000.weights.h5", "epoch_0004.weights.h5"]
    grids = {p.name for p in (run / "samples").glob("epoch_*.png")}
    assert {"epoch_0001.png", "epoch_0004.png"} <= grids
