"""`text2image`: text-to-image synthesis after DF-GAN (Tao et al. 2022, "DF-GAN: A Simple
and Effective Baseline for Text-to-Image Synthesis"); networks in keras_gan.networks.dfgan.

A frozen, pretrained text encoder (keras_gan.text.text_encoder, trained by
keras_gan.text.pretrain_encoders) turns each batch's caption token ids ("tokens", int32
[B, L]) into sentence embeddings inside the step; it is held out of Keras' tracking, so
it is neither trained nor saved in the run's checkpoints. Per batch (a dict with "image",
float32 in [-1, 1], and "tokens"):

- D, hinge loss with mismatched captions as extra negatives (the paper's weighting):
      L_D = E[relu(1 - D(x, s))] + 1/2 (E[relu(1 + D(G(z, s), s))] + E[relu(1 + D(x, s'))])
  where s' is the batch's sentences rolled by one (another image's caption), plus the
  Matching-Aware zero-centred Gradient Penalty on real pairs:
      MA-GP = k E[ ||(grad_x D(x, s), grad_s D(x, s))||_2 ^ p ],  k = 2, p = 6
  (the norm over both gradients flattened and concatenated, per sample);
- G: L_G = -E[D(G(z, s), s)] against the updated D.

The paper's loss is hinge, so compile() takes only loss="hinge" (the MA-GP's k and p are
tuned for it; a WGAN-GP penalty would stack a second one). Its Adam settings, G 1e-4 and
D 4e-4 with betas 0 / 0.9, belong in the preset's train_defaults (TRAIN_DEFAULTS below:
lr for G, d_lr for D, which factory.build_model applies); the registration of this family
(keras_gan/families/__init__.py, resolve.py, factory.py: shared files) is left to a later
session, as are the text_to_image task (captions in, images out; previews of PROMPTS) and
the caption pipeline (tokens from keras_gan.text.vocabulary; 28 px digits padded to 32
with keras_gan.networks.dfgan.pad_to, since the networks take powers of two).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import keras
import tensorflow as tf
from keras import ops

from keras_gan.errors import ConfigError
from keras_gan.families.base import GANModel
from keras_gan.families.family import option, validate_options
from keras_gan.losses import LOSSES, GANLoss

# The paper's Adam: G 1e-4, D 4e-4, betas (0, 0.9); for the preset once registered.
TRAIN_DEFAULTS = {"loss": "hinge", "lr": 1e-4, "d_lr": 4e-4, "beta_1": 0.0, "beta_2": 0.9}


class _Frozen:
    """Holds the text encoder out of Keras' tracking: it is pretrained and fixed, so its
    weights are not the GAN's to train, checkpoint or average."""

    def __init__(self, network):
        self.network = network


class Text2Image(GANModel):
    NETWORKS = ("generator", "discriminator")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",)}
    EMA_NETWORKS = ("generator",)
    LOGS = ("d_loss", "g_loss", "d_real", "d_fake", "d_mismatch", "ma_gp", "real_score",
            "fake_score")

    def __init__(self, generator: keras.Model, discriminator: keras.Model,
                 text_encoder: keras.Model, task=None, latent_dim: int = 100,
                 ma_gp_weight: float = 2.0, ma_gp_power: float = 6.0, mismatch: bool = True,
                 **kwargs):
        super().__init__({"generator": generator, "discriminator": discriminator}, task,
                         **kwargs)
        self._text = _Frozen(text_encoder)
        self.latent_dim = int(latent_dim)
        self.ma_gp_weight = float(ma_gp_weight)
        self.ma_gp_power = float(ma_gp_power)
        self.mismatch = bool(mismatch)

    @property
    def text_encoder(self) -> keras.Model:
        return self._text.network

    def compile(self, *optimizers, loss: str | GANLoss = "hinge", **kwargs):
        hinge = LOSSES.get("hinge")
        if loss not in ("hinge", hinge):
            raise ConfigError("Invalid loss: expected 'hinge' for --arch text2image (DF-GAN's "
                              f"loss; its MA-GP is tuned for it). Received: loss={loss!r}.")
        super().compile(*optimizers, loss=hinge, **kwargs)

    # Pieces --------------------------------------------------------------

    def encode(self, tokens):
        """Sentence embeddings [B, dim] of caption ids, float32, no gradient to the encoder."""
        sentence, _ = self.text_encoder(ops.cast(tokens, "int32"), training=False)
        return ops.stop_gradient(ops.cast(sentence, "float32"))

    def generate(self, sentence, training=True):
        noise = self.latent_random.normal((ops.shape(sentence)[0], self.latent_dim))
        return self.generator([noise, sentence], training=training)

    def discriminate(self, images, sentence, training=True):
        images = self.discriminator_inputs(ops.convert_to_tensor(images, "float32"))
        sentence = ops.convert_to_tensor(sentence, "float32")
        return ops.cast(self.discriminator([images, sentence], training=training), "float32")

    def matching_gradient_penalty(self, images, sentence):
        """k E[||grad_(x, s) D(x, s)||^p] on real pairs (Tao et al. 2022, eq. 3), computed
        as (squared norm)^(p/2): no square root, so its own gradient is finite at 0."""
        images = ops.convert_to_tensor(images, "float32")
        sentence = ops.convert_to_tensor(sentence, "float32")
        with tf.GradientTape() as tape:
            tape.watch([images, sentence])
            logits = self.discriminate(images, sentence)
        grad_image, grad_sentence = tape.gradient(logits, [images, sentence])
        n = ops.shape(images)[0]
        flat = ops.concatenate([ops.reshape(grad_image, (n, -1)),
                                ops.reshape(grad_sentence, (n, -1))], axis=1)
        squared = ops.sum(ops.square(flat), axis=1)
        return self.ma_gp_weight * ops.mean(ops.power(squared, self.ma_gp_power / 2.0))

    def discriminator_loss(self, images, sentence, fake):
        """(loss, (terms, real logits, fake logits)); terms: real, fake, mismatch, MA-GP."""
        images, sentence = (ops.convert_to_tensor(t, "float32") for t in (images, sentence))
        real_logits = self.discriminate(images, sentence)
        fake_logits = self.discriminate(fake, sentence)
        d_real = ops.mean(ops.relu(1.0 - real_logits))
        d_fake = ops.mean(ops.relu(1.0 + fake_logits))
        if self.mismatch:
            d_mismatch = ops.mean(ops.relu(1.0 + self.discriminate(
                images, ops.roll(sentence, 1, axis=0))))
            loss = d_real + 0.5 * (d_fake + d_mismatch)
        else:
            d_mismatch = ops.zeros(())
            loss = d_real + d_fake
        ma_gp = (self.matching_gradient_penalty(images, sentence) if self.ma_gp_weight
                 else ops.zeros(()))
        return loss + ma_gp, ((d_real, d_fake, d_mismatch, ma_gp), real_logits, fake_logits)

    def generator_loss(self, fake, sentence):
        return self.gan_loss.generator(self.discriminate(fake, sentence)), ()

    # Updates -------------------------------------------------------------

    def update(self, batch):
        images = ops.convert_to_tensor(batch["image"], dtype="float32")
        sentence = self.encode(batch["tokens"])
        d_losses = []
        for i in range(self.d_steps):  # static: unrolled in the traced step
            part = self.slice_batch({"image": images, "sentence": sentence}, i)
            g_tape = tf.GradientTape() if i == self.d_steps - 1 else None
            with g_tape or contextlib.nullcontext():
                fake = ops.cast(self.generate(part["sentence"]), "float32")
            d_loss, (terms, real_logits, fake_logits) = self.optimize(
                "d_optimizer", lambda: self.discriminator_loss(
                    part["image"], part["sentence"], ops.stop_gradient(fake)))
            if self.augment is not None:
                self.augment.update(real_logits)
            d_losses.append(d_loss)
        g_loss, _ = self.optimize("g_optimizer", lambda: self.generator_loss(fake, part["sentence"]),
                                  tape=g_tape)
        d_real, d_fake, d_mismatch, ma_gp = terms
        return {"d_loss": ops.mean(ops.stack(d_losses)), "g_loss": g_loss, "d_real": d_real,
                "d_fake": d_fake, "d_mismatch": d_mismatch, "ma_gp": ma_gp,
                **self.score_logits(real_logits, fake_logits)}


# Options ----------------------------------------------------------------------


@dataclass(frozen=True)
class Text2ImageOptions:
    """The "model" section of a text2image run's config.json."""

    arch: str = "text2image"
    width: int = option(32, "text2image: base channels w of G and D (8w at 4x4; the paper's "
                        "nf = 32).", minimum=1)
    latent_dim: int = option(100, "Noise dimensions of G (the paper's 100).", minimum=1)
    sentence_dim: int | None = option(None, "Sentence embedding size, from the text encoder.",
                                      minimum=1, filled=True)
    ma_gp_weight: float = option(2.0, "Weight k of the matching-aware gradient penalty (the "
                                 "paper's 2; 0: none).", minimum=0)
    ma_gp_power: float = option(6.0, "Power p of the gradient norm in the MA-GP (the paper's 6).",
                                minimum=1)
    mismatch: bool = option(True, "Mismatched captions (the batch's, rolled by one) as extra "
                            "negatives for D.")

    def validate(self) -> None:
        validate_options(self)
