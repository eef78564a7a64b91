"""The two encoders of the matching model: captions and images into one embedding space.

text_encoder: token ids [B, L] (0 = padding) -> Embedding(mask_zero) -> bidirectional
    GRU (dim/2 units each way) -> sentence [B, dim]: the two final states concatenated,
    scaled to norm sqrt(dim). The GRU is unrolled (TFLite cannot lower its while loop
    for a dynamic batch); unrolled, Keras' backward pass over a masked sequence gives
    correct final states but zero per-step outputs, so the encoder offers no word
    features (DF-GAN conditions on the sentence alone).
    AttnGAN's DAMSM text encoder (Xu et al. 2018), an LSTM there.
image_encoder: images in [-1, 1] -> 3 stride-2 convs (4 above 32 px) + LeakyReLU 0.2 ->
    global average pool -> Dense(dim).

The matching loss and R-precision compare by cosine similarity; the GAN stage takes
the sentence vector as it is (norm sqrt(dim)) as its condition.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from keras_gan.errors import invalid


@keras.saving.register_keras_serializable(package="keras_gan")
class ScaledUnit(keras.layers.Layer):
    """x / ||x|| * scale along the last axis (0 stays 0).

    tf.math.l2_normalize, which TFLite runs as its L2_NORMALIZATION kernel (int8 too), not
    Keras' UnitNormalization: that clips rsqrt with min(., 1/eps), a constant of 1e6 that
    sets the int8 range of the whole normalisation (the int8 file's sentences came out
    uncorrelated with the float ones, cosine ~0; 0.999 this way)."""

    def __init__(self, scale: float = 1.0, epsilon: float = 1e-12, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.epsilon = float(scale), float(epsilon)

    def call(self, x):
        return tf.math.l2_normalize(x, axis=-1, epsilon=self.epsilon) * self.scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "epsilon": self.epsilon}


def text_encoder(vocab_size: int, length: int, dim: int = 128,
                 name: str = "text_encoder") -> keras.Model:
    """int32 token ids [B, length] -> sentence embedding [B, dim]."""
    if not isinstance(vocab_size, int) or vocab_size < 3:
        raise invalid("vocab_size", "an integer of at least 3 (padding, [UNK], one word)", vocab_size)
    if not isinstance(length, int) or length < 1:
        raise invalid("length", "a positive integer", length)
    if not isinstance(dim, int) or dim < 2 or dim % 2:
        raise invalid("dim", "a positive even integer (dim/2 GRU units each way)", dim)
    ids = keras.Input((length,), dtype="int32", name="token_ids")
    # mask_zero: padding is skipped by both GRU directions, so the backward pass starts
    # at the last word, not at the last pad, and the sentence does not depend on padding
    x = layers.Embedding(vocab_size, dim, mask_zero=True, name="token_embedding")(ids)
    _, forward, backward = layers.Bidirectional(
        layers.GRU(dim // 2, return_state=True, unroll=True, name="gru"), name="bigru")(x)
    states = layers.Concatenate(name="final_states")([forward, backward])
    # unit direction times sqrt(dim) (about 1 per dimension): matching is by cosine, so the
    # scale is free, and the GRU states it comes from are tiny (norm ~0.1), too small a
    # signal for G's affine layers and D to notice
    sentence = ScaledUnit(float(dim) ** 0.5, name="sentence")(states)
    return keras.Model(ids, sentence, name=name)


def image_encoder(image_shape: tuple, dim: int = 128, width: int = 32,
                  name: str = "image_encoder") -> keras.Model:
    """Images [B, H, W, C] in [-1, 1] -> embedding [B, dim]."""
    if (not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3
            or not all(isinstance(n, int) and n > 0 for n in image_shape)):
        raise invalid("image_shape", "(height, width, channels), positive integers", image_shape)
    if not isinstance(dim, int) or dim < 1:
        raise invalid("dim", "a positive integer", dim)
    if not isinstance(width, int) or width < 1:
        raise invalid("width", "a positive integer", width)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    side = min(image_shape[:2])
    for stage in range(4 if side > 32 else 3):  # down to 4 px (or below, for tiny images)
        x = layers.Conv2D(width * 2 ** stage, 4, strides=2, padding="same", name=f"conv{stage}")(x)
        x = layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{stage}")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    embedding = layers.Dense(dim, name="embedding")(x)
    return keras.Model(images, embedding, name=name)
