"""Input pipeline speed on Tom-and-Jerry-like data: large JPEG frames in four class folders.

Generates `--frames` 1280x720 JPEGs (smooth shapes plus noise, about the size of
real cartoon frames), then measures:
- decode + resize of the folder, cold (empty cache) and warm (cache hit);
- pipeline-only images/s: the training tf.data pipeline at --size, batches drawn
  and materialised, no model;
- training images/s for dcgan at --size and --batch (after a warm-up step);
- time until `cli.py train` starts its first epoch, first run and second run.

    python benchmarks/data_pipeline.py                    # 1,000 frames, 128 px, batch 128
    python benchmarks/data_pipeline.py --frames 200 --json

Results, dated with the machine and command: benchmarks/RESULTS.md#data-pipeline
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
CLASSES = ("tom", "jerry", "tom_jerry_0", "tom_jerry_1")


def make_frames(folder: Path, count: int, seed: int = 0) -> int:
    """`count` 1280x720 JPEGs under folder/tom_and_jerry/tom_and_jerry/<class>/; total bytes."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    total = 0
    for i in range(count):
        picture = Image.new("RGB", (1280, 720), tuple(int(v) for v in rng.integers(0, 255, 3)))
        draw = ImageDraw.Draw(picture)
        for _ in range(12):
            x, y = rng.integers(0, 1280), rng.integers(0, 720)
            w, h = rng.integers(40, 400, 2)
            draw.ellipse((x, y, x + w, y + h), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
        pixels = np.asarray(picture, dtype=np.int16) + rng.integers(-12, 13, (720, 1280, 3))
        path = folder / "tom_and_jerry" / "tom_and_jerry" / CLASSES[i % 4] / f"frame{i:05d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=90)
        total += path.stat().st_size
    return total


def timed_load(folder: Path, size: int) -> tuple[float, object]:
    from keras_gan.data import DataRequest
    from keras_gan.data.tom_and_jerry import TomAndJerry

    start = time.perf_counter()
    loaded = TomAndJerry().load(DataRequest("tom_and_jerry", str(folder), size))
    return time.perf_counter() - start, loaded


def pipeline_rate(loaded, size: int, batch: int, batches: int) -> float:
    from keras_gan.data.pipeline import training_pipeline

    dataset = training_pipeline(loaded.fields, batch, seed=0)
    iterator = iter(dataset)
    next(iterator)  # warm-up
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)["image"].numpy()
    return batches * batch / (time.perf_counter() - start)


def training_rate(size: int, batch: int, steps: int) -> float:
    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gan.config import DataConfig, RunConfig, model_options
    from keras_gan.training.factory import build_model
    from keras_gan.resolve import fill_defaults

    keras.utils.set_random_seed(0)
    gan = build_model(fill_defaults(RunConfig(data=DataConfig(image_size=size, channels=3),
                                              model=model_options("dcgan"))))
    images = np.random.default_rng(0).uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    data = tf.data.Dataset.from_tensors(images).repeat()
    gan.fit(data, steps_per_epoch=1, epochs=1, verbose=0)  # trace and warm up
    start = time.perf_counter()
    gan.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    return steps * batch / (time.perf_counter() - start)


def seconds_to_first_epoch(folder: Path, size: int, run_dir: Path, env: dict) -> float:
    """Wall time from launching `cli.py train` until it prints "Epoch 1/2" (Keras prints
    it only for runs of more than one epoch; the process is killed there)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "cli.py", "train", "--family", "dcgan", "--data", "tom_and_jerry",
         "--data-dir", str(folder), "--image-size", str(size), "--epochs", "2",
         "--run-dir", str(run_dir)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        for line in process.stdout:
            if line.startswith("Epoch 1/"):
                return time.perf_counter() - start
        raise RuntimeError(f"cli.py train ended without starting an epoch (exit {process.wait()})")
    finally:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--batches", type=int, default=50, help="pipeline batches timed")
    parser.add_argument("--steps", type=int, default=5, help="training steps timed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["KERAS_GAN_CACHE"] = str(tmp / "cache")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        data_bytes = make_frames(tmp / "frames", args.frames)
        cold, loaded = timed_load(tmp / "frames", args.size)
        warm, _ = timed_load(tmp / "frames", args.size)
        pipeline = pipeline_rate(loaded, args.size, args.batch, args.batches)
        training = training_rate(args.size, args.batch, args.steps)
        first = seconds_to_first_epoch(tmp / "frames", 64, tmp / "run1", env)
        second = seconds_to_first_epoch(tmp / "frames", 64, tmp / "run2", env)
    row = {"frames": args.frames, "frame_mb": round(data_bytes / args.frames / 1e6, 3),
           "size": args.size, "decode_cold_s": round(cold, 2), "decode_warm_s": round(warm, 2),
           "decode_cold_images_per_s": round(args.frames / cold, 1),
           "pipeline_images_per_s": round(pipeline, 1),
           "training_images_per_s": round(training, 1),
           "pipeline_over_training": round(pipeline / training, 1),
           "cli_first_epoch_s_first_run_64px": round(first, 1),
           "cli_first_epoch_s_second_run_64px": round(second, 1)}
    if args.json:
        print(json.dumps(row))
        return
    width = max(len(k) for k in row)
    for key, value in row.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
