"""The spine every family shares: named networks and optimizers, one train_step, per-optimizer
checkpoint metadata, seed states of layers inside networks, old run folders, clean imports."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_gan.training.checkpoints import restore, save_checkpoint
from keras_gan.config import FORMAT, RunConfig
from keras_gan.training.factory import build_model
from keras_gan.families import FAMILIES, GANModel
from keras_gan.runs import load_run
from keras_gan.training.schedule import set_learning_rates
from keras_gan.training.run import resume_training, run_training
from tests.conftest import saved_config, tiny_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("family", FAMILIES.names())
def test_every_family_names_its_networks_and_optimizers(tmp_path, family):
    config = tiny_config(tmp_path, family=family).replace(data={"channels": 1, "source_channels": 1})
    model = build_model(config)
    assert isinstance(model, GANModel)
    assert list(model.networks) == list(model.NETWORKS)
    trained = [n for nets in model.OPTIMIZERS.values() for n in nets]
    assert sorted(trained) == sorted(model.NETWORKS)  # every network, by exactly one optimizer
    assert {"d_optimizer", "g_optimizer"} <= set(model.OPTIMIZERS)  # text2image: + e_optimizer
    for name, optimizer in model.optimizers.items():
        assert optimizer.built and optimizer.name == name
    for name in model.EMA_NETWORKS:  # EMA on by default
        assert model.sampling_network(name) is getattr(model, f"ema_{name}")
    assert model.task.name == FAMILIES.get(family).task


def test_compile_takes_each_optimizer_by_name_or_position_and_says_which_is_missing(tmp_path):
    model = build_model(tiny_config(tmp_path).replace(data={"channels": 1}))
    d, g = keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.2)
    model.compile(g_optimizer=g, d_optimizer=d, loss="hinge")
    assert (model.d_optimizer, model.g_optimizer, model.gan_loss.summary.split()[0]) == (d, g, "hinge")
    model.compile(d, g)
    assert model.d_optimizer is d
    with pytest.raises(TypeError, match="takes the optimizers d_optimizer, g_optimizer; missing: g_optimizer"):
        model.compile(d_optimizer=d)


def test_checkpoints_count_steps_per_optimizer_and_refuse_state_that_did_not_load(tmp_path):
    config = tiny_config(tmp_path, family="pix2pix").replace(data={"channels": 1, "source_channels": 1})
    model = build_model(config)
    model.d_optimizer.iterations.assign(7)
    model.g_optimizer.iterations.assign(5)
    weights = save_checkpoint(model, tmp_path / "ckpt", 1, "pix2pix", keep=3)
    meta = json.loads(weights.with_name("epoch_0001.json").read_text())
    assert meta["format"] == 2 and meta["iterations"] == {"d_optimizer": 7, "g_optimizer": 5}
    fresh = build_model(config)
    restore(fresh, tmp_path / "ckpt", "pix2pix")
    assert int(fresh.d_optimizer.iterations) == 7 and int(fresh.g_optimizer.iterations) == 5
    meta["iterations"]["g_optimizer"] = 6  # as if the optimizer's saved state were skipped
    weights.with_name("epoch_0001.json").write_text(json.dumps(meta))
    with pytest.raises(Exception, match="did not restore the optimizer state: g_optimizer is at step 5"):
        restore(build_model(config), tmp_path / "ckpt", "pix2pix")


def test_dropout_seed_states_inside_networks_are_checkpointed(tmp_path):
    config = tiny_config(tmp_path, family="pix2pix").replace(data={"channels": 1, "source_channels": 1})
    model = build_model(config)
    keys = [key for key, _ in model.seed_state_items()]
    assert [k for k in keys if k.startswith("seed:generator:")] == [
        "seed:generator:up_3_dropout", "seed:generator:up_2_dropout", "seed:generator:up_1_dropout"]
    source = np.zeros((2, 16, 16, 1), "float32")
    model.generator(source, training=True)  # draws a mask: the state moves
    moved = {k: np.asarray(g.state).copy() for k, g in model.seed_state_items()}
    save_checkpoint(model, tmp_path / "ckpt", 1, "pix2pix", keep=3)
    fresh = build_model(config)
    restore(fresh, tmp_path / "ckpt", "pix2pix")
    for key, generator in fresh.seed_state_items():
        np.testing.assert_array_equal(np.asarray(generator.state), moved[key], err_msg=key)


def test_every_optimizer_is_halved_on_rollback(tmp_path, monkeypatch):
    from keras_gan.training import run as train

    model = build_model(tiny_config(tmp_path).replace(data={"channels": 1}))
    save_checkpoint(model, tmp_path / "checkpoints", 0, "gan", keep=3)
    guard = type("Guard", (), {"diverged_at": (0, 3)})()
    epoch, step = train._roll_back(model, tmp_path / "checkpoints", "gan", guard, tmp_path, 1)
    assert (epoch, step) == (0, 0) and guard.diverged_at is None
    assert model.learning_rates == {"d_optimizer": pytest.approx(1e-4), "g_optimizer": pytest.approx(1e-4)}
    set_learning_rates(model, epoch, 1, 0)  # what the schedule does as the epoch starts again
    assert {n: float(o.learning_rate.numpy()) for n, o in model.optimizers.items()} == {
        "d_optimizer": pytest.approx(1e-4), "g_optimizer": pytest.approx(1e-4)}


def test_a_run_folder_of_keras_gan_0_1_loads_samples_and_resumes(tmp_path):
    """Format 1: flat model fields, no format key, shuffle_buffer, d_/g_iterations metadata.
    Its weights files have the same layout (the attribute names did not change)."""
    run = run_training(tiny_config(tmp_path, epochs=1, batch_size=64), verbose=0).run_dir
    raw = json.loads((run / "config.json").read_text())
    del raw["format"], raw["data"]["holdout"], raw["data"]["source_channels"], raw["train"]["d_lr"]
    raw["data"]["shuffle_buffer"] = 10000
    (run / "config.json").write_text(json.dumps(raw))
    for meta_file in (run / "checkpoints").glob("epoch_*.json"):
        meta = json.loads(meta_file.read_text())
        counts = meta.pop("iterations")
        meta.update(format=1, d_iterations=counts["d_optimizer"], g_iterations=counts["g_optimizer"])
        meta_file.write_text(json.dumps(meta))
    _, model, checkpoint = load_run(run)
    assert checkpoint.name == "epoch_0001.weights.h5" and int(model.g_optimizer.iterations) == 3
    assert float(model.d_optimizer.learning_rate.numpy()) == pytest.approx(raw["train"]["lr"])
    assert resume_training(run, epochs=2, verbose=0).history["d_loss"]
    saved = json.loads((run / "config.json").read_text())
    assert saved["format"] == FORMAT and saved["train"]["d_lr"] == saved["train"]["lr"]


TAMPERED = {  # how a config.json can be wrong -> what the error must name
    "unknown family": (lambda c: c["model"].update(family="stylegan9"), "Unknown family 'stylegan9'"),
    "unknown loss": (lambda c: c["train"].update(loss="wasserstein2"), "Unknown loss 'wasserstein2'"),
    "missing section": (lambda c: c.pop("model"), "Received: no model"),
    "missing value": (lambda c: c["data"].pop("image_size"), "expected a value for data.image_size"),
    "wrong type": (lambda c: c["train"].update(batch_size=1.5), "train.batch_size expected an integer"),
    "out of range": (lambda c: c["data"].update(channels=2), "Invalid channels: expected 1"),
    "newer format": (lambda c: c.update(format=99), "format 99 is newer"),
    "not an object": (lambda c: c.clear() or c.update(items=[]), "expected the sections"),
}


def test_a_hand_edited_config_is_a_one_paragraph_error_in_every_command(tmp_path):
    from click.testing import CliRunner

    from keras_gan.cli.app import cli

    good = saved_config().to_dict()
    run = tmp_path / "run"
    run.mkdir()
    image = tmp_path / "in.png"
    image.write_bytes(b"not read: the config fails first")
    commands = {"sample": ["sample", "--run", str(run), "--out", str(tmp_path / "s.png")],
                "export": ["export", "--run", str(run), "--out", str(tmp_path / "export")],
                "evaluate": ["evaluate", "--run", str(run)],
                "interpolate": ["interpolate", "--run", str(run), "--out", str(tmp_path / "w.gif")],
                "translate": ["translate", str(image), "--run", str(run), "--out", str(tmp_path / "t")],
                "resume": ["train", "--resume", str(run)]}
    for case, (tamper, message) in TAMPERED.items():
        raw = json.loads(json.dumps(good))
        tamper(raw)
        (run / "config.json").write_text(json.dumps(raw))
        for name, args in commands.items():
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (case, name, result.output)
            assert message in result.output and "Traceback" not in result.output, (case, name, result.output)
            assert str(run / "config.json") in result.output or "format 99" in result.output, (case, name)
            assert len(result.output.strip().splitlines()) == 1, (case, name, result.output)


def package_imports() -> dict[str, dict[str, bool]]:
    """module -> {imported keras_gan module: whether at the top level}, from the source."""
    import ast

    graph = {}
    for path in (ROOT / "keras_gan").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        tree = ast.parse(path.read_text())
        top = {id(node) for node in tree.body}
        found = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("keras_gan"):
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("keras_gan")]
            else:
                continue
            for target in targets:
                found[target] = found.get(target, True) and id(node) in top  # any local one hides
        graph[name] = found
    return {m: {t: top for t, top in deps.items() if t in graph} for m, deps in graph.items()}


# Function-local imports that are the design, not a hidden cycle: the public API is imported
# on first use (`import keras_gan` loads no TensorFlow), and the command's click app only
# after main() has quieted TensorFlow's start-up.
LAZY = {"keras_gan": "*", "keras_gan.cli": {"keras_gan.cli.app"}}


def test_the_package_has_no_import_cycles_and_no_hidden_internal_imports():
    graph = package_imports()
    hidden = sorted(f"{m} -> {t}" for m, deps in graph.items() for t, top in deps.items()
                    if not top and LAZY.get(m) != "*" and t not in LAZY.get(m, ()))
    assert hidden == []  # a function-local import of our own module hides a cycle
    state = {}

    def visit(module, path):
        state[module] = "open"
        for target in graph[module]:
            parent = target
            while parent not in graph:  # "keras_gan.data.DataRequest" is keras_gan.data
                parent = parent.rsplit(".", 1)[0]
            if parent == module:  # a package's __init__ importing its own submodules
                continue
            assert state.get(parent) != "open", " -> ".join([*path, parent])
            if parent not in state:
                visit(parent, [*path, parent])
        state[module] = "done"

    for module in graph:
        if module not in state:
            visit(module, [module])
