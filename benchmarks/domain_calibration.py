"""What the domain score's numbers mean on a labelled data set: real images against real
images, and real images damaged in known ways.

The domain classifier is trained (or loaded from the cache) on the whole set, exactly as
`evaluate` and `--eval-every` use it; the real statistics are its usual random subset of
`--n` images, and every row scores `--n` *other* images of the set (so "real" is the floor a
perfect generator would reach, not 0), blurred, noisy, downscaled and upscaled (the soft
look of an undertrained generator), or from one class or two (mode collapse).

    python benchmarks/domain_calibration.py --data ../shared/data/openmoji/color --image-size 64
    python benchmarks/domain_calibration.py --data mnist_5k --image-size 28

Results, dated with the machine and command: benchmarks/RESULTS.md#domain-calibration
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def blur(images: np.ndarray, sigma: float) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(images, sigma=(0, sigma, sigma, 0))


def resized(images: np.ndarray, factor: int) -> np.ndarray:
    """Down by `factor` (area) and back up (bilinear): detail gone, layout kept."""
    import tensorflow as tf

    size = images.shape[1:3]
    small = tf.image.resize(images, (size[0] // factor, size[1] // factor), method="area")
    return tf.image.resize(small, size, method="bilinear").numpy()


def cases(images: np.ndarray, labels: np.ndarray, n: int, rng) -> dict:
    """name -> float [-1, 1] images, each at most n (the rows of the table)."""
    counts = np.bincount(labels)
    top = np.argsort(counts)[::-1]
    return {
        "real (other images)": images[:n],
        "real, mirrored": images[:n, :, ::-1],
        "blurred, sigma 1 px": blur(images[:n], 1.0),
        "blurred, sigma 2 px": blur(images[:n], 2.0),
        "noise, sigma 0.1": np.clip(images[:n] + rng.normal(0, 0.1, images[:n].shape), -1, 1),
        "noise, sigma 0.3": np.clip(images[:n] + rng.normal(0, 0.3, images[:n].shape), -1, 1),
        "down 4x and up": resized(images[:n], 4),
        "largest class only": images[labels == top[0]][:n],
        "two largest classes": images[np.isin(labels, top[:2])][:n],
    }


def calibrate(name: str, image_size: int, n: int, seed: int = 0) -> list[dict]:
    from keras_gan.data import resolve_source
    from keras_gan.data.source import DataRequest
    from keras_gan.evaluation.domain import DomainScore

    data = resolve_source(name).load(DataRequest(name=name, image_size=image_size, labels=True))
    pixels, labels = np.asarray(data.images), np.asarray(data.labels)
    num_classes = len(data.class_names or []) or int(labels.max()) + 1
    score = DomainScore(pixels, labels, num_classes, n, seed)
    # DomainScore's real subset: the same draw it makes; every row uses the rest
    used = np.random.default_rng(seed).choice(len(pixels), min(n, len(pixels)), replace=False)
    rest = np.setdiff1d(np.arange(len(pixels)), used)
    rng = np.random.default_rng(seed + 1)
    rest = rng.permutation(rest)
    images = pixels[rest].astype("float32") / 127.5 - 1.0
    rows = []
    for case, batch in cases(images, labels[rest], n, rng).items():
        result = score(np.asarray(batch, "float32"))
        rows.append({"data": f"{name} @ {image_size} px", "case": case, "n": len(batch),
                     "domain_fd": result["domain_fd"], "class_entropy": result["class_entropy"],
                     "confident": result["confident"], "accuracy": score.accuracy})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", action="append", required=True,
                        help="A labelled data set (folder of class subfolders, mnist_5k, TFDS name); "
                             "repeat for several.")
    parser.add_argument("--image-size", type=int, action="append",
                        help="Size for each --data, in order (default 64).")
    parser.add_argument("--n", type=int, default=1000, help="Real images in the statistics and per row.")
    args = parser.parse_args()
    sizes = args.image_size or []
    rows = []
    for i, name in enumerate(args.data):
        rows += calibrate(name, sizes[i] if i < len(sizes) else 64, args.n)
    print("| data (classifier held-out accuracy) | case | images | domain_fd | class entropy | "
          "confident |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['data']} ({row['accuracy']:.0%}) | {row['case']} | {row['n']} | "
              f"{row['domain_fd']:.2f} | {row['class_entropy']:.3f} | {row['confident']:.3f} |")


if __name__ == "__main__":
    main()
