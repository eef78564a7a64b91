"""Sample-quality metrics for a GAN: KID and FID on InceptionV3 features, and the
download-free domain score for digit-like data. One Evaluator serves
`python cli.py evaluate` and `train --eval-every`.

Real statistics come from a random subset of the run's training images (resized
exactly as for training); generated images from fixed latents (EVAL_SEED),
cycling through the classes for conditional runs, so values compare across
epochs and runs.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keras_gan.config import ConfigError, RunConfig
from keras_gan.registry import Registry

log = logging.getLogger(__name__)

EVAL_SEED = 12345  # latents for evaluation samples, distinct from the grid's


@dataclass(frozen=True)
class Metric:
    key: str  # the number that ranks checkpoints (lower is better)
    summary: str
    needs_inception: bool


METRICS: Registry[Metric] = Registry("metric")
METRICS.register("kid", Metric("kid", "Kernel Inception Distance (mean and std over 100 subsets; InceptionV3)", True))
METRICS.register("fid", Metric("fid", "Fréchet Inception Distance (InceptionV3 pool features)", True))
METRICS.register("domain", Metric("domain_fd", "digit data: Fréchet distance on a classifier trained on the "
                                  "dataset's labels, class entropy, confident share (no download)", False))


def parse_metrics(spec) -> tuple[str, ...]:
    from keras_gan.config import invalid

    names = tuple(n.strip() for n in (spec.split(",") if isinstance(spec, str) else spec) if n.strip())
    if not names or any(n not in METRICS for n in names):
        raise invalid("metrics", f"a comma-separated subset of {', '.join(METRICS.names())}", spec)
    return names


def default_metric(pixels_shape, labels) -> str:
    """The --eval-every metric when none is named: domain where it applies, else kid."""
    from keras_gan.evaluation.domain import applicable

    return "domain" if applicable(pixels_shape, labels) is None else "kid"


def _check_domain(config: RunConfig, pixels_shape, labels, option: str, value: str) -> None:
    from keras_gan.evaluation.domain import applicable

    reason = applicable(pixels_shape, labels)
    if reason:
        raise ConfigError(f"Invalid {option}: the domain score cannot score {config.data.name}: "
                          f"{reason}. Received: {option}={value!r}; use kid or fid.")


class Evaluator:
    """Holds the real statistics; `evaluate(gan)` scores a GAN's sampling generator."""

    def __init__(self, config: RunConfig, pixels: np.ndarray, labels: np.ndarray | None,
                 metrics=("kid",), n: int = 5000, inception_weights: str | None = "imagenet",
                 seed: int = 0):
        from keras_gan.evaluation.domain import DomainScore

        self.metrics = parse_metrics(metrics)
        self.n = int(n)
        rng = np.random.default_rng(seed)
        self.real_count = min(self.n, len(pixels))
        self.domain = None
        if "domain" in self.metrics:
            _check_domain(config, pixels.shape, labels, "metrics", ",".join(self.metrics))
            num_classes = len(config.data.class_names or []) or int(labels.max()) + 1
            self.domain = DomainScore(pixels, labels, num_classes, self.n, seed)
        self.inception = None
        if any(METRICS.get(m).needs_inception for m in self.metrics):
            from keras_gan.evaluation.inception import InceptionFeatures

            self.inception = InceptionFeatures(inception_weights)
            pick = rng.choice(len(pixels), self.real_count, replace=False)
            self.real_features = self.inception(pixels[pick].astype("float32") / 127.5 - 1.0)

    def evaluate(self, gan) -> dict:
        from keras_gan.evaluation.stats import feature_frechet_distance, kernel_inception_distance

        inputs = gan.sampling_inputs(gan.latents(self.n, EVAL_SEED))
        images = gan.sample_images(inputs)
        result = {"n_generated": self.n, "n_real": self.real_count}
        if self.inception is not None:
            features = self.inception(images)
            if "fid" in self.metrics:
                result["fid"] = feature_frechet_distance(self.real_features, features)
            if "kid" in self.metrics:
                result["kid"], result["kid_std"] = kernel_inception_distance(self.real_features, features)
        if self.domain is not None:
            result.update(self.domain(images, inputs[1] if gan.num_classes else None))
        return result


AUTO_EVAL_EVERY = 10  # epochs, when --eval-every is left to its default on digit-like data


def resolve_eval(config: RunConfig, pixels_shape, labels) -> RunConfig:
    """Before a run folder exists: fix eval_every and eval_metric in the config, with the
    metric's needs checked (labels for domain, reachable weights for kid/fid).

    eval_every None (the default) means every AUTO_EVAL_EVERY epochs where the
    download-free domain score applies and the metric is not set otherwise, else off.
    """
    from keras_gan.evaluation.domain import applicable

    train = config.train
    every, name = train.eval_every, train.eval_metric
    if every is None:
        auto = name in (None, "domain") and applicable(pixels_shape, labels) is None
        every, name = (AUTO_EVAL_EVERY, "domain") if auto else (0, name)
        if not auto:
            log.info("No download-free quality metric applies to %s; pass --eval-every N to score "
                     "samples by KID and keep the best checkpoint.", config.data.name)
    if every:
        name = name or default_metric(pixels_shape, labels)
        if name == "domain":
            _check_domain(config, pixels_shape, labels, "eval_metric", name)
        elif METRICS.get(name).needs_inception:
            from keras_gan.evaluation.inception import weights_file

            weights_file(train.inception_weights or "imagenet")
    return config.replace(train={"eval_every": every, "eval_metric": name})


def quality_callbacks(config: RunConfig, run_dir, pixels, labels) -> list:
    """The --eval-every callback (empty list when off); real statistics are computed now,
    before the first epoch."""
    train = config.train
    if not train.eval_every or train.eval_every > train.epochs:  # nothing would be scored
        return []
    from keras_gan.callbacks import QualityEval
    from keras_gan.checkpoints import BEST, meta_path

    pixels = np.asarray(pixels)
    name = train.eval_metric or default_metric(pixels.shape, labels)
    evaluator = Evaluator(config, pixels, labels, (name,), train.eval_samples,
                          train.inception_weights or "imagenet", seed=train.seed)
    best_file = meta_path(Path(run_dir) / "checkpoints" / f"{BEST}.weights.h5")
    best = json.loads(best_file.read_text()).get("value") if best_file.is_file() else None
    log.info("Scoring %d samples by %s every %d epochs; the best epoch is kept as "
             "checkpoints/%s.weights.h5.", train.eval_samples, name, train.eval_every, BEST)
    return [QualityEval(evaluator, METRICS.get(name).key, train.eval_every,
                        Path(run_dir) / "checkpoints", config.model.arch, best, info=log.info)]


def evaluate_run(run_dir, metrics=None, n: int = 5000, checkpoint: str = "latest",
                 inception_weights: str | None = None) -> dict:
    """Score a run's checkpoint; the record is also appended to RUN/evaluation.jsonl.

    metrics None: the domain score where it applies (no download), else kid and fid.
    """
    from keras_gan.checkpoints import read_meta
    from keras_gan.data.pipeline import resized_pixels
    from keras_gan.runs import load_run
    from keras_gan.train import load_training_data

    metrics = parse_metrics(metrics) if metrics else None  # before seconds of loading
    run_dir = Path(run_dir)
    config, gan, used = load_run(run_dir, checkpoint)
    config, loaded = load_training_data(config, labels=True)
    pixels = np.asarray(resized_pixels(loaded, config.data.image_size, config.data.channels))
    if not metrics:
        metrics = ("domain",) if default_metric(pixels.shape, loaded.labels) == "domain" else ("kid", "fid")
    evaluator = Evaluator(config, pixels, loaded.labels, metrics, n,
                          inception_weights or "imagenet")
    meta = read_meta(used)
    record = {"checkpoint": used.name, "epoch": meta.get("epoch"), "step": meta.get("step", 0),
              "metrics": list(evaluator.metrics), "resize": "bilinear+antialias to 299 (kid/fid)",
              "time": time.strftime("%Y-%m-%dT%H:%M:%S"), **evaluator.evaluate(gan)}
    with open(run_dir / "evaluation.jsonl", "a") as handle:
        handle.write(json.dumps(record) + "\n")
    return record
