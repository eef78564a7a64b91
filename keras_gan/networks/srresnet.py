"""`srresnet` and `srgan`: the networks of SRGAN (Ledig et al. 2017, "Photo-Realistic
Single Image Super-Resolution Using a Generative Adversarial Network", figure 4).

Generator (SRResNet): a 9x9 convolution to w channels with PReLU; B residual blocks
(3x3 conv - BN - PReLU - 3x3 conv - BN, plus the block's input); a 3x3 conv - BN added
to the first layer's output (the global skip); log2(scale) x2 stages of a 3x3 conv to
4w channels, sub-pixel shuffle (depth_to_space) and PReLU; a 9x9 convolution to the
image's channels. PReLU has one slope per channel. The output is linear, not tanh (as
BasicSR's MSRResNet): a tanh cannot reach the -1 / 1 of pure black and white, which
flat, clean images are full of, and every exported output is clipped to [0, 255] anyway.
`batch_norm=False` drops every BN (ESRGAN's finding: BN brings artefacts, and without
it the network is a pure function of its input window, so tiles match a whole image).
Fully convolutional: any H x W in, (scale H) x (scale W) out.

At 16 blocks, 64 channels, x4, RGB: 1,554,883 parameters with BN (1,550,659 trainable,
the paper's "1.5 M"), 1,546,435 without.

Discriminator (the paper's VGG-style network): 3x3 convolutions w, w (stride 2), 2w,
2w (stride 2), 4w, 4w (stride 2), 8w, 8w (stride 2), LeakyReLU 0.2, BN after all but the
first; then Dense 16w (1024 at w = 64), LeakyReLU, Dense 1 logit. The dense layer ties it
to the training crop's size, which is fixed.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf
from keras import layers

from keras_gan.networks.base import Network, batch_norm

SCALES = (2, 4, 8)
BN_MOMENTUM = 0.9  # PyTorch's 0.1, as the public SRGAN code
MIN_CROP = 8  # 'same'-padded stride-2 convolutions halve any size (rounding up) to >= 1


def _prelu(name: str):
    return layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2],
                        name=name)


def _maybe_bn(x, use: bool, name: str):
    return batch_norm(BN_MOMENTUM, epsilon=1e-5, name=name)(x) if use else x


def build_srresnet(channels: int, scale: int = 4, blocks: int = 16, width: int = 64,
                   use_batch_norm: bool = True) -> keras.Model:
    """LR image [-1, 1] of any size -> x`scale` image in about [-1, 1] (linear output)."""
    image = keras.Input((None, None, channels), name="image")
    head = _prelu("head_prelu")(layers.Conv2D(width, 9, padding="same", name="head")(image))
    x = head
    for b in range(1, blocks + 1):
        y = _maybe_bn(layers.Conv2D(width, 3, padding="same", name=f"res_{b}_a")(x),
                      use_batch_norm, f"res_{b}_a_bn")
        y = _prelu(f"res_{b}_prelu")(y)
        y = _maybe_bn(layers.Conv2D(width, 3, padding="same", name=f"res_{b}_b")(y),
                      use_batch_norm, f"res_{b}_b_bn")
        x = layers.Add(name=f"res_{b}")([x, y])
    x = _maybe_bn(layers.Conv2D(width, 3, padding="same", name="body_end")(x), use_batch_norm,
                  "body_end_bn")
    x = layers.Add(name="global_skip")([head, x])
    for stage in range(1, int(math.log2(scale)) + 1):
        x = layers.Conv2D(4 * width, 3, padding="same", name=f"up_{stage}")(x)
        x = PixelShuffle(2, name=f"up_{stage}_shuffle")(x)
        x = _prelu(f"up_{stage}_prelu")(x)
    output = layers.Conv2D(channels, 9, padding="same", name="to_image")(x)
    return keras.Model(image, output, name="generator")


@keras.saving.register_keras_serializable(package="keras_gan")
class PixelShuffle(keras.layers.Layer):
    """Sub-pixel upsampling (Shi et al. 2016): [H, W, r^2 C] -> [rH, rW, C], as
    tf.nn.depth_to_space (TFLite DEPTH_TO_SPACE, ONNX DepthToSpace)."""

    def __init__(self, factor: int, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        return tf.nn.depth_to_space(x, self.factor)

    def compute_output_shape(self, input_shape):
        grow = lambda n: None if n is None else n * self.factor  # noqa: E731
        return (input_shape[0], grow(input_shape[1]), grow(input_shape[2]),
                input_shape[3] // self.factor**2)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def build_srgan_discriminator(image_shape: tuple, width: int = 64, norm: str = "batch") -> keras.Model:
    """HR crop -> one logit; norm "layer" (per-sample) where a gradient penalty is used."""
    images = keras.Input(image_shape, name="images")
    x = images
    for i, (mult, stride) in enumerate([(1, 1), (1, 2), (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2)]):
        x = layers.Conv2D(width * mult, 3, strides=stride, padding="same", name=f"conv_{i + 1}")(x)
        if i:
            x = (layers.LayerNormalization(axis=(1, 2, 3), name=f"conv_{i + 1}_norm")(x)
                 if norm == "layer" else batch_norm(BN_MOMENTUM, epsilon=1e-5, name=f"conv_{i + 1}_bn")(x))
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(16 * width, name="dense")(layers.Flatten()(x)))
    return keras.Model(images, layers.Dense(1, name="logit")(x), name="discriminator")


def check_crop(size: int) -> str | None:
    return None if size >= MIN_CROP else f"at least {MIN_CROP} pixels"


UPSCALER = Network("upscaler", build_srresnet,
                   "SRResNet: 9x9 head, B residual blocks (conv-BN-PReLU-conv-BN), global skip, "
                   "x2 sub-pixel stages, 9x9 to the image (SRGAN)")
DISCRIMINATOR = Network("discriminator", build_srgan_discriminator,
                        "SRGAN's VGG-style D: eight 3x3 convs w..8w (four stride 2), BN, "
                        "LeakyReLU, Dense 16w, one logit", check_crop)
