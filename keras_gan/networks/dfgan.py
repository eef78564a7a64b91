"""`dfgan`: the one-stage networks of DF-GAN (Tao et al. 2022, "DF-GAN: A Simple and
Effective Baseline for Text-to-Image Synthesis"), at DCGAN size.

G: [noise, sentence] -> Dense 4x4x(8w) -> up-blocks to the image size -> LeakyReLU,
   3x3 conv, tanh. An up-block (nearest x2, then a residual pair of 3x3 convs) fuses the
   text twice before each conv ("deep text-image fusion"): Affine, LeakyReLU 0.2, Affine,
   LeakyReLU 0.2, where Affine(x | s) = gamma(s) * x + beta(s) per channel, gamma and beta
   each a Dense-ReLU-Dense of the sentence, starting at gamma = 1, beta = 0 (the identity).
   The shortcut is the upsampled input (a 1x1 conv where the channels change).
D: [images, sentence] -> 3x3 conv -> residual down-blocks (4x4 stride-2 conv, LeakyReLU,
   3x3 conv, LeakyReLU; shortcut 1x1 conv + 2x2 average pool) to 4x4x(8w) image features
   (the layer "features"); the sentence, replicated over the 4x4 grid, joins them; 3x3 conv
   (2w), LeakyReLU, 4x4 valid conv to one logit ("logit"): the paper's one-way output,
   one judgement of image and text together. No normalisation layers: the matching-aware
   gradient penalty is per sample.

Sizes are powers of two from 16 to 256 (28 px digits train padded to 32: `pad_to`).
Channels: 8w at 4 px, halving as the resolution doubles, never below w (dcgan's ladder,
kept at w from 32 px up, where DF-GAN keeps its widths).
Not copied from the paper's code: its D blocks scale the residual by a learned scalar
starting at 0; here the residual is added as is.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from keras_gan.errors import invalid
from keras_gan.networks.base import Network, power_of_two

MIN_SIZE, MAX_SIZE = 16, 256
SLOPE = 0.2


def channels_at(resolution: int, width: int) -> int:
    """8w at 4x4, halving as the resolution doubles, at least w."""
    return width * max(1, min(8, 32 // resolution))


@keras.saving.register_keras_serializable(package="keras_gan")
class Affine(keras.layers.Layer):
    """x * gamma(s) + beta(s), per channel; gamma, beta = Dense(hidden)-ReLU-Dense(C) of the
    condition s. The last Dense of each starts with zero kernels and bias 1 (gamma) / 0
    (beta), so the block starts as the identity and learns how the text moves it."""

    def __init__(self, channels: int, hidden: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.hidden = int(hidden or channels)
        self.gamma_in = layers.Dense(self.hidden, activation="relu", name="gamma_in")
        self.gamma_out = layers.Dense(self.channels, kernel_initializer="zeros",
                                      bias_initializer="ones", name="gamma_out")
        self.beta_in = layers.Dense(self.hidden, activation="relu", name="beta_in")
        self.beta_out = layers.Dense(self.channels, kernel_initializer="zeros",
                                     bias_initializer="zeros", name="beta_out")

    def build(self, input_shape):
        _, condition_shape = input_shape
        for first, last in ((self.gamma_in, self.gamma_out), (self.beta_in, self.beta_out)):
            first.build(condition_shape)
            last.build((condition_shape[0], self.hidden))
        self.built = True

    def call(self, inputs):
        x, condition = inputs
        gamma = ops.cast(self.gamma_out(self.gamma_in(condition)), x.dtype)
        beta = ops.cast(self.beta_out(self.beta_in(condition)), x.dtype)
        return x * gamma[:, None, None, :] + beta[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "hidden": self.hidden}


def _fuse(x, sentence, name: str):
    """One fusion: Affine, LeakyReLU, Affine, LeakyReLU (DF-GAN's DFBlock)."""
    channels = x.shape[-1]
    for i in range(2):
        x = Affine(channels, name=f"{name}_affine{i}")([x, sentence])
        x = layers.LeakyReLU(negative_slope=SLOPE)(x)
    return x


def _up_block(x, sentence, channels: int, name: str):
    # nearest x2 as a resize to the static size: UpSampling2D's repeat loses the static
    # height, and TFLite then cannot lower the convolutions that follow
    side = 2 * x.shape[1]
    x = layers.Resizing(side, side, interpolation="nearest", name=f"{name}_up")(x)
    shortcut = x if x.shape[-1] == channels else layers.Conv2D(
        channels, 1, name=f"{name}_shortcut")(x)
    h = _fuse(x, sentence, f"{name}_fuse0")
    h = layers.Conv2D(channels, 3, padding="same", name=f"{name}_conv0")(h)
    h = _fuse(h, sentence, f"{name}_fuse1")
    h = layers.Conv2D(channels, 3, padding="same", name=f"{name}_conv1")(h)
    return layers.Add(name=f"{name}_out")([shortcut, h])


def _check(image_shape, width, sentence_dim):
    if (not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3
            or image_shape[0] != image_shape[1] or power_of_two(MIN_SIZE, MAX_SIZE)(image_shape[0])):
        raise invalid("image_shape", f"(size, size, channels), size a power of two from "
                      f"{MIN_SIZE} to {MAX_SIZE}", image_shape)
    for name, value in (("width", width), ("sentence_dim", sentence_dim)):
        if not isinstance(value, int) or value < 1:
            raise invalid(name, "a positive integer", value)


def build_generator(latent_dim: int, sentence_dim: int, image_shape: tuple,
                    width: int = 32) -> keras.Model:
    """[noise [B, latent_dim], sentence [B, sentence_dim]] -> images [B, H, W, C] in [-1, 1]."""
    _check(image_shape, width, sentence_dim)
    size, _, channels = image_shape
    noise = keras.Input((latent_dim,), name="noise")
    sentence = keras.Input((sentence_dim,), name="sentence")
    x = layers.Dense(4 * 4 * channels_at(4, width), name="project")(noise)
    x = layers.Reshape((4, 4, channels_at(4, width)))(x)
    resolution = 4
    while resolution < size:
        resolution *= 2
        x = _up_block(x, sentence, channels_at(resolution, width), f"up{resolution}")
    x = layers.LeakyReLU(negative_slope=SLOPE)(x)
    images = layers.Conv2D(channels, 3, padding="same", activation="tanh", name="images")(x)
    return keras.Model([noise, sentence], images, name="generator")


def _down_block(x, channels: int, name: str):
    h = layers.Conv2D(channels, 4, strides=2, padding="same", name=f"{name}_conv0")(x)
    h = layers.LeakyReLU(negative_slope=SLOPE)(h)
    h = layers.Conv2D(channels, 3, padding="same", name=f"{name}_conv1")(h)
    h = layers.LeakyReLU(negative_slope=SLOPE)(h)
    shortcut = x if x.shape[-1] == channels else layers.Conv2D(
        channels, 1, name=f"{name}_shortcut")(x)
    shortcut = layers.AveragePooling2D(2, name=f"{name}_pool")(shortcut)
    return layers.Add(name=f"{name}_out")([shortcut, h])


def build_discriminator(image_shape: tuple, sentence_dim: int, width: int = 32) -> keras.Model:
    """[images [B, H, W, C], sentence [B, sentence_dim]] -> logits [B, 1]."""
    _check(image_shape, width, sentence_dim)
    size = image_shape[0]
    images = keras.Input(tuple(image_shape), name="images")
    sentence = keras.Input((sentence_dim,), name="sentence")
    x = layers.Conv2D(channels_at(size, width), 3, padding="same", name="from_image")(images)
    resolution = size
    while resolution > 4:
        resolution //= 2
        x = _down_block(x, channels_at(resolution, width), f"down{resolution}")
    features = layers.Identity(name="features")(x)
    # the sentence at every one of the 4x4 positions (nearest upsampling of a 1x1 map)
    grid = layers.UpSampling2D(4, name="sentence_grid")(layers.Reshape((1, 1, sentence_dim))(sentence))
    x = layers.Concatenate(name="joint")([features, grid])
    x = layers.Conv2D(2 * width, 3, padding="same", name="joint_conv")(x)
    x = layers.LeakyReLU(negative_slope=SLOPE)(x)
    x = layers.Conv2D(1, 4, padding="valid", name="logit")(x)
    logits = layers.Flatten(name="logits")(x)
    return keras.Model([images, sentence], logits, name="discriminator")


def image_features(discriminator: keras.Model) -> keras.Model:
    """D's image branch: images -> the 4x4x(8w) features the sentence joins (shares weights)."""
    return keras.Model(discriminator.inputs[0], discriminator.get_layer("features").output,
                       name="d_image_features")


def pad_to(images: np.ndarray, size: int) -> np.ndarray:
    """Images [N, h, w, C] in [-1, 1] centred on a size x size canvas of -1 (black): how a
    28 px digit becomes a 32 px training image."""
    images = np.asarray(images)
    n, h, w = images.shape[:3]
    if h > size or w > size:
        raise invalid("size", f"at least the image side ({h}x{w})", size)
    top, left = (size - h) // 2, (size - w) // 2
    pad = [(0, 0), (top, size - h - top), (left, size - w - left), (0, 0)]
    return np.pad(images, pad, constant_values=-1.0).astype(images.dtype)


def padded_size(size: int) -> int:
    """The power of two the family trains a `size` px image at (28 -> 32), at least 16."""
    return max(MIN_SIZE, 1 << (int(size) - 1).bit_length())


check_size = power_of_two(MIN_SIZE, MAX_SIZE)
# roles whose build signature takes the sentence (keras_gan.networks.base.ROLES)
GENERATOR = Network("text_generator", build_generator,
                    "DF-GAN: Dense 4x4x8w, nearest-x2 residual blocks with affine text "
                    "fusion, tanh", check_size)
DISCRIMINATOR = Network("text_discriminator", build_discriminator,
                        "DF-GAN: residual stride-2 blocks to 4x4, sentence replicated and "
                        "joined, one-way output", check_size)
