"""Export formats, one registry: `keras-gan export --formats saved_model,tflite,onnx`."""

from __future__ import annotations

from keras_gan.exporters import keras_file, onnx, saved_model, tflite
from keras_gan.exporters.base import Artifact, ExportFormat, artifact_size
from keras_gan.registry import Registry

FORMATS: Registry[ExportFormat] = Registry("format")
FORMATS.register("saved_model", ExportFormat(
    saved_model.write, saved_model.verify,
    "TF Serving: <version>/saved_model.pb + variables/ (serving_default, generate, generate_n; "
    "pix2pix: serving_default, translate_bytes)"))
FORMATS.register("tflite", ExportFormat(
    tflite.write, tflite.verify,
    "LiteRT / TFLite: generator{,_fp16,_int8}.tflite per --quantize, built-in ops only",
    requires=("ai_edge_litert",)))
FORMATS.register("keras", ExportFormat(
    keras_file.write, keras_file.verify,
    "generator.keras (+ generator.json): the generator alone for Keras code, "
    "keras_gan.load_generator(folder)"))
FORMATS.register("onnx", ExportFormat(
    onnx.write, onnx.verify, "ONNX opset 17 (tf2onnx), verified with onnxruntime",
    requires=("tf2onnx", "onnxruntime"), extra="onnx"))

__all__ = ["FORMATS", "Artifact", "ExportFormat", "artifact_size"]
