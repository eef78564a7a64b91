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

from keras_gan.config import ConfigError

SIZE = 299
WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"


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

        try:
            self.model = keras.applications.InceptionV3(
                include_top=False, pooling="avg", weights=weights, input_shape=(SIZE, SIZE, 3))
        except Exception as err:  # noqa: BLE001  download failures come as many types
            raise ConfigError(
                f"Invalid inception_weights: expected ImageNet InceptionV3 weights, downloaded by "
                f"Keras on first use or given as a file ({WEIGHTS_FILE}). Received: "
                f"inception_weights={weights!r}, which could not be loaded ({type(err).__name__}: "
                f"{str(err)[:200]}). Offline, copy that file from a machine with network access "
                f"(~/.keras/models/) and pass --inception-weights PATH.") from None
        self.batch_size = batch_size

    def __call__(self, images: np.ndarray) -> np.ndarray:
        out = []
        for start in range(0, len(images), self.batch_size):
            batch = resize_for_inception(images[start:start + self.batch_size])
            out.append(np.asarray(self.model(batch, training=False), dtype=np.float64))
        return np.concatenate(out)
