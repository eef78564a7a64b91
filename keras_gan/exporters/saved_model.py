"""SavedModel for TF Serving: saved_model.pb + variables/ at the top of the version folder."""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from keras_gan.exporters.base import Artifact
from keras_gan.exporters.verify import FLOAT, check_signature

FILES = ("saved_model.pb", "variables", "fingerprint.pb", "assets")


def write(network, spec, folder: Path, options) -> list[Artifact]:
    module = spec.module(network, options)
    tf.saved_model.save(module, str(folder), signatures=module.signatures())
    return [Artifact("saved_model", "saved_model", "float32", FLOAT, files=FILES)]


def verify(artifact: Artifact, folder: Path, network, spec, options) -> list:
    """Reload the SavedModel and check every signature against the Keras network."""
    signatures = tf.saved_model.load(str(folder)).signatures
    name = spec.tensor_signature  # the one that takes the TFLite file's inputs
    checks = check_signature(
        artifact.name,
        lambda feed: signatures[name](**{k: tf.constant(v) for k, v in feed.items()}),
        network, spec, artifact.tolerance, name)
    return checks + spec.saved_model_checks(signatures, network, artifact.name, artifact.tolerance)
