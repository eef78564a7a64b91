"""Export size, fidelity and per-image latency of every format, at batch 1 and 64.

For each case, exports the generator with `export_network` (all formats and
TFLite variants, verified as `cli.py export` does), then times each runtime on
2 threads: Keras (the reference), the SavedModel's serving_default (includes
PNG encoding, as TF Serving would run it), LiteRT for each .tflite file and
onnxruntime. Reports the median of --repeats timed runs after one warm-up.

    python benchmarks/export_latency.py                          # gan and dcgan 64x64, random init
    python benchmarks/export_latency.py --run runs/00001-gan-mnist_5k --run runs/00002-dcgan-x

Random-init generators give the sizes and latencies; PSNR of the quantized files
means more on trained runs (pass --run).

Results, dated with the machine and command: benchmarks/RESULTS.md#export
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

THREADS = 2
BATCHES = (1, 64)
CASES = {  # name: (family, image size, channels)
    "gan-28x28x1": ("gan", 28, 1),
    "dcgan-64x64x3": ("dcgan", 64, 3),
}


def median_ms_per_image(fn, batch: int, repeats: int) -> float:
    fn()  # warm-up: tracing, allocation, delegate set-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times) / batch


def runners(result, generator, latent_dim: int):
    """name -> make(latents) -> a zero-argument call that runs that artifact once."""
    import onnxruntime
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter

    out = {"keras": lambda z: (lambda: generator(z, training=False))}
    signatures = tf.saved_model.load(str(result.path)).signatures
    out["saved_model"] = lambda z: (lambda: signatures["serving_default"](latent=tf.constant(z)))
    for artifact in result.artifacts:
        path = str(result.path / artifact.name)
        if artifact.format == "tflite":
            runner = Interpreter(model_path=path, num_threads=THREADS).get_signature_runner()
            out[artifact.name] = lambda z, r=runner: (lambda: r(latent=z))
        elif artifact.format == "onnx":
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = THREADS
            session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            out[artifact.name] = lambda z, s=session: (lambda: s.run(None, {"latent": z}))
    return out


def bench(name: str, generator, latent_dim: int, repeats: int, folder: Path) -> list[dict]:
    import numpy as np

    from keras_gan.config import ExportConfig
    from keras_gan.commands.export import export_network

    options = ExportConfig(formats=("saved_model", "tflite", "onnx"))
    start = time.perf_counter()
    result = export_network(generator, latent_dim, folder / name, options)
    export_s = time.perf_counter() - start
    worst = {}
    for check in result.checks:
        diff, psnr = worst.get(check.artifact, (0.0, float("inf")))
        worst[check.artifact] = (max(diff, check.max_abs_diff), min(psnr, check.psnr_db))
    rows = []
    for artifact, make in runners(result, generator, latent_dim).items():
        row = {"case": name, "artifact": artifact, "size_mb": result.sizes.get(artifact, 0) / 1e6,
               "max_abs_diff": worst.get(artifact, (0.0, float("inf")))[0],
               "psnr_db": worst.get(artifact, (0.0, float("inf")))[1]}
        for batch in BATCHES:
            z = np.random.default_rng(batch).standard_normal((batch, latent_dim)).astype("float32")
            row[f"ms_b{batch}"] = median_ms_per_image(make(z), batch, repeats)
        rows.append(row)
    print(f"{name}: export with verification took {export_s:.1f} s", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", action="append", default=[], help="Run folder (repeatable).")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    from keras_gan.config import DataConfig, RunConfig, model_options
    from keras_gan.training.factory import build_model
    from keras_gan.resolve import fill_defaults
    from keras_gan.runs import load_run

    models = []
    for run in args.run:
        config, gan, checkpoint = load_run(run)
        models.append((f"{Path(run).name}@{checkpoint.name.split('.')[0]}", gan))
    if not args.run:
        for name, (family, size, channels) in CASES.items():
            keras.utils.set_random_seed(0)
            config = RunConfig(data=DataConfig(image_size=size, channels=channels),
                               model=model_options(family))
            models.append((name, build_model(fill_defaults(config))))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, gan in models:
            rows += bench(name, gan.generator, gan.latent_dim, args.repeats, Path(folder))
    print(f"\n{THREADS} threads, median of {args.repeats}; ms per image\n")
    print("| case | artifact | size (MB) | max abs diff | PSNR (dB) | batch 1 | batch 64 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        size = f"{r['size_mb']:.2f}" if r["size_mb"] else "-"
        print(f"| {r['case']} | {r['artifact']} | {size} | {r['max_abs_diff']:.2e} | "
              f"{r['psnr_db']:.1f} | {r['ms_b1']:.3f} | {r['ms_b64']:.3f} |")


if __name__ == "__main__":
    main()
