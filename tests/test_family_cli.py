"""The `train` options built from the families: each family's values accepted and shown,
options of other families refused with their owners' names."""

import dataclasses
import json
import re

import click
import pytest
from click.testing import CliRunner

from keras_gan.cli.app import cli
from keras_gan.families import FAMILIES
from keras_gan.cli.options import DATA_OPTIONS, _fields, model_from_cli, takes


def option(name: str) -> click.Option:
    return next(p for p in cli.commands["train"].params if p.name == name)


def dry_run(monkeypatch, args):
    """`train ARGS --dry-run` with the config printed as built and checked (no data decoded)."""
    monkeypatch.setattr("cli.resolve", lambda config: (config.validate(), None))
    return CliRunner().invoke(cli, ["train", *args, "--dry-run"])


def shown(help_text: str, label: str, archs: list[str]) -> dict[str, str]:
    """{family: value} from the help's '; LABEL: a/b v1, c v2' (or '; LABEL: v' for all)."""
    found = re.findall(f"; {label}: ([^;\\]]*)", help_text)
    if not found:
        return {}
    parts = found[-1].split(", ")  # the last: the families' help texts may name defaults too
    if len(parts) == 1 and " " not in parts[0]:
        return dict.fromkeys(archs, parts[0])
    return {family: value for part in parts for group, value in [part.rsplit(" ", 1)]
            for family in group.split("/")}


@pytest.mark.parametrize("name", sorted(_fields()))
def test_every_familys_values_are_accepted_and_shown_in_help(name):
    param, entries = option(name), _fields()[name]
    archs = [family for family, _ in entries]
    defaults, values = shown(param.help, "default", archs), shown(param.help, "values", archs)
    for family, f in entries:
        choices = f.metadata.get("choices") or ()
        for value in choices:
            assert param.type.convert(value, param, None) == value  # not refused by click
        assert family in param.help
        if f.default is not None and not isinstance(f.default, bool):
            assert defaults[family] == str(f.default)
        if choices and values:  # families that differ: each one's values listed
            assert values[family] == "|".join(map(str, choices))


def test_text2images_default_generator_is_accepted_and_pix2pix_refuses_it(monkeypatch):
    done = dry_run(monkeypatch, ["--family", "text2image", "--generator", "dfgan", "--width", "2"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["model"]["generator"] == "dfgan"
    assert "text2image dfgan" in option("generator").help
    refused = CliRunner().invoke(cli, ["train", "--family", "pix2pix", "--generator", "dfgan",
                                       "--dry-run"])
    assert refused.exit_code == 1
    assert "Invalid generator: expected one of discogan, resnet, unet" in refused.output


def test_data_b_and_holdout_are_refused_where_the_family_does_not_read_them(monkeypatch, tmp_path):
    done = dry_run(monkeypatch, ["--family", "pix2pix", "--data-b", str(tmp_path)])
    assert done.exit_code == 2
    assert "Options that --family pix2pix does not have: --data-b is for cyclegan, discogan." in done.output
    done = dry_run(monkeypatch, ["--family", "gan", "--holdout", "0.2", "--direction", "BtoA"])
    assert done.exit_code == 2 and "--direction is for pix2pix" in done.output
    assert "--holdout is for " in done.output and "srgan" in done.output
    assert dry_run(monkeypatch, ["--family", "cyclegan", "--data-b", str(tmp_path),
                                 "--holdout", "0.2"]).exit_code == 0
    assert dry_run(monkeypatch, ["--family", "gan", "--holdout", "0.1"]).exit_code == 2  # typed


@pytest.mark.parametrize("name", sorted({*_fields(), *DATA_OPTIONS}))
def test_every_family_specific_option_is_refused_by_the_families_without_it(name):
    owners = [family for family in FAMILIES.names() if takes(family, name)]
    others = [family for family in FAMILIES.names() if family not in owners]
    assert owners
    for family in others:
        values = {name: 1} if name in _fields() else {}
        with pytest.raises(click.UsageError, match=f"--{name.replace('_', '-')} is for "
                                                   f"{', '.join(owners)}"):
            model_from_cli(family, values, given=[name])
    for family in owners:
        own = {f.name for f in dataclasses.fields(FAMILIES.get(family).options)}
        assert name in DATA_OPTIONS or name in own
