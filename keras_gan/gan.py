"""GAN(keras.Model): a discriminator update, then a generator update, per batch.

Follows the Keras 3 GAN shape from the keras.io guide "Customizing what happens
in fit() with TensorFlow": trackers and a SeedGenerator made in __init__,
compile() takes both optimizers, `metrics` lists the trackers so fit() resets
them each epoch. Variants override a hook (`discriminator_loss`,
`generator_loss`, `sample_latents`), not `train_step`.

Under tf.distribute (keras_gan.distribute) each replica's losses are divided by
the replica count before the gradients, random numbers are drawn per replica,
and the logged losses are the unscaled means.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gan.distribute import for_fit_logs, replicas_in_sync
from keras_gan.losses import LOSSES, GANLoss
from keras_gan.seeds import ReplicaRandom, SeedStates


def _per_replica(loss):
    """loss / replicas: the optimizer sums gradients over replicas, so this makes them the
    gradients of the global batch's mean loss (Keras' scale_loss_for_distribution)."""
    replicas = replicas_in_sync()
    return loss if replicas == 1 else loss * (1.0 / replicas)


def generate_in_batches(generator: keras.Model, inputs, batch_size: int = 256) -> np.ndarray:
    """generator(inputs) as float32 numpy, by direct calls: predict() builds a data
    pipeline per call (costlier than a 64-image grid) and, under a multi-worker
    strategy, needs every worker to call it."""
    parts = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    chunks = []
    for start in range(0, len(parts[0]), batch_size):
        chunk = [part[start:start + batch_size] for part in parts]
        out = generator(chunk if len(chunk) > 1 else chunk[0], training=False)
        chunks.append(ops.convert_to_numpy(out).astype("float32"))
    return np.concatenate(chunks)


class GAN(SeedStates, keras.Model):
    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int,
                 seed: int | None = None, ema_decay: float | None = None,
                 num_classes: int | None = None, augment=None, d_steps: int = 1, **kwargs):
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
        # Conditional (num_classes set): G takes [latent, label], D takes [images, label].
        self.num_classes = num_classes
        self.augment = augment  # a keras_gan.augment.DiffAugment in front of D, or None
        self.d_steps = int(d_steps)  # D updates per G update, each on its own slice of the batch
        # Draw the training latents / the other random numbers (gradient-penalty mixing);
        # their states are variables, so checkpoints carry them.
        self.seed_generator = keras.random.SeedGenerator(seed, name="latent_seed")
        self.aux_seed_generator = keras.random.SeedGenerator(
            None if seed is None else seed + 1, name="aux_seed")
        # per-replica draws under tf.distribute (one device: plain draws)
        self.latent_random = ReplicaRandom(self.seed_generator)
        self.aux_random = ReplicaRandom(self.aux_seed_generator)
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
        # Model.optimizer (Keras' default, unused: each net has its own) is built empty, or
        # fit() under a tf.distribute strategy builds it on every weight and checkpoints of
        # distributed runs no longer match single-device ones.
        if self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build([])

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker,
                self.real_score_tracker, self.fake_score_tracker]

    def build(self, input_shape=None):
        # Both sub-models are functional and already built; nothing else has weights.
        self.built = True

    # checkpointed by SeedStates (Keras does not save SeedGenerator states)
    SEED_STATES = {"latent_seed_state": "seed_generator", "aux_seed_state": "aux_seed_generator"}

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    # Hooks for variants -------------------------------------------------

    def sample_latents(self, batch_size):
        return self.latent_random.normal((batch_size, self.latent_dim))

    def generator_inputs(self, latents, labels):
        """What G is called on: the latents, plus the class labels for a conditional GAN."""
        return latents if self.num_classes is None else [latents, labels]

    def discriminate(self, images, labels, training=True):
        """D's logits for images (augmented first when augmentation is on)."""
        if self.augment is not None:
            images = self.augment(images)
        inputs = images if self.num_classes is None else [images, labels]
        # losses in float32 whatever D computes in (mixed precision)
        return ops.cast(self.discriminator(inputs, training=training), "float32")

    def discriminator_loss(self, real, fake, real_logits, fake_logits):
        del real, fake  # for variants whose loss needs the images
        return self.gan_loss.discriminator(real_logits, fake_logits)

    def penalty(self, real, fake, labels):
        """Extra D loss term: WGAN-GP's gradient penalty when the loss asks for one."""
        weight = self.gan_loss.gradient_penalty
        return 0.0 if not weight else weight * self.gradient_penalty(real, fake, labels)

    def gradient_penalty(self, real, fake, labels):
        """E[(||grad_x D(x)||_2 - 1)^2] at x = a*real + (1-a)*fake, a ~ U[0, 1] per sample.

        Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", algorithm 1.
        """
        shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
        mix = self.aux_random.uniform(shape, dtype=real.dtype)
        between = mix * real + (1.0 - mix) * fake
        with tf.GradientTape() as tape:
            tape.watch(between)
            logits = self.discriminate(between, labels)
        grads = tape.gradient(logits, between)
        norms = ops.sqrt(ops.sum(ops.square(grads), axis=list(range(1, len(real.shape)))) + 1e-12)
        return ops.mean(ops.square(norms - 1.0))

    def generator_loss(self, fake_logits):
        return self.gan_loss.generator(fake_logits)

    # Training -----------------------------------------------------------

    def train_step(self, data):
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        real = ops.convert_to_tensor(real, dtype=self.compute_dtype)
        if labels is not None:
            labels = ops.convert_to_tensor(labels, dtype="int32")
        d_losses = []
        for i in range(self.d_steps):  # static: unrolled in the traced step
            part_real, part_labels = self._slice(real, labels, i)
            d_loss, real_logits, fake_logits = self._discriminator_step(part_real, part_labels)
            d_losses.append(d_loss)

        # batch size from the tensor: the last batch of an epoch may be partial
        latents = self.sample_latents(ops.shape(part_real)[0])
        with tf.GradientTape() as tape:
            fake = self._generate_for_training(latents, part_labels)
            g_loss = self.generator_loss(self.discriminate(fake, part_labels))
            scaled = self.g_optimizer.scale_loss(_per_replica(g_loss))  # and under mixed_float16
        g_grads = tape.gradient(scaled, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(g_grads, self.generator.trainable_variables))
        if self.ema_generator is not None:
            self._update_ema()

        self.d_loss_tracker.update_state(ops.mean(ops.stack(d_losses)))
        self.g_loss_tracker.update_state(g_loss)
        self.real_score_tracker.update_state(ops.mean(ops.sigmoid(real_logits)))
        self.fake_score_tracker.update_state(ops.mean(ops.sigmoid(fake_logits)))
        logs = {m.name: m.result() for m in self.metrics}
        if self.augment is not None:
            logs["augment_p"] = ops.convert_to_tensor(self.augment.p)  # the value at epoch end
        return for_fit_logs(logs)

    def _slice(self, real, labels, i):
        """The i-th of d_steps interleaved slices of the batch (never empty)."""
        if self.d_steps == 1:
            return real, labels
        n = ops.shape(real)[0]
        index = tf.range(i % n, n, self.d_steps)
        return tf.gather(real, index), (None if labels is None else tf.gather(labels, index))

    def _generate_for_training(self, latents, labels):
        # float32 images whatever G computes in (mixed precision), like the real batch
        images = self.generator(self.generator_inputs(latents, labels), training=True)
        return ops.cast(images, self.compute_dtype)

    def _discriminator_step(self, real, labels):
        latents = self.sample_latents(ops.shape(real)[0])
        fake = self._generate_for_training(latents, labels)
        with tf.GradientTape() as tape:
            real_logits = self.discriminate(real, labels)
            fake_logits = self.discriminate(fake, labels)
            d_loss = (self.discriminator_loss(real, fake, real_logits, fake_logits)
                      + self.penalty(real, fake, labels))
            scaled = self.d_optimizer.scale_loss(_per_replica(d_loss))
        d_grads = tape.gradient(scaled, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(d_grads, self.discriminator.trainable_variables))
        if self.augment is not None:
            self.augment.update(real_logits)
        return d_loss, real_logits, fake_logits

    def _update_ema(self):
        # Warm-up as in tf.train.ExponentialMovingAverage(num_updates): min(decay, (1+t)/(10+t)),
        # so early in training the average follows G instead of lagging ~1/(1-decay) steps behind.
        steps = ops.cast(self.g_optimizer.iterations, "float32")
        decay = ops.minimum(self.ema_decay, (1.0 + steps) / (10.0 + steps))
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
