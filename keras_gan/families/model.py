"""GANModel: the one training skeleton every family shares.

A family is a keras.Model subclass with **named networks and named optimizers**
(the naming of the PyTorch CycleGAN/pix2pix repository's BaseModel):

- NETWORKS: the attributes that hold its networks ("generator", "discriminator", ...);
- OPTIMIZERS: optimizer attribute -> the networks it trains ("d_optimizer": ("discriminator",));
- EMA_NETWORKS: networks that get an exponential-moving-average copy, ema_<name>;
- GENERATOR: the network that samples, previews and is exported (its EMA copy if any);
- LOGS: the per-step numbers fit() averages per epoch and history.csv records.

`train_step` is written once, here: the family's `update(batch)` hook computes its losses
through `optimize(optimizer, loss_fn)`, which differentiates, scales for tf.distribute
replicas and float16 loss scaling, and applies the gradients; then the EMA copies move and
the trackers update. Checkpoints (weights, every optimizer, seed states), checkpoint
metadata (a step counter per optimizer), NaN rollback (halve every optimizer) and export
read these names, so they work for any number of networks.

Attribute names are the checkpoint layout: Keras saves each under its attribute name,
so a family keeps its names forever once runs exist.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Callable, ClassVar

import keras
import tensorflow as tf
from keras import ops

from keras_gan.training.augment import ADA_BOOST
from keras_gan.training.distribute import (for_fit_logs, global_batch_means, replica_share,
                                  replicas_in_sync)
from keras_gan.training.losses import LOSSES, GANLoss
from keras_gan.training.seeds import ReplicaRandom, SeedStates
from keras_gan.networks.base import generate_in_batches  # noqa: F401 (imported from here too)


def per_replica(loss, share=None):
    """loss x this replica's share of the global batch: the optimizer sums gradients over
    replicas, so this makes them the gradients of the global batch's mean loss (Keras'
    scale_loss_for_distribution, which divides by the replica count, is right only when the
    batch splits evenly; an epoch's last batch may not). `share` None: 1 / replicas."""
    if share is not None:
        return loss * ops.cast(share, loss.dtype)
    replicas = replicas_in_sync()
    return loss if replicas == 1 else loss * (1.0 / replicas)


# The step being traced, per thread: MirroredStrategy traces each replica's train_step in a
# thread of its own, at the same time, so an attribute of the (shared) model would mix them up.
_STEP = threading.local()


def batch_rows(batch: dict):
    """Rows of this replica's batch (every named tensor of a step has as many)."""
    return ops.shape(next(iter(batch.values())))[0]


def all_layers(model: keras.Model) -> list:
    """Every layer of a model, nested models' layers included."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found.extend(all_layers(layer))
    return found


class GANModel(SeedStates, keras.Model):
    """The base of every family's model: named networks and optimizers, one train_step
    (the family's `update(batch)` computes its losses through `optimize`); see the module
    docstring for the names a subclass sets."""

    NETWORKS: ClassVar[tuple[str, ...]] = ()
    OPTIMIZERS: ClassVar[dict[str, tuple[str, ...]]] = {}
    EMA_NETWORKS: ClassVar[tuple[str, ...]] = ()
    GENERATOR: ClassVar[str] = "generator"
    LOGS: ClassVar[tuple[str, ...]] = ()
    # checkpointed by SeedStates (Keras does not save SeedGenerator states)
    SEED_STATES = {"latent_seed_state": "seed_generator", "aux_seed_state": "aux_seed_generator"}

    def __init__(self, networks: dict[str, keras.Model], task, seed: int | None = None,
                 ema_decay: float | None = None, augment=None, d_steps: int = 1, **kwargs):
        super().__init__(**kwargs)
        if set(networks) != set(self.NETWORKS):
            raise ValueError(f"{type(self).__name__} needs the networks {self.NETWORKS}; "
                             f"received {tuple(networks)}.")
        for name, network in networks.items():
            setattr(self, name, network)
        # An exponential moving average of G's weights (Karras et al.): smoother samples than
        # the raw generator; updated after every step of its optimizer, checkpointed, sampled.
        self.ema_decay = ema_decay
        for name in self.EMA_NETWORKS:
            setattr(self, f"ema_{name}", self._ema_copy(networks[name]) if ema_decay else None)
        self.task = task  # keras_gan.tasks: what crosses the model boundary
        self.augment = augment  # a keras_gan.training.augment.DiffAugment in front of D, or None
        self.d_steps = int(d_steps)  # D updates per G update, each on its own slice of the batch
        # The training latents / the other random numbers (gradient-penalty mixing); their
        # states are variables, so checkpoints carry them.
        self.seed_generator = keras.random.SeedGenerator(seed, name="latent_seed")
        self.aux_seed_generator = keras.random.SeedGenerator(
            None if seed is None else seed + 1, name="aux_seed")
        # per-replica draws under tf.distribute (one device: plain draws)
        self.latent_random = ReplicaRandom(self.seed_generator)
        self.aux_random = ReplicaRandom(self.aux_seed_generator)
        for name in self.LOGS:
            setattr(self, f"{name}_tracker", keras.metrics.Mean(name=name))

    @staticmethod
    def _ema_copy(network: keras.Model) -> keras.Model:
        copy = keras.models.clone_model(network)
        copy.set_weights(network.get_weights())
        copy.trainable = False
        return copy

    # Names ---------------------------------------------------------------

    @property
    def networks(self) -> dict[str, keras.Model]:
        return {name: getattr(self, name) for name in self.NETWORKS}

    @property
    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {name: getattr(self, name) for name in self.OPTIMIZERS}

    def trainable_for(self, optimizer: str) -> list:
        return [v for name in self.OPTIMIZERS[optimizer] for v in getattr(self, name).trainable_variables]

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator for grids, `sample`, `translate` and `export`: its EMA copy if any."""
        return self.sampling_network(self.GENERATOR)

    def sampling_network(self, name: str) -> keras.Model:
        """A network as previews, metrics and exports use it: its EMA copy if it has one."""
        ema = getattr(self, f"ema_{name}", None)
        return ema if ema is not None else getattr(self, name)

    def seed_state_items(self):
        """SeedStates: the model's own generators, plus those of layers inside the trained
        networks (Dropout draws its masks from one), so a resumed run draws the same masks."""
        items = super().seed_state_items()
        for network_name in self.NETWORKS:
            for layer in all_layers(getattr(self, network_name)):
                generator = getattr(layer, "seed_generator", None)
                if isinstance(generator, keras.random.SeedGenerator):
                    items.append((f"seed:{network_name}:{layer.name}", generator))
        return items

    # Keras ---------------------------------------------------------------

    def compile(self, *optimizers, loss: str | GANLoss = "bce", **kwargs):
        """compile(d_optimizer, g_optimizer, loss=...): one optimizer per OPTIMIZERS name,
        positional in that order or by name."""
        named = dict(zip(self.OPTIMIZERS, optimizers))
        named.update({name: kwargs.pop(name) for name in self.OPTIMIZERS if name in kwargs})
        missing = [name for name in self.OPTIMIZERS if name not in named]
        if missing or len(optimizers) > len(self.OPTIMIZERS):
            raise TypeError(f"{type(self).__name__}.compile takes the optimizers "
                            f"{', '.join(self.OPTIMIZERS)}; missing: {', '.join(missing) or 'none'}.")
        super().compile(**kwargs)
        self.gan_loss = LOSSES.get(loss) if isinstance(loss, str) else loss
        # each optimizer's base rate: the schedule scales it, NaN rollback halves it
        self.learning_rates = {name: float(keras.ops.convert_to_numpy(named[name].learning_rate))
                               for name in self.OPTIMIZERS}
        for name, optimizer in named.items():
            setattr(self, name, optimizer)
            # Built now, not lazily on the first step: loading a checkpoint into an
            # unbuilt optimizer silently skips its saved state.
            optimizer.build(self.trainable_for(name))
        # Model.optimizer (Keras' default, unused: each net has its own) is built empty, or
        # fit() under a tf.distribute strategy builds it on every weight and checkpoints of
        # distributed runs no longer match single-device ones.
        if self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build([])

    @property
    def metrics(self):
        return [getattr(self, f"{name}_tracker") for name in self.LOGS]

    def idle_logs(self) -> set[str]:
        """The LOGS the traced step does not update (a stage that trains other networks:
        srgan's D during pretraining, text2image's G and D during the encoder stage; a
        stage changes only between epochs, and retraces the step). fit() reports them as
        0; history.csv and the console leave them out."""
        return set(self.LOGS) - getattr(self, "fed_logs", set(self.LOGS))

    def build(self, input_shape=None):
        # The networks are functional and already built; nothing else has weights.
        self.built = True

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Nothing to build: compile() builds every optimizer and the networks are built.
        Keras' own version first averages a data batch across replicas, which fails for
        dict batches under MultiWorkerMirroredStrategy (keras-team/keras#20329)."""

    def call(self, inputs, training=False):
        return getattr(self, self.GENERATOR)(inputs, training=training)

    # The skeleton --------------------------------------------------------

    def unpack(self, data) -> dict:
        """The batch as the family's named tensors: the pipelines yield dicts, and fit() /
        train_on_batch pass a dict as (x, y, sample_weight)."""
        return data if isinstance(data, dict) else keras.utils.unpack_x_y_sample_weight(data)[0]

    def update(self, batch: dict) -> dict:
        """The family's updates, each through `optimize`; returns {LOGS name: value}."""
        raise NotImplementedError

    def epoch_callbacks(self) -> list:
        """Callbacks the family's training needs (srgan's stage switch), run first."""
        return []

    def relieve_discriminator(self) -> str | None:
        """The known remedy when D wins outright, applied now; what was done, or None where
        there is none: ADA raises p by ADA_BOOST (its heuristic alone moves p too slowly for a
        run of a few thousand steps)."""
        if self.augment is None or not self.augment.adaptive:
            return None
        before = float(self.augment.p.numpy())
        if before >= 1.0:
            return None
        after = min(1.0, before + ADA_BOOST)
        self.augment.p.assign(after)
        return f"ADA raised p from {before:.2f} to {after:.2f}"

    def state_logs(self) -> dict:
        """Values logged as they are at the end of the epoch, not averaged (augment p)."""
        return {} if self.augment is None else {"augment_p": ops.convert_to_tensor(self.augment.p)}

    def train_step(self, data):
        batch = self.unpack(data)
        share = replica_share(batch_rows(batch))  # None with one replica
        _STEP.loss_share = share  # what optimize() weighs this replica's losses by
        values = self.update(batch)
        self.fed_logs = set(values)  # at trace time: what this stage's step updates
        self.update_ema()
        for name, value in global_batch_means(values, share).items():
            getattr(self, f"{name}_tracker").update_state(value)
        logs = {m.name: m.result() for m in self.metrics}
        logs.update(self.state_logs())
        return for_fit_logs(logs)

    def optimize(self, optimizer: str, loss_fn: Callable, tape: tf.GradientTape | None = None):
        """One step of the named optimizer on its networks: loss_fn() -> (loss, extras) is
        run under `tape` (a new one, or one that already recorded a shared forward pass);
        returns (loss, extras)."""
        tape = tape or tf.GradientTape()
        step = getattr(self, optimizer)
        with tape:
            loss, extras = loss_fn()
            scaled = step.scale_loss(per_replica(loss, getattr(_STEP, "loss_share", None)))
            # (scale_loss: and under mixed_float16)
        variables = self.trainable_for(optimizer)
        step.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return loss, extras

    def update_ema(self):
        # Warm-up as in tf.train.ExponentialMovingAverage(num_updates): min(decay, (1+t)/(10+t)),
        # so early in training the average follows G instead of lagging ~1/(1-decay) steps behind.
        if not self.ema_decay:
            return
        for name in self.EMA_NETWORKS:
            optimizer = next(o for o, nets in self.OPTIMIZERS.items() if name in nets)
            steps = ops.cast(getattr(self, optimizer).iterations, "float32")
            decay = ops.minimum(self.ema_decay, (1.0 + steps) / (10.0 + steps))
            pairs = zip(getattr(self, f"ema_{name}").weights, getattr(self, name).weights, strict=True)
            for average, current in pairs:  # a -= (1-d)(a - v): one op fewer than d·a + (1-d)·v
                average.assign_sub((1.0 - decay) * (average - ops.cast(current, average.dtype)))

    # Shared pieces of updates -------------------------------------------

    def slice_batch(self, tensors: dict, i: int) -> dict:
        """The i-th of d_steps interleaved slices of every tensor in the batch (never empty)."""
        if self.d_steps == 1:
            return tensors
        n = ops.shape(next(t for t in tensors.values() if t is not None))[0]
        index = tf.range(i % n, n, self.d_steps)
        return {k: None if t is None else tf.gather(t, index) for k, t in tensors.items()}

    def fake_for(self, part: dict):
        """G's output for a slice of the batch (`discriminator_rounds`): from its "source"."""
        return self.generator(part["source"], training=True)

    def discriminator_rounds(self, tensors: dict, d_step: Callable):
        """d_steps D updates, each on its own slice of the batch, G's forward pass of the
        last slice (`fake_for`) recorded on a tape that G's update then reuses.
        d_step(part, fake without gradient) -> (loss, logits). Returns (the last part, its
        fake, the tape, the mean D loss, the last logits)."""
        d_losses = []
        for i in range(self.d_steps):  # static: unrolled in the traced step
            part = self.slice_batch(tensors, i)
            g_tape = tf.GradientTape() if i == self.d_steps - 1 else None
            with g_tape or contextlib.nullcontext():
                fake = ops.cast(self.fake_for(part), self.compute_dtype)
            d_loss, logits = d_step(part, ops.stop_gradient(fake))
            d_losses.append(d_loss)
        return part, fake, g_tape, ops.mean(ops.stack(d_losses)), logits

    def penalized(self, critic: Callable, real, fake):
        """The loss's gradient-penalty term for `critic` (0 for losses without one)."""
        weight = self.gan_loss.gradient_penalty
        return 0.0 if not weight else weight * self.penalty_of(critic, real, fake)

    def penalty_of(self, critic: Callable, real, fake):
        """E[(||grad_x critic(x)||_2 - 1)^2] at x = a*real + (1-a)*fake, a ~ U[0, 1] per sample.

        Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", algorithm 1.
        """
        shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
        mix = self.aux_random.uniform(shape, dtype=real.dtype)
        between = mix * real + (1.0 - mix) * fake
        squares = self.squared_input_gradients(critic, between)
        return ops.mean(ops.square(ops.sqrt(squares + 1e-12) - 1.0))

    def real_gradient_penalty(self, critic: Callable, real):
        """E[||grad_x critic(x)||_2^2] at the real images x (R1: Mescheder et al. 2018,
        "Which Training Methods for GANs do actually Converge?")."""
        return ops.mean(ops.cast(self.squared_input_gradients(critic, real), "float32"))

    @staticmethod
    def squared_input_gradients(critic: Callable, x):
        """||grad_x critic(x)||_2^2 per sample (the penalties' shared part)."""
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = critic(x)
        grads = tape.gradient(logits, x)
        return ops.sum(ops.square(grads), axis=list(range(1, len(x.shape))))

    def discriminator_inputs(self, images, condition=None):
        """D's input for images (augmented first when augmentation is on); a family with a
        conditioning image or label overrides how the condition joins."""
        return self.augment(images) if self.augment is not None else images

    def score_logits(self, real_logits, fake_logits) -> dict:
        return {"real_score": ops.mean(ops.sigmoid(real_logits)),
                "fake_score": ops.mean(ops.sigmoid(fake_logits))}
