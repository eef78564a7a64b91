"""`patchgan`: the 70x70 PatchGAN discriminator (Isola et al. 2017; the reference
implementation's NLayerDiscriminator with 3 layers).

C64 (stride 2, no norm) - C128 - C256 (stride 2) - C512 (stride 1) - 1 logit (stride 1),
4x4 kernels, LeakyReLU 0.2; the stride-1 convolutions pad by 1 as PyTorch's padding=1,
so a 256 px input gives 30x30 patch logits, each seeing a 70x70 window. Every patch is
a logit; the losses average over them. Images under 32 px use fewer stride-2 layers,
so at least one patch is left (a 16 px input: 2 layers, a 34x34 window).

At 256 px with a 6-channel input (source and target stacked), w = 64: 2,768,705
trainable parameters, the reference's count; CycleGAN's, on 3 channels with instance
norm (and biases): 2,764,737, the reference's too.
"""

from __future__ import annotations

import math

import keras
from keras import layers

from keras_gan.networks.base import Network, instance_norm, normal_init, reference_batch_norm

MAX_LAYERS = 3  # the 70x70 receptive field
MIN_SIZE = 8


def stride2_layers(size: int) -> int:
    """Stride-2 layers that leave at least one patch after the two stride-1 layers."""
    return max(1, min(MAX_LAYERS, int(math.log2(size / 3))))


def _normalize(x, norm: str, name: str):
    if norm == "layer":  # per-sample, for gradient penalties (WGAN-GP)
        return layers.LayerNormalization(axis=(1, 2, 3), name=name)(x)
    if norm == "instance":  # CycleGAN's
        return instance_norm(name)(x)
    return reference_batch_norm(name)(x)


def build_patchgan(image_shape: tuple, width: int = 64, norm: str = "batch") -> keras.Model:
    """norm: "batch" (pix2pix), "instance" (CycleGAN; its convolutions then have biases, as
    the reference's) or "layer" (per-sample, for WGAN-GP)."""
    images = keras.Input(image_shape, name="images")
    count = stride2_layers(image_shape[0])
    x = layers.Conv2D(width, 4, strides=2, padding="same", kernel_initializer=normal_init(),
                      name="conv_1")(images)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    for n in range(1, count + 1):
        last = n == count  # the stride-1 layer after the stride-2 ones
        if last:
            x = layers.ZeroPadding2D(1)(x)
        x = layers.Conv2D(width * min(2**n, 8), 4, strides=1 if last else 2,
                          padding="valid" if last else "same", use_bias=norm == "instance",
                          kernel_initializer=normal_init(), name=f"conv_{n + 1}")(x)
        x = _normalize(x, norm, f"conv_{n + 1}_norm")
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.ZeroPadding2D(1)(x)
    logits = layers.Conv2D(1, 4, padding="valid", kernel_initializer=normal_init(), name="logit")(x)
    return keras.Model(images, logits, name="discriminator")


def check_size(size: int) -> str | None:
    return None if size >= MIN_SIZE else f"an image size of at least {MIN_SIZE} pixels"


DISCRIMINATOR = Network("discriminator", build_patchgan,
                        "70x70 PatchGAN: 4x4 convs C64-C128-C256-C512, a logit per patch (pix2pix)",
                        check_size)
