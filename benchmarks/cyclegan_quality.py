"""CycleGAN / DiscoGAN on an unpaired set whose two domains secretly share their file names:
held-out translation scored against the true counterpart (L1 / PSNR / SSIM, the do-nothing
baseline, luminance correlation), cycle L1, parameter counts and seconds per step, for a fixed
step budget.

    python benchmarks/cyclegan_quality.py                  # OpenMoji line art <-> colour, 64 px
    python benchmarks/cyclegan_quality.py --family discogan --steps 1000
    python benchmarks/cyclegan_quality.py --run /tmp/keras-gan-cyclegan-bench/...   # score a run

Training never sees the pairing: the two folders are loaded as two unpaired domains (the
held-out split is a hash of each file's relative path, so the same emoji are held out in both).
Only this script lines the held-out files up again, to score G(A) against the real B of the
same emoji and F(B) against the real A. The run folder (grids, checkpoints) is kept in --out.

Results, dated with the machine and command: benchmarks/RESULTS.md#cyclegan
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(ROOT))

from steps import budget_arguments, train_for, trainable  # noqa: E402
OPENMOJI = ROOT.parent / "shared" / "data" / "openmoji"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--family", default="cyclegan", choices=("cyclegan", "discogan"))
    parser.add_argument("--data", default=str(OPENMOJI / "black"), help="Domain A folder.")
    parser.add_argument("--data-b", default=str(OPENMOJI / "color"),
                        help="Domain B folder: the same relative paths as --data.")
    parser.add_argument("--image-size", type=int, default=64)
    budget_arguments(parser, steps=1500, out="/tmp/keras-gan-cyclegan-bench", width=32)
    args = parser.parse_args()

    import numpy as np

    from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options
    from keras_gan.evaluation.two_way import TwoWayEvaluator
    from keras_gan.resolve import load_run_data
    from keras_gan.runs import load_run

    if args.run:
        run_dir, wall, step_s, steps = Path(args.run), float("nan"), float("nan"), "all"
    else:
        run_dir = Path(args.out) / f"{args.family}-{Path(args.data).name}-{args.image_size}px-seed{args.seed}"
        config = RunConfig(data=DataConfig(name=args.data, name_b=args.data_b, image_size=args.image_size),
                           model=model_options(args.family, width=args.width),
                           train=TrainConfig(epochs=10**6, batch_size=args.batch_size, eval_every=0,
                                             xla=args.xla, seed=args.seed),
                           run_dir=str(run_dir))
        wall, step_s, steps = train_for(config, args.steps)
    config, model, checkpoint = load_run(run_dir)
    data = load_run_data(config)
    held = {d: np.asarray(data.heldout[d]) for d in ("a", "b")}
    if len(held["a"]) != len(held["b"]):
        sys.exit(f"The domains hold out {len(held['a'])} and {len(held['b'])} images: expected the "
                 "same relative paths in both folders (and no unreadable file), as in openmoji.")
    # each held-out A lines up with the held-out B of the same file name: the true translation
    scores = TwoWayEvaluator({**held, "a_truth": held["b"], "b_truth": held["a"]}).evaluate(model)

    print(f"\n{config.model.family}, {config.data.name} <-> {config.data.name_b}: "
          f"{len(data.fields['a'])} + {len(data.fields['b'])} training / {len(held['a'])} held-out "
          f"images per domain, {config.data.image_size} px, width {config.model.width}, batch "
          f"{config.train.batch_size}, {steps} steps ({wall / 60:.1f} min in all, "
          f"{step_s * 1000:.0f} ms/step after warm-up)")
    g = sum(trainable(model.networks[n]) for n in ("generator_ab", "generator_ba"))
    d = sum(trainable(model.networks[n]) for n in ("discriminator_a", "discriminator_b"))
    print(f"Generators {g:,} and discriminators {d:,} trainable parameters; checkpoint "
          f"{checkpoint.name}; grids in {run_dir / 'samples'}\n")
    print("| direction | output | L1 | PSNR dB | SSIM | luminance corr. |\n| --- | --- | --- | --- | --- | --- |")
    for direction, suffix in (("A->B", ""), ("B->A", "_ba")):
        for name, prefix in (("do nothing (output = input)", "baseline_"), (config.model.family, "")):
            luma = f"{scores['luminance_correlation' + suffix]:.3f}" if not prefix else ""
            print(f"| {direction} | {name} | {scores[prefix + 'l1' + suffix]:.4f} | "
                  f"{scores[prefix + 'psnr' + suffix]:.2f} | {scores[prefix + 'ssim' + suffix]:.3f} | {luma} |")
    print(f"\nCycle L1 (held out): A {scores['cycle_a']:.4f}, B {scores['cycle_b']:.4f}"
          + (f"; identity L1 {scores['identity_l1']:.4f}" if "identity_l1" in scores else ""))


if __name__ == "__main__":
    main()
