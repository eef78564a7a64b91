"""`train`'s click command: every family's options parse, --help shows one family's.

The family is found in the raw arguments before click parses them (so --help before or
after --family shows that family's options); without one, --help shows the options every
family reads and the list of families.
"""

from __future__ import annotations

import re

import click

from keras_gan.cli.options import (DATA_OPTIONS, FAMILY, FamilyOptionParam, Names, family_params,
                                   setting_params, takes)
from keras_gan.console import command_name
from keras_gan.registry import FAMILIES

COLUMN = 22  # of the option names in --help; a longer one puts its help on the next line


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
