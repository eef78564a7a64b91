"""Every "auto" default is filled here, in one place, before a run starts.

`resolve(config)` validates the config, fills what needs no data (the dataset, the
image size, the family's and the loss's training defaults), decodes the data, then
fills what follows from it (channels, classes, the family's own options, the
evaluation metric). `--dry-run` prints the result; `train` writes it to config.json,
so every later command reads the exact values the run used. Resolving a resolved
config changes nothing (resume and evaluate call it too).
"""

from __future__ import annotations

import dataclasses
import logging

from keras_gan.console import command_name
from keras_gan.training.augment import parse_augment
from keras_gan.config import FULL_PRECISION, RunConfig, TrainConfig
from keras_gan.data import Data, DataRequest, resolve_source, steps_per_epoch
from keras_gan.errors import ConfigError
from keras_gan.evaluation import METRICS, check_domain
from keras_gan.evaluation.inception import weights_file
from keras_gan.registry import TASKS
from keras_gan.training.budget import kimg_epochs
from keras_gan.training.losses import LOSSES
from keras_gan.training.schedule import DECAY_SHARE, decay_part

log = logging.getLogger(__name__)


def resolve(config: RunConfig, labels: bool = False) -> tuple[RunConfig, Data]:
    """(the resolved config, the decoded data); raises ConfigError on any bad value."""
    config = fill_defaults(config.validate())
    data = load_run_data(config, labels)
    return fill_from_data(config, data), data


def fill_defaults(config: RunConfig) -> RunConfig:
    """What needs no decoded data: dataset, image size, the preset's options, training
    defaults. Enough to build a model (benchmarks and tests build from this)."""
    family, data, train = config.family, config.data, config.train
    name = data.name or family.default_data
    source = resolve_source(name, family.layout)
    size = data.image_size or data_image_size(config, source, name)
    expected = family.check_size(size)
    if expected:
        chosen = "" if data.image_size else f" (the images' own size in {name}; pass --image-size)"
        raise ConfigError(f"Invalid image_size for family {config.model.family!r}: expected {expected}. "
                          f"Received: image_size={size}{chosen}.")
    defaults = {**family.train_defaults, **source.train_defaults}  # the data's win: a demo's epochs
    options = {k: v for k, v in family.option_defaults.items() if getattr(config.model, k) is None}
    return config.replace(data={"name": name, "image_size": size}, model=options,
                          train=optimizer_settings(training_defaults(train, defaults)))


def training_defaults(train: TrainConfig, defaults: dict) -> TrainConfig:
    """`train` with unset fields from `defaults` (a family's and its data's train_defaults);
    decay_epochs unset: their DECAY_SHARE of the epochs (keras_gan.training.schedule), else none."""
    defaults = dict(defaults)
    share = defaults.pop(DECAY_SHARE, 0.0)
    if train.epochs is None and (train.minutes or train.kimg):  # the budget decides the end
        train = dataclasses.replace(train, budget_ends=True)
    train = dataclasses.replace(train, **{k: v for k, v in defaults.items() if getattr(train, k) is None})
    if train.budget_ends and train.kimg and train.decay_epochs is None:
        return train  # filled with the epochs the budget needs (budget_epochs)
    if train.decay_epochs is None:
        train = dataclasses.replace(train, decay_epochs=decay_part(train.epochs, share))
    train.validate()  # --decay-epochs beside the family's epochs
    return train


def data_image_size(config: RunConfig, source, name: str) -> int:
    """The size to train at when none is asked for: the size the family takes nearest the
    data's own (a folder's: the median shorter side of a sample of its files), said in the
    log; the family's default where the data has no one size."""
    native = source.native_size(name, config.data.data_dir, config.data.name_b)
    size = config.family.default_image_size(native)
    if native is not None:
        nearest = "" if size == native else \
            f"; {size} is the nearest size --family {config.model.family} picks"
        log.info("Image size %d: the images of %s are %d px on their shorter side%s (pass "
                 "--image-size to change it).", size, name, native, nearest)
    return size


def optimizer_settings(train: TrainConfig) -> TrainConfig:
    """`train` with unset optimizer fields (lr, betas, d_steps) taken from its loss's
    defaults (WGAN-GP's paper values), then TrainConfig.OPTIMIZER_DEFAULTS; d_lr unset
    is lr, written out so config.json holds the rate D trained with (a config.json
    saved before d_lr existed resolves to its lr, as it trained)."""
    loss_defaults = LOSSES.get(train.loss).defaults
    values = {key: loss_defaults.get(key, default)
              for key, default in TrainConfig.OPTIMIZER_DEFAULTS.items() if getattr(train, key) is None}
    train = dataclasses.replace(train, **values)
    return dataclasses.replace(train, d_lr=train.d_lr or train.lr)


def load_run_data(config: RunConfig, labels: bool = False) -> Data:
    """Decode the data of a config whose dataset and size are set (cached after the
    first time); labels for conditional runs, for scoring, and when asked."""
    family, data = config.family, config.data
    want_labels = labels or config.train.eval_every != 0 or getattr(config.model, "conditional", False)
    # the family's data_options win (text2image decodes 28 px digits at 28, then pads)
    request = DataRequest(**{"name": data.name, "data_dir": data.data_dir,
                             "image_size": data.image_size, "channels": data.channels,
                             "labels": want_labels, "source_channels": data.source_channels,
                             "holdout": data.holdout, "name_b": data.name_b,
                             **family.data_options(config)})
    decoded = family.split(config, resolve_source(data.name, family.layout).load(request))
    if decoded.skipped:
        log.warning(
            "Skipped %d of %d image files that could not be used (first: %s: %s); all are listed "
            "in the run's skipped_files.txt, and `%s check-data` reports the details.",
            len(decoded.skipped), decoded.count + len(decoded.skipped), *decoded.skipped[0],
            command_name())
    else:
        log.info("Data: %s, every file readable.", decoded.description)
    return decoded


def fill_from_data(config: RunConfig, data: Data) -> RunConfig:
    """Channels, classes and the family's data-dependent options; the evaluation metric."""
    batch = config.train.batch_size * config.train.d_steps
    if batch > data.count:
        raise ConfigError(
            f"Invalid batch_size: expected at most the dataset size ({data.count} examples in "
            f"{data.description}{', divided by d_steps' if config.train.d_steps > 1 else ''}). "
            f"Received: batch_size={config.train.batch_size}.")
    config = budget_epochs(config, data)
    config = config.replace(data={"channels": config.data.channels or data.channels,
                                  "source_channels": config.data.source_channels or data.source_channels})
    config = config.family.fill(config, data)  # may choose augmentation and precision
    if not parse_augment(config.train.augment):  # unset and not chosen, or "none": off
        config = config.replace(train={"augment": ""})
    if config.train.precision is None:
        config = config.replace(train={"precision": FULL_PRECISION})
    return fill_eval(config, data)


def budget_epochs(config: RunConfig, data: Data) -> RunConfig:
    """A --kimg budget that decides the end (no --epochs): epochs are those it needs (the
    last cut short at its step), decay_epochs unset the family's share of them. Resolved
    again on every resume, so a larger budget lengthens the run."""
    train = config.train
    if not (train.budget_ends and train.kimg):
        return config
    images = train.batch_size * train.d_steps
    epochs = kimg_epochs(train.kimg, images, steps_per_epoch(data.count, images))
    decay = train.decay_epochs
    if decay is None:
        family, name = config.family, config.data.name
        share = {**family.train_defaults, **resolve_source(name, family.layout).train_defaults
                 }.get(DECAY_SHARE, 0.0)
        decay = decay_part(epochs, share)
    train = dataclasses.replace(train, epochs=epochs, decay_epochs=decay)
    train.validate()  # --decay-epochs beside the epochs the budget needs
    return config.replace(train=train)


def fill_eval(config: RunConfig, data: Data) -> RunConfig:
    """eval_every and eval_metric, with the metric's needs checked (labels for domain,
    reachable weights for kid/fid) before a run folder exists.

    eval_every None (the default): every task.eval_every epochs where the task's download-free
    metric applies (free_metric: the domain score on digits, L1 on image pairs), paced (eval_paced: a
    scoring is skipped while scoring would take over SCORE_SHARE (2%) of the time), else off.
    """
    train, task = config.train, TASKS.get(config.family.task)
    every, name = train.eval_every, train.eval_metric
    if name is not None and name not in task.metrics:
        METRICS.get(name)  # an unknown name: the registry's message
        fitting = [n for n in METRICS.names() if n in task.metrics]
        raise ConfigError(f"Invalid eval_metric: expected one of {', '.join(fitting)} for "
                          f"--family {config.model.family}. Received: eval_metric={name!r}.")
    free = task.free_metric(data)
    if every is None:
        auto = free is not None and name in (None, free)
        every, name = (task.eval_every, free) if auto else (0, name)
        config = config.replace(train={"eval_paced": auto})
        if not auto:
            log.info("No download-free quality metric applies to %s; pass --eval-every N to score "
                     "samples by KID and keep the best checkpoint.", config.data.name)
    if every:
        name = name or free or "kid"
        if name == "domain":
            check_domain(config, data, "eval_metric", name)
        elif METRICS.get(name).needs_inception:
            weights_file(train.inception_weights or "imagenet")
    return config.replace(train={"eval_every": every, "eval_metric": name})
