"""The `train` command's options, built from metadata: one spelling per option.

Training and data options come from the fields of DataConfig / TrainConfig / RunConfig
that carry `keras_gan.config.setting` metadata (help, allowed values, CLI name); family
options from the fields of each family's options dataclass (`keras_gan.families.family.option`;
shared names, such as --width, become one option). `takes` is the one rule for which
family reads which option: `train --family F --help` shows F's options only, and
`model_from_cli` refuses a typed option F does not read. FAMILIES is read when the
command parses or prints help, so a family registered later (a plugin) is a choice with
its options and its own help.
"""

from __future__ import annotations

import dataclasses
import re
import typing

import click

from keras_gan.config import OPTIONS_SECTIONS, RunConfig, TrainConfig, model_options
from keras_gan.data import DATASETS
from keras_gan.registry import FAMILIES, TASKS
from keras_gan.training.losses import LOSSES
from keras_gan.training.schedule import DECAY_SHARE

FAMILY = "keras_gan.family"  # ctx.meta key: the family named on the command line, if any
COLUMN = 22  # of the option names in --help; a longer one puts its help on the next line


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


def _shown(value) -> str:
    return "on" if value is True else "off" if value is False else str(value)


def _own_help(family: str, f: dataclasses.Field) -> str:
    """A family option's help for --family `family`: its own text (a leading "family:" or
    "family " dropped), its own default and range."""
    text = re.sub(rf"^{re.escape(family)}:? ", "", f.metadata["help"])
    text = text[:1].upper() + text[1:]
    default = FAMILIES.get(family).option_defaults.get(f.name, f.default)
    extra = [f"default: {_shown(default)}"] if default is not None else []
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
        spec = self.get_help_spec(ctx)
        if f.metadata.get("choices"):
            spec = f"{self.opts[0]} [{'|'.join(map(str, f.metadata['choices']))}]"
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


def _task(spec):
    return TASKS.get(spec.task)


def _reads_inception(spec) -> bool:
    from keras_gan.evaluation import METRICS

    return any(METRICS.get(name).needs_inception for name in _task(spec).metrics)


# `train` options outside the families' option dataclasses that only some families read,
# each with the rule that says which
DATA_OPTIONS = {
    "data_b": lambda spec: spec.layout == "unpaired",  # the second domain's folder
    "holdout": lambda spec: _task(spec).holds_out,
    "inception_weights": _reads_inception,  # kid/fid score the task's runs
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


# "[default: ...]" of the auto fields ------------------------------------------------------


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
        return f"{_shown(value)}, else {otherwise}" if when else _shown(value)
    by_value: dict = {}
    for name, spec in FAMILIES.items():
        value = value_of(spec)
        if value is not None:
            by_value.setdefault(_shown(value), []).append(name)
    listed = "; ".join(f"{'/'.join(names)} {value}" for value, names in by_value.items())
    if not otherwise:
        return listed
    return f"{listed}; else {otherwise}" if listed else otherwise


def _eval_every(spec) -> str:
    every = _task(spec).eval_every
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
        scored = family is None or _reads_inception(FAMILIES.get(family))
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
            self.metavar = f"[{'|'.join(_task(FAMILIES.get(family)).metrics)}]"
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
    sections: dict = {"data": {}, "train": {}, "run": {}}
    model = dict(values)
    for param in setting_params():
        if param.name in model:
            value = model.pop(param.name)
            convert = param.field.metadata["from_cli"]
            sections[param.section][param.field.name] = convert(value) if convert else value
    kinds = dict(OPTIONS_SECTIONS)
    return RunConfig(data=kinds["data"](**sections["data"]),
                     model=model_from_cli(family, model, given=given),
                     train=kinds["train"](**sections["train"]), **sections["run"])


# The command ------------------------------------------------------------------------------


class FamilyOption(click.Option):
    """--family, read from FAMILIES when used; --arch, its old name, is accepted and not shown."""

    def __init__(self):
        super().__init__(["--family", "--arch", "family"], type=Names(FAMILIES.names), default="gan",
                         show_default=True, help="The family to train (see `list`).")

    def get_help_record(self, ctx):
        saved = self.opts, self.metavar
        self.opts = [opt for opt in self.opts if opt != "--arch"]
        self.metavar = "NAME" if ctx.meta.get(FAMILY) else None  # its choices: the list below
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts, self.metavar = saved


def peek_family(args: list[str]) -> str | None:
    """The registered family named by --family (or --arch) in raw arguments, before click
    parses them (so that --help anywhere shows that family's options); None if none."""
    named = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg in ("--family", "--arch") and i + 1 < len(args):
            named = args[i + 1]
        elif arg.startswith(("--family=", "--arch=")):
            named = arg.split("=", 1)[1]
    return named if named in FAMILIES else None


class TrainCommand(click.Command):
    """`train`: the options of every family parse, and --help shows those of the family
    named on the command line (with --family anywhere before or after --help), or without
    one the options every family reads and the list of families."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params = [FamilyOption(), *setting_params(), *self.params]

    @property
    def params(self) -> list[click.Parameter]:
        """The command's own options and those of the families registered now. One list
        while neither changes: click appends its help option to it, then pops it."""
        family = family_params()
        if self._all[0] != (id(self._params), id(family)):
            self._all = ((id(self._params), id(family)), [*self._params, *family])
        return self._all[1]

    @params.setter
    def params(self, value: list[click.Parameter]) -> None:
        self._params = [p for p in value if not isinstance(p, FamilyOptionParam)]
        self._all = (None, [])

    def parse_args(self, ctx, args):
        ctx.meta[FAMILY] = peek_family(args)
        return super().parse_args(ctx, args)

    def format_help_text(self, ctx, formatter):
        """The docstring, its examples cut to those of the family asked about."""
        family = ctx.meta.get(FAMILY)
        if family is None:
            return super().format_help_text(ctx, formatter)
        default = next(p.default for p in self.params if p.name == "family")
        text = self.help

        def kept(line: str) -> bool:
            named = re.search(r"--family (\S+)", line)
            if named or not line.lstrip().startswith(("keras-gan ", "python ")):
                return not named or named.group(1) == family
            return family == default

        self.help = "\n".join(line for line in text.splitlines() if kept(line))
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = text

    def format_options(self, ctx, formatter):
        from keras_gan.console import command_name

        family = ctx.meta.get(FAMILY)
        common, own = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, FamilyOptionParam) or param.name in DATA_OPTIONS:
                if family is not None and takes(family, param.name):
                    own.append(record)
            else:
                common.append(record)
        with formatter.section("Options"):
            formatter.write_dl(common, col_max=COLUMN)
        if family is not None:
            with formatter.section(f"Options of --family {family}"):
                formatter.write_dl(own, col_max=COLUMN)
            return
        with formatter.section("Families (--family NAME)"):
            formatter.write_dl([(name, spec.summary) for name, spec in FAMILIES.items()])
        formatter.write_paragraph()
        formatter.write_text(f"A family's own options: {command_name()} train --family NAME --help")
