"""Helper process for tests/test_distribute.py (not a test module).

    python tests/distributed_run.py OUT_JSON CONFIG_JSON [CONFIG_JSON ...]

Splits this process's CPU into two logical devices (possible only before
TensorFlow starts, hence a process of its own) and trains each config with
--strategy default (one device) and --strategy mirrored (two replicas). It
writes what the test compares, per config (keyed by its file name without
.json): the losses and every weight after plain-SGD steps, one per epoch of
the config (so a two-stage family takes a step in each stage; Adam divides out
a constant gradient scale, so only SGD shows whether gradients are those of the
global batch's mean loss); and for a config named *.run.json, also both
histories and final weights of the whole `train` (callbacks, checkpoints, EMA);
and, under "pool", what a history pool stores and returns on each. Several configs
share one process: TensorFlow's start is much of a tiny run's
time.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SGD_RATE = 0.1


def main(out_path: str, *config_paths: str) -> None:
    import tensorflow as tf

    # Grappler's graph rewrites take much of a tiny step's tracing under two replicas and
    # change nothing this comparison looks at (both strategies run with them off).
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    from keras_gan.config import RunConfig
    from keras_gan.resolve import resolve
    from keras_gan.runs import load_run
    from keras_gan.training.run import run_training

    results = {}
    for config_path in map(Path, config_paths):
        base = RunConfig.from_json(config_path)
        resolved = resolve(base.replace(train={"augment": "", "ema": None}))
        result = {}
        for strategy in ("default", "mirrored"):
            result[strategy] = sgd_steps(*resolved, strategy)
            if config_path.name.endswith(".run.json"):
                config = base.replace(train={"strategy": strategy},
                                      run_dir=str(Path(base.runs_root) / strategy))
                trained = run_training(config, verbose=0)
                _, model, _ = load_run(trained.run_dir)
                result[strategy].update(
                    history={k: [float(v) for v in vs] for k, vs in trained.history.items()},
                    weights=network_weights(model), replicas=trained.replicas)
        results[config_path.name.split(".")[0]] = result
    results["pool"] = {"default": pool_queries("default"), "mirrored": pool_queries("mirrored")}
    Path(out_path).write_text(json.dumps(results))


def pool_queries(strategy_name: str) -> dict:
    """A history pool of 4 slots queried with two global batches of 4 one-pixel images
    (1-4, then 11-14): what each replica got back, and each replica's copy of the buffer."""
    import numpy as np
    import tensorflow as tf

    from keras_gan.training.distribute import make_strategy
    from keras_gan.families.pool import ImagePool

    strategy = make_strategy(strategy_name)
    with strategy.scope():
        pool = ImagePool(4, (1, 1, 1), seed=0)
    query = tf.function(lambda images: strategy.run(pool, args=(images,)))
    returned = []
    for first in (1, 11):
        batch = np.arange(first, first + 4, dtype="float32").reshape(4, 1, 1, 1)
        share = 4 // strategy.num_replicas_in_sync
        rows = strategy.experimental_distribute_values_from_function(
            lambda context, b=batch: b[context.replica_id_in_sync_group * share:][:share])
        returned.append([np.ravel(r).tolist() for r in
                         strategy.experimental_local_results(query(rows))])
    return {"returned": returned,
            "buffers": [np.ravel(v).tolist() for v in
                        strategy.experimental_local_results(pool.images.value)]}


def network_weights(model) -> dict:
    """Every network's weights and those of its EMA copy, as nested lists."""
    import numpy as np

    weights = {}
    for name in model.NETWORKS:
        for attribute in (name, f"ema_{name}"):
            network = getattr(model, attribute, None)
            if network is not None:
                weights[attribute] = [np.asarray(w).tolist() for w in network.get_weights()]
    return weights


def sgd_steps(config, data, strategy_name: str) -> dict:
    """Every network's weights before and after one SGD step per epoch of the run, each
    on that epoch's first batch (a whole global batch: an epoch's last, smaller one may
    split unevenly across replicas), and the losses of each step."""
    import keras
    import tensorflow as tf

    from keras_gan.data.pipeline import training_pipeline
    from keras_gan.training.distribute import make_strategy
    from keras_gan.training.factory import build_model

    strategy = make_strategy(strategy_name)
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = build_model(config)
        model.compile(**{name: keras.optimizers.SGD(SGD_RATE) for name in model.OPTIMIZERS},
                      loss=config.train.loss)
    before = network_weights(model)
    train = config.train
    first_batches = [training_pipeline(data.fields, train.batch_size * train.d_steps, train.seed,
                                       epoch, config.family.transform(config), data.groups).take(1)
                     for epoch in range(train.total_epochs)]
    dataset = functools.reduce(tf.data.Dataset.concatenate, first_batches)
    history = model.fit(dataset, epochs=train.total_epochs, steps_per_epoch=1, verbose=0,
                        shuffle=False, callbacks=model.epoch_callbacks()).history
    return {"sgd": {"before": before, "after": network_weights(model),
                    "losses": {k: [float(v) for v in vs] for k, vs in history.items()}},
            "replicas": strategy.num_replicas_in_sync}


if __name__ == "__main__":
    main(*sys.argv[1:])
