"""Where one training step's time goes: TensorFlow's profiler, summed by op type.

Traces --steps steps of `GAN.fit` (after a warm-up) with tf.profiler, reads the
trace's XPlane protobuf, and prints the share of op time per op type (MatMul,
Conv2D*, elementwise, optimizer updates, ...) and the reference-FLOP rate of the
matmul/convolution ops alone, next to the whole step's.

    python benchmarks/profile_step.py --arch gan --batch 256
    python benchmarks/profile_step.py --arch dcgan --batch 128 --size 64 --channels 3 --steps 3
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DENSE_OPS = ("MatMul", "BatchMatMul", "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter",
             "_MklMatMul", "_MklConv2D", "_FusedMatMul", "_MklFusedMatMul", "_FusedConv2D",
             "_MklFusedConv2D", "_MklConv2DBackpropInput", "_MklConv2DBackpropFilter",
             "_MklNativeConv2D", "_MklNativeFusedConv2D", "_MklNativeConv2DBackpropInput",
             "_MklNativeConv2DBackpropFilter", "_MklNativeFusedMatMul", "_MklNativeMatMul")


def op_times(logdir: Path) -> tuple[dict, float]:
    """{op type: seconds} over every TF op event ("node:OpType") on TF's threads."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    totals: dict[str, float] = collections.defaultdict(float)
    span = 0.0
    for path in logdir.rglob("*.xplane.pb"):
        space = xplane_pb2.XSpace()
        space.ParseFromString(path.read_bytes())
        for plane in space.planes:
            names = {k: v.name for k, v in plane.event_metadata.items()}
            for line in plane.lines:
                if not line.name.startswith("tf_"):  # TF's compute threads
                    continue
                for event in line.events:
                    name = names.get(event.metadata_id, "?")
                    if name.count(":") != 1:  # "node:OpType"; not executor frames "A::B"
                        continue
                    totals[name.split(":")[1]] += event.duration_ps / 1e12
                if line.events:
                    start = min(e.offset_ps for e in line.events)
                    end = max(e.offset_ps + e.duration_ps for e in line.events)
                    span = max(span, (end - start) / 1e12)
    return totals, span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="gan")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--xla", default="auto")
    parser.add_argument("--top", type=int, default=14)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gan.config import DataConfig, ModelConfig, RunConfig, TrainConfig
    from keras_gan.factory import build_gan
    from train_throughput import matmul_rate, reference_step_flops

    config = RunConfig(data=DataConfig(image_size=args.size, channels=args.channels),
                       model=ModelConfig(arch=args.arch),
                       train=TrainConfig(batch_size=args.batch, xla=args.xla))
    keras.utils.set_random_seed(0)
    gan = build_gan(config)
    shape = (args.size, args.size, args.channels)
    images = np.random.default_rng(0).uniform(-1, 1, (args.batch * 4, *shape)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(args.batch).repeat()
    gan.fit(dataset, epochs=1, steps_per_epoch=3, verbose=0, shuffle=False)  # trace, warm up
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start = time.perf_counter()
        gan.fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0, shuffle=False)
        wall = time.perf_counter() - start
        tf.profiler.experimental.stop()
        totals, _ = op_times(Path(logdir))
    busy = sum(totals.values())
    dense = sum(t for op, t in totals.items() if op in DENSE_OPS or "MatMul" in op or "Conv2D" in op)
    flops = reference_step_flops(gan.generator, gan.discriminator, args.batch) * args.steps
    rate = matmul_rate()
    print(f"{args.arch} batch {args.batch} {shape}: {args.steps} steps in {wall:.2f} s wall "
          f"(profiler on); op time summed over threads {busy:.2f} s")
    print(f"matmul/conv ops: {dense:.2f} s = {100 * dense / busy:.0f}% of op time; they run the "
          f"reference FLOPs at {flops / dense / 1e9:.0f} GFLOP/s (the 2048^3 matmul: "
          f"{rate / 1e9:.0f}); the whole step at {flops / wall / 1e9:.0f} GFLOP/s")
    print(f"{'op type':<40}{'seconds':>9}{'share':>8}")
    for op, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"{op:<40}{seconds:>9.3f}{100 * seconds / busy:>7.1f}%")


if __name__ == "__main__":
    main()
