"""The README's quick start and CI must not drift apart."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_quick_start_is_two_commands_setup_then_train_and_test():
    train, test = quick_start_commands()
    assert "pip install -r requirements.txt" in train and train.endswith("cli.py train")
    assert "pip install -r requirements.txt" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim():
    _, test = quick_start_commands()
    test_command = test.split("&&")[-1].strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines
    assert any("-r requirements.txt" in line for line in ci_lines)


def test_readme_figure_exists():
    readme = (ROOT / "README.md").read_text()
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (ROOT / image).is_file(), image
