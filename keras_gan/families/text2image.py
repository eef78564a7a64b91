"""`text2image`: text-to-image synthesis after DF-GAN (Tao et al. 2022, "DF-GAN: A Simple
and Effective Baseline for Text-to-Image Synthesis"); networks in keras_gan.networks.dfgan.

One run, two stages (keras_gan.families.stages: a function of the epoch, so it survives
resume):
1. encoders (the first `encoder_epochs`): the text encoder (keras_gan.text.text_encoder)
   and an image encoder learn a shared space with keras_gan.text.contrastive_loss on the
   batch's (image, caption) pairs, through their own optimizer, e_optimizer; G and D rest;
2. GAN: the text encoder, frozen (its output under stop_gradient, its variables in no GAN
   optimizer), turns each batch's caption token ids ("tokens", int32 [B, L]) into
   sentence embeddings, and G and D train as below.
Both encoders are networks of the model, so checkpoints carry them and resume restores
them. Per GAN batch (a dict with "image", float32 in [-1, 1], and "tokens"):

- D, hinge loss with mismatched captions as extra negatives (the paper's weighting):
      L_D = E[relu(1 - D(x, s))] + 1/2 (E[relu(1 + D(G(z, s), s))] + E[relu(1 + D(x, s'))])
  where s' is the batch's sentences rolled by one (another image's caption; the global
  batch's under tf.distribute), plus the Matching-Aware zero-centred Gradient Penalty on
  real pairs:
      MA-GP = k E[ ||(grad_x D(x, s), grad_s D(x, s))||_2 ^ p ],  k = 2, p = 6
  (the norm over both gradients flattened and concatenated, per sample);
- G: L_G = -E[D(G(z, s), s)] against the updated D.

The paper's loss is hinge, so compile() takes only loss="hinge" (the MA-GP's k and p are
tuned for it; a WGAN-GP penalty would stack a second one). Its Adam settings, G 1e-4 and
D 4e-4 with betas 0 / 0.9, are the preset's train_defaults (lr for G and the encoders,
d_lr for D). Data: the captions layout; `split` builds the vocabulary (saved with the run
as vocabulary.txt by the text_to_image task) and replaces the captions by their token
ids; 28 px digits are decoded as they are and padded to 32 (the networks take powers of
two).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gan.data import resolve_source
from keras_gan.data.captions import PROMPTS
from keras_gan.data.source import Data
from keras_gan.io.images import from_uint8, to_uint8
from keras_gan.networks import build_network, dfgan, get_network, names
from keras_gan.networks.base import nearest_size
from keras_gan.tasks.text_to_image import TextToImage
from keras_gan.text import build_vocabulary, image_encoder, text_encoder

from keras_gan.training.distribute import roll_batch
from keras_gan.errors import ConfigError, invalid
from keras_gan.families.model import GANModel
from keras_gan.families.family import Family, option, validate_options
from keras_gan.families.stages import TwoStages
from keras_gan.training.losses import LOSSES, GANLoss
from keras_gan.text import contrastive_loss

log = logging.getLogger(__name__)

ENCODERS, GAN = "encoders", "gan"
CAPTION_LENGTH = 16  # tokens per caption (longer ones are cut, shorter padded with 0)


class Text2Image(TwoStages, GANModel):
    FIRST, SECOND = ENCODERS, GAN
    NETWORKS = ("generator", "discriminator", "text_encoder", "image_encoder")
    OPTIMIZERS = {"d_optimizer": ("discriminator",), "g_optimizer": ("generator",),
                  "e_optimizer": ("text_encoder", "image_encoder")}
    EMA_NETWORKS = ("generator",)
    LOGS = ("d_loss", "g_loss", "d_real", "d_fake", "d_mismatch", "ma_gp", "real_score",
            "fake_score", "e_loss")

    def __init__(self, generator: keras.Model, discriminator: keras.Model,
                 text_encoder: keras.Model, image_encoder: keras.Model, task=None,
                 latent_dim: int = 100, encoder_epochs: int = 0, ma_gp_weight: float = 2.0,
                 ma_gp_power: float = 6.0, mismatch: bool = True, **kwargs):
        super().__init__({"generator": generator, "discriminator": discriminator,
                          "text_encoder": text_encoder, "image_encoder": image_encoder}, task,
                         **kwargs)
        self.latent_dim = int(latent_dim)
        self.init_stages(encoder_epochs)
        self.ma_gp_weight = float(ma_gp_weight)
        self.ma_gp_power = float(ma_gp_power)
        self.mismatch = bool(mismatch)

    def compile(self, *optimizers, loss: str | GANLoss = "hinge", **kwargs):
        hinge = LOSSES.get("hinge")
        if loss not in ("hinge", hinge):
            raise ConfigError("Invalid loss: expected 'hinge' for --family text2image (DF-GAN's "
                              f"loss; its MA-GP is tuned for it). Received: loss={loss!r}.")
        super().compile(*optimizers, loss=hinge, **kwargs)

    # Pieces --------------------------------------------------------------

    def encode(self, tokens):
        """Sentence embeddings [B, dim] of caption ids, float32, no gradient to the encoder."""
        sentence = self.text_encoder(ops.cast(tokens, "int32"), training=False)
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
            # rolled over the global batch: replicas pair captions as one device does
            d_mismatch = ops.mean(ops.relu(1.0 + self.discriminate(
                images, roll_batch(sentence, 1))))
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
        if self.stage == ENCODERS:
            return self.encoder_update(batch)
        return self.gan_update(batch)

    def encoder_update(self, batch):
        """Both encoders on the batch's matching pairs (the other captions as negatives)."""
        images = ops.convert_to_tensor(batch["image"], dtype="float32")
        tokens = ops.cast(batch["tokens"], "int32")

        def loss():
            sentence = self.text_encoder(tokens, training=True)
            return contrastive_loss(self.image_encoder(images, training=True), sentence), ()

        e_loss, _ = self.optimize("e_optimizer", loss)
        return {"e_loss": e_loss}

    def fake_for(self, part: dict):
        return self.generate(part["sentence"])

    def gan_update(self, batch):
        images = ops.convert_to_tensor(batch["image"], dtype="float32")
        terms = []

        def d_step(part, fake):
            d_loss, (d_terms, real_logits, fake_logits) = self.optimize(
                "d_optimizer", lambda: self.discriminator_loss(part["image"], part["sentence"], fake))
            if self.augment is not None:
                self.augment.update(real_logits)
            terms[:] = d_terms  # the last round's, for the logs
            return d_loss, (real_logits, fake_logits)

        part, fake, g_tape, d_loss, (real_logits, fake_logits) = self.discriminator_rounds(
            {"image": images, "sentence": self.encode(batch["tokens"])}, d_step)
        g_loss, _ = self.optimize("g_optimizer", lambda: self.generator_loss(fake, part["sentence"]),
                                  tape=g_tape)
        d_real, d_fake, d_mismatch, ma_gp = terms
        return {"d_loss": d_loss, "g_loss": g_loss, "d_real": d_real, "d_fake": d_fake,
                "d_mismatch": d_mismatch, "ma_gp": ma_gp, **self.score_logits(real_logits, fake_logits)}


# Options ----------------------------------------------------------------------


@dataclass(frozen=True)
class Text2ImageOptions:
    """The "model" section of a text2image run's config.json."""

    family: str = "text2image"
    generator: str = option("dfgan", "text2image generator network ([noise, sentence] -> image).",
                            choices=tuple(names("text_generator")))
    discriminator: str = option("dfgan", "text2image discriminator network ([image, sentence] "
                                "-> one logit).", choices=tuple(names("text_discriminator")))
    width: int = option(32, "text2image: base channels w of G and D (8w at 4x4; the paper's "
                        "nf = 32).", minimum=1)
    latent_dim: int = option(100, "Noise dimensions of G (the paper's 100).", minimum=1)
    sentence_dim: int = option(128, "Sentence embedding size of the text and image encoders "
                               "(G's and D's condition); even (a bidirectional GRU).", minimum=2)
    encoder_epochs: int = option(5, "Epochs at the start that train only the text and image "
                                 "encoders (contrastive matching), before the GAN stage.",
                                 minimum=0)
    encoder_lr: float = option(1e-3, "Adam rate of the encoder stage (betas 0.9 / 0.999; "
                               "--lr and --d-lr are G's and D's).", minimum=0)
    vocab_size: int | None = option(None, "Caption vocabulary size (padding and [UNK] "
                                    "included), from the training captions.", minimum=3,
                                    filled=True)
    ma_gp_weight: float = option(2.0, "Weight k of the matching-aware gradient penalty (the "
                                 "paper's 2; 0: none).", minimum=0)
    ma_gp_power: float = option(6.0, "Power p of the gradient norm in the MA-GP (the paper's 6).",
                                minimum=1)
    mismatch: bool = option(True, "Mismatched captions (the batch's, rolled by one) as extra "
                            "negatives for D.")

    def validate(self) -> None:
        validate_options(self)
        if not self.encoder_lr > 0:
            raise invalid("encoder_lr", "a learning rate > 0", self.encoder_lr)
        if self.sentence_dim % 2:
            raise invalid("sentence_dim", "an even number (dim/2 GRU units each way)",
                          self.sentence_dim)


# Preset -----------------------------------------------------------------------


def networks(config) -> dict:
    """G, D and the two encoders, in this order (same seed, same weights)."""
    model, data = config.model, config.data
    if model.vocab_size is None:
        raise ConfigError("Invalid vocab_size: expected the size of the caption vocabulary, "
                          "filled from the data (resolve the config first). Received: None.")
    shape = (data.image_size, data.image_size, data.channels or 1)
    dim = model.sentence_dim
    return {"generator": build_network("text_generator", model.generator, model.latent_dim, dim,
                                       shape, model.width),
            "discriminator": build_network("text_discriminator", model.discriminator, shape, dim,
                                           model.width),
            "text_encoder": text_encoder(model.vocab_size, CAPTION_LENGTH, dim),
            "image_encoder": image_encoder(shape, dim, width=model.width)}


def build_model(config, networks: dict, augment) -> Text2Image:
    model, train = config.model, config.train
    return Text2Image(networks["generator"], networks["discriminator"], networks["text_encoder"],
                      networks["image_encoder"], TextToImage(model.latent_dim),
                      latent_dim=model.latent_dim, encoder_epochs=model.encoder_epochs,
                      ma_gp_weight=model.ma_gp_weight, ma_gp_power=model.ma_gp_power,
                      mismatch=model.mismatch, seed=train.seed, ema_decay=train.ema,
                      augment=augment, d_steps=train.d_steps, name="text2image")


PAD_SHARE = 1 / 8  # at most this share of the training size is padding (28 px digits in 32)


def default_image_size(native: int | None) -> int:
    """The power of two nearest the data's size (28 px digits: 32), 64 when unknown."""
    sizes = [2 ** n for n in range(dfgan.MIN_SIZE.bit_length() - 1, dfgan.MAX_SIZE.bit_length())]
    return 64 if native is None else nearest_size(native, sizes)


def data_options(config) -> dict:
    """Decode at the data's own size where a thin border of padding reaches the training
    size (28 -> 32): digits are padded with black, not stretched; larger gaps are resized
    (a photo does not get a black frame)."""
    data = config.data
    native = resolve_source(data.name, "captions").native_size(data.name, data.data_dir)
    if native and native < data.image_size == dfgan.padded_size(native) and \
            data.image_size - native <= PAD_SHARE * data.image_size:
        return {"image_size": native}
    return {}


def split(config, data: Data) -> Data:
    """Captions -> token ids ("tokens", int32 [M, CAPTION_LENGTH]) with a vocabulary built
    on them (kept in data.extras with the preview prompts); images padded to the training
    size where decoded smaller (uint8 0 is -1, black)."""
    captions = data.fields["caption"]
    vocabulary = build_vocabulary(list(captions), length=CAPTION_LENGTH)
    tokens = np.asarray(vocabulary(list(captions))).astype("int32")
    images = np.asarray(data.fields["image"])
    size = config.data.image_size
    if images.shape[1] < size:
        images = to_uint8(dfgan.pad_to(from_uint8(images), size))
    fields = {"image": images, "tokens": tokens}
    if "label" in data.fields:
        fields["label"] = data.fields["label"]
    prompts = PROMPTS if config.data.name == "mnist_captions" else tuple(
        dict.fromkeys(captions.tolist()))[:len(PROMPTS)]
    return Data(fields=fields, description=data.description, skipped=data.skipped,
                class_names=data.class_names, heldout=data.heldout,
                extras={**data.extras, "vocabulary": vocabulary, "prompts": tuple(prompts)})


def fill(config, data: Data):
    if config.model.encoder_epochs >= config.train.total_epochs:
        log.warning("encoder_epochs=%d covers all %d epochs: this run trains the encoders only, "
                    "no GAN stage.", config.model.encoder_epochs, config.train.total_epochs)
    return config.replace(model={"vocab_size": data.extras["vocabulary"].vocabulary_size()})


def adam(config) -> dict:
    """The encoders' own Adam: contrastive matching learns at 1e-3 with the usual betas, far
    better than at G's 1e-4 with beta_1 0 (measured on captioned digits:
    benchmarks/RESULTS.md#text2image)."""
    return {"e_optimizer": {"learning_rate": config.model.encoder_lr, "beta_1": 0.9,
                            "beta_2": 0.999}}


def check_size(size: int) -> str | None:
    return get_network("text_generator", "dfgan").check_size(size)


PRESET = Family(options=Text2ImageOptions, task="text_to_image", layout="captions",
                default_data="mnist_captions", networks=networks, model=build_model,
                default_image_size=default_image_size, check_size=check_size, fill=fill,
                data_options=data_options, split=split, adam=adam,
                paper=('Tao et al. 2022, "DF-GAN: A Simple and Effective Baseline for Text-to-'
                      'Image Synthesis" (CVPR)'),
                summary="DF-GAN text-to-image: contrastive text/image encoders, then affine "
                        "text fusion G and one-way D with MA-GP",
                # the paper's Adam (G 1e-4, D 4e-4, betas 0 / 0.9) and hinge loss
                train_defaults={"batch_size": 64, "epochs": 25, "decay_epochs": 0,
                                "loss": "hinge", "lr": 1e-4, "d_lr": 4e-4, "beta_1": 0.0,
                                "beta_2": 0.9})
