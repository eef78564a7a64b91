"""Every default lives here: frozen dataclasses for data, model and training.

The CLI takes its option defaults from these classes, `train` saves the resolved
config as `config.json` in the run folder, and `sample` rebuilds the model from
that file alone.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar


PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")  # see keras_gan.distribute
XLA = ("auto", "on", "off")


class ConfigError(ValueError):
    """A user-supplied value is out of its domain; the message names it."""


def invalid(name: str, expected: str, received) -> ConfigError:
    return ConfigError(f"Invalid {name}: expected {expected}. Received: {name}={received!r}.")


@dataclass(frozen=True)
class DataConfig:
    name: str = "mnist_5k"  # registered name, TFDS name, or an image folder path
    data_dir: str | None = None  # TFDS data_dir, or where manual downloads live
    image_size: int | None = None  # None: the architecture's choice for this data
    channels: int | None = None  # None: follow the data (1 or 3)
    shuffle_buffer: int = 10_000
    class_names: tuple[str, ...] | None = None  # filled for conditional runs, label order

    def validate(self) -> None:
        if not self.name:
            raise invalid("data", "a dataset name or an image folder", self.name)
        if self.image_size is not None and not 4 <= self.image_size <= 1024:
            raise invalid("image_size", "an integer from 4 to 1024", self.image_size)
        if self.channels not in (None, 1, 3):
            raise invalid("channels", "1 (grayscale) or 3 (RGB)", self.channels)
        if self.shuffle_buffer < 1:
            raise invalid("shuffle_buffer", "an integer >= 1", self.shuffle_buffer)


@dataclass(frozen=True)
class ModelConfig:
    arch: str = "gan"
    latent_dim: int | None = None  # None: the architecture's default (gan 100, dcgan 128)
    width: int = 64  # dcgan base width w: the generator starts at 8w channels
    spectral_norm: bool = False  # wrap the discriminator's Dense/Conv2D in SpectralNormalization
    conditional: bool = False  # class-conditional G and D (needs labelled data)
    num_classes: int | None = None  # filled from the data for conditional runs

    def validate(self) -> None:
        if self.num_classes is not None and self.num_classes < 2:
            raise invalid("num_classes", "an integer >= 2", self.num_classes)
        if self.latent_dim is not None and self.latent_dim < 1:
            raise invalid("latent_dim", "an integer >= 1", self.latent_dim)
        if self.width < 1:
            raise invalid("width", "an integer >= 1", self.width)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 100  # mnist_5k: recognisable digits of most classes in ~2.5 min on 2 cores
    batch_size: int = 64
    loss: str = "bce"
    # None: the loss's own default (WGAN-GP's paper values), else OPTIMIZER_DEFAULTS.
    lr: float | None = None
    beta_1: float | None = None
    beta_2: float | None = None
    d_steps: int | None = None  # discriminator (critic) updates per generator update
    seed: int = 0
    keep_checkpoints: int = 3
    grid_size: int = 8  # the per-epoch grid is grid_size x grid_size images
    # Decay of an EMA copy of G used for grids, sample, export and metrics; None: no EMA.
    # 0.999 by measurement (benchmarks/quality.py): gan domain_fd 3.09 vs 5.06 without, 2 seeds.
    ema: float | None = 0.999
    augment: str = ""  # DiffAugment transforms before D ("translation,cutout,color"), "ada": adaptive
    # Score samples every N epochs and keep checkpoints/best; 0: never; None: every 10 epochs
    # where the download-free domain score applies (labelled digit-sized grayscale), else never.
    eval_every: int | None = None
    eval_metric: str | None = None  # None: "domain" for labelled digit-sized grayscale data, else "kid"
    eval_samples: int = 1000  # generated (and real) images per evaluation during training
    inception_weights: str | None = None  # InceptionV3 notop .h5 for kid/fid; None: Keras' download
    tensorboard: bool = False  # scalars and grids under RUN/tensorboard/ as well
    # Keras dtype policy for training; variables stay float32, and sample/export/evaluate
    # rebuild the generator in float32. mixed_float16 adds dynamic loss scaling.
    precision: str = "float32"
    # tf.distribute strategy (keras_gan.distribute); batch_size is the global batch,
    # split across replicas.
    strategy: str = "default"
    # XLA-compile the train step; auto: Keras' choice on GPUs (on), the architecture's
    # measured choice on CPUs (benchmarks/train_throughput.py --xla off,on).
    xla: str = "auto"

    # beta_1 0.5, not Adam's 0.9: momentum destabilises GANs (DCGAN paper).
    OPTIMIZER_DEFAULTS: ClassVar[dict] = {"lr": 2e-4, "beta_1": 0.5, "beta_2": 0.999, "d_steps": 1}

    def with_defaults(self, loss_defaults: dict) -> "TrainConfig":
        """Unset optimizer fields filled from the loss's defaults, then OPTIMIZER_DEFAULTS."""
        values = {key: loss_defaults.get(key, default)
                  for key, default in self.OPTIMIZER_DEFAULTS.items() if getattr(self, key) is None}
        return dataclasses.replace(self, **values)

    def validate(self) -> None:
        if self.epochs < 1:
            raise invalid("epochs", "an integer >= 1", self.epochs)
        if self.batch_size < 1:
            raise invalid("batch_size", "an integer >= 1", self.batch_size)
        if self.lr is not None and not self.lr > 0:
            raise invalid("lr", "a learning rate > 0", self.lr)
        for name in ("beta_1", "beta_2"):
            if getattr(self, name) is not None and not 0 <= getattr(self, name) < 1:
                raise invalid(name, "a number in [0, 1)", getattr(self, name))
        if self.d_steps is not None and not 1 <= self.d_steps <= 20:
            raise invalid("d_steps", "an integer from 1 to 20", self.d_steps)
        if self.eval_every is not None and self.eval_every < 0:
            raise invalid("eval_every", "an integer >= 0 (0: no evaluation)", self.eval_every)
        if self.eval_samples < 2:
            raise invalid("eval_samples", "an integer >= 2", self.eval_samples)
        if self.precision not in PRECISIONS:
            raise invalid("precision", f"one of {', '.join(PRECISIONS)}", self.precision)
        if self.strategy not in STRATEGIES:
            raise invalid("strategy", f"one of {', '.join(STRATEGIES)}", self.strategy)
        if self.xla not in XLA:
            raise invalid("xla", f"one of {', '.join(XLA)}", self.xla)
        from keras_gan.augment import parse_augment

        parse_augment(self.augment)
        if self.seed < 0:
            raise invalid("seed", "an integer >= 0", self.seed)
        if self.keep_checkpoints < 1:
            raise invalid("keep_checkpoints", "an integer >= 1", self.keep_checkpoints)
        if not 1 <= self.grid_size <= 32:
            raise invalid("grid_size", "an integer from 1 to 32", self.grid_size)
        if self.ema is not None and not 0 < self.ema < 1:
            raise invalid("ema", "a decay in (0, 1), e.g. 0.999", self.ema)


@dataclass(frozen=True)
class ExportConfig:
    """What `python cli.py export` writes; names are checked against keras_gan.exporters."""

    out: str = "export"  # the model goes to out/<name>/<version>/
    name: str | None = None  # None: "<arch>-<data>"
    version: int | None = None  # None: one above the newest version in out/<name>/
    formats: tuple[str, ...] = ("saved_model", "tflite")
    quantize: tuple[str, ...] = ("float32", "float16", "int8")  # TFLite files to write
    calibration_samples: int = 256  # latents the int8 converter calibrates ranges on
    max_images: int = 256  # generate_n refuses larger counts
    checkpoint: str = "latest"  # "latest", "best" (runs with --eval-every) or a checkpoint file

    def validate(self) -> "ExportConfig":
        if not self.formats:
            raise invalid("formats", "at least one export format", ",".join(self.formats))
        if "tflite" in self.formats and not self.quantize:
            raise invalid("quantize", "at least one TFLite variant when tflite is exported",
                          ",".join(self.quantize))
        if self.version is not None and self.version < 1:
            raise invalid("version", "an integer >= 1 (TF Serving versions)", self.version)
        if self.calibration_samples < 1:
            raise invalid("calibration_samples", "an integer >= 1", self.calibration_samples)
        if self.max_images < 1:
            raise invalid("max_images", "an integer >= 1", self.max_images)
        return self


@dataclass(frozen=True)
class RunConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    runs_root: str = "runs"  # numbered run folders are created here
    run_dir: str | None = None  # an explicit run folder instead of a numbered one

    def validate(self) -> "RunConfig":
        self.data.validate()
        self.model.validate()
        self.train.validate()
        return self

    def replace(self, **sections) -> "RunConfig":
        """Return a copy with fields of sections replaced: replace(data={"image_size": 32})."""
        changes = {}
        for name, values in sections.items():
            current = getattr(self, name)
            changes[name] = (
                dataclasses.replace(current, **values) if isinstance(values, dict) else values
            )
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, raw: dict) -> "RunConfig":
        sections = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
        kwargs = {}
        for key, value in raw.items():
            if key in sections:
                known = {f.name for f in dataclasses.fields(sections[key])}
                unknown = set(value) - known
                if unknown:
                    raise ConfigError(
                        f"Unknown keys in config section {key!r}: {sorted(unknown)}. "
                        f"Expected some of: {sorted(known)}."
                    )
                kwargs[key] = sections[key](**value)
            elif key in ("runs_root", "run_dir"):
                kwargs[key] = value
            else:
                raise ConfigError(f"Unknown config key {key!r} in config.json.")
        return cls(**kwargs)

    @classmethod
    def from_json(cls, path: str | Path) -> "RunConfig":
        try:
            raw = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ConfigError(f"Cannot read run config {path}: {err}") from err
        return cls.from_dict(raw)
