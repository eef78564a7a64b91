"""InceptionV3 pool features for FID and KID, with one fixed resize path.

Images in [-1, 1] (already InceptionV3's input range) are converted to RGB by
repeating a grey channel, then resized to 299x299 with bilinear interpolation
and antialiasing (tf.image.resize(..., antialias=True)). FID values depend on
this path (Parmar et al. 2022, "On Aliased Resizing and Surprising Subtleties in
GAN Evaluation"), so compare numbers only between runs measured by this tool.

Features are the 2,048-d global-average-pooled output of keras.applications'
InceptionV3 with ImageNet weights. Keras downloads them on first use; offline,
pass a saved weights file (`--inception-weights PATH`, the notop .h5 from
keras.applications). Tests use random weights: the maths, not the numbers.
"""

from __future__ import annotations

import numpy as np

from keras_gan.errors import ConfigError

SIZE = 299
WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
# Where and with which hash keras.applications.InceptionV3 fetches them (its own values).
WEIGHTS_URL = f"https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/{WEIGHTS_FILE}"
WEIGHTS_MD5 = "bcbd6486424b2319ff4ef7d526e38f63"


def _unusable(weights, err) -> ConfigError:
    return ConfigError(
        f"Invalid inception_weights: expected ImageNet InceptionV3 weights, downloaded by Keras on "
        f"first use or given as a file ({WEIGHTS_FILE}). Received: inception_weights={weights!r}, "
        f"which could not be loaded ({type(err).__name__}: {str(err)[:200]}). Offline, copy that "
        f"file from a machine with network access (~/.keras/models/) and pass --inception-weights PATH.")


def weights_file(weights: str | None = "imagenet") -> str | None:
    """The weights file to load: Keras' cached ImageNet download (fetched now if missing) for
    "imagenet", the path itself otherwise, None for random weights. Raises ConfigError early,
    so a training run fails before it starts rather than at its first evaluation."""
    import keras

    if weights is None:
        return None
    try:
        if weights == "imagenet":
            return keras.utils.get_file(WEIGHTS_FILE, WEIGHTS_URL, cache_subdir="models",
                                        file_hash=WEIGHTS_MD5)
        with open(weights, "rb"):
            return str(weights)
    except Exception as err:  # noqa: BLE001  download and file errors come as many types
        raise _unusable(weights, err) from None


def resize_for_inception(images):
    """float [-1, 1] NHWC with 1 or 3 channels -> float (N, 299, 299, 3), the fixed path."""
    import tensorflow as tf

    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape[-1] == 1:
        images = tf.tile(images, [1, 1, 1, 3])
    return tf.image.resize(images, (SIZE, SIZE), method="bilinear", antialias=True)


class InceptionFeatures:
    """Callable: images in [-1, 1] -> (N, 2048) float64 pool features."""

    name = "inception_v3_pool3"

    def __init__(self, weights: str | None = "imagenet", batch_size: int = 50):
        import keras

        path = weights_file(weights)
        self.model = keras.applications.InceptionV3(
            include_top=False, pooling="avg", weights=None, input_shape=(SIZE, SIZE, 3))
        if path is not None:
            try:
                self.model.load_weights(path)
            except Exception as err:  # noqa: BLE001  a wrong or damaged .h5
                raise _unusable(weights, err) from None
        self.batch_size = batch_size

    def __call__(self, images: np.ndarray) -> np.ndarray:
        out = []
        for start in range(0, len(images), self.batch_size):
            batch = resize_for_inception(images[start:start + self.batch_size])
            out.append(np.asarray(self.model(batch, training=False), dtype=np.float64))
        return np.concatenate(out)
