"""The `train` command's options, built from metadata: one spelling per option.

Training and data options come from the fields of DataConfig / TrainConfig / RunConfig
that carry `keras_gan.config.setting` metadata (help, allowed values, CLI name); family
options from the fields of each family's options dataclass (`keras_gan.families.family.option`;
shared names, such as --width, become one option). `takes` is the one rule for which
family reads which option: `train --family F --help` shows F's options only, and
`model_from_cli` refuses a typed option F does not read. FAMILIES is read when the
command parses or prints help, so a family registered later (a plugin) is a choice with
its options and its own help. The command itself: keras_gan.cli.command; the
"[default: ...]" of the auto options: keras_gan.cli.defaults.
"""

from __future__ import annotations

import dataclasses
import re
import typing

import click

from keras_gan.cli.defaults import default_help, reads_inception, shown, task_of
from keras_gan.config import OPTIONS_SECTIONS, RunConfig, model_options, option_fields, split_options
from keras_gan.registry import FAMILIES

FAMILY = "keras_gan.family"  # ctx.meta key: the family named on the command line, if any


# Family options -----------------------------------------------------------------------


def _fields() -> dict[str, list[tuple[str, dataclasses.Field]]]:
    """option name -> [(family, field)] for every user-settable family option."""
    found: dict[str, list] = {}
    for family, spec in FAMILIES.items():
        for f in dataclasses.fields(spec.options):
            if f.name != "family" and not f.metadata.get("filled"):
                found.setdefault(f.name, []).append((family, f))
    return found


def _union_type(entries):
    """What the command line accepts for a shared option: every family's values (each
    family's own are checked when its options are, keras_gan.families.family)."""
    fields = [f for _, f in entries]
    kind = str(fields[0].type)
    choices = [f.metadata.get("choices") for f in fields]
    if all(choices):
        return click.Choice(list(dict.fromkeys(c for values in choices for c in values)))
    if any(choices):
        return str
    lows, highs = ([f.metadata.get(end) for f in fields] for end in ("min", "max"))
    low = None if None in lows else min(lows)
    high = None if None in highs else max(highs)
    if "float" in kind:
        return click.FloatRange(low, high)
    if "int" in kind:
        return click.IntRange(low, high)
    return str


def _own_help(family: str, f: dataclasses.Field) -> str:
    """A family option's help for --family `family`: its own text (a leading "family:" or
    "family " dropped), its own default and range."""
    text = re.sub(rf"^{re.escape(family)}:? ", "", f.metadata["help"])
    text = text[:1].upper() + text[1:]
    default = FAMILIES.get(family).option_defaults.get(f.name, f.default)
    extra = [f"default: {shown(default)}"] if default is not None else []
    low, high = f.metadata.get("min"), f.metadata.get("max")
    if low is not None or high is not None:
        extra.append(click.FloatRange(low, high)._describe_range())
    return f"{text}  [{'; '.join(extra)}]" if extra else text


class FamilyOptionParam(click.Option):
    """A family option: parsed for every family (their values together), shown with the
    help, default, values and range of the family the help is for."""

    def __init__(self, name: str, entries):
        self.entries = dict(entries)
        dash = name.replace("_", "-")
        if "bool" in str(entries[0][1].type):
            super().__init__([f"--{dash}/--no-{dash}", name], default=None)
        else:
            kind = _union_type(entries)
            super().__init__([f"--{dash}", name], type=kind, default=None, metavar=_metavar(kind))

    def get_help_record(self, ctx):
        family = ctx.meta.get(FAMILY)
        if family not in self.entries:
            return None
        f = self.entries[family]
        saved = self.metavar
        if f.metadata.get("choices"):  # its own values, not every family's
            self.metavar = f"[{'|'.join(map(str, f.metadata['choices']))}]"
        try:
            spec = super().get_help_record(ctx)[0]
        finally:
            self.metavar = saved
        return spec, _own_help(family, f)


_family_params: dict = {}


def family_params() -> list[click.Option]:
    """One option per family option name, for the families registered now."""
    key = tuple((name, spec.options) for name, spec in FAMILIES.items())
    if key not in _family_params:
        _family_params.clear()
        _family_params[key] = [FamilyOptionParam(name, entries) for name, entries in _fields().items()]
    return _family_params[key]


# Which family reads which option --------------------------------------------------------

# `train` options outside the families' option dataclasses that only some families read,
# each with the rule that says which
DATA_OPTIONS = {
    "data_b": lambda spec: spec.layout == "unpaired",  # the second domain's folder
    "holdout": lambda spec: task_of(spec).holds_out,
    "inception_weights": reads_inception,  # kid/fid score the task's runs
}


def takes(family: str, name: str) -> bool:
    """Whether --family `family` reads the `train` option `name` (a family option or one of
    DATA_OPTIONS; any other option is every family's)."""
    spec = FAMILIES.get(family)
    if name in DATA_OPTIONS:
        return DATA_OPTIONS[name](spec)
    if name in _fields():
        return name in {f.name for f in dataclasses.fields(spec.options)}
    return True


def model_from_cli(family: str, values: dict, given=()):
    """The options of family `family` from the typed values (None: not typed); a
    UsageError names every typed option the family does not take (of `values`, and the
    other `given` option names), with the families that take it."""
    typed = {name: value for name, value in values.items() if value is not None}
    foreign = sorted(name for name in {*typed, *given} if not takes(family, name))
    if foreign:
        detail = "; ".join(f"--{n.replace('_', '-')} is for "
                           f"{', '.join(a for a in FAMILIES.names() if takes(a, n))}" for n in foreign)
        raise click.UsageError(f"Options that --family {family} does not have: {detail}.")
    return model_options(family, **typed)


# Training and data options from the config dataclasses ------------------------------------


class Names(click.Choice):
    """A click.Choice of a registry's names, read when used (a plugin's count)."""

    def __init__(self, names):
        self.names = names
        super().__init__(())

    @property
    def choices(self):
        return tuple(self.names())

    @choices.setter
    def choices(self, value):
        pass


def _click_type(f: dataclasses.Field, hint):
    meta = f.metadata
    if meta["path"] is not None:
        return click.Path(**meta["path"])
    if meta["choices"] is not None:
        return Names(meta["choices"]) if callable(meta["choices"]) else click.Choice(meta["choices"])
    kind = next((k for k in (bool, int, float) if k in typing.get_args(hint) or hint is k), str)
    if kind in (int, float) and (meta["min"] is not None or meta["max"] is not None):
        ranged = click.IntRange if kind is int else click.FloatRange
        return ranged(meta["min"], meta["max"], min_open=meta["min_open"], max_open=meta["max_open"])
    return kind


def _metavar(kind) -> str | None:
    """Short names beside an option (the range is shown with the help): INT, not INTEGER RANGE."""
    if isinstance(kind, click.Path):
        return "FILE" if not kind.dir_okay else "DIR"
    if isinstance(kind, click.IntRange) or kind is int:
        return "INT"
    if isinstance(kind, click.FloatRange) or kind is float:
        return "FLOAT"
    return None


class SettingOption(click.Option):
    """A training or data option: a config field's metadata, its auto default said by
    `default_help` for the family the help is for."""

    def __init__(self, section: str, f: dataclasses.Field, hint):
        self.section, self.field = section, f
        dash = f.metadata["cli"] or f.name.replace("_", "-")
        kind = _click_type(f, hint)
        default = None if f.metadata["auto"] else f.default
        flag = kind is bool
        super().__init__([f"--{dash}", dash.replace("-", "_")], type=None if flag else kind,
                         is_flag=flag, default=default, show_default=not flag,
                         help=f.metadata["help"], metavar=_metavar(kind))

    def get_help_record(self, ctx):
        family = ctx.meta.get(FAMILY)
        saved = self.help, self.metavar
        if self.field.metadata["auto"]:
            self.help = f"{self.help} {default_help(self.name, family)}"
        if family and self.name == "eval_metric":  # the metrics that score its task
            self.metavar = f"[{'|'.join(task_of(FAMILIES.get(family)).metrics)}]"
        try:
            return super().get_help_record(ctx)
        finally:
            self.help, self.metavar = saved


def setting_params() -> list[SettingOption]:
    """An option per config field with `setting` metadata, in section and field order."""
    params = []
    for section, kind in OPTIONS_SECTIONS:
        hints = typing.get_type_hints(kind)
        params += [SettingOption(section, f, hints[f.name]) for f in dataclasses.fields(kind)
                   if f.metadata.get("help")]
    return params


def run_config(family: str, values: dict, given=()) -> RunConfig:
    """The RunConfig of `train --family FAMILY` with the parsed option `values` (by option
    name; family options among them); `given`: the option names typed (for the refusal of
    options the family does not read)."""
    sections, model = split_options(values, option_fields(offered_only=True))
    kinds = dict(OPTIONS_SECTIONS)
    return RunConfig(data=kinds["data"](**sections["data"]),
                     model=model_from_cli(family, model, given=given),
                     train=kinds["train"](**sections["train"]), **sections["run"])
