"""Quality metrics: the maths on known answers, Inception features (random weights), the
domain score, --eval-every with checkpoints/best, and `evaluate`."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from keras_gan.cli.app import cli
from keras_gan.config import ConfigError
from keras_gan.data import Data
from keras_gan.commands.evaluate import evaluate_run
from keras_gan.evaluation import Evaluator
from keras_gan.evaluation.domain import DomainScore, _build, applicable, cache_dir, network_kind
from keras_gan.evaluation.inception import InceptionFeatures, resize_for_inception
from keras_gan.evaluation.stats import (feature_frechet_distance, frechet_distance,
                                        kernel_inception_distance)
from keras_gan.training.run import run_training
from tests.conftest import small_pairs, tiny_config


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GAN_CACHE", str(tmp_path / "cache"))


def test_frechet_distance_of_two_gaussians_has_the_closed_form():
    # 1-D: (m1 - m2)^2 + s1 + s2 - 2 sqrt(s1 s2) = (m1 - m2)^2 + (sd1 - sd2)^2
    assert frechet_distance(1.0, 4.0, -2.0, 9.0) == pytest.approx(9.0 + 1.0)
    # diagonal covariances: the sum over dimensions
    value = frechet_distance(np.zeros(2), np.diag([1.0, 4.0]), np.ones(2), np.diag([4.0, 16.0]))
    assert value == pytest.approx(2.0 + (1 - 2) ** 2 + (2 - 4) ** 2)
    # a full covariance against itself, shifted by (3, 4): only the mean term remains
    cov = np.array([[2.0, 0.7], [0.7, 1.0]])
    assert frechet_distance(np.zeros(2), cov, np.array([3.0, 4.0]), cov) == pytest.approx(25.0)


def test_feature_frechet_distance_is_zero_for_identical_sets_and_grows_with_a_shift():
    x = np.random.default_rng(0).normal(size=(2000, 4))
    assert feature_frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    near, far = feature_frechet_distance(x, x + 0.5), feature_frechet_distance(x, x + 2.0)
    assert near == pytest.approx(4 * 0.25, rel=1e-6) and far == pytest.approx(4 * 4.0, rel=1e-6)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_shifted_ones():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 16)), rng.normal(size=(400, 16))
    same, same_std = kernel_inception_distance(a, b, subsets=20, subset_size=200)
    shifted, _ = kernel_inception_distance(a, b + 1.0, subsets=20, subset_size=200)
    assert abs(same) < 3 * same_std + 1e-3  # unbiased: zero within its spread
    assert shifted > 50 * max(abs(same), 1e-4) and same_std > 0
    with pytest.raises(ValueError, match="at least 2 samples"):
        kernel_inception_distance(a[:1], b)


def test_inception_resize_path_and_features_with_random_weights():
    gray = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    resized = resize_for_inception(gray).numpy()
    assert resized.shape == (3, 299, 299, 3)
    np.testing.assert_array_equal(resized[..., 0], resized[..., 2])  # grey repeated to RGB
    features = InceptionFeatures(weights=None, batch_size=2)
    a = features(gray)
    assert a.shape == (3, 2048) and np.isfinite(a).all()
    np.testing.assert_allclose(features(gray), a, rtol=1e-5, atol=1e-6)  # deterministic
    assert not np.allclose(features(-gray), a)


def test_missing_inception_weights_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="Invalid inception_weights.*--inception-weights PATH"):
        InceptionFeatures(weights=str(tmp_path / "missing.h5"))


def separable_digits(n=300, seed=0):
    """Two classes a small CNN separates: dark left half vs dark right half."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n).astype(np.int32)
    pixels = rng.integers(150, 256, (n, 8, 8, 1)).astype(np.uint8)
    for image, label in zip(pixels, labels):
        image[:, :4] = image[:, :4] // 8 if label == 0 else image[:, :4]
        image[:, 4:] = image[:, 4:] // 8 if label == 1 else image[:, 4:]
    return pixels, labels


def test_domain_score_on_real_images_and_on_a_collapsed_generator():
    pixels, labels = separable_digits()
    score = DomainScore(pixels, labels, 2, n_real=150)
    assert score.accuracy > 0.9
    real = pixels[150:].astype("float32") / 127.5 - 1
    good = score(real, asked=labels[150:])
    assert good["class_entropy"] > 0.95 and good["confident"] > 0.8
    assert good["label_accuracy"] > 0.9
    collapsed = score(np.repeat(real[:1], 150, axis=0))
    assert collapsed["class_entropy"] == 0.0 and collapsed["domain_fd"] > good["domain_fd"]
    assert len(list(cache_dir().glob("classifier-*.keras"))) == 1  # cached...
    again = DomainScore(pixels, labels, 2, n_real=150)  # ...and reused, not retrained
    assert again.accuracy == score.accuracy
    assert len(list(cache_dir().glob("classifier-*.keras"))) == 1


def separable_colours(n=240, size=40, seed=0):
    """Two classes of RGB images: a red left half or a blue right half, on noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n).astype(np.int32)
    pixels = rng.integers(0, 120, (n, size, size, 3)).astype(np.uint8)
    half = size // 2
    pixels[labels == 0, :, :half, 0] = 230
    pixels[labels == 1, :, half:, 2] = 230
    return pixels, labels


def test_domain_score_on_larger_colour_images_uses_the_four_convolution_network():
    pixels, labels = separable_colours()
    score = DomainScore(pixels, labels, 2, n_real=120)
    assert network_kind(pixels.shape[1:]) == "large" and network_kind((28, 28, 1)) == "small"
    assert len(score.model.layers) > 10  # four conv + batch-norm blocks, not the digits' two
    assert score.accuracy > 0.9
    real = pixels[120:].astype("float32") / 127.5 - 1
    good = score(real)
    collapsed = score(np.repeat(real[:1], 120, axis=0))
    assert good["class_entropy"] > 0.9 and collapsed["class_entropy"] == 0.0
    assert collapsed["domain_fd"] > 5 * good["domain_fd"]
    # images over 64 px are resized inside the network, so any size scores
    big = _build((72, 72, 3), 3)
    assert big.layers[1].name.startswith("resizing") and big.output.shape == (None, 3)


def test_domain_score_needs_two_or_more_labelled_classes(tmp_path):
    assert applicable((10, 28, 28, 1), np.zeros(10) + np.arange(10) % 2) is None
    assert applicable((10, 64, 64, 3), np.arange(10) % 3) is None  # any size, any channels
    assert "no class labels" in applicable((10, 28, 28, 1), None)
    assert "single class" in applicable((10, 64, 64, 3), np.zeros(10))
    rgb = Data(fields={"image": np.zeros((4, 64, 64, 3), np.uint8)}, description="rgb")
    with pytest.raises(ConfigError, match="domain score cannot score.*no class labels"):
        Evaluator(tiny_config(tmp_path), rgb, ("domain",))


def test_eval_every_logs_the_metric_where_measured_and_keeps_the_best_checkpoint(tmp_path, capsys):
    config = tiny_config(tmp_path, epochs=4, batch_size=64, eval_every=2, eval_samples=200,
                         keep_checkpoints=1)
    result = run_training(config, verbose=2)
    history = result.history["domain_fd"]  # one value per epoch, NaN where not measured
    assert len(history) == 4 and np.isnan(history[0]) and np.isnan(history[2])
    scores = [history[1], history[3]]
    assert all(np.isfinite(scores))
    # the console shows the metric on the epochs that measured it, never a "nan"
    epoch_lines = [line for line in capsys.readouterr().out.splitlines() if "d_loss" in line]
    assert len(epoch_lines) == 4 and not any("nan" in line for line in epoch_lines)
    assert ["domain_fd" in line for line in epoch_lines] == [False, True, False, True]
    # history.csv: no val_ placeholders, an empty cell where nothing was measured
    rows = (result.run_dir / "history.csv").read_text().splitlines()
    header = rows[0].split(",")
    assert header[0] == "epoch" and "domain_fd" in header and not any(h.startswith("val_") for h in header)
    cells = [row.split(",")[header.index("domain_fd")] for row in rows[1:]]
    assert cells[0] == cells[2] == "" and [float(c) for c in cells[1::2]] == pytest.approx(scores)
    assert "NA" not in rows[1:] and "nan" not in "".join(rows)
    checkpoints = result.run_dir / "checkpoints"
    best = json.loads((checkpoints / "best.json").read_text())
    assert best["metric"] == "domain_fd" and best["value"] == pytest.approx(min(scores))
    assert best["epoch"] == 2 * (1 + int(np.argmin(scores)))
    assert (checkpoints / "best.weights.h5").is_file()  # kept although keep_checkpoints=1
    assert sorted(p.name for p in checkpoints.glob("epoch_*.weights.h5")) == ["epoch_0004.weights.h5"]

    runner = CliRunner()
    done = runner.invoke(cli, ["evaluate", "--run", str(result.run_dir), "--checkpoint", "best",
                               "--metrics", "domain", "--n", "200"])
    assert done.exit_code == 0, done.output
    assert "best.weights.h5" in done.output and "domain_fd" in done.output
    record = json.loads((result.run_dir / "evaluation.jsonl").read_text().splitlines()[-1])
    assert record["checkpoint"] == "best.weights.h5" and record["epoch"] == best["epoch"]
    # same checkpoint, same samples and real subset: the score during training is reproduced
    assert record["domain_fd"] == pytest.approx(best["value"], rel=1e-4)
    out = tmp_path / "best.png"
    done = runner.invoke(cli, ["sample", "--run", str(result.run_dir), "--checkpoint", "best",
                               "--out", str(out)])
    assert done.exit_code == 0 and out.is_file()


def test_unknown_metric_is_refused_before_anything_loads(tmp_path):
    run_dir = run_training(tiny_config(tmp_path, batch_size=64), verbose=0).run_dir
    with pytest.raises(ConfigError, match="Invalid metrics: expected a comma-separated subset of "
                                          "domain, fid, kid for noise to image runs. Received: "
                                          "metrics='l1'"):
        evaluate_run(run_dir, metrics="l1")


def test_unusable_eval_settings_fail_before_a_run_folder_exists(tmp_path):
    weights = tmp_path / "missing.h5"
    config = tiny_config(tmp_path, eval_every=1, eval_metric="kid", inception_weights=str(weights))
    with pytest.raises(ConfigError, match="Invalid inception_weights.*missing.h5"):
        run_training(config, verbose=0)
    unlabelled = tiny_config(tmp_path, data=small_pairs() / "A", eval_every=1, eval_metric="domain")
    with pytest.raises(ConfigError, match="Invalid eval_metric: the domain score cannot score.*"
                                          "no class labels"):
        run_training(unlabelled, verbose=0)
    assert not (tmp_path / "runs").exists()


def test_best_checkpoint_missing_is_a_clear_error(tmp_path):
    result = run_training(tiny_config(tmp_path, batch_size=64), verbose=0)
    done = CliRunner().invoke(cli, ["sample", "--run", str(result.run_dir), "--checkpoint", "best"])
    assert done.exit_code == 1 and "only for runs trained with --eval-every" in done.output


def test_default_eval_every_scores_labelled_data_every_ten_epochs_paced_and_nothing_else(tmp_path):
    from keras_gan.resolve import fill_eval

    def data(shape, labels):
        fields = {"image": np.zeros(shape, np.uint8)}
        return Data(fields={**fields, **({} if labels is None else {"label": labels})},
                    description="test")

    auto = tiny_config(tmp_path, eval_every=None)
    labels = np.arange(10, dtype=np.int32) % 2
    for shape in ((10, 28, 28, 1), (10, 64, 64, 3)):  # digits, and a folder of class subfolders
        train = fill_eval(auto, data(shape, labels)).train
        assert (train.eval_every, train.eval_metric) == (10, "domain")  # NoiseToImage.eval_every
        assert train.eval_paced  # the default skips scorings that would cost over 2% of the time
    for known in (None, np.zeros(10, np.int32)):  # unlabelled, one class: no free metric
        train = fill_eval(auto, data((10, 64, 64, 3), known)).train
        assert (train.eval_every, train.eval_metric) == (0, None)
    explicit = fill_eval(tiny_config(tmp_path, eval_every=3), data((10, 28, 28, 1), labels)).train
    assert (explicit.eval_every, explicit.eval_metric, explicit.eval_paced) == (3, "domain", False)
    off = fill_eval(tiny_config(tmp_path, eval_every=0), data((10, 28, 28, 1), labels)).train
    assert (off.eval_every, off.eval_metric) == (0, None)
    with pytest.raises(ConfigError, match="Invalid eval_metric: expected one of domain, fid, kid "
                                          "for --family gan. Received: eval_metric='ssim'"):
        fill_eval(tiny_config(tmp_path, eval_metric="ssim"), data((10, 28, 28, 1), labels))


def test_a_default_run_writes_its_resolved_evaluation_settings(tmp_path):
    result = run_training(tiny_config(tmp_path, eval_every=None, batch_size=64), verbose=0)
    saved = json.loads((result.run_dir / "config.json").read_text())["train"]
    assert (saved["eval_every"], saved["eval_metric"]) == (10, "domain")
    assert np.isfinite(result.history["domain_fd"]).all()  # the last epoch is always scored
