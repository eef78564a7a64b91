"""Where one training step's time goes: TensorFlow's profiler, summed by op type.

Traces --steps steps of `GAN.fit` (after a warm-up) with tf.profiler, reads the
trace's XPlane protobuf, and prints the share of op time per op type (MatMul,
Conv2D*, elementwise, optimizer updates, ...).

Then the kernel-only ceiling: the same matmul/convolution kernels one reference
step needs (forward, backward to the input, backward to the weights, with the
layers' own shapes), run alone back to back in one tf.function. Its utilisation
is what the step would reach if every other op (BatchNorm, activations, Adam,
EMA, random numbers) and all framework overhead took no time.

    python benchmarks/profile_step.py --family gan --batch 256
    python benchmarks/profile_step.py --family dcgan --batch 128 --size 64 --channels 3 --steps 3

Results, dated with the machine and command: benchmarks/RESULTS.md#profile
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


def layer_kernels(model, batch: int, dtype: str = "float32"):
    """For each Dense/Conv2D/Conv2DTranspose of `model`: three functions of no arguments
    running its forward, input-gradient and weight-gradient kernels on random tensors."""
    import keras
    import tensorflow as tf

    kernels = []
    for layer in model._flatten_layers(include_self=False):
        inner = getattr(layer, "layer", layer)
        if not isinstance(inner, (keras.layers.Dense, keras.layers.Conv2D)):
            continue
        w = tf.random.normal(inner.kernel.shape, dtype=dtype)
        x = tf.random.normal((batch, *layer.input.shape[1:]), dtype=dtype)
        y = tf.random.normal((batch, *layer.output.shape[1:]), dtype=dtype)
        if isinstance(inner, keras.layers.Dense):
            kernels.append((lambda x=x, w=w: tf.matmul(x, w),
                            lambda y=y, w=w: tf.matmul(y, w, transpose_b=True),
                            lambda x=x, y=y: tf.matmul(x, y, transpose_a=True)))
            continue
        kernels.append(conv_kernels(x, w, y, (1, *inner.strides, 1), inner.padding.upper(),
                                    isinstance(inner, keras.layers.Conv2DTranspose)))
    return kernels


def conv_kernels(x, w, y, strides, padding, transposed: bool):
    """Forward, input-gradient and weight-gradient kernels of a convolution x -> y (or of
    a transposed one, which runs a convolution's kernels the other way round)."""
    import tensorflow as tf

    small, large = (x, y) if transposed else (y, x)  # conv: large input -> small output

    def to_small():
        return tf.nn.conv2d(large, w, strides, padding)

    def to_large():
        return tf.nn.conv2d_transpose(small, w, tf.shape(large), strides, padding)

    def weights():
        return tf.raw_ops.Conv2DBackpropFilter(input=large, filter_sizes=tf.shape(w),
                                               out_backprop=small, strides=strides, padding=padding)

    return (to_large, to_small, weights) if transposed else (to_small, to_large, weights)


def kernel_ceiling(generator, discriminator, batch: int, repeats: int = 5) -> float:
    """Seconds for the matmul/convolution kernels of one reference step, run alone, in
    the networks' compute dtype."""
    import tensorflow as tf

    def g():
        return layer_kernels(generator, batch, generator.compute_dtype)

    def d():
        return layer_kernels(discriminator, batch, discriminator.compute_dtype)

    # D step: G forward; D forward, input and weight gradients on real and on fake.
    # G step: G forward, input and weight gradients; D forward and input gradients.
    # Fresh tensors for every use, or the graph optimiser merges identical kernels.
    plan = ([k[0] for k in g()] + [f for _ in range(2) for k in d() for f in k]
            + [f for k in g() for f in k] + [f for k in d() for f in k[:2]])

    @tf.function
    def step():  # every output returned whole, so no kernel can be pruned or shortened
        return [kernel() for kernel in plan]

    step()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()  # eager execution on the CPU returns once the outputs are computed
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="gan")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--xla", default="auto")
    parser.add_argument("--precision", default="float32", help="the training dtype policy")
    parser.add_argument("--inter-op", type=int, default=0,
                        help="TensorFlow's inter-op threads (ops run side by side); 0: its default")
    parser.add_argument("--top", type=int, default=14)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    if args.inter_op:
        tf.config.threading.set_inter_op_parallelism_threads(args.inter_op)
    from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options
    from keras_gan.training.factory import build_model
    from keras_gan.resolve import fill_defaults
    from train_throughput import matmul_rate, reference_step_flops

    config = RunConfig(data=DataConfig(image_size=args.size, channels=args.channels),
                       model=model_options(args.family),
                       train=TrainConfig(batch_size=args.batch, xla=args.xla, precision=args.precision))
    keras.utils.set_random_seed(0)
    gan = build_model(fill_defaults(config))
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
    print(f"{args.family} batch {args.batch} {shape} {args.precision}: {args.steps} steps in {wall:.2f} s wall "
          f"(profiler on); op time summed over threads {busy:.2f} s")
    print(f"matmul/conv ops: {dense:.2f} s = {100 * dense / busy:.0f}% of op time; they run the "
          f"reference FLOPs at {flops / dense / 1e9:.0f} GFLOP/s (the 2048^3 matmul: "
          f"{rate / 1e9:.0f}); the whole step at {flops / wall / 1e9:.0f} GFLOP/s")
    print(f"{'op type':<40}{'seconds':>9}{'share':>8}")
    for op, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"{op:<40}{seconds:>9.3f}{100 * seconds / busy:>7.1f}%")
    ceiling = kernel_ceiling(gan.generator, gan.discriminator, args.batch)
    step_flops = flops / args.steps
    print(f"kernel-only ceiling: one reference step's matmul/conv kernels alone take "
          f"{1000 * ceiling:.1f} ms = {step_flops / ceiling / 1e9:.0f} GFLOP/s = "
          f"{100 * step_flops / ceiling / rate:.0f}% utilisation; the profiled step took "
          f"{1000 * wall / args.steps:.1f} ms")


if __name__ == "__main__":
    main()
