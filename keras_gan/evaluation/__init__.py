"""Sample-quality metrics, one registry for every task; `make_evaluator` serves both
`keras-gan evaluate` and `train --eval-every` (whose callback keras_gan.training.quality
builds: evaluation knows nothing of training). Which metrics score a task, its defaults
and its evaluator are the task's (keras_gan.tasks); the evaluators live here:

- noise_to_image: KID and FID on InceptionV3 features, and the download-free domain
  score for labelled data (digits, folders of class subfolders). Real statistics come
  from a random subset of the training images; generated images from fixed latents
  (EVAL_SEED), cycling through the classes for conditional runs, so values compare
  across epochs and runs.
- image_to_image: L1, PSNR and SSIM of the held-out pairs' translations, with the
  do-nothing baseline beside them (keras_gan.evaluation.paired).
- super_resolution: PSNR and SSIM of the held-out images' upscales, on the Y channel
  with a `scale`-pixel border cropped, bicubic beside them
  (keras_gan.evaluation.super_resolution).
- text_to_image: R-precision of images generated from training captions (EVAL_SEED
  latents), with the real images' beside it as the ceiling, by the run's own encoders;
  the domain score on captioned digits, whose label_accuracy is how often the digit a
  caption names is the digit drawn; KID and FID as for noise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from keras_gan.errors import ConfigError, invalid
from keras_gan.data.resize import resize_arrays
from keras_gan.evaluation.domain import DomainScore
from keras_gan.evaluation.inception import InceptionFeatures
from keras_gan.evaluation.stats import feature_frechet_distance, kernel_inception_distance
from keras_gan.io.images import from_uint8
from keras_gan.latents import latents_for
from keras_gan.networks.base import generate_in_batches
from keras_gan.registry import METRICS, TASKS
from keras_gan.text import r_precision

log = logging.getLogger(__name__)

EVAL_SEED = 12345  # latents for evaluation samples, distinct from the grid's


@dataclass(frozen=True)
class Metric:
    key: str  # the number that ranks checkpoints
    summary: str  # which tasks it scores is each task's `metrics` (keras_gan.tasks)
    needs_inception: bool = False
    higher_is_better: bool = False


# METRICS lives in keras_gan.registry (config offers its names without importing this package)
METRICS.register("kid", Metric("kid", "Kernel Inception Distance (mean and std over 100 subsets; "
                               "InceptionV3); two-way: G(A) vs B and F(B) vs A, averaged",
                               needs_inception=True))
METRICS.register("fid", Metric("fid", "Fréchet Inception Distance (InceptionV3 pool features)",
                               needs_inception=True))
METRICS.register("domain", Metric("domain_fd", "labelled data: Fréchet distance on a classifier "
                                  "trained on the dataset's labels, class entropy, confident share "
                                  "(no download); two-way: each direction's outputs against the "
                                  "other domain, averaged, and how often the class survives "
                                  "(label_accuracy); text: how often the digit a caption names "
                                  "is drawn (label_accuracy)"))
METRICS.register("rprecision", Metric("r_precision", "text: how often a generated image's own "
                                      "caption ranks first among it and 99 captions of other "
                                      "images (other classes, where labelled), by the run's "
                                      "encoders; real images' beside it (r_precision_real)",
                                      higher_is_better=True))
METRICS.register("l1", Metric("l1", "mean |output - target| / 255 on held-out pairs (two-way: "
                              "to the true translation, where the data knows it), with the "
                              "do-nothing baseline"))
METRICS.register("psnr", Metric("psnr", "PSNR in dB (skimage's convention, RGB), as l1; "
                                "super-resolution: on the Y channel with `scale` border pixels "
                                "cropped, with bicubic upscaling beside it", higher_is_better=True))
METRICS.register("ssim", Metric("ssim", "SSIM (tf.image.ssim, 11x11 Gaussian window), as psnr",
                                higher_is_better=True))
METRICS.register("cycle", Metric("cycle_l1", "two-way: held-out |F(G(A)) - A| and |G(F(B)) - B| "
                                 "/ 255, averaged (and identity L1)"))


def metric_tasks(name: str) -> list[str]:
    """The tasks a metric scores (each task lists its own: keras_gan.tasks)."""
    return [task for task, kind in TASKS.items() if name in kind.metrics]


def parse_metrics(spec, task: str | None = None) -> tuple[str, ...]:
    """Comma-separated metric names, checked against the registry (and the run's task)."""
    names = tuple(n.strip() for n in (spec.split(",") if isinstance(spec, str) else spec) if n.strip())
    allowed = [n for n in METRICS.names() if task is None or n in TASKS.get(task).metrics]
    if not names or any(n not in allowed for n in names):
        what = f" for {task.replace('_', ' ')} runs" if task else ""
        raise invalid("metrics", f"a comma-separated subset of {', '.join(allowed)}{what}",
                      ",".join(names) if not isinstance(spec, str) else spec)
    return names


def default_metrics(task: str, data) -> tuple[str, ...]:
    """What `evaluate` scores when --metrics is not given (the task's default_metrics)."""
    return TASKS.get(task).default_metrics(data)


def domain_reason(task: str, data) -> str | None:
    """None if the domain score applies to this task and data, else why not."""
    return TASKS.get(task).domain_reason(data)


class Evaluator:
    """noise_to_image: holds the real statistics; `evaluate(model)` scores its sampling
    generator on EVAL_SEED latents."""

    def __init__(self, config, data, metrics=("kid",), n: int = 5000,
                 inception_weights: str | None = "imagenet", seed: int = 0):
        self.metrics = parse_metrics(metrics)
        self.n = int(n)
        pixels, labels = data.images, data.labels
        self.real_count = min(self.n, len(pixels))
        self.domain = None
        if "domain" in self.metrics:
            check_domain(config, data, "metrics", ",".join(self.metrics))
            num_classes = len(config.data.class_names or data.class_names or []) or int(labels.max()) + 1
            self.domain = DomainScore(pixels, labels, num_classes, self.n, seed)
        self.inception = None
        if any(METRICS.get(m).needs_inception for m in self.metrics):
            self.inception = InceptionFeatures(inception_weights)
            pick = np.sort(np.random.default_rng(seed).choice(len(pixels), self.real_count,
                                                              replace=False))
            self.real_features = self.inception(np.asarray(pixels[pick], "float32") / 127.5 - 1.0)

    def evaluate(self, model) -> dict:
        inputs = model.sampling_inputs(model.latents(self.n, EVAL_SEED))
        return self.score(model.sample_images(inputs), inputs[1] if model.num_classes else None)

    def score(self, images: np.ndarray, asked=None) -> dict:
        """The metrics of generated images (asked: the class each was drawn for, or None)."""
        result = {"n_generated": len(images), "n_real": self.real_count}
        if self.inception is not None:
            features = self.inception(images)
            if "fid" in self.metrics:
                result["fid"] = feature_frechet_distance(self.real_features, features)
            if "kid" in self.metrics:
                result["kid"], result["kid_std"] = kernel_inception_distance(self.real_features, features)
        if self.domain is not None:
            result.update(self.domain(images, asked))
        return result


class TextEvaluator(Evaluator):
    """text_to_image: images drawn from `n` training captions (picked once) and EVAL_SEED
    latents, scored as noise runs' samples (the digit each caption names as the class
    asked for) plus R-precision on them and on the captions' own images."""

    def __init__(self, config, data, metrics=("rprecision",), n: int = 1000,
                 inception_weights: str | None = "imagenet", seed: int = 0):
        super().__init__(config, data, metrics, n, inception_weights, seed)
        rows = len(data.fields["tokens"])
        pick = np.sort(np.random.default_rng(seed + 1).choice(rows, min(self.n, rows), replace=False))
        self.tokens = np.asarray(data.fields["tokens"][pick])
        self.reals = np.asarray(data.fields["image"][pick])
        self.labels = None if data.labels is None else np.asarray(data.labels[pick])

    def evaluate(self, model) -> dict:
        sentence = model.task.sentences(model, self.tokens)
        latents = latents_for(range(EVAL_SEED, EVAL_SEED + len(sentence)), model.latent_dim)
        images = generate_in_batches(model.sampling_generator, [latents, sentence])
        result = self.score(images, self.labels)
        if "rprecision" in self.metrics:
            embed = lambda pixels: generate_in_batches(model.image_encoder, pixels)  # noqa: E731
            result["r_precision"] = r_precision(embed(images), sentence, groups=self.labels)
            result["r_precision_real"] = r_precision(embed(from_uint8(self.reals)), sentence,
                                                     groups=self.labels)
        return result


def check_domain(config, data, option: str, value: str) -> None:
    reason = domain_reason(config.family.task, data)
    if reason:
        raise ConfigError(f"Invalid {option}: the domain score cannot score {config.data.name}: "
                          f"{reason}. Received: {option}={value!r}; use kid or fid.")


def make_evaluator(config, data, metrics, n: int, inception_weights: str | None = "imagenet",
                   seed: int = 0):
    """The evaluator of the run's task (its `evaluator`), for metrics it can be scored by."""
    names = parse_metrics(metrics, config.family.task)
    return TASKS.get(config.family.task).evaluator(config, data, names, n, inception_weights, seed)


def domain_score(data, domain: str, n: int, seed: int) -> DomainScore:
    """The domain score of one domain of two-way data: a classifier on its training images
    (resized from the load size to the training size) and their labels."""
    size = data.heldout[domain].shape[1]
    images = np.asarray(data.fields[domain])
    images = images if images.shape[1] == size else resize_arrays(images, size, images.shape[-1])
    return DomainScore(images, np.asarray(data.fields[f"{domain}_label"]),
                       len(data.class_names), n, seed)
