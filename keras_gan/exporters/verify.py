"""Compare an exported artifact's outputs with the Keras generator's.

Every artifact is run on the same fixed inputs at two batch sizes; each run is
one `Check`, judged by the artifact's `Tolerance`: float formats must match the
Keras floats (max abs diff), quantized ones must keep the uint8 images above a
PSNR floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keras_gan.io.images import to_uint8

BATCH_SIZES = (1, 5)
FLOAT_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Tolerance:
    max_abs_diff: float | None = None  # on images_float, in [-1, 1] units
    min_psnr_db: float | None = None  # on uint8 images vs Keras' (peak 255)

    def describe(self) -> str:
        rules = []
        if self.max_abs_diff is not None:
            rules.append(f"max abs diff <= {self.max_abs_diff:g}")
        if self.min_psnr_db is not None:
            rules.append(f"PSNR >= {self.min_psnr_db:g} dB")
        return " and ".join(rules)


FLOAT = Tolerance(max_abs_diff=FLOAT_TOLERANCE)
# outputs that exist only as uint8 (PNG files): within one level of the Keras floats
UINT8_LEVEL = Tolerance(max_abs_diff=1 / 127.5)


@dataclass(frozen=True)
class Check:
    artifact: str  # file or folder name inside the version folder
    signature: str
    batch_size: int
    max_abs_diff: float
    psnr_db: float  # inf when the uint8 images are identical
    tolerance: Tolerance

    @property
    def passed(self) -> bool:
        t = self.tolerance
        return ((t.max_abs_diff is None or self.max_abs_diff <= t.max_abs_diff)
                and (t.min_psnr_db is None or self.psnr_db >= t.min_psnr_db))


def psnr(expected_uint8: np.ndarray, actual_uint8: np.ndarray) -> float:
    mse = float(np.mean((expected_uint8.astype(np.float64) - actual_uint8.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def compare(artifact: str, signature: str, expected: np.ndarray, outputs: dict,
            tolerance: Tolerance, prefix: str = "images") -> Check:
    """`expected`: Keras float images; `outputs`: the artifact's <prefix> (uint8) and
    <prefix>_float."""
    images = np.asarray(outputs[prefix])
    if images.dtype != np.uint8 or images.shape != expected.shape:
        raise ValueError(f"{artifact} [{signature}] returned {prefix} {images.dtype} {images.shape}; "
                         f"expected uint8 {expected.shape}.")
    diff = float(np.max(np.abs(np.asarray(outputs[f"{prefix}_float"]) - expected)))
    return Check(artifact, signature, len(expected), diff, psnr(to_uint8(expected), images),
                 tolerance)


def check_signature(artifact: str, run, network, spec, tolerance: Tolerance,
                    signature: str = "serving_default") -> list[Check]:
    """Checks of a serving_default callable at each of BATCH_SIZES, on the spec's fixed
    inputs (keras_gan.serving); `run` takes the feed dict by name."""
    checks = []
    for batch in BATCH_SIZES:
        feed = spec.fixed(batch)
        checks.append(compare(artifact, signature, spec.expected(network, feed), run(feed),
                              tolerance, spec.outputs))
    return checks


TABLE_HEADER = ("artifact", "size MB", "signature", "batch", "max abs diff", "PSNR dB", "rule", "ok")


def table_rows(checks: list[Check], sizes: dict[str, int]) -> list[tuple[str, ...]]:
    return [(c.artifact, f"{sizes[c.artifact] / 1e6:.2f}" if c.artifact in sizes else "",
             c.signature, str(c.batch_size), f"{c.max_abs_diff:.2e}", f"{c.psnr_db:.1f}",
             c.tolerance.describe(), "yes" if c.passed else "NO") for c in checks]


def format_table(checks: list[Check], sizes: dict[str, int], markdown: bool = False) -> str:
    """The verification table: aligned text for the terminal, or markdown for MODEL_CARD.md."""
    rows = [TABLE_HEADER, *table_rows(checks, sizes)]
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "|" + " --- |" * len(TABLE_HEADER))
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_HEADER))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)
