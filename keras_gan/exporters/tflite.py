"""TFLite / LiteRT files: latent float32 [batch, latent_dim] (+ label int32 [batch]) -> images
uint8 and images_float.

Built-in ops only, so the stock mobile interpreters run them: there is no seeded
`generate` signature (random ops would need Flex ops), so the app draws the
latent itself (standard normal). The generator is frozen first (weights folded
into constants): converting the Keras 3 model with its variables leaves
READ_VARIABLE ops that LiteRT runs as NaN.

Dynamic-range quantization is deliberately not offered: on conv generators it
measured ~20x slower than float32 on CPU.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from keras_gan.exporters.base import Artifact
from keras_gan.exporters.verify import FLOAT, Tolerance, check_latent_signature
from keras_gan.registry import Registry

NUM_THREADS = 2


@dataclass(frozen=True)
class Quantization:
    filename: str
    tolerance: Tolerance
    configure: Callable  # (converter, calibration latents) -> None
    summary: str


def _float16(converter, calibration) -> None:
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]


def _int8(converter, calibration) -> None:
    """Full-integer: every op int8, ranges calibrated on `calibration` latents; float in/out."""
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ({name: value[i:i + 1] for name, value in
                                                 calibration.items()}
                                                for i in range(len(calibration["latent"])))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]


QUANTIZATIONS: Registry[Quantization] = Registry("quantization")
QUANTIZATIONS.register("float32", Quantization(
    "generator.tflite", FLOAT, lambda converter, calibration: None,
    "generator.tflite: float32, matches Keras to 1e-4"))
QUANTIZATIONS.register("float16", Quantization(
    "generator_fp16.tflite", Tolerance(min_psnr_db=40.0), _float16,
    "generator_fp16.tflite: float16 weights, half the size"))
QUANTIZATIONS.register("int8", Quantization(
    "generator_int8.tflite", Tolerance(min_psnr_db=30.0), _int8,
    "generator_int8.tflite: full-integer ops, a quarter of the size"))


def save_frozen(generator, inputs, folder: str) -> None:
    """A variable-free SavedModel whose serving_default is the pixel function (names kept)."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    from keras_gan.serving import pixel_function

    frozen = convert_variables_to_constants_v2(pixel_function(generator, inputs).get_concrete_function())

    @tf.function(input_signature=inputs.specs())
    def serve(*tensors):
        images, images_float = frozen(*tensors)  # flattened in sorted-key order
        return {"images": images, "images_float": images_float}

    module = tf.Module()
    module.serve = serve
    tf.saved_model.save(module, folder, signatures={"serving_default": serve})


def write(generator, inputs, folder: Path, options) -> list[Artifact]:
    import tensorflow as tf

    variants = [(name, QUANTIZATIONS.get(name)) for name in options.quantize]
    count = options.calibration_samples
    calibration = {"latent": np.random.default_rng(0).standard_normal(
        (count, inputs.latent_dim)).astype("float32")}
    if inputs.conditional:
        calibration["label"] = (np.arange(count) % inputs.num_classes).astype("int32")
    artifacts = []
    with tempfile.TemporaryDirectory(prefix="keras-gan-frozen-") as frozen_dir:
        save_frozen(generator, inputs, frozen_dir)
        for name, quantization in variants:
            converter = tf.lite.TFLiteConverter.from_saved_model(frozen_dir)
            quantization.configure(converter, calibration)
            (folder / quantization.filename).write_bytes(converter.convert())
            artifacts.append(Artifact(quantization.filename, "tflite", name, quantization.tolerance))
    return artifacts


def signature_runner(path: Path, num_threads: int = NUM_THREADS):
    """LiteRT's runner for serving_default: runner(latent=z) -> {images, images_float}."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
    return interpreter.get_signature_runner("serving_default")


def verify(artifact: Artifact, folder: Path, generator, inputs, options) -> list:
    runner = signature_runner(folder / artifact.name)
    return check_latent_signature(artifact.name, lambda feed: runner(**feed), generator,
                                  inputs, artifact.tolerance)
