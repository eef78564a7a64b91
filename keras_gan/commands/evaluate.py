"""`keras-gan evaluate`: score a run's checkpoint and append the record to
RUN/evaluation.jsonl."""

from __future__ import annotations

import json
import time
from pathlib import Path

from keras_gan.training.checkpoints import read_meta
from keras_gan.evaluation import default_metrics, make_evaluator, parse_metrics
from keras_gan.io.files import append_text
from keras_gan.registry import TASKS
from keras_gan.resolve import load_run_data
from keras_gan.runs import load_run

RECORDS = "evaluation.jsonl"  # one JSON record per evaluation, appended


def evaluate_run(run_dir, metrics=None, n: int = 5000, checkpoint: str = "latest",
                 inception_weights: str | None = None, save: bool = True) -> dict:
    """Score a run's checkpoint; metrics None: what applies without a download. save: append
    the record to RUN/evaluation.jsonl (else `save_record` does, once the scores are shown,
    so a run folder that cannot be written to does not cost them)."""
    run_dir = Path(run_dir)
    config, model, used = load_run(run_dir, checkpoint)
    task = config.family.task
    metrics = parse_metrics(metrics, task) if metrics else None  # before seconds of loading
    data = load_run_data(config, labels=True)
    metrics = metrics or default_metrics(task, data)
    evaluator = make_evaluator(config, data, metrics, n, inception_weights or "imagenet")
    meta = read_meta(used)
    record = {"task": task, "checkpoint": used.name, "epoch": meta.get("epoch"), "step": meta.get("step", 0),
              "metrics": list(metrics), "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
              **TASKS.get(task).convention, **evaluator.evaluate(model)}
    if save:
        save_record(run_dir, record)
    return record


def save_record(run_dir, record: dict) -> Path:
    """Appends `record` to RUN/evaluation.jsonl (a WriteError where it cannot)."""
    path = Path(run_dir) / RECORDS
    append_text(path, json.dumps(record) + "\n")
    return path
