"""Helper process for tests/test_distribute.py (not a test module).

    python tests/distributed_run.py CONFIG_JSON OUT_JSON

Splits this process's CPU into two logical devices (possible only before
TensorFlow starts, hence a process of its own), trains the same config with
--strategy default (one device) and --strategy mirrored (two replicas), and
writes what the test compares: every weight of both runs' final models, both
histories, and the weights after two plain-SGD steps (Adam divides out a
constant gradient scale, so only SGD shows whether gradients are of the global
batch's mean loss).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(config_path: str, out_path: str) -> None:
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    from keras_gan.config import RunConfig
    from keras_gan.runs import load_run
    from keras_gan.train import run_training

    base = RunConfig.from_json(config_path)
    result = {}
    for strategy in ("default", "mirrored"):
        config = base.replace(train={"strategy": strategy},
                              run_dir=str(Path(base.runs_root) / strategy))
        trained = run_training(config, verbose=0)
        _, gan, _ = load_run(trained.run_dir)
        weights = {}
        for net in ("generator", "discriminator", "ema_generator"):
            model = getattr(gan, net)
            if model is not None:
                weights[net] = [np.asarray(w).tolist() for w in model.get_weights()]
        result[strategy] = {"history": {k: [float(v) for v in vs]
                                        for k, vs in trained.history.items()},
                            "weights": weights, "replicas": trained.replicas,
                            "sgd": sgd_steps(trained.config, strategy)}
    Path(out_path).write_text(json.dumps(result))


def sgd_steps(config, strategy_name: str) -> dict:
    """Weights before and after two SGD steps of one fixed global batch of 16."""
    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gan.distribute import make_strategy
    from keras_gan.factory import build_model

    strategy = make_strategy(strategy_name)
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = build_model(config.replace(train={"augment": "", "ema": None}))
        gan.compile(d_optimizer=keras.optimizers.SGD(0.5), g_optimizer=keras.optimizers.SGD(0.5),
                    loss=config.train.loss)
    shape = gan.discriminator.inputs[0].shape[1:]
    images = np.random.default_rng(0).uniform(-1, 1, (32, *shape)).astype("float32")
    labels = np.arange(32) % 2
    data = (images, labels) if gan.num_classes else images
    before = [np.asarray(w).tolist() for w in gan.discriminator.get_weights()]
    gan.fit(tf.data.Dataset.from_tensor_slices(data).batch(16), epochs=1, verbose=0, shuffle=False)
    return {"before": {"discriminator": before},
            "after": {"discriminator": [np.asarray(w).tolist()
                                        for w in gan.discriminator.get_weights()]}}


if __name__ == "__main__":
    main(*sys.argv[1:])
