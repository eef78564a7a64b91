"""What a family registers: its options, data layout, defaults and builder.

`--family` names a preset (FAMILIES in keras_gan.families): `gan` and `dcgan` are two
presets of one family (GAN) with different networks; `pix2pix` is another family.
A family's options are a frozen dataclass (the "model" section of config.json);
each field's metadata gives the --help text and the allowed values, so the CLI
builds its options from the dataclass and the values are checked in one place.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

from keras_gan.errors import invalid


def option(default: Any, help: str, *, choices: tuple | None = None, minimum: float | None = None,
           maximum: float | None = None, filled: bool = False) -> Any:
    """A family option: `help` for --help; `choices` / `minimum` / `maximum` are checked by
    `validate_options`; `filled` options are set from the data, never typed by a user."""
    return field(default=default, metadata={"help": help, "choices": choices, "min": minimum,
                                            "max": maximum, "filled": filled})


def validate_options(options) -> None:
    """Check every option against its field's metadata (None means "the default")."""
    for f in dataclasses.fields(options):
        value, meta = getattr(options, f.name), f.metadata
        if value is None or not meta:
            continue
        if meta["choices"] and value not in meta["choices"]:
            raise invalid(f.name, f"one of {', '.join(map(str, meta['choices']))}", value)
        low, high = meta["min"], meta["max"]
        if (low is not None and value < low) or (high is not None and value > high):
            expected = (f"a number from {low:g} to {high:g}" if high is not None
                        else f"a number >= {low:g}")
            raise invalid(f.name, expected, value)


@dataclass(frozen=True)
class Family:
    """One --family preset.

    networks(config) -> {name: network}, built in the training dtype policy, in a fixed
        order (same seed, same weights)
    model(config, networks, augment) -> the uncompiled model, made in float32 (its own
        computations, the real batches and the losses stay float32)
    default_image_size(native size or None) -> the size to train at when none is asked for:
        the size the networks take nearest the data's own (an image folder's: the median
        shorter side of a sample of its files), the family's default when unknown
    check_size(size) -> None if the networks take it, else what they expect
    option_defaults: options left None that take a preset's value (gan's latent size 100)
    fill(config, data) -> config with the options that follow from the decoded data
    transform(config) -> the per-example training transform (random crops...) or None
    data_options(config) -> extra keras_gan.data.DataRequest fields (load size, direction)
    split(config, data) -> the decoded data with a held-out share taken out of training,
        for families whose data has none of its own (srgan's whole held-out images)
    train_defaults: TrainConfig fields left unset (None) take these; keras_gan.training.schedule's
        DECAY_SHARE: the share of the epochs that decays when decay_epochs is unset
    chooses: {TrainConfig field: what `fill` picks from the data when it is unset, as
        `train --help` says it} (dcgan's small-RGB recipe); unnamed fields have no such rule
    adam(config) -> {optimizer name: Adam settings} for optimizers that do not follow
        --lr / --d-lr and the betas (text2image's encoders: their own rate)
    xla_on_cpu: whether --xla auto compiles the train step on a CPU-only machine, by
        measurement (benchmarks/train_throughput.py --xla off,on; benchmarks/RESULTS.md#xla)
    paper: the work the family implements, as the model card of an export cites it
    execution_images: how many images' worth of steps one call into TensorFlow may run
        (Keras' steps_per_execution) unless --steps-per-execution says; 0: one step per
        call. Worth it where a step takes milliseconds and Keras' per-step Python work
        is a real share of it (gan).
    """

    options: type
    task: str  # keras_gan.tasks name
    layout: str  # keras_gan.data layout: "images" or "pairs"
    default_data: str
    networks: Callable
    model: Callable
    default_image_size: Callable[[int | None], int]
    check_size: Callable[[int], str | None]
    summary: str
    option_defaults: dict = field(default_factory=dict)
    fill: Callable = lambda config, data: config
    transform: Callable = lambda config: None
    data_options: Callable = lambda config: {}
    split: Callable = lambda config, data: data
    train_defaults: dict = field(default_factory=dict)
    chooses: dict = field(default_factory=dict)
    adam: Callable = lambda config: {}
    xla_on_cpu: bool = False
    execution_images: int = 0
    paper: str = ""
