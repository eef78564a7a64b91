"""Paired scores for image-to-image runs: L1, PSNR and SSIM on the held-out pairs, with
the do-nothing baseline (output = input) beside them.

Convention (stated, as BasicSR's psnr_ssim.py does): each output is rounded to uint8
as the exported model returns it, and compared with its target in RGB (or grey) at
full resolution, no border crop, no Y channel:
- l1: mean |output - target| / 255, in [0, 1];
- psnr: per image 10 log10(255^2 / MSE) over all pixels and channels, then the mean
  over images (skimage.metrics.peak_signal_noise_ratio with data_range=255; an exact
  match counts as 100 dB);
- ssim: tf.image.ssim with max_val=255, an 11x11 Gaussian window of sigma 1.5,
  k1=0.01, k2=0.03, averaged over the valid window positions and the channels, then
  over images (= skimage's structural_similarity with gaussian_weights=True, sigma=1.5,
  use_sample_covariance=False, data_range=255); images under 11 px use a window of
  their size.
The baseline converts the source to the target's channels (grey repeated, colour to
luma) and scores it the same way: a model must beat it to have learned anything.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_gan.io.images import to_channels, to_uint8

EXACT_MATCH_DB = 100.0
SSIM_WINDOW = 11


def psnr_ssim(outputs: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """NHWC values on a 0-255 scale, one shape -> psnr and ssim as above (means over images)."""
    out, ref = np.asarray(outputs, np.float64), np.asarray(targets, np.float64)
    mse = ((out - ref) ** 2).reshape(len(out), -1).mean(axis=1)
    with np.errstate(divide="ignore"):
        psnr = np.where(mse == 0, EXACT_MATCH_DB, 10 * np.log10(255.0**2 / np.maximum(mse, 1e-300)))
    window = min(SSIM_WINDOW, out.shape[1], out.shape[2])
    ssim = tf.image.ssim(tf.constant(out, tf.float32), tf.constant(ref, tf.float32),
                         max_val=255.0, filter_size=window, filter_sigma=1.5, k1=0.01, k2=0.03)
    return {"psnr": float(psnr.mean()), "ssim": float(np.mean(ssim.numpy()))}


def paired_scores(outputs: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """outputs, targets: uint8 NHWC of one shape -> l1, psnr, ssim (means over images)."""
    l1 = np.abs(outputs.astype(np.float64) - targets.astype(np.float64)).mean() / 255.0
    return {"l1": float(l1), **psnr_ssim(outputs, targets)}


class PairedEvaluator:
    """Scores a model's sampling generator on the held-out pairs (up to `n` of them)."""

    def __init__(self, heldout: dict, n: int = 1000):
        self.sources = np.asarray(heldout["source"][:n])
        self.targets = np.asarray(heldout["target"][:n])
        baseline = to_channels(self.sources, self.targets.shape[-1])
        self.baseline = {f"baseline_{k}": v for k, v in paired_scores(baseline, self.targets).items()}

    def evaluate(self, model) -> dict:
        outputs = to_uint8(model.task.translate(model.sampling_generator, self.sources))
        return {"n_pairs": len(self.sources), **paired_scores(outputs, self.targets), **self.baseline}
