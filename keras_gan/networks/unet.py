"""`unet`: the pix2pix generator (Isola et al. 2017, appendix 6.1.1; Ronneberger et al. 2015).

Encoder: stride-2 Conv(4x4) stages C64-C128-C256-C512-C512-... (width w: min(w * 2^i, 8w)
channels), LeakyReLU 0.2 before each but the first, BatchNorm on all but the first and
the innermost (a 1x1 bottleneck: BatchNorm there would zero it at batch 1). Decoder:
ReLU, stride-2 ConvTranspose(4x4), BatchNorm, dropout 0.5 in the first three decoder
blocks, then the encoder feature of the same resolution concatenated (the skip); the
last block maps to the output channels with tanh.

Depth follows the image size: log2(size) halvings reach 1x1 (8 at 256 px, as in the
paper's unet_256). Convolutions before BatchNorm have no bias. At 256 px, RGB to RGB,
w = 64: 54,413,955 trainable parameters, the reference PyTorch implementation's count.
The input is (None, None, C): any H x W that is a multiple of 2^depth runs
(keras_gan.tasks.image_to_image pads other sizes by reflection and crops back).
"""

from __future__ import annotations

import math

import keras
from keras import layers

from keras_gan.networks.base import Network, dropout, normal_init, power_of_two, reference_batch_norm

DROPOUT = 0.5
DROPOUT_BLOCKS = 3  # the first decoder blocks, from the bottleneck (the paper's CD512-CD1024-CD1024)
MIN_SIZE, MAX_SIZE = 8, 1024


def depth(size: int) -> int:
    """Stride-2 halvings from size x size down to 1x1."""
    return int(math.log2(size))


def multiple(size: int) -> int:
    """Input sides must be multiples of this (2^depth)."""
    return 2 ** depth(size)


def build_unet(source_shape: tuple, channels: int, width: int = 64) -> keras.Model:
    size, _, source_channels = source_shape
    filters = [min(width * 2**i, width * 8) for i in range(depth(size))]
    image = keras.Input((None, None, source_channels), name="image")
    x, skips = image, []
    for i, count in enumerate(filters):
        if i:
            x = layers.LeakyReLU(negative_slope=0.2)(x)
        x = layers.Conv2D(count, 4, strides=2, padding="same", use_bias=False,
                          kernel_initializer=normal_init(), name=f"down_{i + 1}")(x)
        if 0 < i < len(filters) - 1:
            x = reference_batch_norm(f"down_{i + 1}_bn")(x)
        skips.append(x)
    for block, i in enumerate(reversed(range(len(filters) - 1))):
        x = layers.ReLU()(x)
        x = layers.Conv2DTranspose(filters[i], 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=normal_init(), name=f"up_{i + 1}")(x)
        x = reference_batch_norm(f"up_{i + 1}_bn")(x)
        if block < DROPOUT_BLOCKS:
            x = dropout(DROPOUT, name=f"up_{i + 1}_dropout")(x)
        x = layers.Concatenate(name=f"skip_{i + 1}")([skips[i], x])
    x = layers.ReLU()(x)
    output = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh",
                                    kernel_initializer=normal_init(), name="output")(x)
    return keras.Model(image, output, name="generator")


TRANSLATOR = Network("translator", build_unet,
                     "U-Net: log2(size) stride-2 stages to 1x1, skips, BatchNorm, dropout 0.5 "
                     "in the first three decoder blocks, tanh (pix2pix)",
                     power_of_two(MIN_SIZE, MAX_SIZE), multiple)
