"""The seed -> latent rule: one seed, one latent, one image, wherever it is drawn.

`sample --seeds`, the per-epoch grids, `interpolate`, evaluation and the SavedModel's
`generate` / `generate_n` signatures all turn a seed into a latent with `seed_latents`, the
same TensorFlow ops, so image k of a grid drawn from seed S is the image of seed S + k
everywhere, pixel for pixel. An app feeding a TFLite or ONNX file reproduces it with
`reference_latents` (NumPy), a dozen lines to port to Kotlin, Swift or JavaScript (equal to
TensorFlow's float32 result up to float rounding, about 1e-6):

    hash32(x)  = lowbias32 on uint32 (wrapping): x ^= x >> 16; x *= 0x7feb352d;
                 x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16
    key(s)     = hash32(lo32(s) ^ hash32(hi32(s) ^ 0x9e3779b9))   (s: int64, two's complement)
    u(s, k)    = ((hash32(key(s) ^ hash32(k)) >> 8) + 0.5) / 2^24  (in (0, 1), exact in float32)
    latent[i]  = sqrt(-2 ln u(s, 2i)) * cos(2 pi u(s, 2i + 1))     (Box-Muller, i < latent_dim)

`--n N --seed S` is shorthand for seeds S .. S+N-1; the SavedModel's `generate_n(num_images=N,
seed=S)` draws the same seeds.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

RULE = "keras-gan lowbias32 Box-Muller v1"
RULE_TEXT = """\
hash32(x)  = x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16   (uint32, wrapping)
key(s)     = hash32(lo32(s) ^ hash32(hi32(s) ^ 0x9e3779b9))       (s: the int64 seed, two's complement)
u(s, k)    = ((hash32(key(s) ^ hash32(k)) >> 8) + 0.5) / 2^24     (float32, in (0, 1))
latent[i]  = sqrt(-2 ln u(s, 2i)) * cos(2 pi u(s, 2i + 1))        (float32, i = 0 .. latent_dim - 1)"""
GOLDEN = 0x9E3779B9
MULTIPLIERS = (0x7FEB352D, 0x846CA68B)


def _hash32_np(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.uint32)
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint32(16))
        x = x * np.uint32(MULTIPLIERS[0])
        x = x ^ (x >> np.uint32(15))
        x = x * np.uint32(MULTIPLIERS[1])
        return x ^ (x >> np.uint32(16))


def _hash32_tf(x):
    shift = lambda v, n: tf.bitwise.right_shift(v, tf.constant(n, tf.uint32))  # noqa: E731
    x = tf.bitwise.bitwise_xor(x, shift(x, 16))
    x = x * tf.constant(MULTIPLIERS[0], tf.uint32)
    x = tf.bitwise.bitwise_xor(x, shift(x, 15))
    x = x * tf.constant(MULTIPLIERS[1], tf.uint32)
    return tf.bitwise.bitwise_xor(x, shift(x, 16))


def reference_latents(seeds, latent_dim: int) -> np.ndarray:
    """The rule in NumPy: float32 [len(seeds), latent_dim] (the port target for apps)."""
    seeds = np.asarray(seeds, np.int64).reshape(-1).view(np.uint64)
    lo = (seeds & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    hi = (seeds >> np.uint64(32)).astype(np.uint32)
    key = _hash32_np(lo ^ _hash32_np(hi ^ np.uint32(GOLDEN)))
    counters = _hash32_np(np.arange(2 * latent_dim, dtype=np.uint32))
    bits = _hash32_np(key[:, None] ^ counters[None, :])
    u = (((bits >> np.uint32(8)).astype(np.float32) + np.float32(0.5)) / np.float32(2**24))
    u1, u2 = u[:, 0::2], u[:, 1::2]
    return (np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)).astype(np.float32)


def seed_latents(seeds, latent_dim: int):
    """The rule in TensorFlow ops: float32 [len(seeds), latent_dim] for int64 seeds (eager or
    inside a SavedModel signature; what every keras-gan command draws). Placed on the CPU,
    which has every uint32 kernel it needs (GPUs lack some), and costs microseconds."""
    with tf.device("/CPU:0"):
        seeds = tf.bitcast(tf.cast(tf.reshape(seeds, [-1]), tf.int64), tf.uint64)
        lo = tf.cast(tf.bitwise.bitwise_and(seeds, tf.constant(0xFFFFFFFF, tf.uint64)), tf.uint32)
        hi = tf.cast(tf.bitwise.right_shift(seeds, tf.constant(32, tf.uint64)), tf.uint32)
        key = _hash32_tf(tf.bitwise.bitwise_xor(lo, _hash32_tf(
            tf.bitwise.bitwise_xor(hi, tf.constant(GOLDEN, tf.uint32)))))
        counters = tf.constant(_hash32_np(np.arange(2 * latent_dim, dtype=np.uint32)))
        bits = _hash32_tf(tf.bitwise.bitwise_xor(key[:, None], counters[None, :]))
        mantissa = tf.cast(tf.bitwise.right_shift(bits, tf.constant(8, tf.uint32)), tf.float32)
        u = (mantissa + 0.5) / float(2**24)
        u1, u2 = u[:, 0::2], u[:, 1::2]
        return tf.sqrt(-2.0 * tf.math.log(u1)) * tf.cos(2.0 * math.pi * u2)


def latents_for(seeds, latent_dim: int) -> np.ndarray:
    """seed_latents as a NumPy array (for Keras models and files)."""
    if len(seeds) == 0:
        return np.zeros((0, latent_dim), np.float32)
    return seed_latents(tf.constant(np.asarray(seeds, np.int64)), latent_dim).numpy()


MAX_SEEDS = 4096  # as sample --n
MAX_SEED = 2**63 - 1  # seeds are int64


def parse_seeds(text: str) -> list[int]:
    """'0-3,10' -> [0, 1, 2, 3, 10] (StyleGAN's --seeds syntax); ValueError if malformed, past
    int64 or more than MAX_SEEDS seeds."""
    seeds = []
    for part in (p.strip() for p in text.split(",")):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"{part!r} is not a seed (0, 1, ...) or a range (4-6)")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"the range {part!r} runs backwards")
        if last > MAX_SEED:
            raise ValueError(f"{part!r} is past the largest seed, {MAX_SEED}")
        if len(seeds) + last - first + 1 > MAX_SEEDS:
            raise ValueError(f"more than {MAX_SEEDS} seeds")
        seeds.extend(range(first, last + 1))
    return seeds
