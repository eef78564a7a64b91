"""`--strategy`: which tf.distribute strategy trains the GAN.

- default: TensorFlow's default strategy (one device: the GPU if there is one).
- mirrored: MirroredStrategy over every local GPU, or over every logical CPU device
  when there is no GPU; `cpu_replicas` (--cpu-replicas N) first splits the CPU into N
  logical devices, so a machine without a GPU can try a run of N replicas.
- multi_worker: MultiWorkerMirroredStrategy, configured from the TF_CONFIG
  environment variable (the same command runs on every worker).
- tpu: TPUStrategy on the TPU found by TPUClusterResolver (TPU_NAME or a TPU VM).

The GAN weights each replica's losses by its share of the global batch (`replica_share`)
and draws its random numbers per replica (keras_gan.training.seeds.ReplicaRandom), so N replicas
with a global batch B train like one device with batch B, an epoch's last, unevenly
split batch included. BatchNormalization syncs its statistics across
replicas (keras_gan.networks.base.batch_norm), and a loss that needs the whole batch
takes it from the helpers below: `global_mean` (discogan's feature matching),
`gather_batch` (text2image's InfoNCE, cyclegan's history pool) and `roll_batch`
(text2image's mismatched captions). Only the chief writes the run folder:
the other workers run the same callbacks (some read variables with collectives)
into a temporary folder that is deleted afterwards, the pattern of TensorFlow's
multi-worker Keras tutorial.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import tempfile
from pathlib import Path

import tensorflow as tf
from keras import ops

from keras_gan.errors import ConfigError


def make_strategy(name: str, cpu_replicas: int | None = None) -> tf.distribute.Strategy:
    """The strategy called `name`; create it before any other TensorFlow work
    (MultiWorkerMirroredStrategy configures collectives at program start, and
    `cpu_replicas` splits the CPU before TensorFlow sets up its devices).

    One per process and name: collectives and TPU systems are set up once, and two
    MirroredStrategy objects in one process can mix up their collective keys.
    """
    return _make_strategy(name, cpu_replicas)  # one cache key however it is called


@functools.cache
def _make_strategy(name: str, cpu_replicas: int | None) -> tf.distribute.Strategy:
    if cpu_replicas is not None:
        split_cpu(cpu_replicas)
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    if name == "multi_worker":
        _check_tf_config()
        try:
            return tf.distribute.MultiWorkerMirroredStrategy()
        except (RuntimeError, ValueError) as err:
            raise ConfigError(
                f"Invalid strategy: expected to start MultiWorkerMirroredStrategy from TF_CONFIG "
                f"before any other TensorFlow work. Received: strategy={name!r}, which failed "
                f"with: {_first_line(err)}.") from None
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, RuntimeError, tf.errors.OpError) as err:
            raise ConfigError(
                f"Invalid strategy: expected a reachable TPU (a TPU VM, or TPU_NAME set to its "
                f"name or grpc:// address). Received: strategy='tpu', but no TPU was found: "
                f"{_first_line(err)}.") from None
        return tf.distribute.TPUStrategy(resolver)
    raise ConfigError(f"Invalid strategy: expected one of default, mirrored, multi_worker, tpu. "
                      f"Received: strategy={name!r}.")


def split_cpu(replicas: int) -> None:
    """The CPU as `replicas` logical devices (what MirroredStrategy then mirrors over):
    possible only before TensorFlow sets up its devices in this process, and only on a
    machine without a GPU (where a GPU is, mirrored replicas are GPUs)."""
    gpus = tf.config.list_physical_devices("GPU")  # lists without setting devices up
    if gpus:
        raise ConfigError(
            f"Invalid cpu_replicas: expected a machine without a GPU (--cpu-replicas splits the "
            f"CPU to try several replicas where there is no GPU; --strategy mirrored alone "
            f"trains on every GPU). Received: cpu_replicas={replicas} with {len(gpus)} GPU(s) "
            f"present.")
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
    except RuntimeError:  # devices already set up: fine if they are split this way
        found = len(tf.config.list_logical_devices("CPU"))
        if found != replicas:
            raise ConfigError(
                f"Invalid cpu_replicas: expected to split the CPU before TensorFlow sets up its "
                f"devices (a new process). Received: cpu_replicas={replicas}, but this process "
                f"already runs TensorFlow on {found} CPU device(s).") from None


def _first_line(err: Exception) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0].rstrip(".")


def _check_tf_config() -> None:
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return  # a single local worker, as MultiWorkerMirroredStrategy itself allows
    try:
        parsed = json.loads(raw)
        parsed["cluster"], parsed["task"]["type"], parsed["task"]["index"]  # noqa: B018
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"Invalid TF_CONFIG: expected JSON like {{\"cluster\": {{\"worker\": [\"host1:port\", "
            f"\"host2:port\"]}}, \"task\": {{\"type\": \"worker\", \"index\": 0}}}}. "
            f"Received: TF_CONFIG={raw!r}.") from None


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """True where files are written: single-process strategies, the "chief" task, or
    worker 0 of a cluster without a chief."""
    resolver = getattr(strategy, "cluster_resolver", None)
    task_type = getattr(resolver, "task_type", None)
    if not task_type or task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return task_type == "worker" and resolver.task_id == 0 and not has_chief


@contextlib.contextmanager
def writable_run_dir(strategy: tf.distribute.Strategy, run_dir: Path | None, copy: bool = False):
    """The folder this process writes to: `run_dir` on the chief; on other workers a
    temporary folder (a copy of `run_dir` when `copy`, for resuming), removed afterwards."""
    if is_chief(strategy):
        yield Path(run_dir)
        return
    scratch = Path(tempfile.mkdtemp(prefix="keras-gan-worker-"))
    try:
        target = scratch / "run"
        if copy:  # what resuming reads; not the grids, GIFs or TensorBoard logs
            shutil.copytree(run_dir, target, ignore=shutil.ignore_patterns(
                "samples", "tensorboard", "*.gif", "*.png"))
        else:
            target.mkdir()
        yield target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def spans_workers(strategy: tf.distribute.Strategy) -> bool:
    """True for MultiWorkerMirroredStrategy with more than one worker process."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None:
        return False
    jobs = resolver.cluster_spec().as_dict()
    return sum(len(jobs.get(job, ())) for job in ("chief", "worker")) > 1


def for_fit_logs(logs: dict) -> dict:
    """train_step's scalar logs in the shape Keras' fit() can reduce across workers.

    Keras 3 reduces per-replica logs of a multi-worker run with strategy.reduce("MEAN",
    axis=0), which fails on scalars (tensorflow/tensorflow#72388); a length-1 vector per
    replica reduces to the global mean scalar. Other strategies get the logs unchanged.
    """
    if not spans_workers(tf.distribute.get_strategy()):
        return logs
    return {name: tf.reshape(value, (1,)) for name, value in logs.items()}


def replicas_in_sync() -> int:
    """Replicas of the current strategy (1 outside any strategy)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


# Losses of the global batch --------------------------------------------------
# Inside a train step every replica sees its share of the global batch. These give a
# replica what one device would compute on the whole batch; their gradients reach each
# replica's own rows (TensorFlow differentiates all_reduce and all_gather), so the
# replicas' summed gradients are one device's. Outside a strategy they are plain ops.


def replica_context() -> tf.distribute.ReplicaContext | None:
    """The replica context of a step with several replicas in sync, else None."""
    context = tf.distribute.get_replica_context()
    return context if context is not None and context.num_replicas_in_sync > 1 else None


def global_mean(x, axis: int = 0):
    """tf.reduce_mean(x, axis) over the global batch along `axis`: every replica's sum
    and row count, all-reduced (exact when replicas hold different numbers of rows)."""
    context = replica_context()
    if context is None:
        return ops.mean(x, axis=axis)
    total, count = context.all_reduce(tf.distribute.ReduceOp.SUM, [
        tf.reduce_sum(x, axis), tf.cast(tf.shape(x)[axis], x.dtype)])
    return total / count


def replica_rows(rows):
    """(where this replica's `rows` start in the global batch, the global batch's rows);
    (0, rows) with one replica. An epoch's last, smaller batch splits unevenly (7 rows on
    two replicas: 4 and 3), so neither is replicas x rows."""
    context = replica_context()
    if context is None:
        return 0, rows
    sizes = context.all_gather(tf.reshape(tf.cast(rows, tf.int32), (1,)), axis=0)
    return tf.reduce_sum(sizes[:context.replica_id_in_sync_group]), tf.reduce_sum(sizes)


def replica_share(rows):
    """This replica's share of the global batch (its rows / the global rows; None with one
    replica): the weight of its mean loss, so that the replicas' summed gradients are those
    of the global batch's mean whether or not the batch splits evenly."""
    if replica_context() is None:
        return None
    _, total = replica_rows(rows)
    return tf.cast(rows, tf.float32) / tf.cast(total, tf.float32)


def global_batch_means(values: dict, share) -> dict:
    """Each replica's batch means (logged losses and scores) as the global batch's: the
    replicas' values weighed by their shares and summed, in one all-reduce, so every
    replica logs the same number and Keras' mean over replicas is exact for an uneven
    batch too (a value every replica shares, like feature matching's, stays as it is).
    `share` None (one replica): `values` unchanged."""
    context = replica_context()
    if share is None or context is None or not values:
        return values
    names = list(values)
    summed = context.all_reduce(tf.distribute.ReduceOp.SUM,
                                [tf.cast(values[name], tf.float32) * share for name in names])
    return dict(zip(names, summed, strict=True))


def gather_batch(x):
    """(x of the global batch: every replica's rows in replica order, where this
    replica's rows start in it); (x, 0) with one replica."""
    context = replica_context()
    if context is None:
        return x, 0
    start, _ = replica_rows(tf.shape(x)[0])
    return context.all_gather(x, axis=0), start


def own_rows(x_global, start, like):
    """This replica's rows of a global-batch tensor (the inverse of gather_batch)."""
    return x_global[start:start + tf.shape(like)[0]]


def roll_batch(x, shift: int):
    """tf.roll(x, shift, axis=0) over the global batch: this replica's rows of it (so a
    row's partner may be another replica's row, as on one device)."""
    everything, start = gather_batch(x)
    rolled = tf.roll(everything, shift, axis=0)
    return rolled if everything is x else own_rows(rolled, start, x)


def chief_decides(strategy):
    """keras_gan.training.budget.TrainingBudget's `sync` under a strategy that spans workers (None otherwise): the
    chief's decision, taken by every worker at the same step (a sum over the replicas of
    the chief's flag), so no replica waits on a collective the others left."""
    if not spans_workers(strategy):
        return None
    chief = is_chief(strategy)

    @tf.function  # traced once: an eager strategy.run per step is slow
    def chief_flag(flag):
        return strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(lambda: flag), axis=None)

    def sync(late: bool) -> bool:
        return bool(chief_flag(tf.constant(1.0 if late and chief else 0.0)).numpy() > 0)

    return sync
