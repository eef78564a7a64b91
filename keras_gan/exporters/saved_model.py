"""SavedModel for TF Serving: saved_model.pb + variables/ at the top of the version folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_gan.exporters.base import Artifact
from keras_gan.exporters.verify import BATCH_SIZES, FLOAT, check_latent_signature, compare

FILES = ("saved_model.pb", "variables", "fingerprint.pb", "assets")


def write(generator, latent_dim: int, folder: Path, options) -> list[Artifact]:
    import tensorflow as tf

    from keras_gan.serving import GeneratorServing

    module = GeneratorServing(generator, latent_dim, max_images=options.max_images)
    tf.saved_model.save(module, str(folder), signatures=module.signatures())
    return [Artifact("saved_model", "saved_model", "float32", FLOAT, files=FILES)]


def verify(artifact: Artifact, folder: Path, generator, latent_dim: int, options) -> list:
    """Reload the SavedModel and check every signature against the Keras generator."""
    import tensorflow as tf

    from keras_gan.serving import n_seeds, seed_latents

    signatures = tf.saved_model.load(str(folder)).signatures
    checks = check_latent_signature(
        artifact.name, lambda z: signatures["serving_default"](latent=tf.constant(z)),
        generator, latent_dim, artifact.tolerance)
    seeded = {  # signature -> (its inputs, the seeds it should draw latents from)
        "generate": lambda n: ({"seed": tf.constant(np.arange(n, dtype=np.int64) + 7)},
                               np.arange(n, dtype=np.int64) + 7),
        "generate_n": lambda n: ({"num_images": tf.constant(n, tf.int32),
                                  "seed": tf.constant(3, tf.int64)}, n_seeds(n, 3)),
    }
    for signature, case in seeded.items():
        for batch in BATCH_SIZES:
            inputs, seeds = case(batch)
            expected = generator(seed_latents(tf.constant(seeds), latent_dim), training=False).numpy()
            checks.append(compare(artifact.name, signature, expected,
                                  signatures[signature](**inputs), artifact.tolerance))
    return checks
