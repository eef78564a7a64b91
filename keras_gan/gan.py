"""GAN(keras.Model): a discriminator update, then a generator update, per batch.

Follows the Keras 3 GAN shape from the keras.io guide "Customizing what happens
in fit() with TensorFlow": trackers and a SeedGenerator made in __init__,
compile() takes both optimizers, `metrics` lists the trackers so fit() resets
them each epoch. Variants override a hook (`discriminator_loss`,
`generator_loss`, `sample_latents`), not `train_step`.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gan.losses import LOSSES, GANLoss


class GAN(keras.Model):
    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int,
                 seed: int | None = None, ema_decay: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        # An exponential moving average of G's weights (Karras et al.): smoother samples than
        # the raw generator; updated after every G step, checkpointed, used for sampling.
        self.ema_decay = ema_decay
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        # Draws the training latents; its state is a variable, so checkpoints carry it.
        self.seed_generator = keras.random.SeedGenerator(seed, name="latent_seed")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_score_tracker = keras.metrics.Mean(name="real_score")
        self.fake_score_tracker = keras.metrics.Mean(name="fake_score")

    def compile(self, d_optimizer: keras.optimizers.Optimizer,
                g_optimizer: keras.optimizers.Optimizer, loss: str | GANLoss = "bce", **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.gan_loss = LOSSES.get(loss) if isinstance(loss, str) else loss
        # Built now, not lazily on the first step: loading a checkpoint into an
        # unbuilt optimizer silently skips its saved state.
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker,
                self.real_score_tracker, self.fake_score_tracker]

    def build(self, input_shape=None):
        # Both sub-models are functional and already built; nothing else has weights.
        self.built = True

    # Keras saves a layer's own variables but not its SeedGenerator state; add it
    # so a checkpoint continues the exact latent sequence.
    _SEED_KEY = "latent_seed_state"

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[self._SEED_KEY] = ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        keys = list(store.keys())
        if self._SEED_KEY in keys:
            self.seed_generator.state.assign(np.asarray(store[self._SEED_KEY]))
        super().load_own_variables({k: store[k] for k in keys if k != self._SEED_KEY})

    def call(self, latents, training=False):
        return self.generator(latents, training=training)

    # Hooks for variants -------------------------------------------------

    def sample_latents(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def discriminator_loss(self, real, fake, real_logits, fake_logits):
        del real, fake  # penalties such as WGAN-GP's need them
        return self.gan_loss.discriminator(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return self.gan_loss.generator(fake_logits)

    # Training -----------------------------------------------------------

    def train_step(self, data):
        real, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        real = ops.convert_to_tensor(real, dtype=self.compute_dtype)
        batch_size = ops.shape(real)[0]  # from the tensor: the last batch may be partial

        fake = self.generator(self.sample_latents(batch_size), training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = self.discriminator_loss(real, fake, real_logits, fake_logits)
        d_grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(d_grads, self.discriminator.trainable_variables))

        latents = self.sample_latents(batch_size)
        with tf.GradientTape() as tape:
            g_logits = self.discriminator(self.generator(latents, training=True), training=True)
            g_loss = self.generator_loss(g_logits)
        g_grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(g_grads, self.generator.trainable_variables))
        if self.ema_generator is not None:
            self._update_ema()

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_score_tracker.update_state(ops.mean(ops.sigmoid(real_logits)))
        self.fake_score_tracker.update_state(ops.mean(ops.sigmoid(fake_logits)))
        return {m.name: m.result() for m in self.metrics}

    def _update_ema(self):
        decay = self.ema_decay
        for average, current in zip(self.ema_generator.weights, self.generator.weights, strict=True):
            average.assign(decay * average + (1.0 - decay) * ops.cast(current, average.dtype))

    # Library use --------------------------------------------------------

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator for grids, `sample` and `export`: the EMA copy when there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def latents(self, n: int, seed: int = 0) -> np.ndarray:
        """`n` standard-normal latents that depend only on `seed` (not on training state)."""
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")

    def generate(self, n: int, seed: int = 0, batch_size: int = 256) -> np.ndarray:
        """`n` images in [-1, 1], NHWC float32, from latents fixed by `seed`."""
        return self.sampling_generator.predict(self.latents(n, seed), batch_size=batch_size,
                                               verbose=0)
