"""The --eval-every callback: training builds it from an evaluator (keras_gan.evaluation
scores; it knows nothing of callbacks or checkpoints)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from keras_gan.evaluation import METRICS, make_evaluator
from keras_gan.training.budget import ends_by_epochs
from keras_gan.training.callbacks import QualityEval
from keras_gan.training.checkpoints import BEST, meta_path

log = logging.getLogger(__name__)


def quality_callbacks(config, run_dir, data, final=None) -> list:
    """The --eval-every callback (empty list when off); real statistics are computed now,
    before the first epoch. `final`: whether a budget ends the run now (QualityEval)."""
    train = config.train
    if not train.eval_every:
        return []
    name = train.eval_metric
    metric = METRICS.get(name)
    evaluator = make_evaluator(config, data, (name,), train.eval_samples,
                               train.inception_weights or "imagenet", seed=train.seed)
    best_file = meta_path(Path(run_dir) / "checkpoints" / f"{BEST}.weights.h5")
    best = json.loads(best_file.read_text()).get("value") if best_file.is_file() else None
    log.info("Scoring %s every %d epochs; the best epoch is kept as checkpoints/%s.weights.h5.",
             name, train.eval_every, BEST)
    return [QualityEval(evaluator, metric.key, train.eval_every, Path(run_dir) / "checkpoints",
                        config.model.family, best, info=log.info, higher_is_better=metric.higher_is_better,
                        last_epoch=ends_by_epochs(train), paced=train.eval_paced, final=final)]
