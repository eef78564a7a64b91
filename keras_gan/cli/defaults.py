"""The "[default: ...]" of `train`'s auto options, from the rules that fill them in.

An auto field (keras_gan.config `setting(auto=True)`) is left None and filled by
keras_gan.resolve from the family's train_defaults and chooses, the data's
train_defaults, the loss's optimizer defaults and the task's eval rules; its help says
what that gives for one family (`train --family F --help`), or for every family.
"""

from __future__ import annotations

from keras_gan.config import TrainConfig
from keras_gan.data import DATASETS
from keras_gan.registry import FAMILIES, METRICS, TASKS
from keras_gan.training.losses import LOSSES
from keras_gan.training.schedule import DECAY_SHARE


def shown(value) -> str:
    return "on" if value is True else "off" if value is False else str(value)


def task_of(spec):
    return TASKS.get(spec.task)


def reads_inception(spec) -> bool:
    """Whether kid/fid (InceptionV3 features) score the family's task."""
    return any(METRICS.get(name).needs_inception for name in task_of(spec).metrics)


def _grouped(by_value: dict) -> str:
    return ", ".join(f"{'/'.join(names)} {value}" for value, names in by_value.items())


def train_default_help(field: str, family: str | None = None) -> str:
    """'[default: gan/dcgan 64, pix2pix 1]' from the families' train_defaults and the
    datasets' own ('--data mnist_outline 5'); for one `family`, '[default: 200, --data
    mnist_outline 5]': its own and those of the datasets of its layout that differ.
    decay_epochs also from their DECAY_SHARE. '' where none sets it."""
    if family:
        spec = FAMILIES.get(family)
        own = _train_default(spec.train_defaults, field, spec=True)
        shown = [] if own is None else [str(own)]
        for name, source in DATASETS.items():
            value = _train_default(source.train_defaults, field)
            if source.layout == spec.layout and value is not None and value != own:
                shown.append(f"--data {name} {value}")
        return f"[default: {', '.join(shown)}]" if shown else ""
    by_value: dict = {}
    for name, spec in FAMILIES.items():
        value = _train_default(spec.train_defaults, field, spec=True)
        if value is not None:
            by_value.setdefault(value, []).append(name)
    for name, source in DATASETS.items():
        value = _train_default(source.train_defaults, field)
        if value is not None:
            by_value.setdefault(value, []).append(f"--data {name}")
    return f"[default: {_grouped(by_value)}]" if by_value else ""


def _train_default(defaults: dict, field: str, spec: bool = False):
    """The default of `field` in a train_defaults dict, as help shows it; None: not set
    there (a family without a decay_epochs or a share decays none)."""
    if field in defaults:
        return defaults[field]
    if field != "decay_epochs" or not (spec or DECAY_SHARE in defaults):
        return None
    share = defaults.get(DECAY_SHARE, 0)
    return {0: 0, 0.5: "half of --epochs"}.get(share, f"{share:g} of --epochs")


def _optimizer_rule(field: str) -> str:
    """An optimizer default as the losses set it: 'the loss's: 1e-04 for wgan_gp, else 0.0002'."""
    own = {name: loss.defaults[field] for name, loss in LOSSES.items() if field in loss.defaults}
    other = f"{TrainConfig.OPTIMIZER_DEFAULTS[field]:g}"
    if not own:
        return other
    return ", ".join(f"{value:g} for {name}" for name, value in own.items()) + f", else {other}"


def _per_family(family: str | None, value_of, otherwise: str, when: bool = False) -> str:
    """A default that a family may set (value_of(spec) -> value or None): the family's, or
    for the common help every family's, grouped by value, then `otherwise`. when=True:
    the family's value holds under a condition it states, `otherwise` where it fails."""
    if family:
        value = value_of(FAMILIES.get(family))
        if value is None:
            return otherwise
        return f"{shown(value)}, else {otherwise}" if when else shown(value)
    by_value: dict = {}
    for name, spec in FAMILIES.items():
        value = value_of(spec)
        if value is not None:
            by_value.setdefault(shown(value), []).append(name)
    listed = "; ".join(f"{'/'.join(names)} {value}" for value, names in by_value.items())
    if not otherwise:
        return listed
    return f"{listed}; else {otherwise}" if listed else otherwise


def _eval_every(spec) -> str:
    every = task_of(spec).eval_every
    return "every epoch" if every == 1 else f"every {every} epochs"


def _image_size(family: str | None) -> str:
    if not family:
        return "[default: the size the family takes nearest the data's own, said in the log]"
    spec = FAMILIES.get(family)
    sizes = spec.check_size(3)
    return ((f"{family} takes {sizes} " if sizes else "")
            + f"[default: the nearest to the data's own, said in the log; else "
              f"{spec.default_image_size(None)}]")


def default_help(name: str, family: str | None = None) -> str:
    """The "[default: ...]" of the auto field `name` for --family `family` (None: as the
    common help says it, every family's): from the families' train_defaults and chooses,
    the datasets' train_defaults, the losses' and the tasks' rules."""
    if name == "image_size":
        return _image_size(family)
    if name == "eval_metric":
        scored = family is None or reads_inception(FAMILIES.get(family))
        return ("[default: the download-free metric that fits the data"
                + (", else kid" if scored else "") + "]")
    free = "if a download-free metric fits the data, else off"
    rules = {  # name: (the family's value or None, the value where it has none, the text)
        "data": (lambda s: s.default_data, "", "{}"),
        "lr": (lambda s: s.train_defaults.get("lr"), _optimizer_rule("lr"), "{}"),
        "d_steps": (lambda s: s.train_defaults.get("d_steps"), _optimizer_rule("d_steps"), "{}"),
        "d_lr": (lambda s: s.train_defaults.get("d_lr"), "same as --lr", "{}"),
        "augment": (lambda s: s.chooses.get("augment"), "off", "{}"),
        "precision": (lambda s: s.chooses.get("precision"), "float32", "{}"),
        "eval_every": (_eval_every, "", "{} " + free),
        "steps_per_execution": (lambda s: f"up to {s.execution_images:,} images per call"
                                if s.execution_images else None, "1", "{}"),
    }
    if name not in rules:
        return train_default_help(name, family)
    value_of, otherwise, text = rules[name]
    when = name in ("augment", "precision")  # the family's choice holds for some data only
    return "[default: " + text.format(_per_family(family, value_of, otherwise, when)) + "]"
