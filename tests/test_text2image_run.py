"""text2image on the shared spine: the two stages, a run through run_training, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli
from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options
from keras_gan.data.captions import PROMPTS, caption_for
from keras_gan.training.factory import build_model
from keras_gan.training.history import read_rows
from keras_gan.resolve import resolve
from keras_gan.training.run import run_training

SIZE, BATCH = 16, 8


@pytest.fixture(scope="module")
def captions_folder(tmp_path_factory):
    """16 grey 16 px images, two captions each, in captions.csv."""
    root = tmp_path_factory.mktemp("captions")
    rng = np.random.default_rng(0)
    rows = ["file,caption"]
    for i in range(16):
        Image.fromarray(rng.integers(0, 256, (SIZE, SIZE), dtype=np.uint8)).save(root / f"{i}.png")
        rows += [f"{i}.png,{caption_for(i % 10, 0)}", f"{i}.png,{caption_for(i % 10, 1)}"]
    (root / "captions.csv").write_text("\n".join(rows) + "\n")
    return root


def tiny(tmp_path, data, epochs=1, encoder_epochs=1, **train) -> RunConfig:
    return RunConfig(
        data=DataConfig(name=str(data), image_size=SIZE),
        model=model_options("text2image", width=4, latent_dim=8, sentence_dim=8,
                            encoder_epochs=encoder_epochs),
        train=TrainConfig(**{"epochs": epochs, "batch_size": BATCH, "grid_size": 2,
                             "eval_every": 0, **train}),
        runs_root=str(tmp_path / "runs"))


def weights(model):
    return {name: [w.copy() for w in net.get_weights()] for name, net in model.networks.items()}


def moved(before, model):
    return {name for name, net in model.networks.items()
            if any(not np.array_equal(a, b) for a, b in zip(before[name], net.get_weights()))}


def test_the_encoder_stage_trains_only_the_encoders_and_the_gan_stage_only_g_and_d(
        tmp_path, captions_folder):
    config, data = resolve(tiny(tmp_path, captions_folder, epochs=2))
    assert config.model.vocab_size == data.extras["vocabulary"].vocabulary_size()
    assert data.fields["tokens"].dtype == np.int32 and data.fields["tokens"].shape == (32, 16)
    model = build_model(config)
    model.run_eagerly = True
    batch = {"image": np.asarray(data.fields["image"][:BATCH], "float32") / 127.5 - 1,
             "tokens": data.fields["tokens"][:BATCH]}
    assert model.stage == model.stage_at(0) == "encoders"
    before = weights(model)
    logs = model.train_on_batch(batch, return_dict=True)
    assert np.isfinite(logs["e_loss"]) and logs["e_loss"] > 0
    assert moved(before, model) == {"text_encoder", "image_encoder"}

    model.prepare_stage(model.stage_at(1))
    model.make_train_function(force=True)
    before = weights(model)
    logs = model.train_on_batch(batch, return_dict=True)
    assert all(np.isfinite(v) for v in logs.values())
    assert moved(before, model) == {"generator", "discriminator"}
    assert {n: int(o.iterations) for n, o in model.optimizers.items()} == {
        "d_optimizer": 1, "g_optimizer": 1, "e_optimizer": 1}


def test_a_run_of_both_stages_writes_prompt_rows_and_the_vocabulary(tmp_path, captions_folder):
    """One encoder epoch, one GAN epoch; a folder's prompts: its first 10 distinct captions."""
    result = run_training(tiny(tmp_path, captions_folder, epochs=2), verbose=0)
    run = result.run_dir
    grid = np.asarray(Image.open(run / "samples" / "epoch_0002.png"))
    scale = grid.shape[1] // (2 * (SIZE + 2) + 2)  # 2 columns, make_grid's 2 px padding
    assert (grid.shape[0] // scale - 2) // (SIZE + 2) == len(PROMPTS)  # one row per prompt
    tokens = (run / "vocabulary.txt").read_text().split("\n")
    assert tokens[:2] == ["", "[UNK]"] and "handwritten" in tokens
    saved = json.loads((run / "config.json").read_text())
    assert saved["model"]["vocab_size"] == len(tokens)
    assert len(result.history["e_loss"]) == 2 and np.isfinite(result.history["g_loss"][-1])
    # each stage's idle numbers are empty cells, not zeros (losses.png draws no false 0)
    rows = read_rows(run / "history.csv")
    assert rows[0]["e_loss"] and not rows[0]["d_loss"] and not rows[0]["real_score"]
    assert not rows[1]["e_loss"] and float(rows[1]["d_loss"]) > 0
    log = (run / "log.txt").read_text()
    assert "e_loss" in log.splitlines()[0] and "d_loss" not in log.splitlines()[0]


def test_dry_run_prints_the_resolved_config():
    result = CliRunner().invoke(cli, ["train", "--family", "text2image", "--dry-run"])
    assert result.exit_code == 0, result.output
    config = json.loads(result.output[result.output.index("{"):])
    assert config["model"]["family"] == "text2image" and config["model"]["vocab_size"] > 2
    assert config["data"] == {**config["data"], "name": "mnist_captions", "image_size": 32}
    assert config["train"]["d_lr"] == 4e-4 and config["train"]["loss"] == "hinge"
    assert (config["train"]["eval_every"], config["train"]["eval_metric"]) == (1, "domain")
