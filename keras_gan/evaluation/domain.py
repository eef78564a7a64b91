"""A download-free quality score for any labelled image set (digits, a folder of
class subfolders, a TFDS set with a class label).

A small CNN is trained on the dataset's own labels (10% held out to report its
accuracy) and cached by a hash of the pixels and labels: two convolutions for
images up to 32 px (MNIST-like digits: the network every digit figure in
benchmarks/RESULTS.md was measured with), four with batch norm for larger images (emoji,
sprites, photos), which it first resizes to at most 64 px and trains on with x-flips. On
generated images it gives:
- domain_fd: the Fréchet distance between real and generated features of its
  128-d penultimate layer (FID's recipe on a network that knows the domain);
- class_entropy: the entropy of the predicted-class histogram divided by log(K)
  (1.0: every class equally often; mode collapse drives it down);
- confident: the share of samples classified with probability >= 0.9 (how many
  look like some class at all);
- label_accuracy (conditional runs): how often the class asked for is the class seen.
benchmarks/domain_calibration.py measures what values mean on a data set (real
against real, blurred, noisy, a single class).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from keras_gan.data.cache import cache_root, digest
from keras_gan.evaluation.stats import feature_frechet_distance
from keras_gan.io.files import atomic_path, write_text_atomic

log = logging.getLogger(__name__)

CONFIDENT = 0.9
SMALL = 32  # images up to this size get the two-convolution network
LARGE = 64  # larger ones are resized to at most this for the four-convolution one
# part of the cache key; bump a network's when its recipe changes
CLASSIFIER_VERSION = {"small": 2, "large": 1}
EPOCHS = {"small": 8, "large": 30}
LARGE_IMAGES = 75_000  # the large network sees at most this many (fewer epochs on big sets)


def cache_dir() -> Path:
    return cache_root() / "domain"


def applicable(pixels_shape, labels) -> str | None:
    """None if the domain score can be used on this data, else why not."""
    if labels is None:
        return "the data has no class labels"
    if len(np.unique(np.asarray(labels))) < 2:
        return "the data has a single class (the classifier needs two or more)"
    return None


def network_kind(shape) -> str:
    """'small' for images up to SMALL px on a side, else 'large'."""
    return "small" if max(shape[:2]) <= SMALL else "large"


def _build(shape, num_classes):
    import keras
    from keras import layers

    inputs = keras.Input(shape, name="images")
    if network_kind(shape) == "small":
        x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(inputs)
        x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
        x = layers.Flatten()(x)
    else:
        x = inputs
        if max(shape[:2]) > LARGE:
            x = layers.Resizing(LARGE, LARGE, antialias=True)(x)
        for filters in (32, 64, 128, 256):
            x = layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.ReLU()(x)
        x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    features = layers.Dense(128, activation="relu", name="features")(x)
    logits = layers.Dense(num_classes, name="logits")(features)
    return keras.Model(inputs, logits, name="domain_classifier")


def train_classifier(pixels: np.ndarray, labels: np.ndarray, num_classes: int,
                     epochs: int | None = None, seed: int = 0):
    """Returns (classifier, held-out accuracy). pixels: uint8 NHWC. The large network
    sees each training image mirrored half the time (small sets of big images)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    kind = network_kind(pixels.shape[1:])
    images = pixels.astype("float32") / 127.5 - 1.0
    order = np.random.default_rng(seed).permutation(len(images))
    held = order[: max(1, len(order) // 10)]
    fit = order[len(held):]
    model = _build(images.shape[1:], num_classes)
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    if not epochs:
        epochs = EPOCHS[kind]
        if kind == "large":  # a bounded one-off cost, whatever the set's size
            epochs = max(3, min(epochs, LARGE_IMAGES // len(fit)))
    if kind == "small":  # as every digit figure was measured
        model.fit(images[fit], labels[fit], batch_size=128, epochs=epochs, verbose=0)
    else:
        flip = keras.layers.RandomFlip("horizontal", seed=seed)
        train = (tf.data.Dataset.from_tensor_slices((images[fit], labels[fit].astype("int32")))
                 .shuffle(len(fit), seed=seed).batch(128)
                 .map(lambda x, y: (flip(x, training=True), y)))
        model.fit(train, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(images[held], labels[held], verbose=0)
    return model, float(accuracy)


def load_or_train(pixels: np.ndarray, labels: np.ndarray, num_classes: int):
    """The cached classifier for exactly these pixels and labels, trained on a miss."""
    import keras

    version = CLASSIFIER_VERSION[network_kind(pixels.shape[1:])]
    key = digest(pixels.tobytes(), labels.astype(np.int32).tobytes(), version)
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
            # max: one class alone gives -0.0
            "class_entropy": max(0.0, float(-(nonzero * np.log(nonzero)).sum()
                                            / np.log(self.num_classes))),
            "confident": float((probs.max(axis=1) >= CONFIDENT).mean()),
            "class_histogram": [round(float(v), 4) for v in share],
            "classifier_accuracy": self.accuracy,
        }
        if asked is not None:
            result["label_accuracy"] = float((predicted == np.asarray(asked)).mean())
        return result
