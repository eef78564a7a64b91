"""`resnet`: the CycleGAN generator (Zhu et al. 2017, appendix 7.2; Johnson et al. 2016).

c7s1-w, d2w, d4w (stride-2 3x3), residual blocks of two reflection-padded 3x3 convolutions
at 4w channels (9 at 256 px and up, 6 below, as the paper), u2w, uw (stride-2 transposed
3x3), c7s1-C with tanh. Instance normalization without affine parameters and biases on
every convolution, as the reference implementation; reflection padding before the 7x7 and
3x3 convolutions. At 256 px, RGB, w = 64: 11,378,179 trainable parameters, the reference's
count. Fully convolutional: any H x W that is a multiple of 4.
"""

from __future__ import annotations

import keras
from keras import layers

from keras_gan.networks.base import Network, ReflectionPad2D, instance_norm, normal_init

MIN_SIZE = 8


def blocks_for(size: int) -> int:
    return 9 if size >= 256 else 6


def _conv(x, filters: int, kernel: int, name: str, stride: int = 1, pad: int = 0):
    if pad:
        x = ReflectionPad2D(pad, name=f"{name}_pad")(x)
    return layers.Conv2D(filters, kernel, strides=stride, padding="same" if stride > 1 else "valid",
                         kernel_initializer=normal_init(), name=name)(x)


def build_resnet(source_shape: tuple, channels: int, width: int = 64) -> keras.Model:
    size, _, source_channels = source_shape
    image = keras.Input((None, None, source_channels), name="image")
    x = layers.ReLU()(instance_norm()(_conv(image, width, 7, "c7s1", pad=3)))
    for i, mult in enumerate((2, 4)):
        x = layers.ReLU()(instance_norm()(_conv(x, width * mult, 3, f"down_{i + 1}", stride=2)))
    for b in range(blocks_for(size)):
        y = layers.ReLU()(instance_norm()(_conv(x, width * 4, 3, f"res_{b + 1}_a", pad=1)))
        y = instance_norm()(_conv(y, width * 4, 3, f"res_{b + 1}_b", pad=1))
        x = layers.Add(name=f"res_{b + 1}")([x, y])
    for i, mult in enumerate((2, 1)):
        x = layers.Conv2DTranspose(width * mult, 3, strides=2, padding="same",
                                   kernel_initializer=normal_init(), name=f"up_{i + 1}")(x)
        x = layers.ReLU()(instance_norm()(x))
    output = layers.Activation("tanh", name="output")(_conv(x, channels, 7, "to_image", pad=3))
    return keras.Model(image, output, name="generator")


def check_size(size: int) -> str | None:
    return None if size >= MIN_SIZE and size % 4 == 0 else \
        f"a multiple of 4 of at least {MIN_SIZE} pixels"


TRANSLATOR = Network("translator", build_resnet,
                     "ResNet: c7s1-64, two stride-2 downs, 6 residual blocks (9 at 256 px), two "
                     "ups, tanh; instance norm, reflection padding (CycleGAN)",
                     check_size, lambda size: 4)
