"""keras-gan against the plain PyTorch loop of the same designs, in one run, on this machine.

For each case it prints steps/s of
- keras-gan end to end: `python cli.py train` with default options (grids, checkpoints,
  the loss plot, scoring where it is on by default, EMA) training what the PyTorch loop
  trains, in steady state: the wall-time difference of a short and a long run, so start-up
  and compiling cancel out. dcgan on a folder under 10,000 RGB images defaults to a recipe
  that does more work per step (x-flips, DiffAugment, the R1 penalty:
  benchmarks/RESULTS.md#small-rgb-recipe); the ratio turns it off (--no-mirror --augment
  none --r1 0) and the last columns time the defaults as a user gets them;
- keras-gan fit() alone on in-memory data (benchmarks/train_throughput.py), with the steps
  per call into TensorFlow and the precision that `cli.py train` uses for that data (dcgan
  on small RGB sets computes in bfloat16 where the hardware has bfloat16 units; the
  PyTorch loop always in float32: the last column says which keras-gan used);
- the PyTorch reference loop, ../shared/reference/torch_reference_gan.py, run by
  --torch-python (a benchmark-only venv with torch; never a keras-gan requirement);
and the ratios, plus the share of `cli.py train`'s steady-state time spent in side work
(grids, checkpoints, the loss plot, scoring): 1 - its rate / the rate of the same command
with side work pushed past the run's end (--grid-every 100000 --snap 100000 --eval-every 0; the
last epoch's work is in both runs of the difference and cancels out).

Cases: gan on mnist_5k at batch 256 (19 steps per epoch); dcgan 64x64x3 at batch 128 on
256 frames (2 steps per epoch); dcgan 64x64x3 at batch 32 on a 1,000-image folder.

    python3.11 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy mlxtend pillow
    python benchmarks/versus_pytorch.py --torch-python /tmp/torchvenv/bin/python
    python benchmarks/versus_pytorch.py --cases gan-b256 --torch-python /tmp/torchvenv/bin/python

Results, dated with the machine and command: benchmarks/RESULTS.md#versus-pytorch
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads
sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_throughput as throughput  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "torch_reference_gan.py"
# the PyTorch loop's algorithm where keras-gan's defaults for the data add to it
SMALL_RGB_RECIPE_OFF = ("--no-mirror", "--augment", "none", "--r1", "0")
# name: (family, batch, images in the training data, fit-only case, reference args, e2e epochs,
#        cli.py options that make it train what the reference trains)
CASES = {
    "gan-b256": ("gan", 256, 5000, "gan-b256-28x28x1",
                 ["--family", "vanilla", "--data", "mnist", "--steps", "800"], (2, 62), ()),
    "dcgan-b128": ("dcgan", 128, 256, "dcgan-b128-64x64x3",
                   ["--family", "dcgan", "--data", "random", "--steps", "30"], (2, 22),
                   SMALL_RGB_RECIPE_OFF),
    "dcgan-b32-1000": ("dcgan", 32, 1000, "dcgan-b32-64x64x3",
                       ["--family", "dcgan", "--data", "random", "--steps", "120"], (1, 9),
                       SMALL_RGB_RECIPE_OFF),
}


BARE = ("--grid-every", "100000", "--snap", "100000", "--eval-every", "0")


def reference(python: str, args: list[str], batch: int, threads: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([python, str(REFERENCE), *args, "--batch", str(batch), "--threads",
                        str(threads), "--n-samples", "16", "--out", out],
                       check=True, capture_output=True, text=True)
        return json.loads((Path(out) / "metrics.json").read_text())["throughput"]["steps_per_s"]


def measure(name: str, args) -> dict:
    family, batch, images, fit_case, torch_args, (short, long), same = CASES[name]
    steps = max(1, images // batch)  # the epoch cli.py train runs (whole batches)
    e2e = throughput.end_to_end(family, batch, short, long, images, extra=same)
    # fit() in the precision cli.py train chose (bfloat16 for dcgan on small RGB sets where
    # the hardware has it)
    fit = throughput.spawn(fit_case, args, precision=e2e["precision"], epoch_steps=steps)
    bare = throughput.end_to_end(family, batch, short, long, images, extra=(*same, *BARE))
    defaults = throughput.end_to_end(family, batch, short, long, images) if same else e2e
    torch = reference(args.torch_python, torch_args, batch, args.threads) \
        if args.torch_python else float("nan")
    return {"case": name, "steps_per_epoch": steps, "steps_per_execution": fit["steps_per_execution"],
            "end_to_end": e2e["steps_per_s"], "fit": fit["steps_per_s"], "torch": torch,
            "side_work": 1 - e2e["steps_per_s"] / bare["steps_per_s"], "bare": bare["steps_per_s"],
            "defaults": defaults["steps_per_s"], "matmul_gflop_s": fit["matmul_gflop_s"],
            "precision": e2e["precision"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated: {', '.join(CASES)}")
    parser.add_argument("--torch-python", default=os.environ.get("TORCH_PYTHON"),
                        help="a Python with torch for the reference loop [env TORCH_PYTHON; "
                             "without it the PyTorch column is left empty]")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch threads (TF uses all cores)")
    parser.add_argument("--windows", type=int, default=5, help="fit(): timed windows (median)")
    parser.add_argument("--window-seconds", type=float, default=4.0, help="fit(): window length")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    # what train_throughput.spawn passes on to its child
    args.e2e_short, args.e2e_long, args.e2e_images = 2, 0, 640
    names = [name for name in args.cases.split(",") if name]
    if args.json:
        print(json.dumps([measure(name, args) for name in names], indent=2))
        return
    print(f"CPU cores: {os.cpu_count()}; PyTorch threads: {args.threads}")
    print(f"{'case':<16}{'steps/epoch':>12}{'per call':>9}{'cli.py train':>13}{'fit()':>8}"
          f"{'PyTorch':>9}{'e2e/torch':>10}{'fit/torch':>10}{'side work':>10}"
          f"{'defaults':>9}{'/torch':>7}  precision", flush=True)
    for name in names:  # each row as it is measured
        r = measure(name, args)
        print(f"{r['case']:<16}{r['steps_per_epoch']:>12}{r['steps_per_execution']:>9}"
              f"{r['end_to_end']:>13.2f}{r['fit']:>8.2f}{r['torch']:>9.2f}"
              f"{r['end_to_end'] / r['torch']:>9.2f}x{r['fit'] / r['torch']:>9.2f}x"
              f"{100 * r['side_work']:>9.1f}%{r['defaults']:>9.2f}{r['defaults'] / r['torch']:>6.2f}x"
              f"  {r['precision']}", flush=True)
    print(f"float32 matmul on this machine: {r['matmul_gflop_s']:.0f} GFLOP/s")

if __name__ == "__main__":
    main()
