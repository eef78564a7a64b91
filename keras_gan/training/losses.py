"""GAN losses: pure functions on discriminator logits.

Each loss is a pair (discriminator loss, generator loss); every function takes
logits (never probabilities) so one discriminator with a linear output serves
all losses, and BCE is computed stably through softplus:
-log(sigmoid(x)) = softplus(-x) and -log(1 - sigmoid(x)) = softplus(x).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from keras import ops

from keras_gan.registry import Registry


@dataclass(frozen=True)
class GANLoss:
    discriminator: Callable  # (real_logits, fake_logits) -> scalar
    generator: Callable  # (fake_logits) -> scalar
    summary: str
    gradient_penalty: float = 0.0  # weight of WGAN-GP's penalty added to the D loss
    # Training defaults this loss needs (TrainConfig fields left unset take them).
    defaults: dict = field(default_factory=dict)
    # "layer" where a per-sample penalty makes BatchNorm in D invalid (WGAN-GP paper, 4).
    discriminator_norm: str = "batch"
    # sigmoid(D) is a probability (BCE family), so the collapse watch can read the scores.
    probabilistic: bool = True
    # times this, the loss is the one the pix2pix/CycleGAN reference adds to its L1 terms:
    # its least squares is nn.MSELoss, without Mao et al.'s 1/2
    reference_scale: float = 1.0


LOSSES: Registry[GANLoss] = Registry("loss")


def bce_discriminator_loss(real_logits, fake_logits):
    """Binary cross-entropy: E[-log D(x)] + E[-log(1 - D(G(z)))].

    = mean(softplus(-real)) + mean(softplus(fake)). Goodfellow et al. 2014,
    "Generative Adversarial Nets".
    """
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def bce_generator_loss(fake_logits):
    """Non-saturating generator loss: E[-log D(G(z))] = mean(softplus(-fake)).

    Goodfellow et al. 2014, section 3: gives strong gradients early, when D
    rejects samples confidently.
    """
    return ops.mean(ops.softplus(-fake_logits))


def minimax_generator_loss(fake_logits):
    """The original minimax generator loss: E[log(1 - D(G(z)))] = -mean(softplus(fake)).

    Goodfellow et al. 2014, eq. 1. Saturates (vanishing gradients) when D is
    confident; kept for comparison and teaching.
    """
    return -ops.mean(ops.softplus(fake_logits))


def lsgan_discriminator_loss(real_logits, fake_logits):
    """Least squares: 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] on raw outputs.

    Mao et al. 2017, "Least Squares Generative Adversarial Networks" (a=0, b=c=1).
    """
    return 0.5 * ops.mean(ops.square(real_logits - 1.0)) + 0.5 * ops.mean(
        ops.square(fake_logits)
    )


def lsgan_generator_loss(fake_logits):
    """Least squares: 1/2 E[(D(G(z)) - 1)^2]. Mao et al. 2017."""
    return 0.5 * ops.mean(ops.square(fake_logits - 1.0))


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge: E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))].

    Lim & Ye 2017, "Geometric GAN"; Miyato et al. 2018 (SN-GAN).
    """
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """Hinge generator loss: -E[D(G(z))]. Lim & Ye 2017."""
    return -ops.mean(fake_logits)


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Wasserstein critic loss: E[D(G(z))] - E[D(x)].

    Arjovsky et al. 2017, "Wasserstein GAN"; with the gradient penalty of Gulrajani et al.
    2017 (added by the GAN, which has the images) it is WGAN-GP.
    """
    return ops.mean(fake_logits) - ops.mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Wasserstein generator loss: -E[D(G(z))]. Arjovsky et al. 2017."""
    return -ops.mean(fake_logits)


LOSSES.register(
    "bce",
    GANLoss(bce_discriminator_loss, bce_generator_loss, "non-saturating BCE (default)"),
)
LOSSES.register(
    "minimax",
    GANLoss(bce_discriminator_loss, minimax_generator_loss, "original minimax log(1 - D(G(z)))"),
)
LOSSES.register(
    "lsgan", GANLoss(lsgan_discriminator_loss, lsgan_generator_loss, "least squares (LSGAN)",
                     reference_scale=2.0)
)
LOSSES.register(
    "hinge", GANLoss(hinge_discriminator_loss, hinge_generator_loss, "hinge (SN-GAN style)")
)
LOSSES.register(
    "wgan_gp",
    GANLoss(
        wasserstein_discriminator_loss, wasserstein_generator_loss,
        "Wasserstein + gradient penalty (WGAN-GP; 5 critic steps, Adam 1e-4, betas 0/0.9)",
        gradient_penalty=10.0,  # lambda = 10, the paper's value for every experiment
        defaults={"d_steps": 5, "lr": 1e-4, "beta_1": 0.0, "beta_2": 0.9},  # paper, algorithm 1
        discriminator_norm="layer",
        probabilistic=False,
    ),
)
