"""A download-free quality score for small labelled data (MNIST-like digits).

A small CNN is trained on the dataset's own labels (10% held out to report its
accuracy) and cached by a hash of the pixels and labels. On generated images it
gives:
- domain_fd: the Fréchet distance between real and generated features of its
  128-d penultimate layer (FID's recipe on a network that knows the domain);
- class_entropy: the entropy of the predicted-class histogram divided by log(K)
  (1.0: every class equally often; mode collapse drives it down);
- confident: the share of samples classified with probability >= 0.9 (how many
  look like some digit at all);
- label_accuracy (conditional runs): how often the class asked for is the class seen.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from keras_gan.cache import cache_root, digest
from keras_gan.evaluation.stats import feature_frechet_distance
from keras_gan.fileio import atomic_path, write_text_atomic

log = logging.getLogger(__name__)

CONFIDENT = 0.9
MAX_SIZE = 32  # digit-sized data only: the CNN is built for small inputs
CLASSIFIER_VERSION = 2  # part of the cache key; bump when the recipe changes


def cache_dir() -> Path:
    return cache_root() / "domain"


def applicable(pixels_shape, labels, colour: bool = False) -> str | None:
    """None if the domain score can be used on this data, else why not. colour: RGB is
    fine too (two-way runs on recoloured digits; generated data stays grayscale-only, where
    KID/FID are the better score for RGB sets such as CIFAR-10)."""
    _, height, width, channels = pixels_shape
    if labels is None:
        return "the data has no class labels"
    if (channels != 1 and not colour) or max(height, width) > MAX_SIZE:
        kind = "images" if colour else "grayscale images"
        return f"it is for {kind} up to {MAX_SIZE} px (received {height}x{width}x{channels})"
    return None


def _build(shape, num_classes):
    import keras
    from keras import layers

    inputs = keras.Input(shape, name="images")
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.3)(x)
    features = layers.Dense(128, activation="relu", name="features")(x)
    logits = layers.Dense(num_classes, name="logits")(features)
    return keras.Model(inputs, logits, name="domain_classifier")


def train_classifier(pixels: np.ndarray, labels: np.ndarray, num_classes: int, epochs: int = 8,
                     seed: int = 0):
    """Returns (classifier, held-out accuracy). pixels: uint8 NHWC."""
    import keras

    keras.utils.set_random_seed(seed)
    images = pixels.astype("float32") / 127.5 - 1.0
    order = np.random.default_rng(seed).permutation(len(images))
    held = order[: max(1, len(order) // 10)]
    fit = order[len(held):]
    model = _build(images.shape[1:], num_classes)
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(images[fit], labels[fit], batch_size=128, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(images[held], labels[held], verbose=0)
    return model, float(accuracy)


def load_or_train(pixels: np.ndarray, labels: np.ndarray, num_classes: int):
    """The cached classifier for exactly these pixels and labels, trained on a miss."""
    import keras

    key = digest(pixels.tobytes(), labels.astype(np.int32).tobytes(), CLASSIFIER_VERSION)
    model_path = cache_dir() / f"classifier-{key}.keras"
    info_path = model_path.with_suffix(".json")
    if model_path.is_file() and info_path.is_file():
        try:
            return keras.models.load_model(model_path), json.loads(info_path.read_text())["accuracy"]
        except Exception as err:  # noqa: BLE001  a damaged cache entry is retrained
            log.warning("Cached domain classifier %s is unreadable (%s); retraining.", model_path, err)
    log.info("Training the domain classifier on %d labelled images (cached in %s).",
             len(pixels), model_path.parent)
    model, accuracy = train_classifier(pixels, labels, num_classes)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(model_path) as tmp:  # the temporary name keeps the .keras suffix
        model.save(tmp)
    write_text_atomic(info_path, json.dumps({"accuracy": accuracy}) + "\n")
    return model, accuracy


class DomainScore:
    """Callable (generated images, asked-for labels or None) -> the domain metrics."""

    def __init__(self, pixels: np.ndarray, labels: np.ndarray, num_classes: int, n_real: int,
                 seed: int = 0):
        import keras

        classifier, self.accuracy = load_or_train(pixels, labels, num_classes)
        self.num_classes = num_classes
        self.model = keras.Model(classifier.inputs,
                                 [classifier.get_layer("features").output, classifier.output])
        pick = np.random.default_rng(seed).choice(len(pixels), min(n_real, len(pixels)), replace=False)
        self.real_features, _ = self._features(pixels[pick].astype("float32") / 127.5 - 1.0)

    def _features(self, images):
        features, logits = self.model.predict(images, batch_size=500, verbose=0)
        return np.asarray(features, np.float64), np.asarray(logits, np.float64)

    def __call__(self, images: np.ndarray, asked=None) -> dict:
        features, logits = self._features(images)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        predicted = probs.argmax(axis=1)
        share = np.bincount(predicted, minlength=self.num_classes) / len(predicted)
        nonzero = share[share > 0]
        result = {
            "domain_fd": feature_frechet_distance(self.real_features, features),
            "class_entropy": float(-(nonzero * np.log(nonzero)).sum() / np.log(self.num_classes)),
            "confident": float((probs.max(axis=1) >= CONFIDENT).mean()),
            "class_histogram": [round(float(v), 4) for v in share],
            "classifier_accuracy": self.accuracy,
        }
        if asked is not None:
            result["label_accuracy"] = float((predicted == np.asarray(asked)).mean())
        return result
