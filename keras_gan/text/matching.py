"""Image-text matching: the contrastive loss and R-precision.

The text2image family's encoder stage trains the text and image encoders with the loss
on the dataset's own image-caption pairs, then freezes the text encoder for the GAN
stage; R-precision with the same encoders measures how well generated images match
their captions (on real images it gives the ceiling).
"""

from __future__ import annotations

import numpy as np
from keras import ops

from keras_gan.training.distribute import gather_batch
from keras_gan.errors import invalid


def contrastive_loss(image_emb, text_emb, temperature: float = 0.1):
    """Symmetric InfoNCE on a batch of matching pairs (row i of each is one pair).

    With u_i = image_i / |image_i|, v_j = text_j / |text_j| and S_ij = u_i . v_j / T:
        loss = 1/2 [ mean_i -log softmax_j(S_ij)[i]  +  mean_j -log softmax_i(S_ij)[j] ]
    i.e. the mean cross-entropy of each row (image -> its caption among the batch's) and
    of each column (caption -> its image), the diagonal holding the positives.
    Radford et al. 2021, "Learning Transferable Visual Models From Natural Language
    Supervision" (CLIP), with a fixed temperature. AttnGAN's DAMSM sentence loss (Xu et
    al. 2018, eqs. 10-11) is the same form with gamma_3 = 10 = 1/T, summed, not averaged.

    Under tf.distribute the batch is the global one: each replica gathers every
    replica's embeddings and scores its own rows and columns against all B pairs (B - 1
    negatives each, as on one device), so the replicas' mean is the one-device loss.
    """
    if not temperature > 0:
        raise invalid("temperature", "a positive number", temperature)
    image = ops.normalize(ops.convert_to_tensor(image_emb, "float32"), axis=-1)
    text = ops.normalize(ops.convert_to_tensor(text_emb, "float32"), axis=-1)
    all_images, start = gather_batch(image)
    if all_images is not image:
        return _own_rows_loss(image, text, all_images, gather_batch(text)[0], start, temperature)
    logits = ops.matmul(image, ops.transpose(text)) / temperature
    rows = ops.diagonal(ops.log_softmax(logits, axis=1))  # image i -> caption i
    columns = ops.diagonal(ops.log_softmax(logits, axis=0))  # caption j -> image j
    return -0.5 * (ops.mean(rows) + ops.mean(columns))


def _own_rows_loss(image, text, all_images, all_texts, start, temperature: float):
    """The loss of this replica's pairs (global positions start, start + 1, ...): its
    images against every caption, its captions against every image."""
    positives = start + ops.arange(ops.shape(image)[0])[:, None]
    rows = ops.log_softmax(ops.matmul(image, ops.transpose(all_texts)) / temperature, axis=1)
    columns = ops.log_softmax(ops.matmul(text, ops.transpose(all_images)) / temperature, axis=1)
    return -0.5 * (ops.mean(ops.take_along_axis(rows, positives, axis=1))
                   + ops.mean(ops.take_along_axis(columns, positives, axis=1)))


def r_precision(image_emb, text_emb, mismatched: int = 99, seed: int = 0,
                groups=None) -> float:
    """The share of images whose own caption ranks first, by cosine similarity, among it
    and `mismatched` captions of other rows (AttnGAN's R-precision, Xu et al. 2018: 1 true
    + 99 random captions, R = 1).

    Row i of each array is a pair. The mismatched captions are drawn without replacement
    from the other rows with np.random.default_rng(seed), all of them when there are
    fewer. A tie with a mismatched caption counts as a miss, so an encoder that maps
    everything to one vector scores 0, not 1. A "mismatched" caption that also describes
    image i counts against it, unless `groups` ([N], e.g. class labels) says which rows
    describe the same thing: then the mismatched captions come only from rows of other
    groups (captioned digits: "the digit 7" is no mismatch for another seven).
    """
    image = _unit_rows(image_emb, "image_emb")
    text = _unit_rows(text_emb, "text_emb")
    if image.shape != text.shape or len(image) < 2:
        raise invalid("text_emb", f"an array of the image embeddings' shape {image.shape}, "
                      "at least 2 rows", text.shape)
    if not isinstance(mismatched, (int, np.integer)) or mismatched < 1:
        raise invalid("mismatched", "a positive integer", mismatched)
    rng = np.random.default_rng(seed)
    n = len(image)
    groups = np.arange(n) if groups is None else np.asarray(groups)
    if groups.shape != (n,):
        raise invalid("groups", f"one group per row ({n})", groups.shape)
    hits = 0
    for i in range(n):
        candidates = np.flatnonzero(groups != groups[i])
        if not len(candidates):
            raise invalid("groups", "at least two different groups", f"all rows in {groups[i]!r}")
        others = rng.choice(candidates, size=min(int(mismatched), len(candidates)), replace=False)
        true = image[i] @ text[i]
        hits += bool(true > np.max(text[others] @ image[i]))
    return hits / n


def _unit_rows(embeddings, name: str) -> np.ndarray:
    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise invalid(name, "a finite 2-D array [N, dim]", f"shape {x.shape}")
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
