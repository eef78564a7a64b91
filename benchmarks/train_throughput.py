"""Training throughput on random data: steps/s, images/s and peak RSS per case.

Runs through `GAN.fit` (the path users take) on an in-memory dataset, after a
warm-up epoch that absorbs graph tracing; reports the median of several timed
windows. Each case runs in a fresh process so peak RSS is its own.

    python benchmarks/train_throughput.py              # the default table
    python benchmarks/train_throughput.py --windows 3 --steps 10 --json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CASES = {  # name: (arch, batch size, image shape)
    "gan-b256-28x28x1": ("gan", 256, (28, 28, 1)),
    "dcgan-b128-64x64x3": ("dcgan", 128, (64, 64, 3)),
}


def run_case(arch: str, batch_size: int, shape: tuple, steps: int, windows: int,
             precision: str = "float32") -> dict:
    import resource

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gan.config import DataConfig, ModelConfig, RunConfig, TrainConfig
    from keras_gan.factory import build_gan

    config = RunConfig(data=DataConfig(image_size=shape[0], channels=shape[2]),
                       model=ModelConfig(arch=arch), train=TrainConfig(precision=precision))
    keras.utils.set_random_seed(0)
    gan = build_gan(config)
    images = np.random.default_rng(0).uniform(-1, 1, (batch_size * 4, *shape)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(batch_size).repeat().prefetch(2)

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.durations = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.durations.append(time.perf_counter() - self.start)

    timer = Timer()
    gan.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0, callbacks=[timer])  # trace + compile
    first_epoch = timer.durations[0]
    timer.durations.clear()
    gan.fit(dataset, epochs=windows, steps_per_epoch=steps, verbose=0, callbacks=[timer])
    seconds = float(np.median(timer.durations))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "steps_per_s": steps / seconds,
        "images_per_s": steps * batch_size / seconds,
        "first_2_steps_s": first_epoch,
        "peak_rss_mib": peak_kib / 1024,
        "params_g": gan.generator.count_params(),
        "params_d": gan.discriminator.count_params(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="steps per timed window")
    parser.add_argument("--windows", type=int, default=5, help="timed windows (median taken)")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    parser.add_argument("--precisions", default="float32",
                        help="comma-separated: float32, mixed_bfloat16, mixed_float16")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--_precision", default="float32", help=argparse.SUPPRESS)
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._child:
        arch, batch, shape = CASES[args._child]
        print(json.dumps(run_case(arch, batch, shape, args.steps, args.windows,
                                  args._precision)))
        return

    results = {}
    for name in args.cases.split(","):
        for precision in args.precisions.split(","):
            out = subprocess.run(
                [sys.executable, __file__, "--_child", name, "--steps", str(args.steps),
                 "--windows", str(args.windows), "--_precision", precision],
                check=True, capture_output=True, text=True,
            )
            results[f"{name} {precision}"] = json.loads(out.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"CPU cores: {os.cpu_count()}; steps per window: {args.steps}; "
          f"windows: {args.windows} (median)")
    print(f"{'case':<38}{'steps/s':>9}{'images/s':>10}{'trace+2 steps s':>17}{'peak RSS MiB':>14}")
    for name, r in results.items():
        print(f"{name:<38}{r['steps_per_s']:>9.2f}{r['images_per_s']:>10.0f}"
              f"{r['first_2_steps_s']:>17.1f}{r['peak_rss_mib']:>14.0f}")


if __name__ == "__main__":
    main()
