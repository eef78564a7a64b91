"""TFLite / LiteRT files: serving_default as one function (keras_gan.serving specs), for
example latent float32 [batch, latent_dim] (+ label int32 [batch]) -> images uint8 and
images_float, or image uint8 [batch, H, W, C] at the training size -> image, image_float.

Built-in ops only, so the stock mobile interpreters run them: there is no seeded
`generate` signature (random ops would need Flex ops), so the app draws the
latent itself (standard normal). The generator is frozen first (weights folded
into constants): converting the Keras 3 model with its variables leaves
READ_VARIABLE ops that LiteRT runs as NaN.

Dynamic-range quantization is deliberately not offered: on conv generators it
measured many times slower than float32 on CPU (benchmarks/RESULTS.md#export).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from keras_gan.console import native_noise_filtered
from keras_gan.exporters.base import Artifact
from keras_gan.exporters.verify import FLOAT, Tolerance, check_signature
from keras_gan.registry import Registry

NUM_THREADS = 2


@dataclass(frozen=True)
class Quantization:
    filename: str
    tolerance: Tolerance
    configure: Callable  # (converter, calibration inputs by name) -> None
    summary: str


def _float16(converter, calibration) -> None:
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]


def _int8(converter, calibration) -> None:
    """Full-integer: every op int8, ranges calibrated on `calibration` inputs; in/out as the
    float model's."""
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ({name: value[i:i + 1] for name, value in
                                                 calibration.items()}
                                                for i in range(len(next(iter(calibration.values())))))
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


def save_frozen(network, spec, folder: str) -> None:
    """A variable-free SavedModel whose serving_default is the pixel function (names kept)."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    frozen = convert_variables_to_constants_v2(spec.pixel_function(network).get_concrete_function())
    names = (spec.outputs, f"{spec.outputs}_float")

    @tf.function(input_signature=spec.input_specs())
    def serve(*tensors):
        return dict(zip(sorted(names), frozen(*tensors)))  # flattened in sorted-key order

    module = tf.Module()
    module.serve = serve
    tf.saved_model.save(module, folder, signatures={"serving_default": serve})


def write(network, spec, folder: Path, options) -> list[Artifact]:
    import tensorflow as tf

    variants = [(name, QUANTIZATIONS.get(name)) for name in options.quantize]
    calibration = spec.calibration(options.calibration_samples)
    artifacts = []
    with tempfile.TemporaryDirectory(prefix="keras-gan-frozen-") as frozen_dir:
        save_frozen(network, spec, frozen_dir)
        for name, quantization in variants:
            converter = tf.lite.TFLiteConverter.from_saved_model(frozen_dir)
            quantization.configure(converter, calibration)
            with native_noise_filtered():  # "fully_quantize: 0, ..." on every int8 file
                model = converter.convert()
            (folder / quantization.filename).write_bytes(model)
            artifacts.append(Artifact(quantization.filename, "tflite", name, quantization.tolerance))
    return artifacts


def signature_runner(path: Path, num_threads: int = NUM_THREADS):
    """LiteRT's runner for serving_default: runner(latent=z) -> {images, images_float}."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
    return interpreter.get_signature_runner("serving_default")


def verify(artifact: Artifact, folder: Path, network, spec, options) -> list:
    runner = signature_runner(folder / artifact.name)
    with native_noise_filtered():  # "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
        return check_signature(artifact.name, lambda feed: runner(**feed), network, spec,
                               artifact.tolerance)
