"""ONNX (opset 17): latent float32 [batch, latent_dim] (+ label int32 [batch]) -> images
uint8 and images_float.

Converted with tf2onnx (the converter Keras' own `export(format="onnx")` uses)
from the same pixel function as the TFLite files, so the outputs are named and
post-processed alike; verified with onnxruntime.
"""

from __future__ import annotations

from pathlib import Path

from keras_gan.exporters.base import Artifact
from keras_gan.exporters.verify import FLOAT, check_latent_signature

FILENAME = "generator.onnx"
OPSET = 17


def write(generator, inputs, folder: Path, options) -> list[Artifact]:
    import tf2onnx

    from keras_gan.serving import pixel_function

    tf2onnx.convert.from_function(pixel_function(generator, inputs),
                                  input_signature=inputs.specs(), opset=OPSET,
                                  output_path=str(folder / FILENAME))
    return [Artifact(FILENAME, "onnx", "float32", FLOAT)]


def verify(artifact: Artifact, folder: Path, generator, inputs, options) -> list:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(folder / artifact.name),
                                           providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]

    def run(feed):
        return dict(zip(names, session.run(names, feed)))

    return check_latent_signature(artifact.name, run, generator, inputs, artifact.tolerance)
