"""The README's quick start and CI must not drift apart."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The quick start installs the pinned set and the checkout (the `keras-gan` command), then
# trains or tests: two commands on a fresh machine.
SETUP = "python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt -e . && "
TRAIN = SETUP + ".venv/bin/keras-gan train"
TEST = SETUP + ".venv/bin/python -m pytest -q -n 2 --dist loadfile tests"


def quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_quick_start_is_two_commands_setup_then_train_and_test():
    assert quick_start_commands() == [TRAIN, TEST]


def _ci_lines():
    return [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]


def test_ci_installs_as_the_readme_does_and_runs_its_test_command_verbatim():
    ci_lines = _ci_lines()
    assert TEST.split("&&")[-1].strip() in ci_lines
    install = SETUP.split("&&")[1].strip().removeprefix(".venv/bin/pip install ")
    assert any(line.startswith(".venv/bin/python -m pip install") and line.endswith(install)
               for line in ci_lines), install


def test_ci_checks_the_built_wheel_outside_the_checkout():
    """The issue's "done when": the wheel in a fresh venv runs from another folder."""
    ci = "\n".join(_ci_lines())
    build = ci.index("-m build")
    for step in ("keras-gan --version", "keras-gan list", "import keras_gan",
                 "keras-gan train --epochs 1"):
        assert ci.index(step) > build, step
    assert 'cd "$scratch"' in ci and "venv/bin/python -m pip install" in ci


def test_readme_figure_exists():
    readme = (ROOT / "README.md").read_text()
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (ROOT / image).is_file(), image
