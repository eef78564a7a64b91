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
from keras_gan.schedule import DECAY_SHARE


def _fields() -> dict[str, list[tuple[str, dataclasses.Field]]]:
    """option name -> [(arch, field)] for every user-settable family option."""
    found: dict[str, list] = {}
    for arch, family in FAMILIES.items():
        for f in dataclasses.fields(family.options):
            if f.name != "arch" and not f.metadata.get("filled"):
                found.setdefault(f.name, []).append((arch, f))
    return found


def _click_type(f: dataclasses.Field):
    meta, kind = f.metadata, str(f.type)
    if meta.get("choices"):
        return click.Choice(meta["choices"])
    if "float" in kind:
        return click.FloatRange(meta.get("min"), meta.get("max"))
    if "int" in kind:
        return click.IntRange(meta.get("min"), meta.get("max"))
    return str


def _help(entries) -> str:
    """Each family's help (once), which --arch have it, and the default of each."""
    archs = [arch for arch, _ in entries]
    texts = list(dict.fromkeys(f.metadata["help"] for _, f in entries))
    defaults: dict = {}
    for arch, f in entries:
        defaults.setdefault(f.default, []).append(arch)
    shown = [("on" if d is True else "off" if d is False else str(d), a)
             for d, a in defaults.items() if d is not None]
    default = (f"; default: {shown[0][0]}" if len(shown) == 1 and len(shown[0][1]) == len(archs)
               else "; default: " + ", ".join(f"{'/'.join(a)} {d}" for d, a in shown) if shown else "")
    return f"{' / '.join(texts)} [{', '.join(archs)}{default}]"


def family_options(command):
    """Decorate `command` with an option per family option field."""
    for name, entries in reversed(list(_fields().items())):
        dash = name.replace("_", "-")
        f = entries[0][1]
        if "bool" in str(f.type):
            option = click.option(f"--{dash}/--no-{dash}", name, default=None, help=_help(entries))
        else:
            option = click.option(f"--{dash}", name, type=_click_type(f), default=None,
                                  help=_help(entries))
        command = option(command)
    return command


def model_from_cli(arch: str, values: dict):
    """The options of family `arch` from the typed values (None: not typed)."""
    typed = {name: value for name, value in values.items() if value is not None}
    own = {f.name for f in dataclasses.fields(FAMILIES.get(arch).options)}
    foreign = sorted(set(typed) - own)
    if foreign:
        owners = {name: [a for a, _ in _fields()[name]] for name in foreign}
        detail = "; ".join(f"--{n.replace('_', '-')} is for {', '.join(owners[n])}" for n in foreign)
        raise click.UsageError(f"Options that --arch {arch} does not have: {detail}.")
    return model_options(arch, **typed)


def train_default_help(field: str) -> str:
    """'[default: gan/dcgan 64, pix2pix 1]' from the families' train_defaults, and the
    datasets' own ('mnist_outline 5'); decay_epochs also from their DECAY_SHARE."""
    by_value: dict = {}
    for arch, family in FAMILIES.items():
        value = _train_default(family.train_defaults, field, family=True)
        if value is not None:
            by_value.setdefault(value, []).append(arch)
    for name, source in DATASETS.items():
        value = _train_default(source.train_defaults, field)
        if value is not None:
            by_value.setdefault(value, []).append(f"--data {name}")
    return "[default: " + ", ".join(f"{'/'.join(a)} {v}" for v, a in by_value.items()) + "]"


def _train_default(defaults: dict, field: str, family: bool = False):
    """The default of `field` in a train_defaults dict, as help shows it; None: not set
    there (a family without a decay_epochs or a share decays none)."""
    if field in defaults:
        return defaults[field]
    if field != "decay_epochs" or not (family or DECAY_SHARE in defaults):
        return None
    share = defaults.get(DECAY_SHARE, 0)
    return {0: 0, 0.5: "half of --epochs"}.get(share, f"{share:g} of --epochs")
