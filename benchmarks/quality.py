"""Sample quality per training option, measured with the domain score on mnist_5k.

Trains each (arch, variant) for the same number of epochs through the library's
`run_training` (the CLI's path), scores the sampling generator every
`--eval-every` epochs on `--eval-samples` images (history.csv's domain_fd, lower
is better), then scores the final and the best checkpoint on 5,000 images.
Defaults are chosen from this table, not guessed.

    python benchmarks/quality.py                               # every arch and variant
    python benchmarks/quality.py --archs gan --variants base,ema --gan-epochs 20
    python benchmarks/quality.py --json results.json

Variants: base (no EMA, no augmentation), ema (--ema 0.999), diffaug (--augment
translation,cutout), ada (--augment ada), sn (--spectral-norm), ema_ada, ema_bf16
(--precision mixed_bfloat16: does the faster policy cost quality?). EMA is the
default since this table (README, "Better samples").
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time

VARIANTS = {  # explicit on every option measured, whatever the current defaults are
    "base": {"train": {"ema": None}},
    "ema": {"train": {"ema": 0.999}},
    "diffaug": {"train": {"ema": None, "augment": "translation,cutout"}},
    "ada": {"train": {"ema": None, "augment": "ada"}},
    "sn": {"train": {"ema": None}, "model": {"spectral_norm": True}},
    "ema_ada": {"train": {"ema": 0.999, "augment": "ada"}},
    "ema_bf16": {"train": {"ema": 0.999, "precision": "mixed_bfloat16"}},
}


def run_case(arch: str, variant: str, epochs: int, eval_every: int, eval_samples: int,
             root: str, width: int, seed: int = 0) -> dict:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from keras_gan.history import read_history
    from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options
    from keras_gan.evaluate import evaluate_run

    base = RunConfig(
        data=DataConfig(name="mnist_5k"), model=model_options(arch, width=width),
        train=TrainConfig(epochs=epochs, eval_every=eval_every, eval_samples=eval_samples,
                          seed=seed),
        run_dir=os.path.join(root, f"{arch}-{variant}-seed{seed}"))
    config = base.replace(**VARIANTS[variant])
    from keras_gan.train import run_training

    start = time.perf_counter()
    result = run_training(config, verbose=0)
    seconds = time.perf_counter() - start
    history = read_history(result.run_dir / "history.csv")
    steps_per_epoch = math.ceil(5000 / result.config.train.batch_size)
    curve = [(int(e + 1) * steps_per_epoch, round(v, 2))
             for e, v in zip(history["epoch"], history["domain_fd"]) if not math.isnan(v)]
    final = evaluate_run(result.run_dir, ("domain",), 5000, "latest")
    best = evaluate_run(result.run_dir, ("domain",), 5000, "best")
    return {"arch": arch, "variant": variant, "seed": seed, "epochs": epochs,
            "train_seconds": round(seconds, 1),
            "curve": curve, "final": _summary(final), "best": {**_summary(best),
                                                                "epoch": best["epoch"]},
            "run_dir": str(result.run_dir)}


def _summary(record: dict) -> dict:
    keys = ("domain_fd", "class_entropy", "confident")
    return {key: round(record[key], 3) for key in keys}


def print_table(rows: list[dict]) -> None:
    print("| arch | variant | seed | domain_fd by step (eval samples) | final fd (5k) | "
          "final entropy | final confident | best fd (5k, epoch) | train s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        curve = " ".join(f"{step}:{value:g}" for step, value in row["curve"])
        final, best = row["final"], row["best"]
        print(f"| {row['arch']} | {row['variant']} | {row['seed']} | {curve} | "
              f"{final['domain_fd']:g} | {final['class_entropy']:.3f} | {final['confident']:.3f} | "
              f"{best['domain_fd']:g} ({best['epoch']}) | {row['train_seconds']:g} |")
    print()
    print("| arch | variant | seeds | mean final fd | mean best fd | mean final entropy | "
          "mean final confident |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault((row["arch"], row["variant"]), []).append(row)
    for (arch, variant), group in groups.items():
        means = {(part, key): sum(r[part][key] for r in group) / len(group)
                 for part in ("final", "best") for key in ("domain_fd", "class_entropy", "confident")}
        print(f"| {arch} | {variant} | {len(group)} | {means['final', 'domain_fd']:.2f} | "
              f"{means['best', 'domain_fd']:.2f} | {means['final', 'class_entropy']:.3f} | "
              f"{means['final', 'confident']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", default="gan,dcgan")
    parser.add_argument("--variants", default="base,ema,diffaug,ada")
    parser.add_argument("--gan-epochs", type=int, default=40)
    parser.add_argument("--dcgan-epochs", type=int, default=10)
    parser.add_argument("--dcgan-width", type=int, default=32,
                        help="dcgan base width (32 keeps a CPU run to minutes; the default is 64)")
    parser.add_argument("--eval-every", type=int, default=5)
    parser.add_argument("--eval-samples", type=int, default=2000)
    parser.add_argument("--seeds", default="0", help="Comma-separated training seeds per case.")
    parser.add_argument("--json", default=None, help="Also write the rows to this file.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as root:
        for arch in args.archs.split(","):
            epochs = args.gan_epochs if arch == "gan" else args.dcgan_epochs
            every = min(args.eval_every, epochs)
            for variant in args.variants.split(","):
                for seed in (int(s) for s in args.seeds.split(",")):
                    width = args.dcgan_width if arch == "dcgan" else 64
                    rows.append(run_case(arch, variant, epochs, every, args.eval_samples, root,
                                         width, seed))
                    print(json.dumps(rows[-1]), flush=True)
    print_table(rows)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    main()
