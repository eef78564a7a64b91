"""--strategy: replicas train like one device, multi-worker writes from the chief only.

The two-replica and two-worker runs happen in subprocesses: logical devices and
collective ops can only be set up before TensorFlow starts in a process.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner

from keras_gan.cli.app import cli
from keras_gan.config import ConfigError, TrainConfig
from keras_gan.training.distribute import is_chief, make_strategy, spans_workers, split_cpu, writable_run_dir
from tests.conftest import tiny_config, write_image

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}


def image_folder(root: Path, classes=("cat", "dog"), per_class=32) -> Path:
    for c, name in enumerate(classes):
        for i in range(per_class):
            write_image(root / name / f"{i}.png", size=(12, 12), seed=100 * c + i)
    return root


def fake_strategy(task_type, task_id, cluster):
    resolver = SimpleNamespace(task_type=task_type, task_id=task_id,
                               cluster_spec=lambda: tf.train.ClusterSpec(cluster))
    return SimpleNamespace(cluster_resolver=resolver)


def test_unknown_strategy_is_refused_with_its_name():
    with pytest.raises(ConfigError, match="strategy.*default, mirrored, multi_worker, tpu.*horovod"):
        TrainConfig(strategy="horovod").validate()
    result = CliRunner().invoke(cli, ["train", "--strategy", "horovod", "--dry-run"])
    assert result.exit_code == 2 and "horovod" in result.output


def test_default_strategy_is_tensorflows_default():
    strategy = make_strategy("default")
    assert strategy is tf.distribute.get_strategy() and strategy.num_replicas_in_sync == 1
    assert is_chief(strategy) and not spans_workers(strategy)


@pytest.mark.parametrize("raw", ["not json", '{"cluster": {}}', '{"task": {"type": "worker"}}'])
def test_malformed_tf_config_is_a_clear_error(monkeypatch, raw):
    monkeypatch.setenv("TF_CONFIG", raw)
    with pytest.raises(ConfigError, match="Invalid TF_CONFIG: expected JSON like .*Received"):
        make_strategy("multi_worker")


def test_tpu_without_a_tpu_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("TPU_NAME", raising=False)
    with pytest.raises(ConfigError, match="expected a reachable TPU.*no TPU was found"):
        make_strategy("tpu")


def test_chief_is_the_chief_task_or_worker_0_without_one():
    workers = {"worker": ["a:1", "b:2"]}
    assert is_chief(fake_strategy("worker", 0, workers))
    assert not is_chief(fake_strategy("worker", 1, workers))
    with_chief = {"chief": ["c:0"], "worker": ["a:1", "b:2"]}
    assert is_chief(fake_strategy("chief", 0, with_chief))
    assert not is_chief(fake_strategy("worker", 0, with_chief))
    assert is_chief(fake_strategy(None, None, {}))  # no cluster: one process


def test_non_chief_writes_into_a_removed_copy(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "latest.json").write_text("{}")
    (run / "samples").mkdir()
    (run / "samples" / "epoch_0001.png").write_bytes(b"png")
    with writable_run_dir(fake_strategy("worker", 0, {"worker": ["a:1"]}), run) as chief_dir:
        assert chief_dir == run
    with writable_run_dir(fake_strategy("worker", 1, {"worker": ["a:1", "b:2"]}), run,
                          copy=True) as scratch:
        assert scratch != run and (scratch / "checkpoints" / "latest.json").read_text() == "{}"
        assert not (scratch / "samples").exists()  # grids are not needed to resume
        (scratch / "history.csv").write_text("epoch\n")
    assert not scratch.exists() and not (run / "history.csv").exists()


def max_difference(a: dict, b: dict) -> float:
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y))))
               for net in a for x, y in zip(a[net], b[net], strict=True))


def family_data(root: Path, family: str) -> Path:
    """Two global batches of 16 px images in the family's layout."""
    if family in ("pix2pix",):
        for i in range(9):  # one held out
            write_image(root / "A" / f"{i}.png", size=(16, 16), seed=i)
            write_image(root / "B" / f"{i}.png", size=(16, 16), mode="L", seed=50 + i)
    elif family in ("cyclegan", "discogan"):
        for domain, seed in (("A", 100), ("B", 200)):
            for i in range(8):
                write_image(root / f"train{domain}" / f"{i}.png", size=(16, 16), seed=seed + i)
            write_image(root / f"test{domain}" / "0.png", size=(16, 16), seed=seed + 99)
    elif family == "text2image":
        words = ("red", "green", "blue", "dark", "light", "round", "square", "small")
        rows = ["file,caption"]
        for i in range(16):
            write_image(root / f"{i}.png", size=(16, 16), seed=i)
            rows.append(f"{i}.png,a {words[i % 8]} {words[(3 * i + 1) % 8]} thing")
        (root / "captions.csv").write_text("\n".join(rows) + "\n")
    elif family in ("srgan", "lightweight"):
        for i in range(8):
            write_image(root / f"{i}.png", size=(16, 16), seed=i)
    else:
        return image_folder(root)
    return root


# What each family's case exercises beyond the shared step; dcgan also trains a whole run
# (callbacks, checkpoints, EMA, ADA), the others take one SGD step per epoch (seconds each).
# Every global batch is odd, so it splits unevenly over two replicas (15: 8 and 7), as an
# epoch's last batch may: each replica's losses weigh its share of the batch, and its draws
# (latents, augmentation, dropout masks) are its rows of those of the global batch.
FAMILY_CASES = {
    "gan": ({"epochs": 2, "batch_size": 15}, {}),
    # BatchNorm synced across replicas, conditional labels, per-replica augmentation, ADA's p
    "dcgan": ({"epochs": 2, "batch_size": 13, "augment": "ada,translation,cutout,color"},
              {"conditional": True}),
    # synced BatchNorm in G and D, dropout masks of the global batch
    "pix2pix": ({"batch_size": 3}, {}),
    # the history pool: filled by the first step, swapping in the second
    "cyclegan": ({"epochs": 2, "batch_size": 3}, {"pool_size": 4}),
    "discogan": ({"batch_size": 3}, {}),  # feature matching on the global batch's means
    "srgan": ({"batch_size": 5}, {"pretrain_epochs": 0}),  # the adversarial stage
    # InfoNCE over the global batch (encoder stage), mismatched captions rolled over it (GAN
    # stage; the MA-GP, a per-sample term with second-order gradients, is left out for speed)
    "text2image": ({"epochs": 2, "batch_size": 7}, {"encoder_epochs": 1, "ma_gp_weight": 0.0}),
    # the reconstruction's random quadrant per row of the global batch, noise injection
    "lightweight": ({"batch_size": 5, "augment": "translation,color,cutout"}, {"noise": True}),
}
WHOLE_RUNS = ("dcgan",)


@pytest.fixture(scope="module")
def two_replica_runs(tmp_path_factory) -> dict:
    """Every family on one device and on two replicas, in one process."""
    root = tmp_path_factory.mktemp("replicas")
    paths = []
    for family, (train, model) in FAMILY_CASES.items():
        folder = root / family
        data = family_data(folder / "data", family)
        # float32 whatever the CPU (the subprocess resolves the default without conftest's patch)
        config = tiny_config(folder, family=family, data=data, ema=0.9, precision="float32", **train)
        if model:
            config = config.replace(model=model)
        paths.append(folder / (f"{family}.run.json" if family in WHOLE_RUNS else f"{family}.json"))
        paths[-1].write_text(config.to_json())
    out = root / "out.json"
    subprocess.run([sys.executable, str(ROOT / "tests" / "distributed_run.py"), str(out),
                    *map(str, paths)], check=True, env=ENV, timeout=600)
    return json.loads(out.read_text())


def assert_same_numbers(one: dict, two: dict) -> None:
    """Same losses (scaled by the global batch, logged unscaled: not halved, not doubled)."""
    assert one.keys() == two.keys()
    for key in one:
        np.testing.assert_allclose(two[key], one[key], rtol=1e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("family", FAMILY_CASES)
def test_two_replicas_train_like_one_device(two_replica_runs, family):
    one, two = (two_replica_runs[family][name] for name in ("default", "mirrored"))
    assert (one["replicas"], two["replicas"]) == (1, 2)
    if family in WHOLE_RUNS:
        assert_same_numbers(one["history"], two["history"])
        assert max_difference(one["weights"], two["weights"]) < 1e-4
    # SGD shows the gradient scale that Adam hides: the same update, and a large one
    assert_same_numbers(one["sgd"]["losses"], two["sgd"]["losses"])
    moved = max_difference(one["sgd"]["before"], one["sgd"]["after"])
    assert moved > 1e-3
    assert max_difference(one["sgd"]["after"], two["sgd"]["after"]) < moved * 1e-3


def test_the_history_pool_stores_every_replicas_fakes_and_draws_as_one_device(two_replica_runs):
    one, two = (two_replica_runs["pool"][name] for name in ("default", "mirrored"))
    # the first batch fills the pool, every replica's two fakes (not replica 0's twice)
    assert two["returned"][0] == [[1.0, 2.0], [3.0, 4.0]]
    assert all(sorted(buffer) == sorted(one["buffers"][0]) for buffer in two["buffers"])
    # then each image is swapped half the time for a distinct stored one, as one device draws
    assert [sum(rows, []) for rows in two["returned"]] == [rows[0] for rows in one["returned"]]
    assert two["buffers"] == one["buffers"] * 2
    swapped = [x for x in sum(two["returned"][1], []) if x < 11]
    assert swapped and len(set(swapped)) == len(swapped)


def test_cpu_replicas_only_with_the_mirrored_strategy_and_no_gpu(monkeypatch):
    with pytest.raises(ConfigError, match="cpu_replicas: expected it only with strategy "
                                          "'mirrored'.*Received: cpu_replicas=2 with "
                                          "strategy='default'"):
        TrainConfig(cpu_replicas=2).validate()
    result = CliRunner().invoke(cli, ["train", "--cpu-replicas", "2", "--dry-run"])
    assert result.exit_code == 1 and "strategy 'mirrored'" in result.output
    assert "Traceback" not in result.output
    tf.config.list_logical_devices("CPU")  # TensorFlow has set up its devices in this process
    with pytest.raises(ConfigError, match="before TensorFlow sets up its devices.*cpu_replicas=2"):
        split_cpu(2)
    split_cpu(1)  # as they are: nothing to do
    real = tf.config.list_physical_devices
    monkeypatch.setattr(tf.config, "list_physical_devices",
                        lambda kind=None: ["GPU:0"] if kind == "GPU" else real(kind))
    with pytest.raises(ConfigError, match="expected a machine without a GPU.*1 GPU"):
        split_cpu(2)


def test_cpu_replicas_train_on_a_laptop_and_resume_with_or_without_them(tmp_path, monkeypatch):
    from keras_gan.training import run as training
    from keras_gan.config import RunConfig

    data = image_folder(tmp_path / "images", classes=("all",), per_class=32)
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "train", "--data", str(data), "--image-size", "8",
         "--width", "2", "--latent-dim", "8", "--epochs", "1", "--batch-size", "16",
         "--eval-every", "0", "--precision", "float32", "--strategy", "mirrored",
         "--cpu-replicas", "2", "--run-dir", str(tmp_path / "run")],
        env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "strategy: mirrored (2 replicas)" in done.stderr + done.stdout
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["train"]["cpu_replicas"] == 2
    # config.json files from before the option resume without a split
    del saved["train"]["cpu_replicas"]
    (tmp_path / "old.json").write_text(json.dumps(saved))
    assert RunConfig.from_json(tmp_path / "old.json", saved=True).train.cpu_replicas is None

    # resume: the recorded pair, or --strategy / --cpu-replicas replacing it together
    asked = []

    def stop(name, cpu_replicas=None):
        asked.append((name, cpu_replicas))
        raise ConfigError("stop here")

    monkeypatch.setattr(training, "make_strategy", stop)
    for args in ([], ["--strategy", "default"], ["--cpu-replicas", "3"]):
        result = CliRunner().invoke(cli, ["train", "--resume", str(tmp_path / "run"), "--epochs",
                                          "2", *args])
        assert result.exit_code == 1 and "stop here" in result.output
    assert asked == [("mirrored", 2), ("default", None), ("mirrored", 3)]


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def run_workers(args: list[str], count: int = 2) -> list[str]:
    """`cli.py ARGS` as `count` MultiWorkerMirroredStrategy workers on loopback ports."""
    cluster = {"worker": [f"localhost:{port}" for port in free_ports(count)]}
    workers = [
        subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args, "--strategy", "multi_worker"],
                         env={**ENV, "TF_CONFIG": json.dumps({"cluster": cluster,
                                                              "task": {"type": "worker", "index": i}})},
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for i in range(count)
    ]
    try:
        outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    for worker, output in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, output[-3000:]
    return outputs


def test_two_workers_train_an_epoch_and_only_the_chief_writes(tmp_path):
    from keras_gan.runs import load_run
    from keras_gan.training.run import run_training

    data = image_folder(tmp_path / "images", classes=("all",), per_class=64)
    args = ["train", "--family", "dcgan", "--data", str(data), "--image-size", "8", "--width", "2",
            "--latent-dim", "8", "--epochs", "1", "--batch-size", "16", "--eval-every", "0",
            "--precision", "float32", "--runs-root", str(tmp_path / "runs")]
    chief, worker = run_workers(args)
    assert "Done." in chief and "Worker done; the chief wrote the run folder." in worker
    runs = sorted((tmp_path / "runs").iterdir())
    assert [run.name for run in runs] == ["00001-dcgan-images"]  # the worker wrote no run
    run = runs[0]
    assert (run / "checkpoints" / "epoch_0001.weights.h5").is_file()
    assert (run / "samples" / "epoch_0001.png").is_file()
    assert json.loads((run / "config.json").read_text())["train"]["strategy"] == "multi_worker"
    assert len((run / "history.csv").read_text().splitlines()) == 2  # header + one epoch

    # the same global batch on one device gives the same model
    single = run_training(tiny_config(tmp_path / "single", family="dcgan", data=data, epochs=1,
                                      grid_size=8, batch_size=16), verbose=0)
    _, distributed, _ = load_run(run)
    _, alone, _ = load_run(single.run_dir)
    for net in ("generator", "discriminator", "ema_generator"):
        for a, b in zip(getattr(distributed, net).weights, getattr(alone, net).weights, strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-4, err_msg=a.path)

    # resumed by both workers: the chief continues its folder, the worker a removed copy
    chief, worker = run_workers(["train", "--resume", str(run), "--epochs", "2"])
    assert "Worker done" in worker and (run / "checkpoints" / "epoch_0002.weights.h5").is_file()
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["00001-dcgan-images"]
