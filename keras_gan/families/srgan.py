"""`srgan`: single-image super-resolution (Ledig et al. 2017, "Photo-Realistic Single Image
Super-Resolution Using a Generative Adversarial Network").

One run, two stages, as the paper:
1. pretraining (the first `pretrain_epochs`): G alone on a pixel loss (MSE, the SRResNet
   baseline; or L1), D untouched;
2. adversarial: D learns to tell HR crops from G's upscales; G minimises the content loss
   + adversarial_weight (1e-3) x the adversarial loss. Content: the pixel loss (the
   paper's SRGAN-MSE), VGG19 features (SRGAN-VGG54: block5_conv4, after its ReLU, scaled
   by 1/12.75; weights from --vgg-weights or Keras' cached download), or D's own features
   (feature matching: no download).
The stage is a function of the epoch, so it survives resume; each stage traces its own
step (no tf.cond around optimizer updates, which tf.distribute cannot merge).

Data: any image set, decoded at the training size (images smaller are skipped and
counted, never upscaled); each step takes random `crop` x `crop` HR crops (flips and
90-degree rotations) and makes their LR inputs by antialiased bicubic downscaling
(keras_gan.io.resampling). A share of whole images is held out for previews and PSNR/SSIM.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gan.data.source import Data
from keras_gan.errors import ConfigError
from keras_gan.families.model import GANModel
from keras_gan.families.family import Family, option, validate_options
from keras_gan.families.stages import TwoStages
from keras_gan.training.losses import LOSSES
from keras_gan.networks import build_network, names
from keras_gan.networks.base import with_spectral_norm
from keras_gan.io.resampling import downscale, downscale_float, modcrop
from keras_gan.tasks.image_to_image import spread
from keras_gan.tasks.super_resolution import SuperResolution

log = logging.getLogger(__name__)

PRETRAIN, ADVERSARIAL = "pretrain", "adversarial"
MAX_HELDOUT = 100
VGG_LAYER, VGG_RESCALE = "block5_conv4", 12.75  # the paper's phi_5,4 and its rescaling
VGG_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"  # Keras' cached download


class _Frozen:
    """Holds a network out of Keras' tracking: the VGG19 of the content loss is fixed,
    is not the run's, and would add 80 MB to every checkpoint."""

    def __init__(self, network):
        self.network = network


def _rgb(images):
    """VGG sees colour: grey images repeated over three channels."""
    return ops.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


class SRGAN(TwoStages, GANModel):
    FIRST, SECOND = PRETRAIN, ADVERSARIAL
    NETWORKS = ("generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",)}
    EMA_NETWORKS = ("generator",)
    LOGS = ("d_loss", "g_loss", "g_content", "g_adversarial", "pixel", "real_score", "fake_score")

    def __init__(self, generator, discriminator, task: SuperResolution, pretrain_epochs: int = 0,
                 pixel_loss: str = "mse", content_loss: str = "pixel",
                 adversarial_weight: float = 1e-3, content_network=None, **kwargs):
        """content_network: a function that builds the content loss's network (VGG19 or D's
        features), called once before the first adversarial step: sampling, evaluating or
        exporting a run never needs VGG weights."""
        super().__init__({"generator": generator, "discriminator": discriminator}, task, **kwargs)
        self.pretrain_epochs = int(pretrain_epochs)
        self.init_stages(self.pretrain_epochs)
        self.pixel_loss = pixel_loss
        self.content_loss = content_loss
        self.adversarial_weight = float(adversarial_weight)
        self._content = _Frozen(None)
        self._content_builder = content_network

    def prepare_stage(self, stage: str) -> None:
        """Before `stage`'s step is traced: the content network, built outside the trace."""
        self.stage = stage
        if stage == ADVERSARIAL and self._content.network is None and self._content_builder:
            self._content.network = self._content_builder()

    # Losses --------------------------------------------------------------

    def pixel(self, fake, target):
        error = ops.cast(fake, "float32") - ops.cast(target, "float32")
        return ops.mean(ops.abs(error)) if self.pixel_loss == "l1" else ops.mean(ops.square(error))

    def content(self, fake, target):
        """The content loss of the adversarial stage, and the pixel loss (always logged)."""
        pixel = self.pixel(fake, target)
        if self.content_loss == "pixel":
            return pixel, pixel
        network = self._content.network
        if self.content_loss == "vgg":
            to_vgg = lambda x: keras.applications.vgg19.preprocess_input(  # noqa: E731
                (ops.cast(_rgb(x), "float32") + 1.0) * 127.5)
            real_features, fake_features = network(to_vgg(target)), network(to_vgg(fake))
            return ops.mean(ops.square((fake_features - real_features) / VGG_RESCALE)), pixel
        # both un-augmented: independent augmentation draws would match different pictures
        real_features = ops.stop_gradient(network(target, training=True))
        fake_features = network(fake, training=True)
        return ops.mean(ops.abs(ops.cast(fake_features, "float32") - ops.cast(real_features, "float32"))), pixel

    def discriminator_loss(self, target, fake):
        real_logits = self.discriminate(target)
        fake_logits = self.discriminate(fake)
        loss = self.gan_loss.reference_scale * self.gan_loss.discriminator(real_logits, fake_logits)
        loss += self.penalized(self.discriminate, target, fake)
        return loss, (real_logits, fake_logits)

    def _discriminator_step(self, part, fake):
        loss, logits = self.optimize("d_optimizer", lambda: self.discriminator_loss(part["target"], fake))
        if self.augment is not None:
            self.augment.update(logits[0])
        return loss, logits

    def discriminate(self, images, training=True):
        return ops.cast(self.discriminator(self.discriminator_inputs(images), training=training),
                        "float32")

    # Updates -------------------------------------------------------------

    def update(self, batch):
        source = ops.convert_to_tensor(batch["source"], dtype=self.compute_dtype)
        target = ops.convert_to_tensor(batch["target"], dtype=self.compute_dtype)
        if self.stage == PRETRAIN:
            loss, _ = self.optimize("g_optimizer", lambda: (self.pixel(
                self.generator(source, training=True), target), ()))
            return {"g_loss": loss, "pixel": loss}
        part, fake, g_tape, d_loss, (real_logits, fake_logits) = self.discriminator_rounds(
            {"source": source, "target": target}, self._discriminator_step)
        target = part["target"]

        def generator_loss():
            adversarial = self.gan_loss.reference_scale * self.gan_loss.generator(self.discriminate(fake))
            content, pixel = self.content(fake, target)
            return content + self.adversarial_weight * adversarial, (content, adversarial, pixel)

        g_loss, (content, adversarial, pixel) = self.optimize("g_optimizer", generator_loss, tape=g_tape)
        return {"d_loss": d_loss, "g_loss": g_loss, "g_content": content,
                "g_adversarial": adversarial, "pixel": pixel,
                **self.score_logits(real_logits, fake_logits)}


# Preset ---------------------------------------------------------------------


@dataclass(frozen=True)
class SRGANOptions:
    """The "model" section of an srgan run's config.json."""

    family: str = "srgan"
    scale: int = option(4, "Upscaling factor (x2 sub-pixel stages).", choices=(2, 4, 8))
    blocks: int = option(16, "Residual blocks of the SRResNet generator.", minimum=1)
    width: int = option(64, "srgan: channels of G's residual blocks and of D's first "
                        "convolution (the paper's 64).", minimum=1)
    bn: bool = option(True, "BatchNorm in the generator (--no-bn: ESRGAN's finding, fewer "
                      "artefacts).")
    crop: int = option(96, "HR training crop side (the paper's 96), cut to fit the image "
                       "size.", minimum=8)
    pretrain_epochs: int | None = option(None, "Pixel-loss (SRResNet) epochs first; "
                                         "default: half the epochs.",
                                         minimum=0)
    pixel_loss: str = option("mse", "The pretraining loss (and the pixel content loss).",
                             choices=("mse", "l1"))
    content_loss: str = option("pixel", "Content loss of the adversarial stage: pixel "
                               "(SRGAN-MSE), vgg (SRGAN-VGG54; needs weights) or feature "
                               "(D's).",
                               choices=("pixel", "vgg", "feature"))
    adversarial_weight: float = option(1e-3, "Weight of the adversarial loss beside the "
                                       "content loss (the paper's 1e-3).", minimum=0)
    vgg_weights: str | None = option(None, "VGG19 notop weights (.h5) for --content-loss vgg "
                                     "[default: Keras' cached download].")
    metric_space: str = option("y", "PSNR/SSIM on the Y channel of BT.601 YCbCr (the SR "
                               "literature's) or on RGB.", choices=("y", "rgb"))
    flip: bool = option(True, "srgan: random flips and 90-degree rotations of the training crops.")
    discriminator: str = option("srgan", "srgan discriminator network (the paper's VGG-style D).",
                                choices=tuple(names("discriminator")))
    spectral_norm: bool = option(False, "Spectral normalization on every discriminator "
                                        "Dense/Conv2D layer.")

    def validate(self) -> None:
        validate_options(self)

    def effective_crop(self, image_size: int) -> int:
        """The crop that fits: at most the image size, a multiple of the scale (its LR input
        has whole pixels). Small images train whole: a 28 px digit, not a 16 px part of it,
        so G sees the borders it is scored with."""
        return min(self.crop, image_size) // self.scale * self.scale


def vgg_features(weights: str | None) -> keras.Model:
    """VGG19 up to block5_conv4 (after its ReLU), from `weights` or Keras' cached file."""
    path = Path(weights).expanduser() if weights else Path(keras.utils.get_file.__globals__.get(
        "KERAS_HOME", Path.home() / ".keras")) / "models" / VGG_FILE
    if weights and not path.is_file():
        raise ConfigError(f"Invalid vgg_weights: expected a VGG19 notop weights file (.h5). "
                          f"Received: vgg_weights={weights!r}, which does not exist.")
    try:
        vgg = keras.applications.VGG19(include_top=False, weights=str(path) if path.is_file() else "imagenet")
    except Exception as err:  # noqa: BLE001 - offline: the download fails
        if weights:
            raise ConfigError(f"Invalid vgg_weights: expected a VGG19 notop weights file (.h5, "
                              f"{VGG_FILE}). Received: vgg_weights={weights!r}, which does not "
                              f"load ({type(err).__name__}: {str(err)[:200]}).") from err
        raise ConfigError(
            f"Invalid content_loss: 'vgg' needs the VGG19 ImageNet weights, which are not cached "
            f"and could not be downloaded ({type(err).__name__}). Pass --vgg-weights PATH to a "
            f"{VGG_FILE} copied from a machine online, or use --content-loss pixel or feature "
            "(no download). Received: content_loss='vgg'.") from err
    vgg.trainable = False
    return keras.Model(vgg.input, vgg.get_layer(VGG_LAYER).output, name="vgg54")


def networks(config) -> dict:
    model, data = config.model, config.data
    generator = build_network("upscaler", "srresnet", data.channels, model.scale, model.blocks,
                              model.width, model.bn)
    crop = model.effective_crop(data.image_size)
    discriminator = build_network("discriminator", model.discriminator, (crop, crop, data.channels),
                                  model.width, LOSSES.get(config.train.loss).discriminator_norm)
    if model.spectral_norm:
        discriminator = with_spectral_norm(discriminator)
    return {"generator": generator, "discriminator": discriminator}


def content_builder(config, discriminator):
    """A function that builds the content loss's network, or None (pixel content)."""
    if config.model.content_loss == "pixel":
        return None
    return lambda: content_network(config, discriminator)


def content_network(config, discriminator):
    model = config.model
    if model.content_loss == "vgg":
        return vgg_features(model.vgg_weights)
    if model.content_loss == "feature":  # D's last convolution block, after its activation
        last = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.LeakyReLU)][-2]
        return keras.Model(discriminator.input, last.output, name="d_features")
    return None


def build_model(config, networks: dict, augment) -> SRGAN:
    model, train, data = config.model, config.train, config.data
    task = SuperResolution(data.channels, model.scale, data.image_size)
    return SRGAN(networks["generator"], networks["discriminator"], task,
                 pretrain_epochs=model.pretrain_epochs or 0, pixel_loss=model.pixel_loss,
                 content_loss=model.content_loss, adversarial_weight=model.adversarial_weight,
                 content_network=content_builder(config, networks["discriminator"]),
                 seed=train.seed, ema_decay=train.ema, augment=augment, d_steps=train.d_steps,
                 name="srgan")


DEFAULT_SIZE = 256  # pictures this large hold many crops; a larger stored size only costs


def default_image_size(native: int | None) -> int:
    """The data's own size (SR learns fine detail: never upscale, nor shrink small
    pictures), up to DEFAULT_SIZE, which is also the size when unknown."""
    return DEFAULT_SIZE if native is None else min(native, DEFAULT_SIZE)


def check_size(size: int) -> str | None:
    return None if size >= 16 else "at least 16 pixels (one 16 px training crop)"


def split(config, data: Data) -> Data:
    """Holds out `holdout` of the images (spread over the set, at most MAX_HELDOUT) as
    whole-image pairs: LR source, modcropped HR target."""
    images = data.fields["image"]
    count = min(MAX_HELDOUT, max(1, round(len(images) * config.data.holdout)))
    if len(images) < 2:
        raise ConfigError(f"Invalid data: expected at least 2 images for --family srgan (one held "
                          f"out for scores). Received: {len(images)} in {data.description}.")
    pick = spread(len(images), count)
    keep = np.setdiff1d(np.arange(len(images)), pick)
    scale = config.model.scale
    target = modcrop(np.asarray(images[pick]), scale)
    return Data(fields={"image": np.asarray(images[keep])}, description=data.description,
                skipped=data.skipped, class_names=None,
                heldout={"source": downscale(target, scale), "target": target})


def fill(config, data: Data):
    model, train, size = config.model, config.train, config.data.image_size
    if size - size % model.scale <= 2 * model.scale:  # scores crop `scale` px from each border
        raise ConfigError(f"Invalid image_size: expected more than {2 * model.scale} px (plus up to "
                          f"{model.scale - 1} that do not divide by scale={model.scale}) for x"
                          f"{model.scale} super-resolution. Received: image_size={size}.")
    if model.pretrain_epochs is not None and model.pretrain_epochs >= train.epochs:
        log.warning("pretrain_epochs=%d covers all %d epochs: this run trains SRResNet only, no "
                    "adversarial stage.", model.pretrain_epochs, train.epochs)
    crop = model.effective_crop(size)
    if crop != model.crop:
        log.info("Training crops of %d px (the largest multiple of the scale within the %d px "
                 "images).", crop, config.data.image_size)
    pretrain = model.pretrain_epochs if model.pretrain_epochs is not None else train.epochs // 2
    weights = model.vgg_weights and str(Path(model.vgg_weights).expanduser().resolve())
    return config.replace(model={"crop": crop, "pretrain_epochs": pretrain, "vgg_weights": weights})


def transform(config):
    """Random HR crops (flipped and rotated by multiples of 90 degrees) and their LR inputs."""
    model = config.model
    crop = model.effective_crop(config.data.image_size)

    def make_pair(example, seed):
        image = example["image"]
        hr = tf.image.stateless_random_crop(image, [crop, crop, image.shape[-1]], seed=seed)
        if model.flip:
            hr = tf.image.stateless_random_flip_left_right(hr, seed=seed + [0, 1])
            turns = tf.random.stateless_uniform([], seed + [0, 2], 0, 4, dtype=tf.int32)
            hr = tf.image.rot90(hr, turns)
        return {"source": downscale_float(hr, model.scale), "target": hr}

    return make_pair


def data_options(config) -> dict:
    return {"min_side": config.data.image_size}


PRESET = Family(options=SRGANOptions, task="super_resolution", layout="images",
                default_data="mnist_5k", networks=networks, model=build_model,
                default_image_size=default_image_size, check_size=check_size, fill=fill,
                transform=transform, data_options=data_options, split=split,
                paper=('Ledig et al. 2017, "Photo-Realistic Single Image Super-Resolution Using a '
                      'Generative Adversarial Network" (CVPR)'),
                summary="SRGAN: x2/x4/x8 super-resolution, SRResNet G, VGG-style D, "
                        "pixel pretraining then adversarial",
                # the paper's Adam (lr 1e-4, beta_1 0.9) and batch 16
                train_defaults={"batch_size": 16, "epochs": 20, "decay_epochs": 0, "loss": "bce",
                                "lr": 1e-4, "beta_1": 0.9})
