"""history.csv: tidy columns, empty cells where nothing was measured, old files tidied."""

import numpy as np

from keras_gan.training.history import append_epoch, read_history, trim_history

# What keras-gan 0.1 wrote through Keras' CSVLogger: val_ placeholders, "nan" metric cells.
OLD = ("epoch,d_loss,domain_fd,g_loss,val_d_loss,val_domain_fd,val_g_loss\n"
       "0,1.5,nan,0.7,NA,NA,NA\n"
       "1,1.25,3.5,0.5,NA,NA,NA\n")


def test_a_metric_column_appears_once_measured_and_is_empty_elsewhere(tmp_path):
    path = tmp_path / "history.csv"
    append_epoch(path, 0, {"g_loss": 0.75, "d_loss": 1.5})
    assert path.read_text().splitlines() == ["epoch,d_loss,g_loss", "0,1.5,0.75"]
    append_epoch(path, 1, {"g_loss": 0.5, "d_loss": 1.25, "kid": 0.125})
    append_epoch(path, 2, {"g_loss": 0.25, "d_loss": 1.0})
    assert path.read_text().splitlines() == [
        "epoch,d_loss,g_loss,kid", "0,1.5,0.75,", "1,1.25,0.5,0.125", "2,1.0,0.25,"]
    history = read_history(path)
    assert history["kid"][1] == 0.125 and np.isnan(history["kid"][0]) and np.isnan(history["kid"][2])


def test_an_old_csvlogger_file_is_tidied_when_its_run_goes_on(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(OLD)
    history = read_history(path)  # the placeholder columns dropped, "nan" read as NaN
    assert sorted(history) == ["d_loss", "domain_fd", "epoch", "g_loss"]
    assert np.isnan(history["domain_fd"][0]) and history["domain_fd"][1] == 3.5
    append_epoch(path, 2, {"d_loss": 1.0, "g_loss": 0.25})
    assert path.read_text().splitlines() == [
        "epoch,d_loss,domain_fd,g_loss", "0,1.5,,0.7", "1,1.25,3.5,0.5", "2,1.0,,0.25"]


def test_trimming_drops_the_epochs_a_resume_trains_again_and_a_rerun_epoch_replaces_its_row(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(OLD)
    trim_history(path, 1)
    assert path.read_text().splitlines() == ["epoch,d_loss,g_loss", "0,1.5,0.7"]
    append_epoch(path, 0, {"d_loss": 2.0, "g_loss": 1.0})  # the same epoch again: one row
    assert path.read_text().splitlines() == ["epoch,d_loss,g_loss", "0,2.0,1.0"]
    trim_history(tmp_path / "missing.csv", 3)  # no file, nothing to do
    assert not (tmp_path / "missing.csv").exists()
