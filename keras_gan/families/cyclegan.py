"""`cyclegan` (Zhu et al. 2017) and `discogan` (Kim et al. 2017): unpaired translation
between two image domains, G: A -> B and F: B -> A, tied by a reconstruction loss.

CycleGAN, per batch as the reference implementation: a G update (G and F share one
optimizer) on the adversarial losses of G(A) against D_B and F(B) against D_A, plus
`cycle_weight` x (L1(F(G(A)), A) + L1(G(F(B)), B)), plus `identity_weight` x `cycle_weight`
x (L1(G(B), B) + L1(F(A), A)); then a D update (D_A and D_B share one optimizer), each D's
loss halved, on fakes drawn from a history pool of the last 50. LSGAN by default.

DiscoGAN overrides the two objectives (hooks, not a copied step): each direction's
generator loss is (0.1 x adversarial + 0.9 x feature matching) x (1 - rate) + rate x the
reconstruction MSE of the images it reconstructs, with rate 0.01 for the first
`curriculum_steps` steps and `recon_rate` (0.5) after (the SKTBrain reference); its
discriminators also return feature maps for the feature matching.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keras
from keras import ops

from keras_gan.training.distribute import global_mean
from keras_gan.errors import ConfigError
from keras_gan.families.model import GANModel
from keras_gan.families.family import Family, option
from keras_gan.families.pix2pix import TranslatorOptions, default_image_size
from keras_gan.families.pool import ImagePool
from keras_gan.data.pipeline import random_crop_flip
from keras_gan.training.losses import LOSSES
from keras_gan.networks import build_network, get_network, names
from keras_gan.networks.base import with_spectral_norm
from keras_gan.training.schedule import DECAY_SHARE
from keras_gan.tasks.two_way import TwoWayImageToImage

NETWORK_OF = {"AtoB": "generator_ab", "BtoA": "generator_ba"}
IDENTITY_WEIGHT = 0.5  # times the cycle weight, the paper's, where A and B have the same channels
log = logging.getLogger(__name__)


def l1(a, b):
    return ops.mean(ops.abs(ops.cast(a, "float32") - ops.cast(b, "float32")))


class CycleGAN(GANModel):
    NETWORKS = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")
    OPTIMIZERS = {"g_optimizer": ("generator_ab", "generator_ba"),
                  "d_optimizer": ("discriminator_a", "discriminator_b")}
    EMA_NETWORKS = ("generator_ab", "generator_ba")
    GENERATOR = "generator_ab"
    LOGS = ("d_loss", "g_loss", "g_adversarial", "cycle_a", "cycle_b", "identity",
            "real_score", "fake_score")

    def __init__(self, networks: dict, task: TwoWayImageToImage, cycle_weight: float = 10.0,
                 identity_weight: float = 0.5, pool_size: int = 50, adversarial_scale: float = 1.0,
                 seed: int | None = None, ema_decay: float | None = None, augment=None,
                 d_steps: int = 1, **kwargs):
        super().__init__(networks, task, seed=seed, ema_decay=ema_decay, augment=augment,
                         d_steps=d_steps, **kwargs)
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        self.adversarial_scale = float(adversarial_scale)
        size = task.image_size
        base = None if seed is None else seed + 3  # independent of latents, aux and augment
        self.pool_a = ImagePool(pool_size, (size, size, task.channels["a"]), base, name="pool_a")
        self.pool_b = ImagePool(pool_size, (size, size, task.channels["b"]),
                                None if base is None else base + 1, name="pool_b")

    def discriminate(self, network, images, training=True):
        """A discriminator's logits (the first output), float32; and its other outputs."""
        outputs = getattr(self, network)(self.discriminator_inputs(images), training=training)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        return ops.cast(outputs[0], "float32"), outputs[1:]

    def adversarial(self, network, fake):
        return self.adversarial_scale * self.gan_loss.generator(self.discriminate(network, fake)[0])

    # Hooks ----------------------------------------------------------------

    def generator_objective(self, a, b):
        """(G and F's loss, (fake A, fake B, {log name: value}))."""
        g, f = self.generator_ab, self.generator_ba
        fake_b, fake_a = g(a, training=True), f(b, training=True)
        cycle_a, cycle_b = l1(f(fake_b, training=True), a), l1(g(fake_a, training=True), b)
        adversarial = self.adversarial("discriminator_b", fake_b) + \
            self.adversarial("discriminator_a", fake_a)
        identity = ops.convert_to_tensor(0.0)
        if self.identity_weight:  # G should leave B alone, F should leave A alone
            identity = l1(g(b, training=True), b) + l1(f(a, training=True), a)
        loss = adversarial + self.cycle_weight * (cycle_a + cycle_b + self.identity_weight * identity)
        return loss, (fake_a, fake_b, {"g_adversarial": adversarial, "cycle_a": cycle_a,
                                       "cycle_b": cycle_b, "identity": identity})

    def discriminator_objective(self, a, b, fake_a, fake_b):
        """(D_A and D_B's loss, each halved, (real logits, fake logits) of D_B)."""
        losses, scores = [], None
        for network, real, fake in (("discriminator_a", a, self.pool_a(fake_a)),
                                    ("discriminator_b", b, self.pool_b(fake_b))):
            real_logits, fake_logits = self.discriminate(network, real)[0], self.discriminate(network, fake)[0]
            losses.append(0.5 * self.adversarial_scale * self.gan_loss.discriminator(real_logits, fake_logits))
            losses.append(self.penalized(lambda x, n=network: self.discriminate(n, x)[0], real, fake))
            scores = (real_logits, fake_logits)
        return ops.sum(ops.stack([ops.convert_to_tensor(x, "float32") for x in losses])), scores

    # The step ---------------------------------------------------------------

    def update(self, batch):
        a = ops.convert_to_tensor(batch["a"], dtype=self.compute_dtype)
        b = ops.convert_to_tensor(batch["b"], dtype=self.compute_dtype)
        g_loss, (fake_a, fake_b, parts) = self.optimize("g_optimizer",
                                                        lambda: self.generator_objective(a, b))
        fake_a, fake_b = ops.stop_gradient(fake_a), ops.stop_gradient(fake_b)
        d_losses = []
        for _ in range(self.d_steps):
            d_loss, (real_logits, fake_logits) = self.optimize(
                "d_optimizer", lambda: self.discriminator_objective(a, b, fake_a, fake_b))
            d_losses.append(d_loss)
            if self.augment is not None:
                self.augment.update(real_logits)
        return {"d_loss": ops.mean(ops.stack(d_losses)), "g_loss": g_loss, **parts,
                **self.score_logits(real_logits, fake_logits)}


class DiscoGAN(CycleGAN):
    LOGS = ("d_loss", "g_loss", "g_adversarial", "feature_matching", "recon_a", "recon_b",
            "real_score", "fake_score")

    def __init__(self, networks: dict, task: TwoWayImageToImage, feature_weight: float = 0.9,
                 recon_rate: float = 0.5, start_rate: float = 0.01, curriculum_steps: int = 10000,
                 **kwargs):
        super().__init__(networks, task, cycle_weight=1.0, identity_weight=0.0, pool_size=0,
                         **kwargs)
        self.feature_weight, self.recon_rate = float(feature_weight), float(recon_rate)
        self.start_rate, self.curriculum_steps = float(start_rate), int(curriculum_steps)

    def rate(self):
        """The reconstruction weight: start_rate during the curriculum, recon_rate after."""
        steps = ops.convert_to_tensor(self.g_optimizer.iterations)
        return ops.where(steps < self.curriculum_steps, self.start_rate, self.recon_rate)

    def feature_matching(self, network, real, fake):
        """Sum over D's feature maps of mean((E_batch[real] - E_batch[fake])^2), E over the
        global batch under tf.distribute (the square of per-replica means is another loss)."""
        real_features = self.discriminate(network, real)[1]
        fake_features = self.discriminate(network, fake)[1]
        return ops.sum(ops.stack([ops.mean(ops.square(global_mean(ops.cast(r, "float32"))
                                                      - global_mean(ops.cast(f, "float32"))))
                                  for r, f in zip(real_features, fake_features)]))

    def generator_objective(self, a, b):
        g, f = self.generator_ab, self.generator_ba
        fake_b, fake_a = g(a, training=True), f(b, training=True)
        mse = lambda x, y: ops.mean(ops.square(ops.cast(x, "float32") - ops.cast(y, "float32")))  # noqa: E731
        recon_a, recon_b = mse(f(fake_b, training=True), a), mse(g(fake_a, training=True), b)
        adversarial_b, adversarial_a = self.adversarial("discriminator_b", fake_b), \
            self.adversarial("discriminator_a", fake_a)
        matching_b = self.feature_matching("discriminator_b", b, fake_b)
        matching_a = self.feature_matching("discriminator_a", a, fake_a)
        rate, gan = self.rate(), 1.0 - self.feature_weight
        loss = ((gan * adversarial_b + self.feature_weight * matching_b) * (1 - rate) + rate * recon_a
                + (gan * adversarial_a + self.feature_weight * matching_a) * (1 - rate) + rate * recon_b)
        return loss, (fake_a, fake_b, {"g_adversarial": adversarial_a + adversarial_b,
                                       "feature_matching": matching_a + matching_b,
                                       "recon_a": recon_a, "recon_b": recon_b})


# Presets --------------------------------------------------------------------


@dataclass(frozen=True)
class CycleGANOptions(TranslatorOptions):
    """The "model" section of a cyclegan run's config.json."""

    family: str = "cyclegan"
    generator: str = option("resnet", "cyclegan: generator network of both directions.",
                            choices=tuple(names("translator")))
    discriminator: str = option("patchgan", "cyclegan: discriminator network of both domains "
                                "(instance norm).", choices=tuple(names("discriminator")))
    width: int = option(64, "cyclegan: base filters w of G and D (the paper's 64).", minimum=1)
    cycle_weight: float = option(10.0, "Weight of the cycle L1, each way (the paper's lambda).",
                                 minimum=0)
    identity_weight: float | None = option(
        None, f"Identity L1 weight, times the cycle weight (0: off; needs the same channels in "
        f"both domains) [default: {IDENTITY_WEIGHT}, or off when A and B differ in channels].",
        minimum=0)
    pool_size: int = option(50, "Fakes kept in each D's history pool (0: none).", minimum=0)
    jitter: bool = option(True, "Random jitter: resize to 286/256 and crop back, per image.")
    flip: bool = option(True, "Random horizontal flips.")
    spectral_norm: bool = option(False, "Spectral normalization on every discriminator "
                                        "Dense/Conv2D layer.")


@dataclass(frozen=True)
class DiscoGANOptions(TranslatorOptions):
    """The "model" section of a discogan run's config.json (the SKTBrain reference's values)."""

    family: str = "discogan"
    width: int = option(64, "discogan: base filters w of G and D.", minimum=1)
    feature_weight: float = option(0.9, "discogan: feature-matching share of the adversarial "
                                   "term (the rest is the GAN loss).", minimum=0, maximum=1)
    recon_rate: float = option(0.5, "discogan: reconstruction weight after the curriculum.",
                               minimum=0, maximum=1)
    start_rate: float = option(0.01, "discogan: reconstruction weight during the curriculum.",
                               minimum=0, maximum=1)
    curriculum_steps: int = option(10000, "discogan: steps at --start-rate.", minimum=0)
    jitter: bool = option(False, "Random jitter (off in the DiscoGAN reference).")
    flip: bool = option(False, "Random horizontal flips (off in the DiscoGAN reference).")
    spectral_norm: bool = option(False, "Spectral normalization on every discriminator "
                                        "Dense/Conv2D layer.")
    generator = "discogan"  # not options: DiscoGAN is its networks
    discriminator = "discogan"


def networks(config) -> dict:
    model, data = config.model, config.data
    size, channels = data.image_size, {"a": data.source_channels, "b": data.channels}
    built = {}
    for name, source, target in (("generator_ab", "a", "b"), ("generator_ba", "b", "a")):
        built[name] = build_network("translator", model.generator, (size, size, channels[source]),
                                    channels[target], model.width)
    norm = "instance" if model.discriminator == "patchgan" else \
        LOSSES.get(config.train.loss).discriminator_norm
    for domain in ("a", "b"):
        d = build_network("discriminator", model.discriminator, (size, size, channels[domain]),
                          model.width, norm)
        built[f"discriminator_{domain}"] = with_spectral_norm(d) if model.spectral_norm else d
    return built


def build_model(config, built: dict, augment) -> CycleGAN:
    model, train, data = config.model, config.train, config.data
    multiple = get_network("translator", model.generator).multiple(data.image_size)
    task = TwoWayImageToImage(data.source_channels, data.channels, multiple, data.image_size,
                              NETWORK_OF)
    common = {"seed": train.seed, "ema_decay": train.ema, "augment": augment,
              "d_steps": train.d_steps, "adversarial_scale": LOSSES.get(train.loss).reference_scale}
    if model.family == "discogan":
        return DiscoGAN(built, task, feature_weight=model.feature_weight,
                        recon_rate=model.recon_rate, start_rate=model.start_rate,
                        curriculum_steps=model.curriculum_steps, name="discogan", **common)
    identity = IDENTITY_WEIGHT if model.identity_weight is None else model.identity_weight
    return CycleGAN(built, task, cycle_weight=model.cycle_weight, identity_weight=identity,
                    pool_size=model.pool_size, name="cyclegan", **common)


def fill(config, data):
    """identity_weight unset: the paper's where A and B have the same channels, else off
    (the identity loss compares a domain's image with its translation); set: refused
    unless 0 when they differ."""
    if not hasattr(config.model, "identity_weight"):
        return config  # discogan
    identity, same = config.model.identity_weight, data.source_channels == data.channels
    if identity is None:
        if not same:
            log.info("Identity loss off: A has %d channels and B %d, so an image cannot be "
                     "compared with its translation (the default --identity-weight %g needs "
                     "the same channels).", data.source_channels, data.channels, IDENTITY_WEIGHT)
        return config.replace(model={"identity_weight": IDENTITY_WEIGHT if same else 0.0})
    if identity and not same:
        raise ConfigError(
            f"Invalid identity_weight: expected 0 when the domains differ in channels (A has "
            f"{data.source_channels}, B {data.channels}; pass --identity-weight 0, or leave it "
            f"out to turn the identity loss off). Received: identity_weight={identity}.")
    return config


def data_options(config) -> dict:
    return {"load_size": config.model.load_size(config.data.image_size)}


def transform(config):
    model = config.model
    return random_crop_flip(config.data.image_size, model.flip) if (model.jitter or model.flip) else None


def _check(network: str):
    def check(size: int) -> str | None:
        return get_network("translator", network).check_size(size)

    return check


COMMON = {"task": "two_way_image_to_image", "layout": "unpaired", "default_data": "mnist_colours",
          "networks": networks, "model": build_model, "default_image_size": default_image_size,
          "fill": fill, "transform": transform, "data_options": data_options}
CYCLEGAN = Family(
    options=CycleGANOptions, check_size=_check("resnet"),
    paper=('Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent '
          'Adversarial Networks" (ICCV)'),
    summary="CycleGAN: unpaired two-way translation, ResNet G, 70x70 PatchGAN D, cycle + identity L1",
    # the reference: batch 1, LSGAN, 200 epochs, the last half decaying (its 100 + 100);
    # mnist_colours sets its own
    train_defaults={"batch_size": 1, "epochs": 200, DECAY_SHARE: 0.5, "loss": "lsgan"}, **COMMON)
DISCOGAN = Family(
    options=DiscoGANOptions, check_size=_check("discogan"),
    paper=('Kim et al. 2017, "Learning to Discover Cross-Domain Relations with Generative '
          'Adversarial Networks" (ICML)'),
    summary="DiscoGAN: unpaired two-way translation, encoder-decoder G, feature matching, "
            "reconstruction curriculum (64 px)",
    # the SKTBrain reference: batch 64 at 64 px, BCE, no decay; it counts steps, not epochs
    train_defaults={"batch_size": 64, "epochs": 100, "loss": "bce"}, **COMMON)
