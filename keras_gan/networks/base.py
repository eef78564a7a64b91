"""What a network provides, and the layer helpers every network shares.

A network is registered by name and role (keras_gan.networks.NETWORKS):
- generator:     build(latent_dim, image_shape, width) -> latent -> images in [-1, 1]
- translator:    build(source_shape, channels, width) -> image -> image in [-1, 1]
- upscaler:      build(channels, scale, blocks, width, batch_norm) -> image -> image
                 `scale` times larger
- discriminator: build(image_shape, width, norm) -> images -> logits; norm "batch" or
                 "layer" (no BatchNorm where a per-sample penalty is used). Conditional
                 projection attaches to the layer named "logit".
`check_size(size)` says which image sizes the network supports (None: any).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np
from keras import ops

from keras_gan.training.distribute import replica_context, replica_rows, replicas_in_sync

# text_*: conditioned on a sentence embedding ([noise, sentence] -> image; [image, sentence] -> logit)
ROLES = ("generator", "translator", "upscaler", "discriminator", "text_generator",
         "text_discriminator")


@dataclass(frozen=True)
class Network:
    role: str
    build: Callable[..., keras.Model]
    summary: str
    check_size: Callable[[int], str | None] = lambda size: None
    # translators: input sides must be multiples of this (at a training size); others pad
    multiple: Callable[[int], int] = lambda size: 1


def batch_norm(momentum: float, **kwargs) -> keras.layers.BatchNormalization:
    """BatchNormalization whose statistics span the global batch when the layer is built
    under a tf.distribute strategy with several replicas (synchronized=True there only:
    on one replica the synced path is the same maths, computed as E[x^2] - E[x]^2)."""
    return keras.layers.BatchNormalization(momentum=momentum,
                                           synchronized=replicas_in_sync() > 1, **kwargs)


def dropout(rate: float, **kwargs) -> keras.layers.Dropout:
    """Dropout whose masks span the global batch when the layer is built under several
    replicas (ReplicaDropout there only: exports and one device keep Keras' own layer)."""
    return (ReplicaDropout if replicas_in_sync() > 1 else keras.layers.Dropout)(rate, **kwargs)


class ReplicaDropout(keras.layers.Dropout):
    """keras.layers.Dropout drawing, on each replica, the masks of the global batch's rows
    and keeping its own (keras_gan.training.seeds.ReplicaRandom's rule): every replica holds the
    same seed state, so Keras' layer would give each replica's rows the same masks; these
    are the masks one device draws for the global batch. Its weights file entry is empty,
    so checkpoints load either way."""

    def call(self, inputs, training=False):
        context = replica_context()
        if not training or self.rate <= 0 or context is None:
            return super().call(inputs, training=training)
        n = keras.ops.shape(inputs)[0]
        start, total = replica_rows(n)  # an uneven last batch too
        ones = keras.ops.ones((total, *keras.ops.shape(inputs)[1:]), dtype=inputs.dtype)
        masks = super().call(ones, training=True)  # 0 or 1 / (1 - rate)
        return inputs * masks[start:start + n]


@keras.saving.register_keras_serializable(package="keras_gan")
class ReflectionPad2D(keras.layers.Layer):
    """Pads height and width by mirroring (PyTorch's ReflectionPad2d; TFLite's MirrorPad)."""

    def __init__(self, padding: int, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        p = self.padding
        return keras.ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        grow = lambda n: None if n is None else n + 2 * self.padding  # noqa: E731
        return (input_shape[0], grow(input_shape[1]), grow(input_shape[2]), input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


def instance_norm(name: str | None = None) -> keras.layers.GroupNormalization:
    """Instance normalization without affine parameters, as the CycleGAN reference
    (PyTorch's InstanceNorm2d defaults): one group per channel, eps 1e-5."""
    return keras.layers.GroupNormalization(groups=-1, center=False, scale=False, epsilon=1e-5,
                                           name=name)


def reference_batch_norm(name: str) -> keras.layers.BatchNormalization:
    """BatchNorm as the pix2pix/CycleGAN reference implementation's: PyTorch's defaults
    (momentum 0.1 = Keras 0.9, eps 1e-5) and an N(1, 0.02) scale. The initializer is made
    here, per layer, after keras.utils.set_random_seed: one made at import time draws its
    seed from an unseeded process, and runs stop being repeatable."""
    return batch_norm(0.9, epsilon=1e-5, gamma_initializer=normal_init(mean=1.0), name=name)


def normal_init(stddev: float = 0.02, mean: float = 0.0) -> keras.initializers.Initializer:
    """N(mean, 0.02) weights, as in the DCGAN and pix2pix papers."""
    return keras.initializers.RandomNormal(mean, stddev)


def nearest_size(native: int, sizes) -> int:
    """The size in `sizes` nearest the data's own `native` size, by ratio (28 -> 32, 45 ->
    32, 46 -> 64); a tie goes to the smaller (shrinking loses less than inventing pixels)."""
    return min(sizes, key=lambda size: (abs(math.log2(size / native)), size))


def power_of_two(low: int, high: int, what: str = "") -> Callable[[int], str | None]:
    """A check_size for networks that halve the image down to a fixed size."""

    def check(size: int) -> str | None:
        if size & (size - 1) == 0 and low <= size <= high:
            return None
        return f"a power of two from {low} to {high}{what}"

    return check


def with_spectral_norm(discriminator: keras.Model) -> keras.Model:
    """A copy of a functional discriminator with every Dense and Conv2D wrapped in Keras'
    SpectralNormalization (Miyato et al. 2018), for any architecture."""

    def clone(layer):
        fresh = layer.__class__.from_config(layer.get_config())
        if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D)):
            return keras.layers.SpectralNormalization(fresh, name=f"sn_{layer.name}")
        return fresh

    return keras.models.clone_model(discriminator, clone_function=clone)


def generate_in_batches(network: keras.Model, inputs, batch_size: int = 256) -> np.ndarray:
    """network(inputs) as float32 numpy, by direct calls: predict() builds a data
    pipeline per call (costlier than a 64-image grid) and, under a multi-worker
    strategy, needs every worker to call it."""
    parts = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    chunks = []
    for start in range(0, len(parts[0]), batch_size):
        chunk = [part[start:start + batch_size] for part in parts]
        out = network(chunk if len(chunk) > 1 else chunk[0], training=False)
        chunks.append(ops.convert_to_numpy(out).astype("float32"))
    return np.concatenate(chunks)
