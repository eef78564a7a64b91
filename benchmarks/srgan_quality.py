"""SRGAN on held-out images: bicubic vs the pretrained SRResNet vs the adversarial SRGAN, in
PSNR/SSIM on Y (the literature's convention) and on RGB, and a strip to look at.

Train a run that keeps its stage-switch checkpoint, then score it:

    python cli.py train --family srgan --data ../shared/data/openmoji/color --image-size 128 \
        --crop 64 --blocks 8 --width 32 --epochs 14 --pretrain-epochs 10 --keep 20 --run-dir RUN
    python benchmarks/srgan_quality.py --run RUN --out strip.png

The SRResNet row is the run's checkpoint at the end of pretraining (epoch_<pretrain>), the
SRGAN row its newest. Both use the EMA generator, as every export and `upscale` does. The
strip shows, per held-out image: bicubic | SRResNet | SRGAN | original.

Results, dated with the machine and command: benchmarks/RESULTS.md#srgan
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, help="an srgan run folder")
    parser.add_argument("--out", default="srgan_strip.png", help="the strip PNG")
    parser.add_argument("--show", type=int, default=4, help="held-out images in the strip")
    args = parser.parse_args()

    import numpy as np

    from keras_gan.evaluation.super_resolution import RGB_SPACE, Y_SPACE, sr_scores
    from keras_gan.io.images import save_image, to_uint8
    from keras_gan.io.resampling import upscale_bicubic
    from keras_gan.runs import load_run

    run = Path(args.run)
    config = json.loads((run / "config.json").read_text())
    pretrain, scale = config["model"]["pretrain_epochs"], config["model"]["scale"]
    with np.load(run / "examples.npz") as examples:
        sources, targets = examples["source"], examples["target"]
    outputs = {"bicubic": upscale_bicubic(sources, scale)}
    for name, checkpoint in (("SRResNet", f"epoch_{pretrain:04d}.weights.h5"), ("SRGAN", "latest")):
        _, model, used = load_run(run, checkpoint)
        outputs[name] = to_uint8(model.task.translate(model.sampling_generator, sources))
        print(f"{name}: {used.name}")
    print(f"{len(sources)} held-out images, {targets.shape[1]}x{targets.shape[2]} px, x{scale}")
    print("| output | Y-PSNR dB | Y-SSIM | RGB PSNR dB | RGB SSIM |")
    print("| --- | --- | --- | --- | --- |")
    for name, images in outputs.items():
        y, rgb = (sr_scores(images, targets, scale, space) for space in (Y_SPACE, RGB_SPACE))
        print(f"| {name} | {y['psnr']:.2f} | {y['ssim']:.4f} | {rgb['psnr']:.2f} | {rgb['ssim']:.4f} |")
    pick = np.linspace(0, len(sources) - 1, min(args.show, len(sources))).round().astype(int)
    rows = [np.concatenate([outputs["bicubic"][i], outputs["SRResNet"][i], outputs["SRGAN"][i],
                            targets[i]], axis=1) for i in pick]
    save_image(args.out, np.concatenate(rows, axis=0))
    print(f"Wrote {args.out}: bicubic | SRResNet | SRGAN | original")


if __name__ == "__main__":
    main()
