"""`train --init-from RUN[:best|:latest|:FILE]`: a new run that starts from another run's
networks (fine-tuning, StyleGAN's --resume=PKL with new --data).

Every network the family names, and each EMA copy, takes the source checkpoint's weights;
the optimizers, the step counters and the schedule start fresh, and the data may differ.
The source must be the same architecture at the same size and channels (and classes, for a
conditional run); anything else is refused, naming the first weight whose shape differs,
before a run folder exists. The new run's config.json records the source run and checkpoint.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_gan.errors import ConfigError, invalid
from keras_gan.runs import CONFIG, load_run

CHECKPOINTS = ("latest", "best")


def parse(spec: str) -> tuple[Path, str]:
    """'RUN', 'RUN:best', 'RUN:latest' or 'RUN:epoch_0007.weights.h5' -> (run folder, checkpoint)."""
    run, colon, which = spec.rpartition(":")
    if colon and run and (which in CHECKPOINTS or which.endswith(".weights.h5")):
        return Path(run), which
    return Path(spec), "latest"


def initialize_from(model, spec: str, family: str, class_names=None) -> str:
    """Copy the source run's networks (and EMA copies) into `model`, an `family` model whose
    classes are `class_names` (conditional runs); returns the recorded source,
    'RUN_FOLDER:CHECKPOINT_FILE'. ConfigError if the source cannot serve."""
    run_dir, which = parse(spec)
    if not (run_dir / CONFIG).is_file():
        raise invalid("init_from", "a run folder with a config.json, optionally :best, :latest or "
                      ":<checkpoint file>", spec)
    source_config, source, used = load_run(run_dir, which)
    if source_config.model.family != family:
        raise ConfigError(
            f"Invalid init_from: expected a run of the same architecture as this one ({family!r}). "
            f"Received: init_from={spec!r}, a {source_config.model.family!r} run.")
    theirs = source_config.data.class_names
    if class_names and theirs and tuple(class_names) != tuple(theirs):  # label k would change meaning
        raise ConfigError(
            f"Invalid init_from: expected a run with this run's classes, {list(class_names)}, in "
            f"that order. Received: init_from={spec!r}, trained on {list(theirs)}.")
    names = list(model.NETWORKS) + [f"ema_{n}" for n in model.EMA_NETWORKS]
    for name in names:
        target = getattr(model, name, None)
        if target is None:
            continue
        # an EMA copy missing in the source (trained with --ema 0) starts from its network
        origin = getattr(source, name, None) or getattr(source, name.removeprefix("ema_"))
        weights = origin.get_weights()
        if len(weights) != len(target.weights):
            raise ConfigError(
                f"Invalid init_from: expected a run whose {name} fits this one (same image size, "
                f"channels, widths and classes). Received: init_from={spec!r}, whose {name} has "
                f"{len(weights)} weight arrays where this run's has {len(target.weights)}.")
        for variable, value in zip(target.weights, weights):
            if tuple(variable.shape) != value.shape:
                raise ConfigError(
                    f"Invalid init_from: expected a run whose {name} fits this one (same image "
                    f"size, channels, widths and classes). Received: init_from={spec!r}, whose "
                    f"{variable.path} has shape {value.shape} where this run needs "
                    f"{tuple(variable.shape)}.")
        target.set_weights([np.asarray(w) for w in weights])
    return f"{run_dir.resolve()}:{used.name}"
