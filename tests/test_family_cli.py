"""The `train` options built from metadata: each family's values accepted, its own options
and defaults shown in its help (and no other family's), options of other families refused
with their owners' names, families registered later included."""

import dataclasses
import functools
import json
import re

import click
import pytest
from click.testing import CliRunner

from keras_gan.cli.app import cli
from keras_gan.cli.options import DATA_OPTIONS, _fields, family_params, model_from_cli, takes
from keras_gan.families import FAMILIES

BUILTIN = ["cyclegan", "dcgan", "discogan", "gan", "lightweight", "pix2pix", "srgan", "text2image"]


def dry_run(monkeypatch, args):
    """`train ARGS --dry-run` with the config printed as built and checked (no data decoded)."""
    monkeypatch.setattr("keras_gan.cli.app.resolve", lambda config: (config.validate(), None))
    return CliRunner().invoke(cli, ["train", *args, "--dry-run"])


@functools.lru_cache(maxsize=None)
def family_help(*args: str) -> str:
    result = CliRunner().invoke(cli, ["train", *args])
    assert result.exit_code == 0, result.output
    return result.output


def mentions(text: str, name: str) -> bool:
    """Whether `text` names the option --NAME (not a longer one such as --NAME-x)."""
    return re.search(rf"(?<![\w-])--{name.replace('_', '-')}(?![\w-])", text) is not None


def family_specific() -> list[str]:
    """Every `train` option that some family does not read: from the families' option
    dataclasses and the rules of DATA_OPTIONS, not a hand list."""
    return sorted(name for name in {*_fields(), *DATA_OPTIONS}
                  if not all(takes(family, name) for family in FAMILIES.names()))


@pytest.mark.parametrize("family", BUILTIN)
def test_a_familys_help_shows_its_own_options_and_no_other_familys(family):
    text = family_help("--family", family, "--help")
    assert len(text.splitlines()) < 120, len(text.splitlines())
    own = [name for name in {*_fields(), *DATA_OPTIONS} if takes(family, name)]
    foreign = [name for name in family_specific() if not takes(family, name)]
    assert own and foreign
    assert [name for name in own if not mentions(text, name)] == []
    assert [name for name in foreign if mentions(text, name)] == []
    assert not mentions(text, "arch")
    others = [other for other in FAMILIES.names() if other != family]
    assert [other for other in others if re.search(rf"--family {other}\b", text)] == []  # examples


def test_pix2pixs_help_says_nothing_of_latents_captions_upscaling_or_labels():
    text = family_help("--family", "pix2pix", "--help")
    for name in ("latent_dim", "conditional", "prompt", "scale", "sentence_dim", "data_b"):
        assert not mentions(text, name)
    for word in ("latent", "caption", "upscal", "conditional", "label", "cyclegan:", "text2image"):
        assert word not in text.lower()
    assert "--direction [AtoB|BtoA]" in text and "[default: unet]" in text
    assert "[default: mnist_outline]" in text and "[default: 1]" in text  # --data, --batch-size
    assert "--eval-metric [l1|psnr|ssim]" in text  # the metrics that score its task


def test_help_finds_the_family_before_or_after_help_and_by_its_old_name():
    expected = family_help("--family", "pix2pix", "--help")
    assert family_help("--help", "--family", "pix2pix") == expected
    assert family_help("--arch", "pix2pix", "--help") == expected
    assert family_help("--family=pix2pix", "--help") == expected


def test_train_help_lists_every_family_and_the_options_every_family_reads():
    text = family_help("--help")
    families = text.split("Families (--family NAME):")[1]
    for family, spec in FAMILIES.items():
        assert re.search(rf"^  {family} +{re.escape(spec.summary[:30])}", families, re.M), family
    assert "train --family NAME --help" in families
    options = text.split("\nOptions:")[1].split("Families")[0]  # (the examples name some)
    assert [name for name in family_specific() if mentions(options, name)] == []
    assert mentions(options, "epochs") and mentions(options, "family") and not mentions(text, "arch")


@pytest.mark.parametrize("family", BUILTIN)
def test_every_familys_own_values_are_accepted_and_its_defaults_shown(family):
    params = {param.name: param for param in family_params()}
    text = " ".join(family_help("--family", family, "--help").split())  # unwrapped
    for f in dataclasses.fields(FAMILIES.get(family).options):
        if f.name == "family" or f.metadata.get("filled"):
            continue
        param = params[f.name]
        for value in f.metadata.get("choices") or ():
            assert param.type.convert(value, param, None) == value  # not refused by click
        if f.metadata.get("choices"):
            assert f"[{'|'.join(map(str, f.metadata['choices']))}]" in text
        default = FAMILIES.get(family).option_defaults.get(f.name, f.default)
        if default is not None:
            # by identity: a weight of 1.0 equals True as a dict key
            shown = "on" if default is True else "off" if default is False else default
            assert re.search(rf"--{f.name.replace('_', '-')}\b.*?\[default: {shown}[;\]]", text), f.name


def test_text2images_default_generator_is_accepted_and_pix2pix_refuses_it(monkeypatch):
    done = dry_run(monkeypatch, ["--family", "text2image", "--generator", "dfgan", "--width", "2"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["model"]["generator"] == "dfgan"
    assert "--generator [dfgan]" in family_help("--family", "text2image", "--help")
    refused = CliRunner().invoke(cli, ["train", "--family", "pix2pix", "--generator", "dfgan",
                                       "--dry-run"])
    assert refused.exit_code == 1
    assert "Invalid generator: expected one of discogan, resnet, unet" in refused.output


def test_arch_is_still_accepted(monkeypatch):
    done = dry_run(monkeypatch, ["--arch", "dcgan", "--epochs", "1"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["model"]["family"] == "dcgan"


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
    done = dry_run(monkeypatch, ["--family", "pix2pix", "--inception-weights", __file__])
    assert done.exit_code == 2 and "--inception-weights is for cyclegan, dcgan" in done.output


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


@pytest.fixture
def toy_family():
    """A family registered after the CLI was built, as a plugin's would be."""
    FAMILIES.register("toy", dataclasses.replace(FAMILIES.get("pix2pix"), summary="a copy of pix2pix"))
    yield "toy"
    FAMILIES.unregister("toy")


def test_a_family_registered_later_is_a_choice_with_its_help(toy_family, monkeypatch):
    listed = CliRunner().invoke(cli, ["train", "--help"]).output
    assert re.search(r"^  toy +a copy of pix2pix", listed, re.M)
    own = CliRunner().invoke(cli, ["train", "--family", "toy", "--help"]).output
    assert "Options of --family toy:" in own and mentions(own, "direction")
    assert not mentions(own, "latent_dim")
    done = dry_run(monkeypatch, ["--family", "toy", "--direction", "BtoA"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["model"] == {**json.loads(done.output)["model"],
                                                "family": "toy", "direction": "BtoA"}


def test_the_registry_forgets_an_unregistered_family(toy_family):
    assert "toy" in FAMILIES
    FAMILIES.unregister("toy")
    assert "toy" not in FAMILIES
    refused = CliRunner().invoke(cli, ["train", "--family", "toy", "--dry-run"])
    assert refused.exit_code == 2 and "'toy' is not one of" in refused.output
    FAMILIES.register("toy", FAMILIES.get("pix2pix"))  # for the fixture's unregister


@pytest.mark.parametrize("args, message", [
    (["--holdout", "1"], "Invalid value for '--holdout': 1.0 is not in the range 0<x<1."),
    (["--keep", "0"], "Invalid value for '--keep': 0 is not in the range x>=1."),
    (["--ema", "1"], "Invalid value for '--ema': 1.0 is not in the range 0<=x<1."),
    (["--image-size", "2"], "Invalid value for '--image-size': 2 is not in the range 4<=x<=1024."),
    (["--eval-samples", "1"], "Invalid value for '--eval-samples': 1 is not in the range x>=2."),
    (["--snap-minutes", "0"], "Invalid value for '--snap-minutes': 0.0 is not in the range x>0."),
    (["--precision", "float8"], "Invalid value for '--precision': 'float8' is not one of"),
    (["--family", "pix2pix", "--width", "0"], "Invalid value for '--width': 0 is not in the range x>=1."),
])
def test_options_built_from_metadata_refuse_out_of_range_values(args, message):
    result = CliRunner().invoke(cli, ["train", *args, "--dry-run"])
    assert result.exit_code == 2 and message in result.output, result.output
