"""`lightweight`: the networks of Liu et al. 2021, "Towards Faster and Stabilized GAN Training
for High-fidelity Few-shot Image Synthesis" (FastGAN; lucidrains' lightweight-gan).

G: latent -> ConvTranspose 4x4 -> BN, GLU; then per doubling of the resolution an up block
   (nearest x2, conv 3x3, BN, GLU; at 8, 32, 128, 512 px a second conv, BN, GLU: the
   paper's UpBlockComp); skip-layer excitation (SLE) gates the channels of each block at
   64 px and above by its 1/16-resolution block (4 -> 64, 8 -> 128, 16 -> 256, 32 -> 512);
   N(0, 0.02) weights; BatchNorm, no spectral norm (lightweight-gan's choice: cheaper on CPUs);
   conv 3x3 to the image, tanh.
D: conv 3x3 (a stride-2 4x4 conv above 256 px), then DownBlockComp (a stride-2 4x4 conv +
   BN + LeakyReLU + conv 3x3 + BN + LeakyReLU path averaged with an avg-pool + 1x1 conv
   path) down to 8x8, SLE from each 8x-larger map; 1x1 conv, BN, LeakyReLU, 4x4 valid
   conv: a 5x5 map of hinge logits. D also returns its 8x8 and 16x16 maps for the
   self-supervised decoders (`build_decoder`), which reconstruct the whole image from the
   8x8 map and a random quadrant from the matching 8x8 crop of the 16x16 map.

Channel counts follow FastGAN's tables times `width` (its ngf / ndf; 64 there), so the
paper's networks are `--width 64`.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from keras_gan.networks.base import batch_norm, nearest_size, normal_init, power_of_two
from keras_gan.training.seeds import ReplicaRandom

BN_MOMENTUM = 0.9  # PyTorch's BatchNorm2d momentum=0.1, FastGAN's
MIN_SIZE, MAX_SIZE = 16, 1024
RECONSTRUCT_MAX = 128  # the decoders' largest output side (FastGAN decodes to 128 px)

# FastGAN's nfc_multi: G's channels per resolution, x width (ngf)
G_MULTIPLIERS = {4: 16, 8: 8, 16: 4, 32: 2, 64: 2, 128: 1, 256: 0.5, 512: 0.25, 1024: 0.125}


def g_channels(resolution: int, width: int) -> int:
    return max(2, int(G_MULTIPLIERS[resolution] * width))


def d_channels(resolution: int, width: int) -> int:
    """D's channels at a resolution: FastGAN's nfc[2 x resolution] x ndf, i.e. 8 ndf at 8x8,
    halving as the resolution doubles."""
    return max(2, int(width * 64 // resolution))


@keras.saving.register_keras_serializable(package="keras_gan")
class GLU(layers.Layer):
    """Gated linear unit over channels: a * sigmoid(b) for the two halves [a, b]."""

    def call(self, x):
        a, b = ops.split(x, 2, axis=-1)
        return a * ops.sigmoid(b)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // 2)


@keras.saving.register_keras_serializable(package="keras_gan")
class Swish(layers.Layer):
    """x * sigmoid(x). Keras' "silu" has a custom gradient capturing a variable, which
    tf.saved_model.save refuses ("invalid capture ... when saving custom gradients")."""

    def call(self, x):
        return x * ops.sigmoid(x)


@keras.saving.register_keras_serializable(package="keras_gan")
class NoiseInjection(layers.Layer):
    """x + w * N(0, 1) per pixel (one map shared by the channels), w learned from 0
    (StyleGAN's; FastGAN's UpBlockComp). Only while training: sampling and exports stay
    deterministic functions of the latent."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)  # checkpointed (GANModel)
        # under tf.distribute: each replica's rows of the noise one device draws for the batch
        self.random = ReplicaRandom(self.seed_generator)

    def build(self, input_shape):
        self.weight = self.add_weight(shape=(), initializer="zeros", name="weight")

    def call(self, x, training=False):
        if not training:
            return x
        shape = (ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2], 1)
        noise = self.random.normal(shape, dtype=x.dtype)
        return x + ops.cast(self.weight, x.dtype) * noise


def quadrant(maps, index):
    """The quadrant `index` (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right) of each
    map, by a one-hot sum: every op exports and runs per sample under any strategy."""
    h, w = maps.shape[1] // 2, maps.shape[2] // 2
    quarters = ops.stack([maps[:, :h, :w], maps[:, :h, w:], maps[:, h:, :w], maps[:, h:, w:]],
                         axis=1)
    pick = ops.one_hot(ops.reshape(ops.cast(index, "int32"), (-1,)), 4, dtype=maps.dtype)
    return ops.sum(quarters * pick[:, :, None, None, None], axis=1)


@keras.saving.register_keras_serializable(package="keras_gan")
class Quadrant(layers.Layer):
    """`quadrant` as a layer: [maps, index] -> that quadrant of each map."""

    def call(self, inputs):
        return quadrant(*inputs)

    def compute_output_shape(self, input_shape):
        shape = input_shape[0]
        return (shape[0], shape[1] // 2, shape[2] // 2, shape[3])


def _conv(channels: int, kernel: int, strides: int = 1, padding: str = "same", **kwargs):
    return layers.Conv2D(channels, kernel, strides=strides, padding=padding, use_bias=False,
                         kernel_initializer=normal_init(), **kwargs)


def _up(x, channels: int, comp: bool, noise: bool):
    """FastGAN's UpBlock (comp False) / UpBlockComp: nearest x2, (conv, [noise], BN, GLU) x1|2."""
    # nearest x2 as a resize to the static size: UpSampling2D's repeat loses the static
    # height, and TFLite then cannot lower the convolutions that follow (as in dfgan.py)
    x = layers.Resizing(2 * x.shape[1], 2 * x.shape[2], interpolation="nearest")(x)
    for i in range(2 if comp else 1):
        x = _conv(2 * channels, 3)(x)
        if noise and comp:
            # named: checkpoints key the layer's seed state by its name (GANModel.seed_state_items)
            x = NoiseInjection(name=f"noise_{x.shape[1]}_{i}")(x)
        x = batch_norm(BN_MOMENTUM)(x)
        x = GLU()(x)
    return x


def _excite(low, high):
    """Skip-layer excitation: a channel gate for `high` from `low` (pooled to 4x4, 4x4 conv,
    swish, 1x1 conv, sigmoid)."""
    channels = high.shape[-1]
    g = layers.AveragePooling2D(low.shape[1] // 4)(low)
    g = _conv(channels, 4, padding="valid")(g)
    g = Swish()(g)
    g = _conv(channels, 1)(g)
    g = layers.Activation("sigmoid")(g)
    return layers.Multiply()([high, g])


def build_generator(latent_dim: int, image_shape: tuple, width: int = 16,
                    noise: bool = False) -> keras.Model:
    size, _, channels = image_shape
    z = keras.Input((latent_dim,), name="latent")
    x = layers.Reshape((1, 1, latent_dim))(z)
    x = layers.Conv2DTranspose(2 * g_channels(4, width), 4, padding="valid", use_bias=False,
                               kernel_initializer=normal_init())(x)
    x = GLU()(batch_norm(BN_MOMENTUM)(x))
    maps, resolution = {4: x}, 4
    while resolution < size:
        resolution *= 2
        x = _up(x, g_channels(resolution, width), comp=resolution in (8, 32, 128, 512), noise=noise)
        if resolution // 16 in maps:
            x = _excite(maps[resolution // 16], x)
        maps[resolution] = x
    images = layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32",
                           kernel_initializer=normal_init(), name="images")(x)
    return keras.Model(z, images, name="generator")


def _down(x, channels: int):
    """FastGAN's DownBlockComp: (conv 4x4 stride 2, BN, LReLU, conv 3x3, BN, LReLU) and
    (avg-pool 2, conv 1x1, BN, LReLU), averaged."""
    main = layers.LeakyReLU(0.2)(batch_norm(BN_MOMENTUM)(_conv(channels, 4, strides=2)(x)))
    main = layers.LeakyReLU(0.2)(batch_norm(BN_MOMENTUM)(_conv(channels, 3)(main)))
    direct = layers.AveragePooling2D(2)(x)
    direct = layers.LeakyReLU(0.2)(batch_norm(BN_MOMENTUM)(_conv(channels, 1)(direct)))
    return layers.Average()([main, direct])


def build_discriminator(image_shape: tuple, width: int = 16, norm: str = "batch") -> keras.Model:
    """images -> [5x5 logits, flattened; the 8x8 map; the 16x16 map]."""
    del norm  # BatchNorm only: the family's loss (hinge) takes no per-sample penalty
    size = image_shape[0]
    images = keras.Input(image_shape, name="images")
    if size > 256:  # FastGAN's down_from_big: strided at 512 / 1024 px
        x = layers.LeakyReLU(0.2)(_conv(d_channels(size // 2, width), 4, strides=2)(images))
        resolution = size // 2
    else:
        x = layers.LeakyReLU(0.2)(_conv(d_channels(size, width), 3)(images))
        resolution = size
    maps = {resolution: x}
    while resolution > 8:
        resolution //= 2
        x = _down(x, d_channels(resolution, width))
        if 8 * resolution in maps and resolution <= 32:  # FastGAN: 256->32, 128->16, 64->8
            x = _excite(maps[8 * resolution], x)
        maps[resolution] = x
    h = layers.LeakyReLU(0.2)(batch_norm(BN_MOMENTUM)(_conv(d_channels(4, width), 1)(x)))
    logits = layers.Flatten()(layers.Conv2D(1, 4, padding="valid", dtype="float32", name="logit")(h))
    return keras.Model(images, [logits, maps[8], maps[16]], name="discriminator")


def reconstruction_sizes(size: int) -> tuple[int, int]:
    """Sides of the decoders' outputs: the whole image and one quadrant, at most 128 px."""
    return min(size, RECONSTRUCT_MAX), min(size // 2, RECONSTRUCT_MAX)


def _decoder(x, side: int, channels: int, width: int):
    """FastGAN's SimpleDecoder: (nearest x2, conv 3x3, BN, GLU) from 8x8 to `side`, conv 3x3,
    tanh. Channels per FastGAN's table x width / 2 (its decoders' nfc base is 32)."""
    resolution = x.shape[1]
    while resolution < side:
        resolution *= 2
        x = _up(x, max(2, int(G_MULTIPLIERS[resolution] * width // 2)), comp=False, noise=False)
    return layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32")(x)


def build_decoder(image_shape: tuple, width: int = 16) -> keras.Model:
    """[D's 8x8 map, D's 16x16 map, quadrant index] -> [the whole image, that quadrant],
    each at reconstruction_sizes."""
    size, _, channels = image_shape
    whole, part = reconstruction_sizes(size)
    small = keras.Input((8, 8, d_channels(8, width)), name="map_8")
    large = keras.Input((16, 16, d_channels(16, width)), name="map_16")
    index = keras.Input((), dtype="int32", name="quadrant")
    crop = Quadrant(name="crop")([large, index])
    return keras.Model([small, large, index], [_decoder(small, whole, channels, width),
                                               _decoder(crop, part, channels, width)],
                       name="discriminator_decoder")


def default_image_size(native_size: int | None) -> int:
    """64, 128 or 256, whichever is nearest the data's own size; 128 when unknown."""
    return 128 if native_size is None else nearest_size(native_size, (64, 128, 256))


# Not in the NETWORKS registry: D returns its maps beside the logits (the decoders read
# them), which the registry's discriminator role does not; the lightweight family builds these.
check_size = power_of_two(MIN_SIZE, MAX_SIZE, " (64 to 512 for real data)")
