"""keras-gan as a package and a library: the version in one place, the console command,
a lazy public API, plugins from a user's own file, and pyproject.toml's metadata (building
and installing the wheel is CI's job: .ci/run)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import keras_gan
from keras_gan import plugins
from tests.conftest import tiny_config

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _run(*args, env=None):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=env)


def test_version_is_printed_by_every_spelling_of_the_command_without_tensorflow():
    for command in (["-m", "keras_gan", "--version"], ["cli.py", "--version"]):
        done = _run(*command)
        assert (done.returncode, done.stdout) == (0, f"keras-gan {keras_gan.__version__}\n"), done
    done = _run("-c", "import sys; from keras_gan.cli import main; main(['--version']); "
                      "print('tensorflow' in sys.modules)")
    assert done.stdout.splitlines()[-1] == "False", done


def test_version_on_the_click_group():
    from click.testing import CliRunner

    from keras_gan.cli.app import cli

    result = CliRunner().invoke(cli, ["--quiet", "--version"])
    assert result.exit_code == 0 and result.output == f"keras-gan {keras_gan.__version__}\n"


def test_import_keras_gan_loads_no_tensorflow():
    done = _run("-c", "import sys, keras_gan, keras_gan.plugins, keras_gan.cli; "
                      "print(keras_gan.__version__, sorted(m for m in sys.modules "
                      "if m.split('.')[0] in ('tensorflow', 'keras')))")
    assert done.stdout.strip() == f"{keras_gan.__version__} []", done


def test_every_public_name_resolves_and_is_documented():
    assert keras_gan.__all__[0] == "__version__" and len(set(keras_gan.__all__)) == len(keras_gan.__all__)
    for name in keras_gan.__all__[1:]:
        value = getattr(keras_gan, name)
        if callable(value):
            assert (value.__doc__ or "").strip(), name
    from keras_gan.registry import Registry

    for name in ("FAMILIES", "NETWORKS", "LOSSES", "DATASETS", "METRICS", "FORMATS"):
        assert isinstance(getattr(keras_gan, name), Registry), name
    assert "gan" in keras_gan.FAMILIES and "noise_to_image" in keras_gan.TASKS
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        keras_gan.nope  # noqa: B018


@pytest.fixture
def clean_registries():
    """Registries as they were: a test's plugin registers into the process's registries."""
    saved = [(registry, dict(registry.items())) for registry in
             (keras_gan.LOSSES, keras_gan.NETWORKS, keras_gan.FAMILIES)]
    yield
    for registry, items in saved:
        registry._items.clear()
        registry._items.update(items)


PLUGIN = """
from keras import ops
import keras_gan

keras_gan.LOSSES.register("{name}", keras_gan.GANLoss(
    lambda real, fake: ops.mean(ops.relu(1 - real)) + ops.mean(ops.relu(1 + fake)),
    lambda fake: -ops.mean(fake), "a loss from a user's own file"))
"""


def _main(args, monkeypatch, value):
    from keras_gan.cli import main

    monkeypatch.setenv(plugins.ENV, value)
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_a_plugin_named_in_the_environment_registers_before_the_command_runs(
        tmp_path, monkeypatch, capsys, clean_registries):
    monkeypatch.setattr(plugins, "_loaded", {})
    path = tmp_path / "my_loss_plugin.py"
    path.write_text(PLUGIN.format(name="plugin_hinge"))
    assert _main(["list"], monkeypatch, f" {path} ,") in (0, None)
    assert re.search(r"plugin_hinge +a loss from a user's own file", capsys.readouterr().out)
    assert plugins.load_plugins([str(path)]) == []  # loaded once
    sys.modules.pop("my_loss_plugin", None)


def test_a_broken_plugin_is_one_paragraph_naming_it(tmp_path, monkeypatch, capsys):
    path = tmp_path / "broken_plugin.py"
    path.write_text("x = 1\nraise RuntimeError('no GPU here')\n")
    assert _main(["list"], monkeypatch, str(path)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Error: Cannot load the keras-gan plugin '{path}' (named by "
                          f"KERAS_GAN_PLUGINS='{path}'): RuntimeError: no GPU here (raised at "
                          f"{path}:2). Fix the plugin, or leave it out of KERAS_GAN_PLUGINS")
    assert err.count("\n") == 1 and "broken_plugin" not in sys.modules
    for value, detail in (("no_such_plugin_module", "no module named 'no_such_plugin_module' on "
                                                   "sys.path"),
                          ("missing/plugin.py", "there is no .py file at")):
        assert _main(["list"], monkeypatch, value) == 1
        assert detail in capsys.readouterr().err


def test_a_plugin_from_an_entry_point(monkeypatch):
    called = []

    class Point:  # importlib.metadata.EntryPoint's surface
        name, value, dist = "mine", "my_package:register", None

        def load(self):
            return lambda: called.append(True)

    monkeypatch.setattr(plugins.importlib.metadata, "entry_points",
                        lambda group: [Point()] if group == "keras_gan.plugins" else [])
    monkeypatch.setattr(plugins, "_loaded", {})
    assert plugins.load_plugins("") == ["entry point mine = my_package:register"] and called == [True]


def test_train_options_map_onto_the_config_sections():
    config = keras_gan.config_from_options(family="pix2pix", data="photos", data_b=None,
                                           image_size=32, epochs=3, direction="BtoA",
                                           runs_root="elsewhere")
    assert (config.data.name, config.data.image_size, config.train.epochs) == ("photos", 32, 3)
    assert (config.model.family, config.model.direction, config.runs_root) == ("pix2pix", "BtoA", "elsewhere")
    with pytest.raises(keras_gan.ConfigError, match=r"Unknown options for keras_gan.train: "
                                                    r"latent_dim\. Expected .*the pix2pix family's own"):
        keras_gan.config_from_options(family="pix2pix", latent_dim=8)
    with pytest.raises(keras_gan.ConfigError, match="only epochs, strategy, cpu_replicas, minutes, kimg can change. "
                                                    "Received: loss"):
        keras_gan.train(resume="runs/x", loss="lsgan")


def test_train_from_python_loads_the_plugins_returns_the_run_and_resumes_it(
        tmp_path, monkeypatch, clean_registries):
    (tmp_path / "api_loss_plugin.py").write_text(PLUGIN.format(name="api_hinge"))
    monkeypatch.setenv(plugins.ENV, str(tmp_path / "api_loss_plugin.py"))
    monkeypatch.setattr(plugins, "_loaded", {})
    monkeypatch.delitem(sys.modules, "api_loss_plugin", raising=False)
    result = keras_gan.train(tiny_config(tmp_path), seed=3, loss="api_hinge", verbose=0)
    assert (result.config.train.seed, result.config.train.loss) == (3, "api_hinge")
    assert (result.run_dir / "config.json").is_file()
    assert len((result.run_dir / "history.csv").read_text().strip().splitlines()) == 1 + 1
    # resume hands the run folder to the training loop's resume (tests/test_resume.py runs it)
    calls = []
    monkeypatch.setattr("keras_gan.api.resume_training",
                        lambda run_dir, epochs, **kw: calls.append((run_dir, epochs, kw)) or "resumed")
    runs_root = str(result.run_dir.parent)
    assert keras_gan.train(resume="latest", runs_root=runs_root, epochs=2, verbose=0) == "resumed"
    assert calls == [(result.run_dir, 2, {"verbose": 0, "callbacks": ()})]  # only what is given


def test_the_python_api_page_plugin_registers_and_its_commands_parse(tmp_path, monkeypatch,
                                                                   clean_registries):
    """docs/python-api.md's my_plugin.py, and the commands shown as text beside it, with it loaded."""
    from tests.test_docs import parse

    monkeypatch.setattr(plugins, "_loaded", {})

    page = (ROOT / "docs" / "python-api.md").read_text()
    code = next(block for block in re.findall(r"```python\n(.*?)```", page, re.S)
                if block.startswith('"""My loss and my networks'))
    (tmp_path / "my_plugin_page.py").write_text(code)
    try:
        plugins.load_plugins([str(tmp_path / "my_plugin_page.py")])
        commands = re.findall(r"^\$ keras-gan (.+)$", page, re.M)
        assert len(commands) == 4
        for command in commands:
            parse(command)
    finally:
        sys.modules.pop("my_plugin_page", None)
    assert "small_gan" in keras_gan.FAMILIES and "bce_smooth" in keras_gan.LOSSES


# pyproject.toml ----------------------------------------------------------------------------


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")


def _requirements() -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    return {_name(line): line.replace(" ", "") for line in lines if line}


def test_pyproject_version_is_read_from_the_package():
    project = PYPROJECT["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    source = ROOT / PYPROJECT["tool"]["hatch"]["version"]["path"]
    assert re.search(r'^__version__ = "([^"]+)"$', source.read_text(), re.M).group(1) == keras_gan.__version__
    assert PYPROJECT["build-system"]["build-backend"] == "hatchling.build"
    assert PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["keras_gan"]


def test_pyproject_console_script_and_extras():
    project = PYPROJECT["project"]
    module, function = project["scripts"]["keras-gan"].split(":")
    assert callable(getattr(importlib.import_module(module), function))
    extras = {extra: {_name(r) for r in reqs} for extra, reqs in project["optional-dependencies"].items()}
    assert extras == {"onnx": {"tf2onnx", "onnxruntime"}, "hub": {"huggingface-hub"},
                      "docs": {"mkdocs"}, "test": {"pytest", "pytest-xdist"}}
    for name, kind in keras_gan.FORMATS.items():  # what export tells a user to install exists
        assert kind.extra is None or kind.extra in extras, name


def test_pyproject_dependencies_allow_what_requirements_pins():
    """The same range for each package in both files; requirements.txt adds only the extras'
    packages and the test and packaging tools."""
    pinned = _requirements()
    runtime = {_name(r): r.split(";")[0].replace(" ", "") for r in PYPROJECT["project"]["dependencies"]}
    for name, requirement in runtime.items():
        assert pinned.get(name) == requirement, name
    extras = {_name(r) for reqs in PYPROJECT["project"]["optional-dependencies"].values() for r in reqs}
    assert set(pinned) - set(runtime) <= extras | {"build"}, set(pinned) - set(runtime) - extras


def test_a_run_of_an_unknown_family_hints_at_its_plugin(tmp_path):
    from keras_gan.config import RunConfig

    path = tmp_path / "config.json"
    path.write_text('{"format": 4, "data": {}, "train": {}, "model": {"family": "made_up"}}')
    with pytest.raises(keras_gan.ConfigError, match=r"Unknown family 'made_up'.*a family from a "
                                                    r"plugin is known once the plugin is loaded: "
                                                    r"name its module or \.py file in KERAS_GAN_PLUGINS"):
        RunConfig.from_json(path, saved=True)
    path.write_text('{"format": 4, "data": {}, "train": {}, "model": {"family": "gan", "width": "wide"}}')
    with pytest.raises(keras_gan.ConfigError, match="hand-edited, or written by another keras-gan"):
        RunConfig.from_json(path, saved=True)
