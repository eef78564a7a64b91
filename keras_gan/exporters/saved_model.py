"""SavedModel for TF Serving: saved_model.pb + variables/ at the top of the version folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_gan.exporters.base import Artifact
from keras_gan.exporters.verify import BATCH_SIZES, FLOAT, check_latent_signature, compare

FILES = ("saved_model.pb", "variables", "fingerprint.pb", "assets")


def write(generator, inputs, folder: Path, options) -> list[Artifact]:
    import tensorflow as tf

    from keras_gan.serving import GeneratorServing

    module = GeneratorServing(generator, inputs, max_images=options.max_images)
    tf.saved_model.save(module, str(folder), signatures=module.signatures())
    return [Artifact("saved_model", "saved_model", "float32", FLOAT, files=FILES)]


def verify(artifact: Artifact, folder: Path, generator, inputs, options) -> list:
    """Reload the SavedModel and check every signature against the Keras generator."""
    import tensorflow as tf

    from keras_gan.serving import n_seeds, seed_latents

    signatures = tf.saved_model.load(str(folder)).signatures
    checks = check_latent_signature(
        artifact.name,
        lambda feed: signatures["serving_default"](**{k: tf.constant(v) for k, v in feed.items()}),
        generator, inputs, artifact.tolerance)
    label = 1 % inputs.num_classes if inputs.conditional else None
    seeded = {  # signature -> (its inputs, the seeds it should draw latents from)
        "generate": lambda n: ({"seed": tf.constant(np.arange(n, dtype=np.int64) + 7)},
                               np.arange(n, dtype=np.int64) + 7),
        "generate_n": lambda n: ({"num_images": tf.constant(n, tf.int32),
                                  "seed": tf.constant(3, tf.int64)}, n_seeds(n, 3)),
    }
    for signature, case in seeded.items():
        for batch in BATCH_SIZES:
            feed, seeds = case(batch)
            latents = seed_latents(tf.constant(seeds), inputs.latent_dim)
            if inputs.conditional:  # one class for the batch: [batch] for generate, scalar for _n
                labels = np.full(batch, label, np.int32)
                feed["label"] = tf.constant(labels if signature == "generate" else label, tf.int32)
                latents = [latents, tf.constant(labels)]
            expected = generator(latents, training=False).numpy()
            checks.append(compare(artifact.name, signature, expected,
                                  signatures[signature](**feed), artifact.tolerance))
    return checks
