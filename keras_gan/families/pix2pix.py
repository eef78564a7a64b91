"""`pix2pix`: paired image-to-image translation (Isola et al. 2017, "Image-to-Image
Translation with Conditional Adversarial Networks").

G maps a source image to a target image; D judges (source, image) stacked on the
channel axis, one logit per patch. Per batch, as the reference implementation:
one G forward pass; a D update on (source, target) as real and (source, G(source))
as fake with the loss halved; then a G update on the adversarial loss against the
updated D plus `l1_weight` x L1(G(source), target). Any registered loss works (BCE,
the paper's, by default; WGAN-GP adds its penalty on the stacked input).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
from keras import ops

from keras_gan.data.pipeline import random_crop_flip
from keras_gan.families.model import GANModel
from keras_gan.families.family import Family, option, validate_options
from keras_gan.training.losses import LOSSES
from keras_gan.networks import build_network, get_network, names
from keras_gan.networks.base import with_spectral_norm
from keras_gan.training.schedule import DECAY_SHARE
from keras_gan.tasks.image_to_image import ImageToImage


class Pix2Pix(GANModel):
    NETWORKS = ("generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",)}
    EMA_NETWORKS = ("generator",)
    LOGS = ("d_loss", "g_loss", "g_adversarial", "g_l1", "real_score", "fake_score")

    def __init__(self, generator: keras.Model, discriminator: keras.Model, task: ImageToImage,
                 l1_weight: float = 100.0, seed: int | None = None,
                 ema_decay: float | None = None, augment=None, d_steps: int = 1, **kwargs):
        super().__init__({"generator": generator, "discriminator": discriminator}, task,
                         seed=seed, ema_decay=ema_decay, augment=augment, d_steps=d_steps,
                         **kwargs)
        self.l1_weight = float(l1_weight)

    def discriminate(self, source, images, training=True):
        """D's patch logits for `images` given `source` (stacked, then augmented alike)."""
        stacked = ops.concatenate([source, ops.cast(images, source.dtype)], axis=-1)
        return ops.cast(self.discriminator(self.discriminator_inputs(stacked), training=training),
                        "float32")

    def update(self, batch):
        source = ops.convert_to_tensor(batch["source"], dtype=self.compute_dtype)
        target = ops.convert_to_tensor(batch["target"], dtype=self.compute_dtype)
        part, fake, g_tape, d_loss, (real_logits, fake_logits) = self.discriminator_rounds(
            {"source": source, "target": target},
            lambda part, fake: self._discriminator_step(part["source"], part["target"], fake))
        g_loss, (adversarial, l1) = self.optimize(
            "g_optimizer", lambda: self.generator_loss(part["source"], part["target"], fake),
            tape=g_tape)
        return {"d_loss": d_loss, "g_loss": g_loss,
                "g_adversarial": adversarial, "g_l1": l1,
                **self.score_logits(real_logits, fake_logits)}

    def discriminator_loss(self, source, target, fake):
        """(loss, (real logits, fake logits)): the loss halved, as the reference (D learns at
        half the rate of G), plus the loss's gradient penalty if it has one."""
        real_logits = self.discriminate(source, target)
        fake_logits = self.discriminate(source, fake)
        loss = 0.5 * self.gan_loss.reference_scale * self.gan_loss.discriminator(real_logits,
                                                                                 fake_logits)
        loss += self.penalized(lambda x: self.discriminate(source, x), target, fake)
        return loss, (real_logits, fake_logits)

    def _discriminator_step(self, source, target, fake):
        loss, logits = self.optimize("d_optimizer",
                                     lambda: self.discriminator_loss(source, target, fake))
        if self.augment is not None:
            self.augment.update(logits[0])
        return loss, logits

    def generator_loss(self, source, target, fake):
        """(adversarial + l1_weight x L1, (adversarial, L1)) against the current D."""
        adversarial = self.gan_loss.reference_scale * self.gan_loss.generator(
            self.discriminate(source, fake))
        l1 = ops.mean(ops.abs(ops.cast(target, "float32") - ops.cast(fake, "float32")))
        return adversarial + self.l1_weight * l1, (adversarial, l1)


# Preset ---------------------------------------------------------------------

LOAD_RATIO = 286 / 256  # jitter: resize to 286 for 256 crops (the paper's)


class TranslatorOptions:
    """What the image-to-image families' options share (each has a `jitter` field)."""

    def validate(self) -> None:
        validate_options(self)

    def load_size(self, image_size: int) -> int:
        """The size training images are stored at, for random crops of image_size."""
        return round(image_size * LOAD_RATIO) if self.jitter else image_size


@dataclass(frozen=True)
class Pix2PixOptions(TranslatorOptions):
    """The "model" section of a pix2pix run's config.json."""

    family: str = "pix2pix"
    generator: str = option("unet", "pix2pix generator network.", choices=tuple(names("translator")))
    discriminator: str = option("patchgan", "pix2pix discriminator network (sees source and "
                                "image stacked).", choices=tuple(names("discriminator")))
    width: int = option(64, "pix2pix: base filters w of G and D (the paper's ngf = ndf = 64).",
                        minimum=1)
    l1_weight: float = option(100.0, "Weight of L1(G(source), target) beside the adversarial "
                              "loss (the paper's lambda).", minimum=0)
    direction: str = option("AtoB", "Translate A to B (A/ -> B/, left half -> right half) or "
                            "B to A.", choices=("AtoB", "BtoA"))
    jitter: bool = option(True, "Random jitter: resize pairs to 286/256 of the size and crop a "
                          "random window back, the same for both images.")
    flip: bool = option(True, "Random horizontal flips, the same for both images of a pair.")
    spectral_norm: bool = option(False, "Spectral normalization on every discriminator "
                                        "Dense/Conv2D layer.")


def networks(config) -> dict:
    model, data = config.model, config.data
    source_shape = (data.image_size, data.image_size, data.source_channels)
    generator = build_network("translator", model.generator, source_shape, data.channels,
                              model.width)
    stacked = (data.image_size, data.image_size, data.source_channels + data.channels)
    discriminator = build_network("discriminator", model.discriminator, stacked, model.width,
                                  LOSSES.get(config.train.loss).discriminator_norm)
    if model.spectral_norm:
        discriminator = with_spectral_norm(discriminator)
    return {"generator": generator, "discriminator": discriminator}


def build_model(config, networks: dict, augment) -> Pix2Pix:
    model, train, data = config.model, config.train, config.data
    multiple = get_network("translator", model.generator).multiple(data.image_size)
    task = ImageToImage(data.source_channels, data.channels, multiple, data.image_size)
    return Pix2Pix(networks["generator"], networks["discriminator"], task,
                   l1_weight=model.l1_weight, seed=train.seed, ema_decay=train.ema,
                   augment=augment, d_steps=train.d_steps, name="pix2pix")


def default_image_size(native: int | None) -> int:
    """A power of two near the data's own size, 32 to 256 (the paper trains at 256)."""
    return 256 if native is None else int(min(256, max(32, 2 ** round(math.log2(native)))))


def check_size(size: int) -> str | None:
    return get_network("translator", "unet").check_size(size)  # U-Net or ResNet: powers of two


def transform(config):
    """Random crops of the stored load size back to the training size, and flips."""
    model = config.model
    if not (model.jitter or model.flip):
        return None
    return random_crop_flip(config.data.image_size, model.flip)


def data_options(config) -> dict:
    model = config.model
    return {"load_size": model.load_size(config.data.image_size), "direction": model.direction}


PRESET = Family(options=Pix2PixOptions, task="image_to_image", layout="pairs",
                default_data="mnist_outline", networks=networks, model=build_model,
                default_image_size=default_image_size,
                check_size=check_size, transform=transform, data_options=data_options,
                paper=('Isola et al. 2017, "Image-to-Image Translation with Conditional '
                      'Adversarial Networks" (CVPR)'),
                summary="Pix2Pix: paired image-to-image translation, U-Net G, 70x70 PatchGAN D",
                # batch 1 and 200 epochs, the last half decaying: the reference's 100 + 100
                # on facades (400 pairs: 80k steps); the offline mnist_outline demo sets its
                # own 5, none decaying
                train_defaults={"batch_size": 1, "epochs": 200, DECAY_SHARE: 0.5, "loss": "bce"})
