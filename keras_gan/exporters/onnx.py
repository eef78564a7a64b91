"""ONNX (opset 17): serving_default as one function (keras_gan.serving specs), for
example latent float32 [batch, latent_dim] (+ label int32 [batch]) -> images uint8 and
images_float.

Converted with tf2onnx (the converter Keras' own `export(format="onnx")` uses)
from the same pixel function as the TFLite files, so the outputs are named and
post-processed alike; verified with onnxruntime.
"""

from __future__ import annotations

from pathlib import Path

from keras_gan.exporters.base import Artifact
from keras_gan.exporters.verify import FLOAT, check_signature

FILENAME = "generator.onnx"
OPSET = 17


def output_prefix(spec) -> str:
    """ONNX names every tensor once, so outputs may not reuse an input's name: an image
    translator's `image` output is `translated` here."""
    return "translated" if spec.outputs in spec.names else spec.outputs


def write(network, spec, folder: Path, options) -> list[Artifact]:
    import tf2onnx  # optional: only for --formats onnx

    tf2onnx.convert.from_function(spec.pixel_function(network, output_prefix(spec)),
                                  input_signature=spec.input_specs(), opset=OPSET,
                                  output_path=str(folder / FILENAME))
    return [Artifact(FILENAME, "onnx", "float32", FLOAT)]


def verify(artifact: Artifact, folder: Path, network, spec, options) -> list:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(folder / artifact.name),
                                           providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]

    prefix = output_prefix(spec)

    def run(feed):  # outputs by the spec's names, for the comparison
        return {name.replace(prefix, spec.outputs, 1): value
                for name, value in zip(names, session.run(names, feed))}

    return check_signature(artifact.name, run, network, spec, artifact.tolerance)
