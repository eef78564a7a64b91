"""Training throughput and CPU/GPU utilisation per architecture, batch and option.

For each case, in a fresh process (so peak RSS is its own):
- steps/s and images/s through `GAN.fit` on in-memory random data: the median of
  several timed windows (each about --window-seconds long) after a warm-up;
- the first step separately (tracing + compiling + one step);
- peak RSS;
- the FLOPs of one reference step, counted from the layer shapes (so a cheaper
  algorithm counts as faster): D forward + backward on a real and a fake batch
  (plus the G forward that makes the fakes), then G forward + backward through D
  (D's backward there only to its inputs). Dense = 2*in*out, Conv2D =
  2*Hout*Wout*k*k*Cin*Cout, Conv2DTranspose = 2*Hin*Win*k*k*Cin*Cout per image;
  backward = 2x forward. Elementwise work (BatchNorm, activations, Adam, EMA) is
  not counted.
- utilisation = reference FLOPs x steps/s / the machine's float32 matmul rate,
  measured in the same process with the same threads (a 2048^3 tf.matmul, best of
  5). bfloat16 may exceed 100%.

`--end-to-end` also times `python cli.py train` with default options (grids,
checkpoints, plots, EMA, quality scoring where it is on by default): gan on
mnist_5k and dcgan on a generated 64x64 RGB folder, as the wall-time difference of
a short and a longer run (start-up cancels out).

    python benchmarks/train_throughput.py                          # the full table
    python benchmarks/train_throughput.py --cases gan-b256-28x28x1 --xla off,on
    python benchmarks/train_throughput.py --precisions float32,mixed_bfloat16 --json
    python benchmarks/train_throughput.py --cases none --end-to-end

Results, dated with the machine and command: benchmarks/RESULTS.md#throughput
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {  # name: (family, batch size, image shape)
    "gan-b64-28x28x1": ("gan", 64, (28, 28, 1)),
    "gan-b256-28x28x1": ("gan", 256, (28, 28, 1)),
    "dcgan-b32-64x64x3": ("dcgan", 32, (64, 64, 3)),
    "dcgan-b128-64x64x3": ("dcgan", 128, (64, 64, 3)),
    "dcgan-b32-128x128x3": ("dcgan", 32, (128, 128, 3)),
    "dcgan-b128-128x128x3": ("dcgan", 128, (128, 128, 3)),
}


def forward_flops(model, batch: int) -> int:
    """Multiply-adds x 2 of every Dense / Conv2D / Conv2DTranspose in a functional model."""
    import keras

    total = 0
    for layer in model._flatten_layers(include_self=False):
        inner = getattr(layer, "layer", layer)  # SpectralNormalization wraps a layer
        if isinstance(inner, keras.layers.Dense):
            total += 2 * inner.kernel.shape[0] * inner.kernel.shape[1]
        elif isinstance(inner, keras.layers.Conv2DTranspose):
            h, w = layer.input.shape[1:3]
            total += 2 * h * w * int(inner.kernel.shape[0] * inner.kernel.shape[1]
                                     * inner.kernel.shape[2] * inner.kernel.shape[3])
        elif isinstance(inner, keras.layers.Conv2D):
            h, w = layer.output.shape[1:3]
            total += 2 * h * w * int(inner.kernel.shape[0] * inner.kernel.shape[1]
                                     * inner.kernel.shape[2] * inner.kernel.shape[3])
    return total * batch


def reference_step_flops(generator, discriminator, batch: int) -> int:
    g, d = forward_flops(generator, batch), forward_flops(discriminator, batch)
    d_step = g + 2 * 3 * d  # fakes, then D forward + backward on real and fake
    g_step = 3 * g + 2 * d  # G forward + backward, D forward + backward to its inputs
    return d_step + g_step


def matmul_rate(dtype: str = "float32", n: int = 2048, repeats: int = 5) -> float:
    """FLOP/s of an n x n x n tf.matmul on this process's threads (best of `repeats`)."""
    import tensorflow as tf

    a = tf.random.normal((n, n), dtype="float32")
    a = tf.cast(a, dtype)
    product = tf.function(lambda x: tf.matmul(x, x))
    product(a).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(4):
            out = product(a)
        out.numpy()
        best = min(best, (time.perf_counter() - start) / 4)
    return 2 * n**3 / best


def run_case(family: str, batch_size: int, shape: tuple, precision: str, xla: str,
             windows: int, window_seconds: float, epoch_steps: int = 0) -> dict:
    """fit() alone; `epoch_steps`: the steps of the training epoch to match (the steps per
    call into TF then follow `cli.py train`'s rule for it), 0: one step per call."""
    import resource

    sys.path.insert(0, str(ROOT))
    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gan.config import DataConfig, RunConfig, TrainConfig, model_options
    from keras_gan.training.factory import build_model
    from keras_gan.resolve import fill_defaults

    config = RunConfig(data=DataConfig(image_size=shape[0], channels=shape[2]),
                       model=model_options(family),
                       train=TrainConfig(batch_size=batch_size, precision=precision, xla=xla))
    keras.utils.set_random_seed(0)
    config = fill_defaults(config)
    gan = build_model(config)
    if epoch_steps:
        from keras_gan.training.run import execution_steps, use_steps_per_execution

        use_steps_per_execution(gan, execution_steps(config, batch_size, epoch_steps))
    images = np.random.default_rng(0).uniform(-1, 1, (batch_size * 4, *shape)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(batch_size).repeat().prefetch(2)

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            durations.append(time.perf_counter() - self.start)

    def fit(steps, epochs=1):
        durations.clear()
        gan.fit(dataset, epochs=epochs, steps_per_epoch=steps, verbose=0, callbacks=[Timer()])
        return list(durations)

    durations = []
    calls = gan.steps_per_execution  # fit() calls run this many steps (Keras: at least)
    first_step = fit(calls)[0]  # trace + compile + one call
    probe = fit(3 * calls)[0] / (3 * calls)  # seconds per step once compiled, to size the windows
    steps = max(2, int(window_seconds / probe)) // calls * calls or calls
    # one fit() call, one epoch per window (a fit() call has its own start-up cost)
    seconds = float(np.median(fit(steps, windows))) / steps
    flops = reference_step_flops(gan.generator, gan.discriminator, batch_size)
    rate = matmul_rate("float32")
    return {
        "family": family, "batch": batch_size, "shape": list(shape), "precision": precision,
        "xla": bool(gan.jit_compile),
        "steps_per_s": 1 / seconds,
        "images_per_s": batch_size / seconds,
        "first_step_s": first_step,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "reference_gflop": flops / 1e9,
        "achieved_gflop_s": flops / seconds / 1e9,
        "matmul_gflop_s": rate / 1e9,
        "utilisation": flops / seconds / rate,
        "steps_per_window": steps,
        "steps_per_execution": calls,
    }


def end_to_end(family: str, batch: int, short: int, long: int, folder_images: int,
               xla: str = "auto", extra: tuple[str, ...] = ()) -> dict:
    """Default `cli.py train` (plus `extra` options), timed as (wall(long) - wall(short)) /
    (long - short) epochs."""
    sys.path.insert(0, str(ROOT))
    from keras_gan.data.pipeline import steps_per_epoch

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_GAN_CACHE": str(tmp / "cache")}
        if family == "gan":
            data, count = ["--data", "mnist_5k"], 5000
        else:
            make_folder(tmp / "images", folder_images)
            data, count = ["--data", str(tmp / "images"), "--image-size", "64"], folder_images
        walls = {short: float("inf"), long: float("inf")}
        # the first run fills the data and domain-classifier caches (the long run scores);
        # then the fastest of two runs each (start-up, XLA compiling included, varies by ~1 s)
        for epochs in (long, short, long, short, long):
            start = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "cli.py"), "train", "--family", family, *data,
                            "--batch-size", str(batch), "--epochs", str(epochs), "--xla", xla,
                            "--runs-root", str(tmp / "runs"), *extra],
                           check=True, env=env, capture_output=True, text=True)
            walls[epochs] = min(walls[epochs], time.perf_counter() - start)
        steps = steps_per_epoch(count, batch) * (long - short)
        seconds = (walls[long] - walls[short]) / steps
        shape = [28, 28, 1] if family == "gan" else [64, 64, 3]
        trained = json.loads(next((tmp / "runs").glob("*/config.json")).read_text())["train"]
        return {"family": family, "batch": batch, "shape": shape, "xla": xla,
                "precision": trained["precision"],  # as the defaults chose it for this machine
                "epochs_timed": long - short,
                "steps_timed": steps,
                "steps_per_s": 1 / seconds, "images_per_s": count * (long - short)
                / (walls[long] - walls[short])}


def make_folder(folder: Path, count: int) -> None:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    for i in range(count):
        pixels = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i:05d}.png")


def child(args) -> None:
    if args._case.startswith("e2e:"):
        _, family, batch = args._case.split(":")
        long = args.e2e_long or {"gan": 32, "dcgan": 8}[family]
        result = end_to_end(family, int(batch), args.e2e_short, long, args.e2e_images, args._xla)
        result["matmul_gflop_s"] = matmul_rate("float32") / 1e9
    else:
        family, batch, shape = CASES[args._case]
        result = run_case(family, batch, shape, args._precision, args._xla, args.windows,
                          args.window_seconds, args._epoch_steps)
    print(json.dumps(result))


def spawn(case: str, args, precision: str = "float32", xla: str = "auto",
          epoch_steps: int = 0) -> dict:
    command = [sys.executable, __file__, "--_case", case, "--_precision", precision, "--_xla", xla,
               "--_epoch-steps", str(epoch_steps),
               "--windows", str(args.windows), "--window-seconds", str(args.window_seconds),
               "--e2e-short", str(args.e2e_short), "--e2e-long", str(args.e2e_long),
               "--e2e-images", str(args.e2e_images)]
    out = subprocess.run(command, check=True, capture_output=True, text=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names, or none")
    parser.add_argument("--precisions", default="float32",
                        help="comma-separated: float32, mixed_bfloat16, mixed_float16")
    parser.add_argument("--xla", default="auto", help="comma-separated: auto (the default), on, off")
    parser.add_argument("--windows", type=int, default=5, help="timed windows (median taken)")
    parser.add_argument("--window-seconds", type=float, default=4.0, help="length of a window")
    parser.add_argument("--end-to-end", action="store_true",
                        help="also time `cli.py train` with default options (gan b256, dcgan b128)")
    parser.add_argument("--e2e-short", type=int, default=2, help="epochs of the short run")
    parser.add_argument("--e2e-long", type=int, default=0,
                        help="epochs of the long run [default: gan 32, dcgan 8]")
    parser.add_argument("--e2e-images", type=int, default=640, help="dcgan folder size")
    parser.add_argument("--e2e-archs", default="all", help="gan, dcgan or all")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--_case", help=argparse.SUPPRESS)
    parser.add_argument("--_precision", default="float32", help=argparse.SUPPRESS)
    parser.add_argument("--_xla", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--_epoch-steps", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._case:
        child(args)
        return

    cases = [c for c in args.cases.split(",") if c and c != "none"]
    results = {f"{case} {precision} xla={xla}": spawn(case, args, precision, xla)
               for case in cases for precision in args.precisions.split(",")
               for xla in args.xla.split(",")}
    if args.end_to_end:
        for family, batch in (("gan", 256), ("dcgan", 128)):
            if args.e2e_archs == "all" or family in args.e2e_archs.split(","):
                for xla in args.xla.split(","):
                    results[f"cli.py train {family} b{batch} xla={xla}"] = spawn(
                        f"e2e:{family}:{batch}", args, xla=xla)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"CPU cores: {os.cpu_count()}; windows: {args.windows} x ~{args.window_seconds:g} s "
          "(median)")
    print(f"{'case':<46}{'steps/s':>9}{'images/s':>10}{'1st step s':>11}{'RSS MiB':>9}"
          f"{'ref GFLOP':>10}{'GFLOP/s':>9}{'matmul':>8}{'util':>7}")
    for name, r in results.items():
        if "reference_gflop" in r:
            print(f"{name:<46}{r['steps_per_s']:>9.2f}{r['images_per_s']:>10.0f}"
                  f"{r['first_step_s']:>11.1f}{r['peak_rss_mib']:>9.0f}{r['reference_gflop']:>10.2f}"
                  f"{r['achieved_gflop_s']:>9.0f}{r['matmul_gflop_s']:>8.0f}"
                  f"{100 * r['utilisation']:>6.0f}%")
    for name, r in results.items():
        if "epochs_timed" in r:
            fit = next((v for v in results.values() if v.get("family") == r["family"]
                        and v.get("batch") == r["batch"] and v.get("shape") == r["shape"]
                        and "utilisation" in v and v["xla"] == (r["xla"] == "on")
                        and v["precision"] == "float32"), None)
            line = f"{name:<46}{r['steps_per_s']:>9.2f}{r['images_per_s']:>10.0f}"
            if fit:
                share = r["steps_per_s"] / fit["steps_per_s"]
                line += (f"  end to end: {100 * share:.0f}% of fit()'s rate, utilisation "
                         f"{100 * fit['utilisation'] * share * fit['matmul_gflop_s'] / r['matmul_gflop_s']:.0f}%")
            print(line)


if __name__ == "__main__":
    main()
