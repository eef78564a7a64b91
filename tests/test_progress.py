"""The run's progress: one line per epoch off a terminal, counted from the start of the run."""

import io

from keras_gan.training.progress import RunProgress, clock, numbers


def run_epochs(progress, first_epoch, epochs, steps):
    for epoch in range(first_epoch, first_epoch + epochs):
        progress.on_epoch_begin(epoch)
        for step in range(steps):
            progress.on_train_batch_end(step, {"d_loss": 1.0})
        logs = {"d_loss": 1.25, "g_loss": 0.5}
        if epoch % 2:
            logs["domain_fd"] = 3.5  # measured on odd epochs only
        progress.on_epoch_end(epoch, logs)


def test_a_line_per_epoch_with_images_seen_eta_and_only_measured_numbers(tmp_path):
    out = io.StringIO()
    progress = RunProgress(total_epochs=4, steps_per_epoch=5, batch_size=100, mode=2, stream=out,
                           log_path=tmp_path / "log.txt")
    progress.begin(0, 0)
    run_epochs(progress, 0, 2, 5)
    lines = out.getvalue().splitlines()
    assert [line.split("  ")[:2] for line in lines] == [["epoch 1/4", "0.5 kimg"], ["epoch 2/4", "1.0 kimg"]]
    assert "domain_fd" not in lines[0] and "domain_fd 3.5" in lines[1] and "ETA " in lines[1]
    assert (tmp_path / "log.txt").read_text().splitlines() == lines


def test_a_resumed_run_counts_on_from_where_it_stopped(tmp_path):
    out = io.StringIO()
    progress = RunProgress(total_epochs=4, steps_per_epoch=5, batch_size=100, mode=2, stream=out)
    progress.begin(2, 3)  # resumed after Ctrl-C: 2 epochs and 3 steps done
    progress.on_epoch_begin(2)
    for step in range(2):
        progress.on_train_batch_end(step)
    progress.on_epoch_end(2, {"d_loss": 1.0})
    assert out.getvalue().startswith("epoch 3/4  1.5 kimg")


def test_the_terminal_line_is_redrawn_in_place():
    out = io.StringIO()
    progress = RunProgress(total_epochs=1, steps_per_epoch=3, batch_size=10, mode=1, stream=out)
    progress.begin(0, 0)
    run_epochs(progress, 0, 1, 3)
    progress.on_train_end()
    text = out.getvalue()
    assert text.startswith("\repoch 1/1") and text.endswith("\n") and text.count("\n") == 1


def test_formatting():
    assert clock(65) == "01:05" and clock(3725) == "1:02:05" and clock(float("nan")) == "--:--"
    assert numbers({"g": 0.5, "d": float("nan"), "a": 1234567.0}) == "a 1.235e+06  g 0.5"


def test_a_stopped_epoch_is_reported_as_stopped_and_the_clock_survives_another_fit():
    out = io.StringIO()
    progress = RunProgress(total_epochs=2, steps_per_epoch=10, batch_size=100, mode=2, stream=out)
    progress.begin(0, 0)
    progress.on_epoch_begin(0)
    for step in range(3):
        progress.on_train_batch_end(step)
    progress.on_epoch_end(0, {"d_loss": float("nan")})  # NaN at step 3: the guard stopped it
    assert out.getvalue().startswith("epoch 1/2  0.3 kimg") and "(stopped at step 3/10)" in out.getvalue()
    start = progress.start
    progress.begin(0, 0)  # rolled back
    assert progress.start == start
