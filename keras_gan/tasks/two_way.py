"""two_way_image_to_image: two image domains and a translator each way (`cyclegan`,
`discogan`): G: A -> B and F: B -> A.

Each direction is an image_to_image task of its own (keras_gan.tasks.image_to_image):
translate, serving and export take one direction at a time. The preview shows fixed
held-out images of both domains in six rows: A | G(A) | F(G(A)) and B | F(B) | G(F(B)).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from keras_gan.evaluation import METRICS, check_domain, domain_score
from keras_gan.evaluation.domain import applicable
from keras_gan.evaluation.inception import InceptionFeatures
from keras_gan.evaluation.two_way import TwoWayEvaluator
from keras_gan.io.files import atomic_path
from keras_gan.io.images import from_uint8, to_channels
from keras_gan.tasks.base import Preview, Task
from keras_gan.tasks.image_to_image import EXAMPLES, EXAMPLES_KEPT, ImageToImage, spread

# direction -> (source domain, target domain)
DIRECTIONS = {"AtoB": ("a", "b"), "BtoA": ("b", "a")}


class TwoWayImageToImage(Task):
    name = "two_way_image_to_image"
    summary = "two image domains, a translator each way (A -> B, B -> A); translate --direction"
    holds_out = True  # a share of the data (--holdout) kept for previews and scores
    metrics = ("kid", "fid", "domain", "l1", "psnr", "ssim", "cycle")
    convention = {"convention": "uint8 outputs, |difference| / 255; keras_gan.evaluation.two_way"}
    commands = ("translate",)
    # exported as one image_to_image servable per direction: its card, tag and use are those

    def __init__(self, channels_a: int, channels_b: int, multiple: int, image_size: int,
                 networks: dict[str, str]):
        self.channels = {"a": channels_a, "b": channels_b}
        self.multiple, self.image_size = multiple, image_size
        self.networks = networks  # direction -> the model's network for it
        self.ways = {d: ImageToImage(self.channels[s], self.channels[t], multiple, image_size)
                     for d, (s, t) in DIRECTIONS.items()}

    def direction(self, name: str) -> ImageToImage:
        return self.ways[name]

    def translate(self, network, images, batch_size: int = 16) -> np.ndarray:
        return self.ways["AtoB"].translate(network, images, batch_size)

    def network(self, model, direction: str):
        """The network a direction samples with (its EMA copy when there is one)."""
        return model.sampling_network(self.networks[direction])

    def preview_inputs(self, model, data, grid_size: int, seed: int) -> dict:
        del model, seed
        return {d: np.asarray(data.heldout[d][spread(len(data.heldout[d]), grid_size)])
                for d in ("a", "b")}

    def render_preview(self, model, inputs: dict, ncols: int) -> Preview:
        del ncols
        g, f = self.network(model, "AtoB"), self.network(model, "BtoA")
        fake_b = self.translate(g, inputs["a"])
        fake_a = self.translate(f, inputs["b"])
        rows = [from_uint8(inputs["a"]), fake_b, self.translate(f, fake_b),
                from_uint8(inputs["b"]), fake_a, self.translate(g, fake_a)]
        width = min(len(inputs["a"]), len(inputs["b"]))
        cells = [to_channels(row[:width], max(self.channels.values())) for row in rows]
        return Preview(fake_b, np.concatenate(cells), width)

    def reals(self, data, n: int, seed: int) -> tuple[np.ndarray, int]:
        """(cells, columns): a row of training images from each domain, before jitter."""
        rng = np.random.default_rng(seed)
        count = max(1, min(math.isqrt(n), *(len(data.fields[d]) for d in ("a", "b"))))
        rows = [from_uint8(data.fields[d][np.sort(rng.choice(len(data.fields[d]), count, replace=False))])
                for d in ("a", "b")]
        return np.concatenate([to_channels(r, max(self.channels.values())) for r in rows]), count

    def write_examples(self, run_dir, data, count: int = EXAMPLES_KEPT) -> None:
        """RUN/examples.npz: held-out images of each domain, for export without the data."""
        arrays = {d: np.asarray(data.heldout[d][spread(len(data.heldout[d]), count)]) for d in ("a", "b")}
        with atomic_path(Path(run_dir) / EXAMPLES) as tmp:
            np.savez_compressed(tmp, **arrays)

    def read_examples(self, run_dir) -> dict | None:
        path = Path(run_dir) / EXAMPLES
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as arrays:
            return {d: arrays[d] for d in ("a", "b")}

    def serving(self, examples=None, direction: str = "AtoB"):
        source = DIRECTIONS[direction][0]
        return self.ways[direction].serving(None if examples is None else examples[source])

    def servables(self, model, examples) -> list:
        """One image-to-image servable per direction, named by it."""
        return [(d, self.network(model, d), self.serving(examples, d)) for d in self.ways]

    @classmethod
    def domain_reason(cls, data) -> str | None:
        """Both domains, at the training size (held out), may be colour."""
        for d in ("a", "b"):
            reason = applicable(data.heldout[d].shape, data.fields.get(f"{d}_label"))
            if reason:
                return f"domain {d.upper()}: {reason}"
        return None

    @classmethod
    def free_metric(cls, data) -> str | None:
        """The true translation where the data knows it, else the cycle's."""
        return "l1" if "a_truth" in (data.heldout or {}) else "cycle"

    @classmethod
    def default_metrics(cls, data) -> tuple[str, ...]:
        return (("cycle",) + (("l1", "psnr", "ssim") if "a_truth" in (data.heldout or {}) else ())
                + (("domain",) if cls.domain_reason(data) is None else ()))

    @classmethod
    def scored_on(cls, record: dict) -> str:
        return f"{record['n_a']} + {record['n_b']} held-out images of A and B"

    @classmethod
    def evaluator(cls, config, data, metrics, n, inception_weights, seed):
        inception = None
        if any(METRICS.get(m).needs_inception for m in metrics):
            inception = InceptionFeatures(inception_weights)
        reals = {d: data.fields[d][:n] for d in ("a", "b")}
        domains = None
        if "domain" in metrics:
            check_domain(config, data, "metrics", ",".join(metrics))
            domains = {d: domain_score(data, d, n, seed) for d in ("a", "b")}
        return TwoWayEvaluator(data.heldout, n, inception, reals, domains)
