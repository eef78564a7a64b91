"""The two encoders of the matching model: captions and images into one embedding space.

text_encoder: token ids [B, L] (0 = padding) -> Embedding(mask_zero) -> bidirectional
    GRU (dim/2 units each way) -> (sentence [B, dim] = the two final states
    concatenated, words [B, L, dim] = the per-token outputs, zero at padding).
    AttnGAN's DAMSM text encoder (Xu et al. 2018), an LSTM there.
image_encoder: images in [-1, 1] -> 3 stride-2 convs (4 above 32 px) + LeakyReLU 0.2 ->
    global average pool -> Dense(dim).

Neither normalises its embedding: the matching loss and R-precision do (cosine
similarity), and the GAN stage can use the raw sentence vector as its condition.
"""

from __future__ import annotations

import keras
from keras import layers

from keras_gan.errors import invalid


def text_encoder(vocab_size: int, length: int, dim: int = 128,
                 name: str = "text_encoder") -> keras.Model:
    """int32 token ids [B, length] -> (sentence embedding [B, dim], word features [B, length, dim])."""
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
    words, forward, backward = layers.Bidirectional(
        layers.GRU(dim // 2, return_sequences=True, return_state=True, unroll=True, name="gru"), name="bigru")(x)
    sentence = layers.Concatenate(name="sentence")([forward, backward])
    words = layers.Identity(name="words")(words)
    return keras.Model(ids, [sentence, words], name=name)


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
