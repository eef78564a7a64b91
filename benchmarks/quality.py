"""Sample quality per training option, measured with the domain score.

Trains each (family, variant, seed) through the library's `run_training` (the CLI's path)
on any labelled data set: mnist_5k by default, or a folder of class subfolders such as
../shared/data/openmoji/color at 64 px, for a fixed budget of epochs or of steps, then
scores the final checkpoint (and the best, where --eval-every scored during training)
on 5,000 samples (history.csv's domain_fd, lower is better; what values mean:
benchmarks/RESULTS.md#domain-calibration). Defaults are chosen from this table, not guessed;
the tables behind them, dated with the machine and command: benchmarks/RESULTS.md#ema,
RESULTS.md#small-rgb-recipe and RESULTS.md#precision.

    python benchmarks/quality.py                               # every family and variant
    python benchmarks/quality.py --archs gan --variants base,ema --gan-epochs 20
    python benchmarks/quality.py --archs dcgan --data ../shared/data/openmoji/color \
        --image-size 64 --dcgan-width 64 --steps 1200 --variants ema,diffaug_r1_x --seeds 0,1
    python benchmarks/quality.py --json results.json

Variants (explicit on every option measured, whatever the current defaults are): base (no
EMA, no augmentation), ema (--ema 0.999), diffaug (--augment translation,cutout), ada
(--augment ada), sn (--spectral-norm), ema_ada, ema_bf16 (--precision mixed_bfloat16: does
the faster policy cost quality?); for small RGB sets, each with EMA and x-flips (--mirror):
ema_x, diffaug_x (--augment translation,color,cutout, DiffAugment's low-shot policy), ada_x
(--augment ada), diffaug_dlow_x (D at half G's rate), diffaug_r1_x (--r1 1: dcgan's default
on small RGB sets; diffaug_r1_x_bf16 the same in mixed_bfloat16), r1_x, sn_x, ttur_x (G 1e-4,
D 4e-4), d2_x (--d-steps 2), b32_x (--batch-size 32). "ema" is the recipe before the
small-RGB defaults.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time

def merge(base: dict, change: dict) -> dict:
    """A variant's sections over another's (section by section, key by key)."""
    return {k: {**base.get(k, {}), **change.get(k, {})} for k in {*base, *change}}


# Explicit on every option measured, whatever the current defaults are (dcgan on a small RGB
# set would otherwise get flips, DiffAugment, R1 and, where the hardware has it, bfloat16 where
# a variant leaves them unset).
OFF = {"train": {"augment": "", "precision": "float32"}, "model": {"mirror": False, "r1": 0.0}}
_X = {"train": {"ema": 0.999}, "model": {"mirror": True}}
_DIFFAUG = "translation,color,cutout"
VARIANTS = {name: merge(OFF, variant) for name, variant in {
    "base": {"train": {"ema": None}},
    "ema": {"train": {"ema": 0.999}},
    "diffaug": {"train": {"ema": None, "augment": "translation,cutout"}},
    "ada": {"train": {"ema": None, "augment": "ada"}},
    "sn": {"train": {"ema": None}, "model": {"spectral_norm": True}},
    "ema_ada": {"train": {"ema": 0.999, "augment": "ada"}},
    "ema_bf16": {"train": {"ema": 0.999, "precision": "mixed_bfloat16"}},
    # small RGB sets: each with EMA and x-flips
    "ema_x": _X,
    "diffaug_x": merge(_X, {"train": {"augment": _DIFFAUG}}),
    "ada_x": merge(_X, {"train": {"augment": "ada"}}),
    "diffaug_dlow_x": merge(_X, {"train": {"augment": _DIFFAUG, "d_lr": 1e-4}}),
    "diffaug_r1_x": merge(_X, {"train": {"augment": _DIFFAUG}, "model": {"r1": 1.0}}),
    "diffaug_r1_x_bf16": merge(_X, {"train": {"augment": _DIFFAUG, "precision": "mixed_bfloat16"},
                                    "model": {"r1": 1.0}}),
    "r1_x": merge(_X, {"model": {"r1": 1.0}}),
    "sn_x": merge(_X, {"model": {"spectral_norm": True}}),
    "ttur_x": merge(_X, {"train": {"lr": 1e-4, "d_lr": 4e-4}}),
    "d2_x": merge(_X, {"train": {"d_steps": 2}}),
    "b32_x": merge(_X, {"train": {"batch_size": 32}}),
}.items()}


def run_case(family: str, variant: str, epochs: int | None, eval_every: int, eval_samples: int,
             root: str, width: int, seed: int = 0, data: str = "mnist_5k",
             image_size: int | None = None, steps: int | None = None) -> dict:
    """One training run and its scores; `steps` (when given) sets the epochs from the data's
    size and the variant's batch."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from keras_gan.training.history import read_history
    from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options
    from keras_gan.commands.evaluate import evaluate_run
    from keras_gan.training.run import run_training

    variant_options = VARIANTS[variant]
    batch = variant_options.get("train", {}).get("batch_size", 64)
    count = data_count(data, image_size or 32)
    per_epoch = math.ceil(count / batch)
    if steps:
        epochs = math.ceil(steps / per_epoch)
    base = RunConfig(
        data=DataConfig(name=data, image_size=image_size), model=model_options(family, width=width),
        train=TrainConfig(epochs=epochs, eval_every=min(eval_every, epochs), eval_samples=eval_samples,
                          seed=seed),
        run_dir=os.path.join(root, f"{family}-{variant}-seed{seed}"))
    config = base.replace(**variant_options)
    start = time.perf_counter()
    result = run_training(config, verbose=0)
    seconds = time.perf_counter() - start
    history = read_history(result.run_dir / "history.csv")
    curve = [(int(e + 1) * per_epoch, round(v, 2))
             for e, v in zip(history["epoch"], history.get("domain_fd", [])) if not math.isnan(v)]
    final = evaluate_run(result.run_dir, ("domain",), 5000, "latest")
    best = evaluate_run(result.run_dir, ("domain",), 5000, "best") if eval_every else final
    return {"family": family, "variant": variant, "seed": seed, "epochs": epochs,
            "steps": epochs * per_epoch, "data": data, "train_seconds": round(seconds, 1),
            "curve": curve, "final": _summary(final), "best": {**_summary(best),
                                                                "epoch": best["epoch"]},
            "run_dir": str(result.run_dir)}


def data_count(name: str, image_size: int) -> int:
    from keras_gan.data import resolve_source
    from keras_gan.data.source import DataRequest

    return resolve_source(name).load(DataRequest(name=name, image_size=image_size)).count


def _summary(record: dict) -> dict:
    keys = ("domain_fd", "class_entropy", "confident")
    return {key: round(record[key], 3) for key in keys}


def print_table(rows: list[dict]) -> None:
    print("| family | variant | seed | domain_fd by step (eval samples) | final fd (5k) | "
          "final entropy | final confident | best fd (5k, epoch) | train s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        curve = " ".join(f"{step}:{value:g}" for step, value in row["curve"])
        final, best = row["final"], row["best"]
        print(f"| {row['family']} | {row['variant']} | {row['seed']} | {curve} | "
              f"{final['domain_fd']:g} | {final['class_entropy']:.3f} | {final['confident']:.3f} | "
              f"{best['domain_fd']:g} ({best['epoch']}) | {row['train_seconds']:g} |")
    print()
    print("| family | variant | steps | seeds | final fd: mean (min-max) | mean best fd | "
          "mean final entropy | mean final confident |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault((row["family"], row["variant"], row.get("steps")), []).append(row)
    for (family, variant, steps), group in groups.items():
        means = {(part, key): sum(r[part][key] for r in group) / len(group)
                 for part in ("final", "best") for key in ("domain_fd", "class_entropy", "confident")}
        finals = [r["final"]["domain_fd"] for r in group]
        print(f"| {family} | {variant} | {steps} | {len(group)} | {means['final', 'domain_fd']:.2f} "
              f"({min(finals):.2f}-{max(finals):.2f}) | {means['best', 'domain_fd']:.2f} | "
              f"{means['final', 'class_entropy']:.3f} | {means['final', 'confident']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", default="gan,dcgan")
    parser.add_argument("--variants", default="base,ema,diffaug,ada")
    parser.add_argument("--gan-epochs", type=int, default=40)
    parser.add_argument("--dcgan-epochs", type=int, default=10)
    parser.add_argument("--dcgan-width", type=int, default=32,
                        help="dcgan base width (32 keeps a CPU run to minutes; the default is 64)")
    parser.add_argument("--data", default="mnist_5k", help="Any labelled data set.")
    parser.add_argument("--image-size", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None,
                        help="A budget in steps instead of --gan-epochs/--dcgan-epochs.")
    parser.add_argument("--eval-every", type=int, default=5, help="Epochs; 0: final score only.")
    parser.add_argument("--eval-samples", type=int, default=2000)
    parser.add_argument("--seeds", default="0", help="Comma-separated training seeds per case.")
    parser.add_argument("--json", default=None, help="Also write the rows to this file.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as root:
        for family in args.archs.split(","):
            epochs = args.gan_epochs if family == "gan" else args.dcgan_epochs
            for variant in args.variants.split(","):
                for seed in (int(s) for s in args.seeds.split(",")):
                    width = args.dcgan_width if family == "dcgan" else 64
                    rows.append(run_case(family, variant, epochs, args.eval_every,
                                         args.eval_samples, root, width, seed, args.data,
                                         args.image_size, args.steps))
                    print(json.dumps(rows[-1]), flush=True)
    print_table(rows)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    main()
