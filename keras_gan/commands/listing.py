"""What `keras-gan list` prints: every registry, one section each."""

from __future__ import annotations

from keras_gan.training.augment import ADAPTIVE, TRANSFORMS
from keras_gan.data import DATASETS, OTHER_SOURCES
from keras_gan.evaluation import METRICS, metric_tasks
from keras_gan.exporters import FORMATS
from keras_gan.exporters.tflite import QUANTIZATIONS
from keras_gan.families import FAMILIES
from keras_gan.tasks import TASKS
from keras_gan.training.losses import LOSSES
from keras_gan.networks import NETWORKS


def registry_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, [(name, one-line summary)]) per registry."""
    datasets = [(name, f"[{source.layout}] {source.summary}")
                for name, source in [*DATASETS.items(), *OTHER_SOURCES.items()]]
    augmentations = [(name, transform.__doc__.splitlines()[0]) for name, transform in TRANSFORMS.items()]
    augmentations.append((ADAPTIVE, "adaptive probability (ADA, target r_t 0.6) over the transforms "
                                    "named with it, or all three"))
    return [
        ("Families (--family)", [(n, f"[{f.task}] {f.summary}") for n, f in FAMILIES.items()]),
        ("Tasks (what a family's model takes and makes)", [(n, t.summary) for n, t in TASKS.items()]),
        ("Networks (role:name; pix2pix --generator / --discriminator)",
         [(n, net.summary) for n, net in NETWORKS.items()]),
        ("Losses (--loss)", [(n, loss.summary) for n, loss in LOSSES.items()]),
        ("Datasets (--data)", datasets),
        ("Augmentations (--augment, comma-separated)", augmentations),
        ("Metrics (evaluate --metrics, --eval-metric)",
         [(n, f"[{', '.join(metric_tasks(n))}] {m.summary}") for n, m in METRICS.items()]),
        ("Export formats (export --formats)", [(n, f.summary) for n, f in FORMATS.items()]),
        ("TFLite variants (export --quantize)", [(n, q.summary) for n, q in QUANTIZATIONS.items()]),
    ]
