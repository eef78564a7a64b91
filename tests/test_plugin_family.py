"""A family written outside the package (docs/examples/toy_family.py, the "add a family"
checklist of docs/architecture.md) trains, resumes and exports through the command line
with nothing in keras_gan/ changed for it: KERAS_GAN_PLUGINS names the file, and every
command finds the family again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "docs" / "examples" / "toy_family.py"

# One process for every command (TensorFlow loads once); each is `keras-gan ARGS` as the
# console script runs it (keras_gan.cli.main: plugins, then the click group).
SCRIPT = """
import sys
from pathlib import Path
from keras_gan.cli import main

def run(*args):
    print("$ keras-gan " + " ".join(args), flush=True)
    try:
        main(list(args))
    except SystemExit as done:
        assert done.code in (0, None), (args, done.code)

run("list")
run("train", "--family", "toy", "--data", "imgs", "--epochs", "1", "--batch-size", "4")
(run_dir,) = Path("runs").iterdir()
run("train", "--resume", str(run_dir), "--epochs", "2")
run("export", "--run", str(run_dir), "--formats", "saved_model", "--out", "exp")
"""


@pytest.mark.slow
def test_a_family_from_a_users_own_file_trains_resumes_and_exports(tmp_path):
    (tmp_path / "imgs").mkdir()
    rng = np.random.default_rng(0)
    for i in range(12):
        pixels = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(tmp_path / "imgs" / f"{i:02d}.png")
    env = {**os.environ, "KERAS_GAN_PLUGINS": str(TOY), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env, text=True,
                          capture_output=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "toy: a tiny MLP GAN from docs/examples (a plugin)" in out  # keras-gan list
    (run_dir,) = (tmp_path / "runs").iterdir()
    config = json.loads((run_dir / "config.json").read_text())
    assert config["model"] == {"family": "toy", "latent_dim": 16, "width": 32}
    assert config["data"]["image_size"] == 8 and config["train"]["epochs"] == 2
    assert "Resuming" in out and (run_dir / "checkpoints" / "epoch_0002.weights.h5").is_file()
    history = (run_dir / "history.csv").read_text().strip().splitlines()
    assert [line.split(",")[0] for line in history[1:]] == ["0", "1"]  # epochs, from 0
    assert "every check passed" in out
    card = (tmp_path / "exp" / "toy-imgs" / "MODEL_CARD.md").read_text()
    # the noise_to_image task's card, tag and use, with no line of the family's own
    assert "pipeline_tag: unconditional-image-generation" in card and "`toy`" in card
    uses = [line for line in out.splitlines() if line.startswith("Use it:")]
    assert uses and uses[-1].endswith(f"sample --run {Path('runs') / run_dir.name}")  # the task's `use`


def test_the_toy_family_uses_only_public_names():
    """What the checklist promises: the file imports keras_gan's public registries and the
    family helpers, never the package's private names or a shared file to edit."""
    import ast

    imported = [node for node in ast.walk(ast.parse(TOY.read_text()))
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("keras_gan")]
    names = {(node.module, alias.name) for node in imported for alias in node.names}
    assert names == {("keras_gan", "FAMILIES"), ("keras_gan", "Family"), ("keras_gan", "option"),
                     ("keras_gan", "validate_options"), ("keras_gan.families.gan", "GAN")}
    assert not any(name.startswith("_") for _, name in names)
