"""`lightweight`: few-shot noise -> image at 64 to 512 px (Liu et al. 2021, "Towards Faster and
Stabilized GAN Training for High-fidelity Few-shot Image Synthesis", ICLR; FastGAN, and
lucidrains' lightweight-gan).

The GAN family's step with a self-supervised discriminator: D also returns its 8x8 and 16x16
maps, and on real images (as D saw them, augmented) a decoder network reconstructs the whole
image from the 8x8 map and a random quadrant from the matching crop of the 16x16 map; the
mean squared error of both (lightweight-gan's; FastGAN's LPIPS needs pretrained VGG weights)
is added to D's hinge loss, so D learns features that describe the image rather than only
what separates it from G's.

Defaults follow FastGAN (networks/lightweight.py for the networks): hinge loss, Adam 2e-4 with
betas (0.5, 0.999), batch 8, latent 256, EMA 0.999, x-flips of the reals, DiffAugment on
every image D sees. `--width` scales every channel count (FastGAN's ngf = ndf = 64 is
`--width 64`; the default is narrower for CPU budgets: benchmarks/RESULTS.md#lightweight).
"""

from __future__ import annotations

from dataclasses import dataclass

from keras import ops

from keras_gan.data.pipeline import random_flip
from keras_gan.families.family import Family, option, validate_options
from keras_gan.families.gan import GAN
from keras_gan.networks import lightweight


class LightweightGAN(GAN):
    NETWORKS = ("generator", "discriminator", "discriminator_decoder")
    OPTIMIZERS = {"d_optimizer": ("discriminator", "discriminator_decoder"),
                  "g_optimizer": ("generator",)}
    LOGS = ("d_loss", "g_loss", "real_score", "fake_score", "recon_loss")

    def __init__(self, generator, discriminator, decoder, latent_dim: int,
                 reconstruction: float = 1.0, **kwargs):
        super().__init__(generator, discriminator, latent_dim,
                         networks={"discriminator_decoder": decoder}, **kwargs)
        self.reconstruction = float(reconstruction)  # weight of the decoders' loss in D's

    def discriminate(self, images, labels, training=True):
        logits, _, _ = self.discriminator(self.discriminator_inputs(images), training=training)
        return ops.cast(logits, "float32")

    def discriminate_real(self, real, labels):
        seen = self.discriminator_inputs(real)  # reconstructed as D saw them
        logits, small, large = self.discriminator(seen, training=True)
        quadrant = ops.cast(self.aux_random.uniform((ops.shape(seen)[0],)) * 4.0, "int32")
        whole, part = self.discriminator_decoder([small, large, quadrant], training=True)
        seen = ops.cast(seen, "float32")
        error = (ops.mean(ops.square(whole - shrink(seen, whole.shape[1])))
                 + ops.mean(ops.square(part - shrink(lightweight.quadrant(seen, quadrant),
                                                     part.shape[1]))))
        return ops.cast(logits, "float32"), {"recon_loss": self.reconstruction * error}


def shrink(images, side: int):
    """Images averaged down to `side` (a power-of-two factor): the decoders' targets."""
    factor = images.shape[1] // side
    return images if factor == 1 else ops.average_pool(images, factor, factor)


@dataclass(frozen=True)
class LightweightOptions:
    """The "model" section of a lightweight run's config.json."""

    family: str = "lightweight"
    latent_dim: int = option(256, "Latent size (FastGAN's and lightweight-gan's 256).", minimum=1)
    width: int = option(16, "Channel scale: FastGAN's ngf = ndf (its 64 is the paper's networks; "
                            "G has 16w channels at 4x4, D 8w at 8x8).", minimum=1)
    noise: bool = option(False, "Noise injection in G's double-conv blocks while training "
                                "(FastGAN's NoiseInjection; samples and exports stay "
                                "deterministic).")
    reconstruction: float = option(1.0, "Weight of D's self-supervised reconstruction loss on "
                                         "real images (0: off).", minimum=0.0)
    mirror: bool | None = option(None, "x-flip: show D each real image mirrored left-right half "
                                       "of the time (FastGAN's loader does). Default: on for "
                                       "colour images, off for grayscale (digits, which a "
                                       "mirror changes).")

    def validate(self) -> None:
        validate_options(self)


def _fill(config, data):
    """x-flips unless set: on for colour images, off for grayscale ones."""
    if config.model.mirror is not None:
        return config
    return config.replace(model={"mirror": config.data.channels >= 3})


def _networks(config) -> dict:
    model, data = config.model, config.data
    shape = (data.image_size, data.image_size, data.channels)
    return {"generator": lightweight.build_generator(model.latent_dim, shape, model.width,
                                                     model.noise),
            "discriminator": lightweight.build_discriminator(shape, model.width),
            "discriminator_decoder": lightweight.build_decoder(shape, model.width)}


def _model(config, networks: dict, augment) -> LightweightGAN:
    model, train = config.model, config.train
    return LightweightGAN(networks["generator"], networks["discriminator"],
                          networks["discriminator_decoder"], model.latent_dim,
                          reconstruction=model.reconstruction, seed=train.seed,
                          ema_decay=train.ema, augment=augment, d_steps=train.d_steps,
                          name="lightweight")


PRESET = Family(
    options=LightweightOptions, networks=_networks, model=_model, task="noise_to_image",
    layout="images", default_data="mnist_5k",
    default_image_size=lightweight.default_image_size, check_size=lightweight.check_size,
    paper=('Liu et al. 2021, "Towards Faster and Stabilized GAN Training for High-fidelity Few-'
          'shot Image Synthesis" (ICLR)'),
    summary="FastGAN (Liu et al. 2021): few hundred to few thousand images, 64-512 px; "
            "skip-layer excitation, self-supervised D",
    fill=_fill, transform=lambda config: random_flip if config.model.mirror else None,
    train_defaults={"batch_size": 8, "epochs": 100, "decay_epochs": 0, "loss": "hinge",
                    "lr": 2e-4, "beta_1": 0.5, "beta_2": 0.999,
                    "augment": "translation,color,cutout"},
)
