"""`toy`: a seventh family defined outside the package, as a plugin (docs/architecture.md,
"Add a family").

A tiny noise-to-image GAN (one hidden Dense layer each side, 8 to 32 px), trained by the
package's own GAN model on the existing noise_to_image task, so it previews, scores,
exports and serves like gan and dcgan without a line changed in keras_gan/. It uses
only public names: keras_gan.FAMILIES, keras_gan.Family and the option helpers
(keras_gan.option, keras_gan.validate_options), and the gan family's model
(keras_gan.families.gan.GAN).

    KERAS_GAN_PLUGINS=docs/examples/toy_family.py keras-gan train --family toy --data FOLDER
    KERAS_GAN_PLUGINS=docs/examples/toy_family.py keras-gan export --run runs/00000-toy-FOLDER

KERAS_GAN_PLUGINS is read again by every later command (resume, sample, export), so the
run folder's "family": "toy" is found.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

from keras_gan import FAMILIES, Family, option, validate_options
from keras_gan.families.gan import GAN  # the gan family's model, reused as it is

MIN_SIZE, MAX_SIZE = 8, 32


@dataclass(frozen=True)
class ToyOptions:
    """The "model" section of a toy run's config.json; each option's metadata is its
    `train --family toy --help` text and allowed range."""

    family: str = "toy"
    latent_dim: int = option(16, "Latent size.", minimum=1)
    width: int = option(32, "Hidden units of the generator and the discriminator.", minimum=1)

    def validate(self) -> None:
        validate_options(self)


def networks(config) -> dict:
    """G: latent -> Dense(width) -> pixels (tanh); D: pixels -> Dense(width) -> one logit."""
    size, channels = config.data.image_size, config.data.channels
    width, latent_dim = config.model.width, config.model.latent_dim
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(width, activation="relu"),
        keras.layers.Dense(size * size * channels, activation="tanh"),
        keras.layers.Reshape((size, size, channels)),
    ], name="generator")
    discriminator = keras.Sequential([
        keras.Input((size, size, channels)),
        keras.layers.Flatten(),
        keras.layers.Dense(width),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Dense(1),
    ], name="discriminator")
    return {"generator": generator, "discriminator": discriminator}


def model(config, nets: dict, augment) -> GAN:
    train = config.train
    return GAN(nets["generator"], nets["discriminator"], config.model.latent_dim, seed=train.seed,
               ema_decay=train.ema, augment=augment, d_steps=train.d_steps, name="toy")


def default_image_size(native: int | None) -> int:
    """The data's own size within 8-32 px; 16 when unknown."""
    return 16 if native is None else min(max(native, MIN_SIZE), MAX_SIZE)


def check_size(size: int) -> str | None:
    return None if MIN_SIZE <= size <= MAX_SIZE else f"an image size from {MIN_SIZE} to {MAX_SIZE} pixels"


TOY = Family(options=ToyOptions, task="noise_to_image", layout="images", default_data="mnist_5k",
             networks=networks, model=model, default_image_size=default_image_size,
             check_size=check_size, summary="toy: a tiny MLP GAN from docs/examples (a plugin)",
             train_defaults={"batch_size": 16, "epochs": 5, "decay_epochs": 0, "loss": "bce"})

if "toy" not in FAMILIES:  # importing the file twice (a test, then the CLI) registers it once
    FAMILIES.register("toy", TOY)
