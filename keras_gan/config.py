"""Every default lives here, or with the family that owns it: frozen dataclasses for
data, model and training.

The model section is the family's own options dataclass (keras_gan.families: GANOptions
for gan/dcgan, Pix2PixOptions for pix2pix), chosen by its `family`. Fields left None are
"auto": keras_gan.resolve fills every one of them, in one place, before a run starts;
`train` saves the resolved config as `config.json` in the run folder, and every later
command rebuilds the model from that file alone.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from keras_gan.training.augment import parse_augment
from keras_gan.errors import ConfigError, invalid
from keras_gan.registry import FAMILIES, METRICS  # filled on first lookup: config imports no family
from keras_gan.exporters.hub import check_repo_id
from keras_gan.training.losses import LOSSES

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
FULL_PRECISION = "float32"  # where the data chooses nothing, and for inference and export
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")  # see keras_gan.training.distribute
XLA = ("auto", "on", "off")
# config.json format; 1 had no "format" key and flat gan/dcgan model fields; in 1 and 2,
# train.epochs counted the full-rate epochs only and decay_epochs came on top (from_dict
# translates them: total = epochs + decay_epochs, the same schedule); before 4, the model
# section named its family "arch" (_family_key renames it)
FORMAT = 4
OBSOLETE = {"data": ("shuffle_buffer",)}  # keys of older formats that mean nothing now

__all__ = ["ConfigError", "DataConfig", "ExportConfig", "RunConfig", "TrainConfig", "invalid",
           "model_options"]


def setting(default: Any, help: str, *, cli: str | None = None, choices=None,
            minimum: float | None = None, maximum: float | None = None, min_open: bool = False,
            max_open: bool = False, path: dict | None = None, auto: bool = False,
            from_cli=None) -> Any:
    """A field that `train` offers as an option (keras_gan.cli.options builds it from this).

    help: the --help text; cli: the option's name when not the field's (--keep);
    choices: the allowed values, or a function returning them (a registry's names, read
    when used, so a plugin's count); minimum/maximum (min_open/max_open: excluded): the
    range the command line accepts; path: click.Path's arguments for a file or folder;
    auto: the default is filled by keras_gan.resolve from the family and the data, and
    --help says how (keras_gan.cli.options.default_help); from_cli: turns the typed value
    into the field's (--ema 0: None, no EMA)."""
    return field(default=default, metadata={
        "help": help, "cli": cli, "choices": choices, "min": minimum, "max": maximum,
        "min_open": min_open, "max_open": max_open, "path": path, "auto": auto,
        "from_cli": from_cli})


def _metric_names() -> list[str]:
    return METRICS.names()


@dataclass(frozen=True)
class DataConfig:
    # registered name, TFDS name or a folder; None: the family's offline set
    name: str | None = setting(None, "Dataset (see `list`), image folder or TFDS name.",
                               cli="data", auto=True)
    data_dir: str | None = setting(None, "TFDS data_dir, or where a manual download lives.",
                                   path={"file_okay": False})
    image_size: int | None = setting(None, "Square training size.", minimum=4, maximum=1024,
                                     auto=True)  # None: the family's choice for this data
    channels: int | None = None  # of the generated images; None: follow the data (1 or 3)
    source_channels: int | None = None  # of an image-to-image family's input; None: the data's
    class_names: tuple[str, ...] | None = None  # filled for conditional runs, label order
    holdout: float = setting(0.1, "Share held out for previews and scores (without val/, test/).",
                             minimum=0, maximum=1, min_open=True,
                             max_open=True)
    # unpaired families: the second domain's folder
    name_b: str | None = setting(None, "Domain B's folder, when --data is domain A's.", cli="data-b",
                                 path={"exists": True, "file_okay": False})

    def validate(self) -> None:
        if self.name is not None and not self.name:
            raise invalid("data", "a dataset name or an image folder", self.name)
        if self.image_size is not None and not 4 <= self.image_size <= 1024:
            raise invalid("image_size", "an integer from 4 to 1024", self.image_size)
        for name in ("channels", "source_channels"):
            if getattr(self, name) not in (None, 1, 3):
                raise invalid(name, "1 (grayscale) or 3 (RGB)", getattr(self, name))
        if not 0 < self.holdout < 1:
            raise invalid("holdout", "a share between 0 and 1, e.g. 0.1", self.holdout)


@dataclass(frozen=True)
class TrainConfig:
    # Fields left None ("auto") are filled by keras_gan.resolve: the family's train_defaults,
    # the data's, the loss's; --help says how (keras_gan.cli.options.default_help).
    epochs: int | None = setting(None, "Epochs in all, --decay-epochs included (with --resume: "
                                 "the new total).",
                                 minimum=1, auto=True)
    # Training budgets (keras_gan.training.budget): the run stops after the step that reaches
    # one, with a checkpoint, a grid and scores, as at its last epoch. Without --epochs the
    # budget decides the end (budget_ends); with it, whichever comes first. None: no budget.
    minutes: float | None = setting(
        None, "Stop after M minutes of training in all (docs/runs.md).", minimum=0,
        min_open=True)
    kimg: float | None = setting(
        None, "Stop after K thousand real images in all (docs/runs.md).", minimum=0,
        min_open=True)
    # Set by resolve (and resume) when a budget is given without --epochs: the epoch count
    # does not end the run. With --kimg, epochs is what the budget needs; with --minutes
    # alone, the family's plan, which only shapes the schedule and the stages.
    budget_ends: bool = False
    # the last this many of `epochs` with the rate decaying linearly toward 0
    # (keras_gan.training.schedule); None: the family's share of epochs (pix2pix/cyclegan half, the
    # reference's 100 + 100 = 200; 0 for the others)
    decay_epochs: int | None = setting(
        None, "The last N of --epochs, the learning rate decaying linearly toward 0.", minimum=0,
        auto=True)
    batch_size: int | None = setting(None, "Examples per step.", minimum=1, auto=True)
    loss: str | None = setting(None, "GAN loss.", choices=LOSSES.names, auto=True)
    # None: the loss's own default (WGAN-GP's paper values), else OPTIMIZER_DEFAULTS.
    lr: float | None = setting(None, "Adam rate of G, and of D unless --d-lr.", minimum=0,
                               min_open=True, auto=True)
    d_lr: float | None = setting(None, "Adam rate of D (critic), e.g. 4e-4 with --lr 1e-4 (TTUR).",
                                 minimum=0, min_open=True, auto=True)
    beta_1: float | None = None
    beta_2: float | None = None
    d_steps: int | None = setting(None, "D (critic) steps per G step, each on its own batch.",
                                  minimum=1, maximum=20, auto=True)
    seed: int = setting(0, "Same seed, same machine: same run.", minimum=0)
    keep_checkpoints: int = setting(3, "Checkpoints kept (the newest; and checkpoints/best).",
                                    cli="keep", minimum=1)
    # Checkpoints: every snap_minutes of training (mid-epoch too), or with `snap`, every N
    # epochs instead; always at the end and on Ctrl-C (keras_gan.training.pacing).
    snap: int | None = setting(None, "Checkpoint every N epochs instead of by minutes.", minimum=1)
    snap_minutes: float = setting(5.0, "Checkpoint every M minutes (and at the end, on Ctrl-C, "
                                  "SIGTERM).", minimum=0, min_open=True)
    # samples/epoch_NNNN.png every N epochs; None: at epoch ends as often as a small share
    # of the time allows (every epoch unless epochs are short; keras_gan.training.pacing), and the last.
    grid_every: int | None = setting(
        None, "Draw samples/epoch_NNNN.png every N epochs [default: as often as 1% of the time "
        "allows].", minimum=1)
    grid_size: int = 8  # the per-epoch grid: grid_size x grid_size images, or grid_size pairs
    # Decay of an EMA copy of G used for grids, sample, export and metrics; None: no EMA.
    # 0.999: gan scored better with it than without over 2 seeds (benchmarks/quality.py;
    # measured: benchmarks/RESULTS.md#ema).
    ema: float | None = setting(0.999, "Decay of G's EMA copy (grids, sample, export, metrics); "
                                "0: off.", minimum=0, maximum=1, max_open=True,
                                from_cli=lambda value: value or None)
    # DiffAugment transforms before D ("translation,cutout,color"), "ada": adaptive, "" or
    # "none": off; None: the family's choice from the data (dcgan on small RGB sets: on).
    augment: str | None = setting(
        None, "DiffAugment before D: comma-separated transforms (see `list`), ada or none.", auto=True)
    # ADA's r_t target: p rises while E[sign(D(real))] is above it
    ada_target: float = setting(0.6, "ADA: p rises while E[sign D(real)] > this.")
    # a fixed probability per transform (not with ada); None: 1
    augment_p: float | None = setting(None, "Fixed probability per --augment transform (not ada) "
                                      "[default: 1].")
    # Score samples every N epochs and keep checkpoints/best; 0: never; None: the task's
    # default (digits: every 10 epochs by the domain score; pairs: every epoch by L1).
    eval_every: int | None = setting(None, "Score every N epochs, keep checkpoints/best; 0: "
                                     "never.", minimum=0, auto=True)
    # Set by the default above: a scoring is skipped while scoring would take over 2% of the
    # training time (short epochs); an explicit --eval-every is followed as given.
    eval_paced: bool = False
    # None: the task's download-free metric, else "kid"
    eval_metric: str | None = setting(None, "Metric for --eval-every.", choices=_metric_names,
                                      auto=True)
    eval_samples: int = setting(1000, "Images (held-out pairs: at most) per scoring.", minimum=2)
    # InceptionV3 notop .h5 for kid/fid; None: Keras' download
    inception_weights: str | None = setting(
        None, "InceptionV3 notop .h5 for kid/fid offline [default: Keras' download].",
        path={"dir_okay": False, "exists": True})
    tensorboard: bool = setting(False, "Also write TensorBoard logs to RUN/tensorboard/.")
    # Keras dtype policy for training; variables stay float32, and sample/export/evaluate
    # rebuild the generator in float32. mixed_float16 adds dynamic loss scaling. None: the
    # data's recipe (mixed_bfloat16 for dcgan on small RGB sets where the hardware computes
    # bfloat16 natively: keras_gan.families.gan), else float32.
    precision: str | None = setting(None, "Training dtype policy (variables stay float32).",
                                    choices=PRECISIONS, auto=True)
    # tf.distribute strategy (keras_gan.training.distribute); batch_size is the global batch,
    # split across replicas.
    strategy: str = setting("default", "tf.distribute strategy; --batch-size is the global "
                            "batch.", choices=STRATEGIES)
    # With strategy "mirrored" on a machine without a GPU: the CPU split into this many
    # logical devices, one replica each (tries a multi-replica run on a laptop); None: no split.
    cpu_replicas: int | None = setting(
        None, "--strategy mirrored without a GPU: split the CPU into N replicas [default: none].",
        minimum=1)
    # XLA-compile the train step; auto: Keras' choice on GPUs (on), the architecture's
    # measured choice on CPUs (benchmarks/train_throughput.py --xla off,on;
    # benchmarks/RESULTS.md#xla).
    xla: str = setting("auto", "XLA-compile the train step; auto: on GPUs, not CPUs.", choices=XLA)
    # Steps per call into TensorFlow (Keras' steps_per_execution; callbacks, Ctrl-C and the
    # NaN check then act per call); None: the family's choice. Rounded down to a divisor of
    # the epoch's steps, so a call never runs into the next epoch.
    steps_per_execution: int | None = setting(
        None, "Steps per call into TensorFlow (callbacks and Ctrl-C act per call).", minimum=1,
        auto=True)
    # A new run that starts from another run's networks: "RUN[:best|:latest|:FILE]"
    # (keras_gan.training.init_from); config.json records the folder and checkpoint file used.
    init_from: str | None = setting(
        None, "Fine-tune a run's networks: RUN[:best|:latest|:FILE].")

    # beta_1 0.5, not Adam's 0.9: momentum destabilises GANs (DCGAN paper).
    OPTIMIZER_DEFAULTS: ClassVar[dict] = {"lr": 2e-4, "beta_1": 0.5, "beta_2": 0.999, "d_steps": 1}

    @property
    def total_epochs(self) -> int:
        """Every epoch the run trains: `epochs` (the last `decay_epochs` of them decaying)."""
        return self.epochs

    def validate(self) -> None:
        for name in ("epochs", "batch_size"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise invalid(name, "an integer >= 1", getattr(self, name))
        for name, unit in (("minutes", "minutes of training"), ("kimg", "thousands of images "
                                                                        "shown to D")):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not value > 0):
                raise invalid(name, f"a budget > 0 in {unit}, e.g. 30", value)
        if self.budget_ends and self.minutes is None and self.kimg is None:
            raise invalid("budget_ends", "true only with minutes or kimg (a budget to end the "
                          "run)", self.budget_ends)
        if self.decay_epochs is not None and self.decay_epochs < 0:
            raise invalid("decay_epochs", "an integer >= 0", self.decay_epochs)
        if None not in (self.epochs, self.decay_epochs) and self.decay_epochs > self.epochs:
            raise invalid("decay_epochs", f"at most epochs={self.epochs} (the decaying epochs are "
                          f"the last of --epochs, which counts every epoch)", self.decay_epochs)
        for name in ("lr", "d_lr"):
            if getattr(self, name) is not None and not getattr(self, name) > 0:
                raise invalid(name, "a learning rate > 0", getattr(self, name))
        for name in ("beta_1", "beta_2"):
            if getattr(self, name) is not None and not 0 <= getattr(self, name) < 1:
                raise invalid(name, "a number in [0, 1)", getattr(self, name))
        if self.d_steps is not None and not 1 <= self.d_steps <= 20:
            raise invalid("d_steps", "an integer from 1 to 20", self.d_steps)
        if self.eval_every is not None and self.eval_every < 0:
            raise invalid("eval_every", "an integer >= 0 (0: no evaluation)", self.eval_every)
        if self.eval_samples < 2:
            raise invalid("eval_samples", "an integer >= 2", self.eval_samples)
        # precision None: chosen from the data (keras_gan.resolve)
        for name, allowed in (("precision", (None, *PRECISIONS)), ("strategy", STRATEGIES), ("xla", XLA)):
            if getattr(self, name) not in allowed:
                raise invalid(name, f"one of {', '.join(filter(None, allowed))}", getattr(self, name))
        if self.cpu_replicas is not None:
            if self.cpu_replicas < 1:
                raise invalid("cpu_replicas", "an integer >= 1 (logical CPU devices)", self.cpu_replicas)
            if self.strategy != "mirrored":
                raise ConfigError(
                    f"Invalid cpu_replicas: expected it only with strategy 'mirrored' (the CPU "
                    f"replicas are what it mirrors over). Received: cpu_replicas="
                    f"{self.cpu_replicas} with strategy={self.strategy!r}.")
        names = parse_augment(self.augment)
        if not 0 < self.ada_target < 1:
            raise invalid("ada_target", "a share in (0, 1), e.g. 0.6 (the ADA paper's)", self.ada_target)
        if self.augment_p is not None:
            if not 0 <= self.augment_p <= 1:
                raise invalid("augment_p", "a probability in [0, 1]", self.augment_p)
            if not names or "ada" in names:
                raise invalid("augment_p", "a fixed probability for --augment transforms (not with "
                              "'ada', which adapts p itself)", f"{self.augment_p} with augment="
                              f"{self.augment!r}")
        if self.seed < 0:
            raise invalid("seed", "an integer >= 0", self.seed)
        if self.keep_checkpoints < 1:
            raise invalid("keep_checkpoints", "an integer >= 1", self.keep_checkpoints)
        for name in ("snap", "grid_every"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise invalid(name, "an integer >= 1 (epochs)", getattr(self, name))
        if self.steps_per_execution is not None and self.steps_per_execution < 1:
            raise invalid("steps_per_execution", "an integer >= 1", self.steps_per_execution)
        if not self.snap_minutes > 0:
            raise invalid("snap_minutes", "minutes > 0, e.g. 5", self.snap_minutes)
        if not 1 <= self.grid_size <= 32:
            raise invalid("grid_size", "an integer from 1 to 32", self.grid_size)
        if self.ema is not None and not 0 < self.ema < 1:
            raise invalid("ema", "a decay in (0, 1), e.g. 0.999", self.ema)


@dataclass(frozen=True)
class ExportConfig:
    """What `keras-gan export` writes; names are checked against keras_gan.exporters."""

    out: str = "export"  # the model goes to out/<name>/<version>/
    name: str | None = None  # None: "<family>-<data>"
    version: int | None = None  # None: one above the newest version in out/<name>/
    formats: tuple[str, ...] = ("saved_model", "tflite", "keras")
    # TFLite files to write; None: the task's (its serving spec's `quantize`)
    quantize: tuple[str, ...] | None = None
    calibration_samples: int = 256  # inputs the int8 converter calibrates ranges on
    max_images: int = 256  # generate_n refuses larger counts
    checkpoint: str = "latest"  # "latest", "best" (runs with --eval-every) or a checkpoint file
    push_to_hub: str | None = None  # USER/REPO: upload the verified version (keras_gan.exporters.hub)

    def validate(self) -> "ExportConfig":
        if not self.formats:
            raise invalid("formats", "at least one export format", ",".join(self.formats))
        if "tflite" in self.formats and self.quantize is not None and not self.quantize:
            raise invalid("quantize", "at least one TFLite variant when tflite is exported",
                          ",".join(self.quantize))
        if self.version is not None and self.version < 1:
            raise invalid("version", "an integer >= 1 (TF Serving versions)", self.version)
        if self.calibration_samples < 1:
            raise invalid("calibration_samples", "an integer >= 1", self.calibration_samples)
        if self.max_images < 1:
            raise invalid("max_images", "an integer >= 1", self.max_images)
        if self.push_to_hub is not None:
            check_repo_id(self.push_to_hub)
        return self


def model_options(family: str = "gan", **values) -> Any:
    """The options dataclass of the family `family` (see keras_gan.families), with `values`."""
    options = FAMILIES.get(family).options
    known = {f.name for f in dataclasses.fields(options)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"Unknown model options for family {family!r}: {unknown}. Expected some of: "
                          f"{sorted(known - {'family'})}.")
    return options(family=family, **values)


@dataclass(frozen=True)
class RunConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: Any = field(default_factory=model_options)  # the family's options (model_options)
    train: TrainConfig = field(default_factory=TrainConfig)
    runs_root: str = setting("runs", "Where numbered run folders go.",
                             path={"file_okay": False})
    run_dir: str | None = setting(None, "This (new or empty) run folder instead.",
                                  path={"file_okay": False})

    @property
    def family(self):
        return FAMILIES.get(self.model.family)

    def validate(self) -> "RunConfig":
        self.data.validate()
        self.model.validate()
        self.train.validate()
        return self

    def replace(self, **sections) -> "RunConfig":
        """A copy with fields of sections replaced: replace(data={"image_size": 32}).
        model={"family": "pix2pix", ...} switches to that family's options (others default)."""
        changes = {}
        for name, values in sections.items():
            current = getattr(self, name)
            if name == "model" and isinstance(values, dict) and values.get("family", current.family) != current.family:
                changes[name] = model_options(**values)
            else:
                changes[name] = dataclasses.replace(current, **values) if isinstance(values, dict) else values
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return {"format": FORMAT, **dataclasses.asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, raw: dict) -> "RunConfig":
        raw = _family_key(dict(raw))
        version = raw.pop("format", 1)
        if version not in range(1, FORMAT + 1):
            raise ConfigError(f"Invalid config.json: format {version!r} is newer than this keras-gan "
                              f"reads (formats 1 to {FORMAT}); use the keras-gan that wrote it.")
        if version < 3 and isinstance(raw.get("train"), dict):
            raw["train"] = _epochs_in_all(raw["train"])
        kwargs = {}
        for key, value in raw.items():
            if key in ("data", "train"):
                kwargs[key] = _section(key, {"data": DataConfig, "train": TrainConfig}[key], value)
            elif key == "model":
                if not isinstance(value, dict) or "family" not in value:
                    raise ConfigError(f"Invalid config.json: expected a model section naming its family. "
                                      f"Received: model={value!r}.")
                options = model_options(**value)
                check_types("model", type(options), value)
                kwargs[key] = options
            elif key in ("runs_root", "run_dir"):
                kwargs[key] = value
            else:
                raise ConfigError(f"Unknown config key {key!r} in config.json.")
        if isinstance(kwargs.get("data", {}), DataConfig) and kwargs["data"].class_names:
            kwargs["data"] = dataclasses.replace(kwargs["data"], class_names=tuple(kwargs["data"].class_names))
        return cls(**kwargs)

    @classmethod
    def from_json(cls, path: str | Path, saved: bool = False) -> "RunConfig":
        """A config file, every value of the right type. saved=True: a run's config.json,
        checked as a whole: every section there, every value in range, and every "auto"
        value filled (train saves it resolved). A hand-edited or foreign file is one
        ConfigError naming what is wrong."""
        try:
            raw = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ConfigError(f"Cannot read run config {path}: {err}") from err
        try:
            if not isinstance(raw, dict):
                raise ConfigError(f"Invalid config.json: expected a JSON object. Received: {raw!r}.")
            missing = [key for key in SECTIONS if key not in raw]
            if not saved:
                return cls.from_dict(raw)
            if missing:
                raise ConfigError(f"Invalid config.json: expected the sections {', '.join(SECTIONS)}, as "
                                  f"train writes them. Received: no {', '.join(missing)} (keys: {sorted(raw)}).")
            return check_resolved(cls.from_dict(_as_trained(raw)).validate())
        except ConfigError as err:
            raise ConfigError(f"{err} (in {path}: {_why_foreign(raw)})") from None


# The config sections whose `setting` fields are `train` options (keras_gan.cli.options)
OPTIONS_SECTIONS = (("data", DataConfig), ("train", TrainConfig), ("run", RunConfig))
RUN_FIELDS = ("runs_root", "run_dir")  # RunConfig's own fields, beside its sections


def option_fields(offered_only: bool = False) -> dict[str, tuple[str, dataclasses.Field]]:
    """option name, with underscores -> (section, field), for the data, training and
    run-folder fields: by the name `train` gives the option (`setting`'s cli: data= sets
    data.name). offered_only: the fields `train` offers (with `setting` help); else every
    one (the Python API sets beta_1 too)."""
    found = {}
    for section, kind in OPTIONS_SECTIONS:
        for f in dataclasses.fields(kind):
            if (section == "run" and f.name not in RUN_FIELDS) or (
                    offered_only and not f.metadata.get("help")):
                continue
            found[(f.metadata.get("cli") or f.name).replace("-", "_")] = (section, f)
    return found


def split_options(values: dict, fields: dict) -> tuple[dict, dict]:
    """({"data": {...}, "train": {...}, "run": {...}} of field values, the other options:
    the family's) from option values by name (`option_fields`), each converted as `setting`'s
    from_cli says (--ema 0: no EMA)."""
    sections: dict = {section: {} for section, _ in OPTIONS_SECTIONS}
    rest = {}
    for name, value in values.items():
        if name not in fields:
            rest[name] = value
            continue
        section, f = fields[name]
        convert = f.metadata.get("from_cli")
        sections[section][f.name] = convert(value) if convert else value
    return sections, rest

SECTIONS = ("data", "model", "train")
# Filled by keras_gan.resolve in every saved config (beside each family's option_defaults)
RESOLVED = {"data": ("name", "image_size", "channels"),
            "train": ("epochs", "decay_epochs", "batch_size", "loss", "lr", "beta_1", "beta_2",
                      "d_steps", "precision")}


def _epochs_in_all(train: dict) -> dict:
    """A train section of format 1 or 2, where epochs were the full-rate ones and
    decay_epochs came on top, with epochs counting every epoch: the same total and the
    same rate in every epoch. A file from before decay_epochs existed trained without."""
    epochs, decay = train.get("epochs"), train.get("decay_epochs")
    if type(epochs) is not int or type(decay) not in (int, type(None)):
        return train  # unset or mistyped: nothing to translate (check_types names a bad type)
    return {**train, "epochs": epochs + (decay or 0), "decay_epochs": decay or 0}


# Options whose unset value now means "chosen from the data": a run saved before they
# existed trained without them, and resumes so.
OFF_WHEN_MISSING = {"train": {"augment": "", "precision": FULL_PRECISION},
                    "model": {"mirror": False, "r1": 0.0}}


def _why_foreign(raw) -> str:
    """What may make a run's config.json unreadable here: a family no plugin has registered
    (KERAS_GAN_PLUGINS: keras_gan.plugins), else an edit or another version."""
    model = _family_key(raw).get("model") if isinstance(raw, dict) else None
    family = model.get("family") if isinstance(model, dict) else None
    if isinstance(family, str) and family not in FAMILIES:
        return ("a family from a plugin is known once the plugin is loaded: name its module or "
                ".py file in KERAS_GAN_PLUGINS, or install its package")
    return "hand-edited, or written by another keras-gan?"


def _family_key(raw: dict) -> dict:
    """A config of format 1 to 3 named the model's family "arch": the same value, renamed."""
    model = raw.get("model")
    if isinstance(model, dict) and "arch" in model and "family" not in model:
        model = dict(model)
        model["family"] = model.pop("arch")
        return {**raw, "model": model}
    return raw


def _as_trained(raw: dict) -> dict:
    """A saved config's sections with OFF_WHEN_MISSING filled in where absent (and where
    the run's family has the option)."""
    raw = _family_key({**raw, **{k: dict(raw[k]) for k in SECTIONS if isinstance(raw.get(k), dict)}})
    model = raw.get("model")
    if not isinstance(model, dict) or "family" not in model:
        return raw  # from_dict says what is wrong
    own = {f.name for f in dataclasses.fields(type(model_options(model["family"])))}
    for section, values in OFF_WHEN_MISSING.items():
        for name, value in values.items():
            if isinstance(raw.get(section), dict) and (section != "model" or name in own):
                raw[section].setdefault(name, value)
    return raw


def check_resolved(config: "RunConfig") -> "RunConfig":
    """A saved config has every "auto" value filled; None there means the file was edited."""
    required = {**RESOLVED, "model": tuple(config.family.option_defaults)}
    for section, names in required.items():
        for name in names:
            if getattr(getattr(config, section), name) is None:
                raise ConfigError(f"Invalid config.json: expected a value for {section}.{name}, "
                                  f"which train always writes. Received: none ({name}=None or missing).")
    LOSSES.get(config.train.loss)  # an unknown name is a ConfigError
    return config


def _accepts(hint, value) -> bool:
    """Whether a JSON value fits a dataclass field's type (int for float, list for tuple)."""
    if hint is Any:
        return True
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_accepts(arg, value) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    origin = typing.get_origin(hint) or hint
    if origin is tuple:
        items = typing.get_args(hint)[:1] or (Any,)
        return isinstance(value, (list, tuple)) and all(_accepts(items[0], v) for v in value)
    if isinstance(value, bool):
        return origin is bool
    if origin is float:
        return isinstance(value, (int, float))
    return isinstance(value, origin)


def _describe(hint) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string",
             type(None): "null", tuple: "a list"}
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) or \
        typing.get_origin(hint) is typing.Union else (hint,)
    return " or ".join(names.get(typing.get_origin(a) or a, str(a)) for a in args)


def check_types(section: str, kind: type, values: dict) -> None:
    """ConfigError for the first value of `values` whose JSON type does not fit `kind`'s field."""
    hints = typing.get_type_hints(kind)
    for key, value in values.items():
        if key in hints and not _accepts(hints[key], value):
            raise ConfigError(f"Invalid config.json: {section}.{key} expected {_describe(hints[key])}. "
                              f"Received: {key}={value!r}.")


def _section(key: str, kind: type, value) -> Any:
    if not isinstance(value, dict):
        raise ConfigError(f"Invalid config.json: expected an object for {key!r}. Received: {value!r}.")
    value = {k: v for k, v in value.items() if k not in OBSOLETE.get(key, ())}
    known = {f.name for f in dataclasses.fields(kind)}
    unknown = set(value) - known
    if unknown:
        raise ConfigError(f"Unknown keys in config section {key!r}: {sorted(unknown)}. "
                          f"Expected some of: {sorted(known)}.")
    check_types(key, kind, value)
    return kind(**value)
