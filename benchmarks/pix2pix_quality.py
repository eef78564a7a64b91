"""Pix2Pix on a paired set: held-out L1 / PSNR / SSIM against the do-nothing baseline, both
test-time modes, parameter counts and seconds per step, for a fixed step budget.

    python benchmarks/pix2pix_quality.py                       # mnist_outline, 32 px
    python benchmarks/pix2pix_quality.py --data PAIRS_DIR --image-size 64 --steps 3000
    python benchmarks/pix2pix_quality.py --run runs/00002-pix2pix-mnist_outline   # score a run

Test-time modes (the measurement behind the choice between them: RESULTS.md, below):
- inference: moving BatchNorm statistics, no dropout (deterministic; what translate and
  every export use);
- paper: "dropout at test time and batch normalization using the statistics of the test
  batch" (Isola et al. 2017, 3.3), each image alone (batch 1, as trained); stochastic.
The run folder (grids, checkpoints) is kept in --out for looking at.

Results, dated with the machine and command: benchmarks/RESULTS.md#pix2pix
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


def paper_mode(model, sources):
    """Each image alone through G in training mode: its own BatchNorm statistics, dropout on."""
    import numpy as np
    import tensorflow as tf

    network = model.sampling_generator
    images = np.asarray(sources, np.float32) / 127.5 - 1.0
    return np.concatenate([tf.cast(network(images[i:i + 1], training=True), tf.float32).numpy()
                           for i in range(len(images))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="mnist_outline")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--ema", type=float, default=0.999, help="0: off")
    budget_arguments(parser, steps=2000, out="/tmp/keras-gan-pix2pix-bench", width=64)
    args = parser.parse_args()

    import numpy as np

    from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options
    from keras_gan.evaluation.paired import paired_scores
    from keras_gan.io.images import to_channels, to_uint8
    from keras_gan.resolve import load_run_data
    from keras_gan.runs import load_run

    if args.run:
        run_dir, wall, step_s, steps = Path(args.run), float("nan"), float("nan"), "all"
    else:
        run_dir = Path(args.out) / f"{Path(args.data).name}-{args.image_size}px-seed{args.seed}"
        config = RunConfig(data=DataConfig(name=args.data, image_size=args.image_size),
                           model=model_options("pix2pix", width=args.width),
                           train=TrainConfig(epochs=10**6, batch_size=args.batch_size, eval_every=0,
                                             xla=args.xla, ema=args.ema or None, seed=args.seed),
                           run_dir=str(run_dir))
        wall, step_s, steps = train_for(config, args.steps)
    config, model, checkpoint = load_run(run_dir)
    data = load_run_data(config)
    sources, targets = np.asarray(data.heldout["source"]), np.asarray(data.heldout["target"])
    rows = {"do nothing (output = input)": paired_scores(to_channels(sources, targets.shape[-1]), targets),
            "pix2pix, inference mode": paired_scores(
                to_uint8(model.task.translate(model.sampling_generator, sources)), targets),
            "pix2pix, paper mode": paired_scores(to_uint8(paper_mode(model, sources)), targets)}
    print(f"\n{config.data.name}: {data.count} training / {len(sources)} held-out pairs, "
          f"{config.data.image_size} px, batch {config.train.batch_size}, {steps} steps "
          f"({wall / 60:.1f} min in all, {step_s * 1000:.0f} ms/step after warm-up), "
          f"EMA {config.train.ema or 'off'}")
    print(f"G {trainable(model.generator):,} and D {trainable(model.discriminator):,} trainable "
          f"parameters; checkpoint {checkpoint.name}; grids in {run_dir / 'samples'}\n")
    print("| output | L1 | PSNR dB | SSIM |\n| --- | --- | --- | --- |")
    for name, scores in rows.items():
        print(f"| {name} | {scores['l1']:.4f} | {scores['psnr']:.2f} | {scores['ssim']:.3f} |")


if __name__ == "__main__":
    main()
