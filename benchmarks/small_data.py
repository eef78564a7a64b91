"""Families at equal compute on a small image set: the domain score after the same training time.

Each (family, seed) is a `keras-gan train` as a user runs it: the family's own defaults for
the folder (dcgan: its small-RGB recipe; lightweight: FastGAN's), `--minutes M` of training
time, no scoring while training (scores would take from the budget). The final generator is
then scored on 5,000 samples by the domain score (lower is better; what values mean:
benchmarks/RESULTS.md#domain-calibration) with its class entropy (1.0: every group as often;
collapse drives it down) and the share of confident samples; the final grid's path is printed
to look at. Results: benchmarks/RESULTS.md#lightweight.

    python benchmarks/small_data.py --data ../shared/data/openmoji/color --image-size 64 \\
        --minutes 30 --seeds 0,1,2
    python benchmarks/small_data.py --data ../shared/data/openmoji/black --image-size 128 \\
        --minutes 90 --families lightweight,dcgan --seeds 0 --parallel

--parallel runs the cases of a seed side by side, each pinned to a core of its own with one
TensorFlow thread (`taskset`): the same compute for each family on a shared machine, where
one after the other the later runs would meet other load; the figures are then per core.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def train_command(family: str, args, seed: int, run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "keras_gan", "--quiet", "train", "--family", family,
            "--data", args.data, "--image-size", str(args.image_size), "--seed", str(seed),
            "--minutes", str(args.minutes), "--eval-every", "0", "--run-dir", str(run_dir),
            *args.extra.split()]


def environment(core: int | None) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    if core is not None:  # one thread on its own core
        env.update(TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1", OMP_NUM_THREADS="1")
    return env


def run_cases(cases: list[tuple[str, int]], args, root: Path) -> list[Path]:
    """Train each (family, seed): one after the other, or side by side pinned to cores."""
    runs, running = [], []
    for i, (family, seed) in enumerate(cases):
        run_dir = root / f"{family}-seed{seed}"
        runs.append(run_dir)
        core = i % os.cpu_count() if args.parallel else None
        command = train_command(family, args, seed, run_dir)
        if core is not None:
            command = ["taskset", "-c", str(core), *command]
        print(" ".join(command), flush=True)
        running.append(subprocess.Popen(command, cwd=ROOT, env=environment(core)))
        if not args.parallel or len(running) == os.cpu_count():
            for process in running:
                if process.wait() != 0:
                    raise SystemExit(f"training failed: {process.args}")
            running = []
    for process in running:
        if process.wait() != 0:
            raise SystemExit(f"training failed: {process.args}")
    return runs


def score(run_dir: Path, samples: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from keras_gan.commands.evaluate import evaluate_run
    from keras_gan.training.checkpoints import latest_checkpoint, read_meta

    record = evaluate_run(run_dir, ("domain",), samples, "latest")
    meta = read_meta(latest_checkpoint(run_dir / "checkpoints"))
    config = json.loads((run_dir / "config.json").read_text())
    steps = meta.get("iterations", {}).get("g_optimizer", 0)
    batch = config["train"]["batch_size"]
    grids = sorted((run_dir / "samples").glob("epoch_*.png"))
    return {"steps": steps, "kimg": round(steps * batch / 1000, 1), "batch": batch,
            "domain_fd": round(record["domain_fd"], 2),
            "class_entropy": round(record["class_entropy"], 3),
            "confident": round(record["confident"], 3),
            "grid": str(grids[-1]) if grids else None}


def side_by_side(rows: list[dict], path: Path) -> None:
    """The final grids of the first seed, one per family, left to right (8 px apart)."""
    from PIL import Image

    seed = rows[0]["seed"]
    grids = [Image.open(row["grid"]).convert("RGB") for row in rows
             if row["seed"] == seed and row["grid"]]
    figure = Image.new("RGB", (sum(g.width for g in grids) + 8 * (len(grids) - 1),
                               max(g.height for g in grids)), "white")
    x = 0
    for grid in grids:
        figure.paste(grid, (x, 0))
        x += grid.width + 8
    figure.save(path)


def print_table(rows: list[dict]) -> None:
    print("| family | seed | steps | kimg | domain_fd | class entropy | confident | grid |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['family']} | {row['seed']} | {row['steps']} | {row['kimg']} | "
              f"{row['domain_fd']:.2f} | {row['class_entropy']:.3f} | {row['confident']:.3f} | "
              f"{row['grid']} |")
    print()
    print("| family | seeds | domain_fd mean (min-max, stdev) | class entropy mean | confident mean |")
    print("| --- | --- | --- | --- | --- |")
    means = {}
    for family in dict.fromkeys(row["family"] for row in rows):
        group = [row for row in rows if row["family"] == family]
        fds = [row["domain_fd"] for row in group]
        means[family] = statistics.mean(fds)
        spread = statistics.stdev(fds) if len(fds) > 1 else 0.0
        print(f"| {family} | {len(group)} | {means[family]:.2f} ({min(fds):.2f}-{max(fds):.2f}, "
              f"{spread:.2f}) | {statistics.mean(r['class_entropy'] for r in group):.3f} | "
              f"{statistics.mean(r['confident'] for r in group):.3f} |")
    if {"lightweight", "dcgan"} <= set(means):
        print(f"\nlightweight / dcgan, mean domain_fd: {means['lightweight'] / means['dcgan']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="A labelled image folder (class subfolders).")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--minutes", type=float, default=30.0, help="Training time per run.")
    parser.add_argument("--families", default="lightweight,dcgan")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--samples", type=int, default=5000, help="Samples scored per run.")
    parser.add_argument("--extra", default="", help="More `train` options for every run.")
    parser.add_argument("--parallel", action="store_true",
                        help="Cases side by side, one pinned core and one thread each.")
    parser.add_argument("--root", default="benchmark-runs/small_data",
                        help="Where the run folders go (kept: look at the grids).")
    parser.add_argument("--json", default=None, help="Also write the rows to this file.")
    parser.add_argument("--score-only", action="store_true",
                        help="Score the runs already in --root (FAMILY-seedN folders).")
    parser.add_argument("--figure", default=None,
                        help="Write the first seed's final grids side by side to this PNG.")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    cases = [(family, int(seed)) for seed in args.seeds.split(",")
             for family in args.families.split(",")]
    runs = ([root / f"{family}-seed{seed}" for family, seed in cases] if args.score_only
            else run_cases(cases, args, root))
    rows = []
    for (family, seed), run_dir in zip(cases, runs):
        rows.append({"family": family, "seed": seed, **score(run_dir, args.samples)})
        print(json.dumps(rows[-1]), flush=True)
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    if args.figure:
        side_by_side(rows, Path(args.figure))


if __name__ == "__main__":
    main()
