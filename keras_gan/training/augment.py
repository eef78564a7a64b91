"""Differentiable augmentation of D's inputs, fixed or adaptive.

DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient
GAN Training"): the same kind of random transform is applied to real and fake
images before the discriminator, in both the D and the G update, and every
transform is differentiable so G's gradient flows through it. Each transform is
applied to a sample with probability `p` (1 for fixed DiffAugment).

Adaptive mode (Karras et al. 2020, "Training Generative Adversarial Networks
with Limited Data", ADA): p starts at 0 and follows the overfitting heuristic
r_t = E[sign(D(real))]: above `target` D is overfitting and p rises, below it p
falls, by at most batch / (ADA_KIMG * 1000) per step. p is a variable of this
layer, so it is checkpointed; the exported generator never sees this layer.

Images are float in [-1, 1] (the package range); transforms follow the
reference DiffAugment code's ranges and draw from a keras_gan.training.seeds.ReplicaRandom,
so replicas under tf.distribute augment their samples differently.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from keras_gan.errors import invalid
from keras_gan.registry import Registry
from keras_gan.training.seeds import ReplicaRandom, SeedStates

# p can go from 0 to 1 in this many thousand real images (the ADA paper uses 500 for
# 70k-image sets trained on millions of images; our runs see ~100x fewer images).
ADA_KIMG = 100
ADA_TARGET = 0.6  # the ADA paper's r_t target
# When D has won outright for several epochs (keras_gan.training.callbacks.CollapseWatch), p jumps by
# this much at once: at ADA_KIMG's pace, 0.2 takes 20,000 images (300 steps at batch 64).
ADA_BOOST = 0.2


def translation(images, rng, ratio: float = 0.125):
    """Shift by up to 1/8 of the size (`ratio`) in x and y, filling with zeros (mid-grey)."""
    shape = ops.shape(images)
    n, h, w = shape[0], shape[1], shape[2]
    pad_h, pad_w = int(images.shape[1] * ratio + 0.5), int(images.shape[2] * ratio + 0.5)
    shift_y = rng.randint((n, 1, 1), -pad_h, pad_h + 1)
    shift_x = rng.randint((n, 1, 1), -pad_w, pad_w + 1)
    rows = ops.clip(ops.arange(h)[None, :, None] + shift_y + pad_h, 0, h + 2 * pad_h - 1)
    cols = ops.clip(ops.arange(w)[None, None, :] + shift_x + pad_w, 0, w + 2 * pad_w - 1)
    padded = ops.pad(images, [[0, 0], [pad_h, pad_h], [pad_w, pad_w], [0, 0]])
    flat = ops.reshape(padded, (n, -1, ops.shape(images)[3]))
    index = ops.reshape(rows * (w + 2 * pad_w) + cols, (n, -1))
    picked = ops.take_along_axis(flat, ops.expand_dims(index, -1), axis=1)
    return ops.reshape(picked, shape)


def cutout(images, rng, ratio: float = 0.5):
    """Zero (mid-grey) a random square half the image's size (`ratio`), per sample."""
    shape = ops.shape(images)
    n, h, w = shape[0], shape[1], shape[2]
    size_h, size_w = int(images.shape[1] * ratio + 0.5), int(images.shape[2] * ratio + 0.5)
    top = rng.randint((n, 1, 1), 0, images.shape[1] + 1 - size_h % 2)
    left = rng.randint((n, 1, 1), 0, images.shape[2] + 1 - size_w % 2)
    rows = ops.arange(h)[None, :, None] - (top - size_h // 2)
    cols = ops.arange(w)[None, None, :] - (left - size_w // 2)
    inside = (rows >= 0) & (rows < size_h) & (cols >= 0) & (cols < size_w)
    return images * ops.cast(ops.logical_not(inside), images.dtype)[..., None]


def color(images, rng):
    """Random brightness (+-0.5), saturation (x0..2) and contrast (x0.5..1.5)."""
    n = ops.shape(images)[0]
    dtype = images.dtype
    brightness = rng.uniform((n, 1, 1, 1), -0.5, 0.5, dtype=dtype)
    images = images + brightness
    saturation = rng.uniform((n, 1, 1, 1), 0.0, 2.0, dtype=dtype)
    gray = ops.mean(images, axis=3, keepdims=True)
    images = (images - gray) * saturation + gray
    contrast = rng.uniform((n, 1, 1, 1), 0.5, 1.5, dtype=dtype)
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * contrast + mean


def xflip(images, rng):
    """ADA's x-flip: mirror left-right, half the samples."""
    flip = rng.uniform((ops.shape(images)[0], 1, 1, 1)) < 0.5
    return ops.where(flip, ops.flip(images, axis=2), images)


def rotate90(images, rng):
    """ADA's 90-degree rotations: 0, 90, 180 or 270 degrees, equally likely (square images)."""
    k = rng.randint((ops.shape(images)[0], 1, 1, 1), 0, 4)
    turned = images
    for quarter in range(1, 4):
        turned = ops.where(k == quarter, ops.rot90(images, k=quarter, axes=(1, 2)), turned)
    return turned


def int_translation(images, rng, ratio: float = 0.125):
    """ADA's integer translation: shift by up to 1/8 of the size with wrap-around (no border
    to give the fake away, unlike the zero fill of `translation`)."""
    shape = ops.shape(images)
    n, h, w = shape[0], shape[1], shape[2]
    limit_h, limit_w = int(images.shape[1] * ratio + 0.5), int(images.shape[2] * ratio + 0.5)
    rows = (ops.arange(h)[None, :, None] + rng.randint((n, 1, 1), -limit_h, limit_h + 1)) % h
    cols = (ops.arange(w)[None, None, :] + rng.randint((n, 1, 1), -limit_w, limit_w + 1)) % w
    flat = ops.reshape(images, (n, -1, ops.shape(images)[3]))
    index = ops.reshape(rows * w + cols, (n, -1))
    return ops.reshape(ops.take_along_axis(flat, ops.expand_dims(index, -1), axis=1), shape)


TRANSFORMS: Registry = Registry("augmentation")
TRANSFORMS.register("translation", translation)
TRANSFORMS.register("cutout", cutout)
TRANSFORMS.register("color", color)
TRANSFORMS.register("xflip", xflip)
TRANSFORMS.register("rotate90", rotate90)
TRANSFORMS.register("int_translation", int_translation)
ADAPTIVE = "ada"
DEFAULT_POLICY = ("translation", "cutout", "color")


def parse_augment(spec: str | None) -> tuple[str, ...]:
    """"translation,color" / "ada" / "ada,translation" -> validated names in order; "",
    "none" or None -> ()."""
    spec = "" if spec is None or spec.strip().lower() == "none" else spec
    names = tuple(name.strip() for name in spec.split(",") if name.strip())
    unknown = [n for n in names if n != ADAPTIVE and n not in TRANSFORMS]
    if unknown or len(set(names)) != len(names):
        raise invalid("augment", f"a comma-separated subset of {', '.join(TRANSFORMS.names())} "
                      f"and/or {ADAPTIVE!r} (adaptive), each once", spec)
    return names


class DiffAugment(SeedStates, keras.layers.Layer):
    """Applies each transform in `policy` per sample with probability `p`.

    adaptive=True (ADA): p starts at 0 and is moved by `update(real_logits)` toward r_t = target.
    fixed_p: a fixed probability for every transform (--augment-p); None: always (p = 1).
    """

    SEED_STATES = {"augment_seed_state": "rng"}  # a resumed run draws the same augmentations

    def __init__(self, policy=DEFAULT_POLICY, adaptive: bool = False, target: float = ADA_TARGET,
                 seed: int | None = None, fixed_p: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.policy = tuple(policy)
        self.adaptive = adaptive
        self.target = target
        self.masked = adaptive or fixed_p is not None  # per-sample coin flips against p
        self.rng = keras.random.SeedGenerator(seed, name="augment_seed")
        self.random = ReplicaRandom(self.rng)
        start = 0.0 if adaptive else (1.0 if fixed_p is None else float(fixed_p))
        self.p = self.add_weight(shape=(), initializer=keras.initializers.Constant(start),
                                 trainable=False, name="p")
        # No weights depend on the input shape; built now, so fit() under a tf.distribute
        # strategy does not trace a symbolic call to build it.
        self.built = True

    def call(self, images):
        for name in self.policy:
            transformed = TRANSFORMS.get(name)(images, self.random)
            if self.masked:
                n = ops.shape(images)[0]
                chosen = self.random.uniform((n, 1, 1, 1)) < self.p
                transformed = ops.where(chosen, transformed, images)
            images = transformed
        return images

    def update(self, real_logits):
        """ADA step: p += sign(E[sign(D(real))] - target) * batch / (ADA_KIMG * 1000).

        Under tf.distribute the expectation and the batch are the global ones
        (all-reduced), so every replica moves p the same way.
        """
        if not self.adaptive:
            return
        signs = ops.sign(ops.cast(real_logits, "float32"))
        total, batch = ops.sum(signs), ops.cast(ops.shape(signs)[0], "float32")
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            total, batch = context.all_reduce(tf.distribute.ReduceOp.SUM, [total, batch])
        step = ops.sign(total / batch - self.target) * batch / (ADA_KIMG * 1000.0)
        self.p.assign(ops.clip(self.p + step, 0.0, 1.0))
