"""ONNX (opset 17): latent float32 [batch, latent_dim] -> images uint8 and images_float.

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


def write(generator, latent_dim: int, folder: Path, options) -> list[Artifact]:
    import tf2onnx

    from keras_gan.serving import latent_spec, pixel_function

    tf2onnx.convert.from_function(pixel_function(generator, latent_dim),
                                  input_signature=[latent_spec(latent_dim)], opset=OPSET,
                                  output_path=str(folder / FILENAME))
    return [Artifact(FILENAME, "onnx", "float32", FLOAT)]


def verify(artifact: Artifact, folder: Path, generator, latent_dim: int, options) -> list:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(folder / artifact.name),
                                           providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]

    def run(latents):
        return dict(zip(names, session.run(names, {"latent": latents})))

    return check_latent_signature(artifact.name, run, generator, latent_dim, artifact.tolerance)
