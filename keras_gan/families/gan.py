"""`gan` and `dcgan`: noise (plus a class label) in, image out.

GAN(generator, discriminator, latent_dim): a discriminator update (or d_steps of them,
each on its own slice of the batch), then a generator update, per batch. Variants are
hooks, not copies of the step: `discriminator_loss`, `penalty` (WGAN-GP),
`generator_loss`, `sample_latents`, `generator_inputs`, `discriminate`.

Under tf.distribute each replica's losses are divided by the replica count before the
gradients (GANModel.optimize), random numbers are drawn per replica, and the logged
losses are the unscaled means.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

from keras_gan.data.pipeline import random_flip
from keras_gan.errors import ConfigError
from keras_gan.families.model import GANModel, generate_in_batches
from keras_gan.families.family import Family, option, validate_options
from keras_gan.training.hardware import bfloat16_units
from keras_gan.latents import latents_for
from keras_gan.training.losses import LOSSES
from keras_gan.networks import conditional, dcgan, get_network, mlp
from keras_gan.networks.base import with_spectral_norm
from keras_gan.tasks.noise_to_image import NoiseToImage

log = logging.getLogger(__name__)


class GAN(GANModel):
    NETWORKS = ("generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",)}
    EMA_NETWORKS = ("generator",)
    LOGS = ("d_loss", "g_loss", "real_score", "fake_score")

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int,
                 seed: int | None = None, ema_decay: float | None = None,
                 num_classes: int | None = None, augment=None, d_steps: int = 1,
                 r1: float = 0.0, networks: dict | None = None, **kwargs):
        # networks: a variant's further networks (lightweight's decoders), by NETWORKS name
        super().__init__({"generator": generator, "discriminator": discriminator, **(networks or {})},
                         NoiseToImage(int(latent_dim), num_classes), seed=seed,
                         ema_decay=ema_decay, augment=augment, d_steps=d_steps, **kwargs)
        self.latent_dim = int(latent_dim)
        # Conditional (num_classes set): G takes [latent, label], D takes [images, label].
        self.num_classes = num_classes
        self.r1 = float(r1)  # gamma of the R1 penalty on real images; 0: off

    # Hooks for variants -------------------------------------------------

    def sample_latents(self, batch_size):
        return self.latent_random.normal((batch_size, self.latent_dim))

    def generator_inputs(self, latents, labels):
        """What G is called on: the latents, plus the class labels for a conditional GAN."""
        return latents if self.num_classes is None else [latents, labels]

    def discriminate(self, images, labels, training=True):
        """D's logits for images (augmented first when augmentation is on)."""
        images = self.discriminator_inputs(images)
        inputs = images if self.num_classes is None else [images, labels]
        # losses in float32 whatever D computes in (mixed precision)
        return ops.cast(self.discriminator(inputs, training=training), "float32")

    def discriminate_real(self, real, labels):
        """D's logits for the real images, and the variant's extra D losses on them by name
        (lightweight: the decoders' reconstruction), logged beside d_loss."""
        return self.discriminate(real, labels), {}

    def discriminator_loss(self, real, fake, real_logits, fake_logits):
        del real, fake  # for variants whose loss needs the images
        return self.gan_loss.discriminator(real_logits, fake_logits)

    def penalty(self, real, fake, labels):
        """Extra D loss terms: WGAN-GP's gradient penalty when the loss asks for one; R1
        (gamma / 2 * E||grad D(real)||^2, through the augmentation) when --r1 is set."""
        critic = lambda x: self.discriminate(x, labels)  # noqa: E731
        r1 = 0.0 if not self.r1 else 0.5 * self.r1 * self.real_gradient_penalty(critic, real)
        return self.penalized(critic, real, fake) + r1

    def gradient_penalty(self, real, fake, labels):
        """WGAN-GP's penalty of D (see GANModel.penalty_of)."""
        return self.penalty_of(lambda x: self.discriminate(x, labels), real, fake)

    def generator_loss(self, fake_logits):
        return self.gan_loss.generator(fake_logits)

    # Training -----------------------------------------------------------

    def unpack(self, data) -> dict:
        """A dict batch, or images, or (images, labels) as keras.Model.fit passes them."""
        if isinstance(data, dict):
            return data
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        return images if isinstance(images, dict) else {"image": images, "label": labels}

    def update(self, batch):
        real = ops.convert_to_tensor(batch["image"], dtype=self.compute_dtype)
        labels = batch.get("label")
        if labels is not None:
            labels = ops.convert_to_tensor(labels, dtype="int32")
        d_losses = []
        for i in range(self.d_steps):  # static: unrolled in the traced step
            part_real, part_labels = self._slice(real, labels, i)
            d_loss, (real_logits, fake_logits, extra) = self._discriminator_step(part_real, part_labels)
            d_losses.append(d_loss)

        # batch size from the tensor: the last batch of an epoch may be partial
        latents = self.sample_latents(ops.shape(part_real)[0])

        def g_loss():
            fake = self._generate_for_training(latents, part_labels)
            return self.generator_loss(self.discriminate(fake, part_labels)), None

        loss, _ = self.optimize("g_optimizer", g_loss)
        return {"d_loss": ops.mean(ops.stack(d_losses)), "g_loss": loss,
                **self.score_logits(real_logits, fake_logits), **extra}

    def _slice(self, real, labels, i):
        """The i-th of d_steps interleaved slices of the batch (never empty)."""
        part = self.slice_batch({"image": real, "label": labels}, i)
        return part["image"], part["label"]

    def _generate_for_training(self, latents, labels):
        # float32 images whatever G computes in (mixed precision), like the real batch
        images = self.generator(self.generator_inputs(latents, labels), training=True)
        return ops.cast(images, self.compute_dtype)

    def _discriminator_step(self, real, labels):
        latents = self.sample_latents(ops.shape(real)[0])
        fake = self._generate_for_training(latents, labels)

        def d_loss():
            real_logits, extra = self.discriminate_real(real, labels)
            fake_logits = self.discriminate(fake, labels)
            loss = (self.discriminator_loss(real, fake, real_logits, fake_logits)
                    + self.penalty(real, fake, labels))
            for term in extra.values():
                loss = loss + term
            return loss, (real_logits, fake_logits, extra)

        loss, logits = self.optimize("d_optimizer", d_loss)
        if self.augment is not None:
            self.augment.update(logits[0])
        return loss, logits

    # Library use --------------------------------------------------------

    def latents(self, n: int, seed: int = 0) -> np.ndarray:
        """The latents of seeds seed .. seed + n - 1 (keras_gan.latents: the rule every
        command and export shares; independent of training state)."""
        return latents_for(range(seed, seed + n), self.latent_dim)

    def sampling_inputs(self, latents: np.ndarray, labels=None):
        """G's inputs for `latents`; a conditional GAN cycles through the classes by default."""
        if self.num_classes is None:
            return latents
        if labels is None:
            labels = np.arange(len(latents)) % self.num_classes
        labels = np.broadcast_to(np.asarray(labels, dtype="int32"), (len(latents),))
        return [latents, np.ascontiguousarray(labels)]

    def grid_inputs(self, columns: int, seed: int = 0):
        """The fixed latents of the per-epoch grid: columns x columns images, or for a
        conditional GAN one row per class where each column shares its latent."""
        if self.num_classes is None:
            return self.latents(columns**2, seed)
        latents = np.tile(self.latents(columns, seed), (self.num_classes, 1))
        return self.sampling_inputs(latents, np.repeat(np.arange(self.num_classes), columns))

    def sample_images(self, inputs, batch_size: int = 256) -> np.ndarray:
        """The sampling generator's images in [-1, 1], NHWC float32, for G's `inputs`."""
        return generate_in_batches(self.sampling_generator, inputs, batch_size)

    def generate(self, n: int, seed: int = 0, batch_size: int = 256, labels=None) -> np.ndarray:
        """`n` images in [-1, 1], NHWC float32, from latents fixed by `seed`.

        labels (conditional GANs): one class for all, one per image, or None to cycle.
        """
        return self.sample_images(self.sampling_inputs(self.latents(n, seed), labels), batch_size)


# Presets --------------------------------------------------------------------


@dataclass(frozen=True)
class GANOptions:
    """The "model" section of a gan / dcgan run's config.json."""

    family: str = "gan"
    latent_dim: int | None = option(None, "Latent size.", minimum=1)  # option_defaults: the preset's
    width: int = option(64, "Base width w (dcgan: G starts at 8w channels).", minimum=1)
    spectral_norm: bool = option(False, "Spectral normalization on every discriminator "
                                        "Dense/Conv2D layer.")
    conditional: bool = option(False, "Class-conditional G and D (labelled data: mnist_5k, TFDS "
                                      "labels, one subfolder per class).")
    num_classes: int | None = option(None, "Classes of a conditional run.", minimum=2, filled=True)
    mirror: bool | None = option(None, "x-flip: show D each real image mirrored left-right half of "
                                       "the time (twice the data for free on small sets; not for text "
                                       "or digits). Default: dcgan on small RGB sets, else off.")
    r1: float | None = option(None, "R1 penalty gamma: D's loss gets gamma/2 * E||grad D(real)||^2 "
                                    "(Mescheder et al. 2018; StyleGAN2). 0: off. Default: dcgan "
                                    "on small RGB sets 1, else off.", minimum=0.0)

    def validate(self) -> None:
        validate_options(self)


def _transform(config):
    """--mirror: a random x-flip per real image, drawn from (seed, epoch, position)."""
    return random_flip if config.model.mirror else None


def _networks(network: str):
    """G and D from `network`'s generator and discriminator (conditional, spectral norm)."""

    def networks(config) -> dict:
        model, data = config.model, config.data
        shape = (data.image_size, data.image_size, data.channels)
        latent_dim = model.latent_dim
        if latent_dim is None:
            raise ValueError("The config is not resolved: latent_dim must be set (keras_gan.resolve).")
        norm = LOSSES.get(config.train.loss).discriminator_norm
        g_build = get_network("generator", network).build
        d_build = get_network("discriminator", network).build
        if model.conditional:
            if model.num_classes is None:
                raise ValueError("The config is not resolved: a conditional model needs num_classes.")
            generator = conditional.build_generator(g_build, latent_dim, shape, model.width,
                                                    model.num_classes)
            discriminator = conditional.build_discriminator(d_build, shape, model.width, norm,
                                                            model.num_classes)
        else:
            generator = g_build(latent_dim, shape, model.width)
            discriminator = d_build(shape, model.width, norm)
        if model.spectral_norm:
            discriminator = with_spectral_norm(discriminator)
        return {"generator": generator, "discriminator": discriminator}

    return networks


def _model(config, networks: dict, augment) -> GAN:
    model, train = config.model, config.train
    return GAN(networks["generator"], networks["discriminator"], model.latent_dim,
               seed=train.seed, ema_decay=train.ema,
               num_classes=model.num_classes if model.conditional else None,
               augment=augment, d_steps=train.d_steps, r1=model.r1 or 0.0, name="gan")


# dcgan on RGB sets smaller than this trains with SMALL_RGB_RECIPE unless told otherwise: on
# a few thousand emoji, flips and DiffAugment lowered domain_fd well below EMA alone, and R1
# lowered it further (benchmarks/quality.py; measured: benchmarks/RESULTS.md#small-rgb-recipe).
# Where the hardware computes bfloat16 natively it trains in mixed_bfloat16: faster there and
# no worse over three seeds (measured: benchmarks/RESULTS.md#precision).
SMALL_RGB_IMAGES = 10_000
SMALL_RGB_RECIPE = {"augment": "translation,color,cutout", "mirror": True, "r1": 1.0,
                    "precision": "mixed_bfloat16"}
OTHER_RECIPE = {"augment": "", "mirror": False, "r1": 0.0, "precision": "float32"}


def _recipe(config, data):
    """The data-dependent training recipe, for what was not set: x-flips, DiffAugment's
    low-shot policy, R1 and bfloat16 compute (where the hardware has it) for dcgan on
    small RGB sets; else all off."""
    small = (config.model.family == "dcgan" and config.data.channels == 3
             and data.count < SMALL_RGB_IMAGES)
    units = bfloat16_units() if small else None
    recipe = SMALL_RGB_RECIPE if small else OTHER_RECIPE
    if not units:  # bfloat16 only where the hardware computes it natively
        recipe = {**recipe, "precision": OTHER_RECIPE["precision"]}
    train = {k: recipe[k] for k in ("augment", "precision") if getattr(config.train, k) is None}
    model = {k: recipe[k] for k in ("mirror", "r1") if getattr(config.model, k) is None}
    chosen = ([f"DiffAugment {recipe['augment']}"] if "augment" in train else []) + (
        ["x-flips (--mirror)"] if "mirror" in model else []) + (
        [f"R1 gamma {recipe['r1']:g} (--r1)"] if "r1" in model else []) + (
        [f"bfloat16 compute ({units})"] if "precision" in train and units else [])
    if small and chosen:
        log.info("Small RGB set (%s images, under %s): %s; --augment none, --no-mirror, --r1 0, "
                 "--precision float32 turn them off.", f"{data.count:,}", f"{SMALL_RGB_IMAGES:,}",
                 ", ".join(chosen))
    return config.replace(train=train, model=model)


def _fill(config, data):
    return _with_classes(_recipe(config, data), data)


def _with_classes(config, data):
    """Class names and count from labelled data, for conditional runs."""
    if not config.model.conditional:
        return config
    if data.labels is None:
        raise ConfigError(
            f"Invalid data for --conditional: expected labelled images (mnist_5k, a TFDS set with "
            f"a class label, or a folder with one subfolder per class). Received: "
            f"{data.description}, which has no labels.")
    names = tuple(data.class_names)
    known = config.data.class_names
    if known is not None and tuple(known) != names:
        raise ConfigError(
            f"Invalid data: expected the classes this run was trained on, {list(known)}. "
            f"Received: {list(names)} in {data.description}.")
    return config.replace(data={"class_names": names}, model={"num_classes": len(names)})


def _presets() -> dict[str, Family]:
    common = {"options": GANOptions, "model": _model, "task": "noise_to_image", "layout": "images",
              "default_data": "mnist_5k", "fill": _fill, "transform": _transform,
              "train_defaults": {"batch_size": 64, "epochs": 100, "decay_epochs": 0, "loss": "bce"}}
    return {
        "gan": Family(networks=_networks("mlp"), option_defaults={"latent_dim": 100},
                      default_image_size=mlp.default_image_size,
                      check_size=mlp.check_size,
                      paper='Goodfellow et al. 2014, "Generative Adversarial Nets" (NeurIPS)',
                      summary="vanilla MLP GAN; trains at the data's own size (MNIST: 28x28)",
                      # XLA on CPUs: faster fit() at batch 256 but little gain at the default
                      # 64 or end to end, compiling takes several times longer (minutes with
                      # WGAN-GP's 5 unrolled critic steps), and the quick start ended worse on
                      # 2 of 3 seeds: opt-in (measured: benchmarks/RESULTS.md#xla).
                      # Steps of a few ms: up to 8,192 images per call into TF (32 steps at
                      # batch 256, an epoch of mnist_5k at 64) saves Keras' per-step work.
                      execution_images=8192,
                      **common),
        "dcgan": Family(networks=_networks("dcgan"), option_defaults={"latent_dim": 128},
                        default_image_size=dcgan.default_image_size,
                        check_size=dcgan.check_size,
                        paper=('Radford et al. 2016, "Unsupervised Representation Learning with '
                              'Deep Convolutional Generative Adversarial Networks" (ICLR)'),
                        summary="convolutional DCGAN, 32/64/128 px, grayscale or RGB (default 64)",
                        chooses={"augment": f"{SMALL_RGB_RECIPE['augment']} on RGB sets under "
                                            f"{SMALL_RGB_IMAGES:,} images",
                                 "precision": f"{SMALL_RGB_RECIPE['precision']} on RGB sets under "
                                              f"{SMALL_RGB_IMAGES:,} images where the hardware "
                                              "computes bfloat16 natively"},
                        # XLA makes its CPU step slower (measured: benchmarks/RESULTS.md#xla)
                        **common),
    }


PRESETS = _presets()
