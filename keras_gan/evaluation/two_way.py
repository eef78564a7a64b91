"""Scores for two-way (unpaired) translation: cycle and identity L1 on held-out images of
both domains, L1 / PSNR / SSIM to the true translation where the data knows it (with the
do-nothing baseline and the luminance correlation that shows a colour inversion), and
KID / FID of each direction's outputs against the other domain's images where asked, or the
domain score where both domains have the same classes (does a translated digit stay that
digit: label_accuracy A->B and label_accuracy_ba).

Units as keras_gan.evaluation.paired: outputs rounded to uint8, |difference| / 255.
"""

from __future__ import annotations

import numpy as np

from keras_gan.evaluation.paired import paired_scores
from keras_gan.evaluation.stats import feature_frechet_distance, kernel_inception_distance
from keras_gan.io.images import from_uint8, to_channels, to_uint8

LUMA = np.array([0.299, 0.587, 0.114])


def l1_255(outputs: np.ndarray, images: np.ndarray) -> float:
    return float(np.abs(to_uint8(outputs).astype(np.float64) - images).mean() / 255.0)


def luminance_correlation(outputs: np.ndarray, truth: np.ndarray) -> float:
    """Pearson correlation of the two images' luminance, over every pixel: near 1 when the
    bright parts stay bright, negative for a colour inversion."""
    def luma(x):
        x = np.asarray(x, np.float64)
        return (x @ LUMA[:x.shape[-1]] / LUMA[:x.shape[-1]].sum()) if x.shape[-1] == 3 else x[..., 0]

    return float(np.corrcoef(luma(to_uint8(outputs)).ravel(), luma(truth).ravel())[0, 1])


class TwoWayEvaluator:
    def __init__(self, heldout: dict, n: int = 1000, inception=None, reals: dict | None = None,
                 domains: dict | None = None):
        self.images = {d: np.asarray(heldout[d][:n]) for d in ("a", "b")}
        self.truth = {d: np.asarray(heldout[f"{d}_truth"][:n]) for d in ("a", "b")
                      if f"{d}_truth" in heldout}
        # keras_gan.evaluation.domain.DomainScore per domain, scoring what is made in it
        self.domains = domains
        self.labels = {d: np.asarray(heldout[f"{d}_label"][:n]) for d in ("a", "b")} if domains else {}
        self.inception = inception  # keras_gan.evaluation.inception.InceptionFeatures or None
        if inception is not None:  # each direction's outputs against the other domain's reals
            self.real_features = {d: inception(from_uint8(reals[d])) for d in ("a", "b")}

    def evaluate(self, model) -> dict:
        task = model.task
        g, f = task.network(model, "AtoB"), task.network(model, "BtoA")
        a, b = self.images["a"], self.images["b"]
        fake = {"b": task.translate(g, a), "a": task.translate(f, b)}  # keyed by the domain made
        result = {"n_a": len(a), "n_b": len(b),
                  "cycle_a": l1_255(task.translate(f, fake["b"]), a),
                  "cycle_b": l1_255(task.translate(g, fake["a"]), b)}
        result["cycle_l1"] = (result["cycle_a"] + result["cycle_b"]) / 2
        if a.shape[-1] == b.shape[-1]:  # G should leave B alone, F should leave A alone
            result["identity_l1"] = (l1_255(task.translate(g, b), b) + l1_255(task.translate(f, a), a)) / 2
        for source, target in (("a", "b"), ("b", "a")):
            if source not in self.truth:
                continue
            truth = self.truth[source]
            scores = paired_scores(to_uint8(fake[target]), truth)
            baseline = paired_scores(to_channels(self.images[source], truth.shape[-1]), truth)
            suffix = "" if source == "a" else "_ba"
            result.update({f"{k}{suffix}": v for k, v in scores.items()})
            result.update({f"baseline_{k}{suffix}": v for k, v in baseline.items()})
            result[f"luminance_correlation{suffix}"] = luminance_correlation(fake[target], truth)
        if self.domains is not None:  # G(A) scored as B with A's labels asked for, and F(B)
            made = {target: self.domains[target](fake[target], self.labels[source])
                    for source, target in (("a", "b"), ("b", "a"))}
            result["domain_fd"] = float(np.mean([m["domain_fd"] for m in made.values()]))
            result["label_accuracy"] = made["b"]["label_accuracy"]
            result["label_accuracy_ba"] = made["a"]["label_accuracy"]
            result["confident"] = float(np.mean([m["confident"] for m in made.values()]))
            result["classifier_accuracy"] = float(np.mean([m["classifier_accuracy"] for m in made.values()]))
        if self.inception is not None:
            kids, fids = [], []
            for made, images in fake.items():
                features = self.inception(images)
                kids.append(kernel_inception_distance(self.real_features[made], features)[0])
                fids.append(feature_frechet_distance(self.real_features[made], features))
            result["kid"], result["fid"] = float(np.mean(kids)), float(np.mean(fids))
        return result
