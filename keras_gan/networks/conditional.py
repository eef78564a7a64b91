"""Class-conditional versions of any architecture whose models are a chain of layers.

G: [latent, label] -> concat(latent, Embedding(label)) -> the family's generator
   body (built for latent_dim + EMBED_DIM inputs). Label embedding concatenated to
   z, as in Mirza & Osindero 2014 with a learned embedding instead of a one-hot.
D: projection discriminator (Miyato & Koyama 2018, "cGANs with Projection
   Discriminator"): logit = head(phi(x)) + <Embedding(label), phi(x)>, where
   phi(x) is the input of the family's layer named "logit".

Both are flat functional models (the family's layers are re-applied to new inputs),
so spectral norm, saving and export treat them like the unconditional ones.
"""

from __future__ import annotations

import keras
from keras import layers


EMBED_DIM = 32  # label embedding width fed to G next to the latent


def label_input() -> keras.KerasTensor:
    return keras.Input((), dtype="int32", name="label")


def _apply(chain, x):
    for layer in chain:
        x = layer(x)
    return x


def build_generator(build, latent_dim: int, image_shape: tuple, width: int,
                    num_classes: int) -> keras.Model:
    """`build`: a generator network's builder (keras_gan.networks)."""
    body = build(latent_dim + EMBED_DIM, image_shape, width)
    latent, label = keras.Input((latent_dim,), name="latent"), label_input()
    embedded = layers.Embedding(num_classes, EMBED_DIM, name="label_embedding")(label)
    x = layers.Concatenate(name="latent_and_label")([latent, embedded])
    return keras.Model([latent, label], _apply(body.layers[1:], x), name="generator")


def build_discriminator(build, image_shape: tuple, width: int, norm: str,
                        num_classes: int) -> keras.Model:
    """`build`: a discriminator network's builder (keras_gan.networks)."""
    base = build(image_shape, width, norm)
    names = [layer.name for layer in base.layers]
    if "logit" not in names:
        raise ValueError(f"Cannot make a projection discriminator: {base.name} has no layer "
                         f"named 'logit'. Received layers: {names}.")
    split = names.index("logit")
    images, label = keras.Input(image_shape, name="images"), label_input()
    features = _apply(base.layers[1:split], images)
    unconditional = _apply(base.layers[split:], features)
    flat = layers.Flatten(name="features")(features) if len(features.shape) > 2 else features
    embedded = layers.Embedding(num_classes, flat.shape[-1], name="label_projection",
                                embeddings_initializer=keras.initializers.RandomNormal(0.0, 0.02))(label)
    projection = layers.Dot(axes=1, name="projection")([embedded, flat])
    logits = layers.Add(name="logits")([unconditional, projection])
    return keras.Model([images, label], logits, name="discriminator")
