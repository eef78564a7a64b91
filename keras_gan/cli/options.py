"""Click options built from the families' option dataclasses (keras_gan.families).

Each family's options live with the family; `family_options` turns every field of
every registered family into one `train` option (shared names, such as --width,
become one option), with the field's help, allowed values and, per family, its
default. `model_from_cli` builds the chosen family's options from what was typed,
refusing options that belong to other families.
"""

from __future__ import annotations

import dataclasses

import click

from keras_gan.config import model_options
from keras_gan.data import DATASETS
from keras_gan.families import FAMILIES
from keras_gan.training.schedule import DECAY_SHARE
from keras_gan.tasks import TASKS


def _fields() -> dict[str, list[tuple[str, dataclasses.Field]]]:
    """option name -> [(family, field)] for every user-settable family option."""
    found: dict[str, list] = {}
    for family, spec in FAMILIES.items():
        for f in dataclasses.fields(spec.options):
            if f.name != "family" and not f.metadata.get("filled"):
                found.setdefault(f.name, []).append((family, f))
    return found


def _click_type(entries):
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


def _by_value(entries, value_of) -> list[tuple[str, list[str]]]:
    """[(value as shown, [archs with it])] in the order first met; None values left out."""
    found: dict = {}
    for family, f in entries:
        value = value_of(f)
        if value is not None:
            shown = "on" if value is True else "off" if value is False else str(value)
            found.setdefault(shown, []).append(family)
    return list(found.items())


def _help(entries) -> str:
    """Each family's help (once), which --family have it, the values each takes where they
    differ, and the default of each."""
    archs = [family for family, _ in entries]
    texts = list(dict.fromkeys(f.metadata["help"] for _, f in entries))

    def per_arch(label, shown):
        if len(shown) == 1 and len(shown[0][1]) == len(archs):
            return f"; {label}: {shown[0][0]}"
        return f"; {label}: " + ", ".join(f"{'/'.join(a)} {v}" for v, a in shown) if shown else ""

    values = _by_value(entries, lambda f: "|".join(map(str, f.metadata.get("choices") or ())) or None)
    listed = per_arch("values", values) if len(values) > 1 else ""  # one list: click shows it
    return f"{' / '.join(texts)} [{', '.join(archs)}{listed}{per_arch('default', _by_value(entries, lambda f: f.default))}]"


def family_options(command):
    """Decorate `command` with an option per family option field."""
    for name, entries in reversed(list(_fields().items())):
        dash = name.replace("_", "-")
        f = entries[0][1]
        if "bool" in str(f.type):
            option = click.option(f"--{dash}/--no-{dash}", name, default=None, help=_help(entries))
        else:
            option = click.option(f"--{dash}", name, type=_click_type(entries), default=None,
                                  help=_help(entries))
        command = option(command)
    return command


# `train` options outside the families' option dataclasses that only some families read,
# each with the rule that says which
DATA_OPTIONS = {
    "data_b": lambda spec: spec.layout == "unpaired",  # the second domain's folder
    "holdout": lambda spec: TASKS[spec.task].holds_out,
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


def train_default_help(field: str) -> str:
    """'[default: gan/dcgan 64, pix2pix 1]' from the families' train_defaults, and the
    datasets' own ('mnist_outline 5'); decay_epochs also from their DECAY_SHARE."""
    by_value: dict = {}
    for family, spec in FAMILIES.items():
        value = _train_default(spec.train_defaults, field, spec=True)
        if value is not None:
            by_value.setdefault(value, []).append(family)
    for name, source in DATASETS.items():
        value = _train_default(source.train_defaults, field)
        if value is not None:
            by_value.setdefault(value, []).append(f"--data {name}")
    return "[default: " + ", ".join(f"{'/'.join(a)} {v}" for v, a in by_value.items()) + "]"


def _train_default(defaults: dict, field: str, spec: bool = False):
    """The default of `field` in a train_defaults dict, as help shows it; None: not set
    there (a family without a decay_epochs or a share decays none)."""
    if field in defaults:
        return defaults[field]
    if field != "decay_epochs" or not (spec or DECAY_SHARE in defaults):
        return None
    share = defaults.get(DECAY_SHARE, 0)
    return {0: 0, 0.5: "half of --epochs"}.get(share, f"{share:g} of --epochs")
