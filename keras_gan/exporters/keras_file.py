"""generator.keras: the sampling generator alone, for notebooks and research code.

Loads with `keras.saving.load_model("generator.keras", safe_mode=True)` once
keras_gan.networks is imported (its one custom layer, ReflectionPad2D, registers as
"keras_gan>ReflectionPad2D"; gan and dcgan generators need nothing);
`keras_gan.load_generator(folder)` does that and reads generator.json, the metadata beside it:
the task, the latent size and classes, and the seed rule (keras_gan.latents), so
`.generate(seeds=[0, 7])` gives the images every other artifact gives for those seeds.
Input and output are float32 in [-1, 1] (a translator takes any size its network allows).
"""

from __future__ import annotations

import json
from pathlib import Path

import keras

from keras_gan import __version__
from keras_gan.exporters.base import Artifact
from keras_gan.exporters.verify import FLOAT, check_signature
from keras_gan.io.files import write_text_atomic
from keras_gan.io.images import to_uint8
from keras_gan.registry import TASKS

FILENAME, METADATA = "generator.keras", "generator.json"


def metadata(spec) -> dict:
    """What a loader needs besides the weights (keras_gan.serving specs): the task's own
    fields (its export_metadata) beside the common ones."""
    return {"keras_gan": __version__, "task": spec.task_name, "range": [-1.0, 1.0],
            **TASKS.get(spec.task_name).export_metadata(spec)}


def write(network, spec, folder: Path, options) -> list[Artifact]:
    del options
    network.save(folder / FILENAME)
    write_text_atomic(folder / METADATA, json.dumps(metadata(spec), indent=2) + "\n")
    return [Artifact(FILENAME, "keras", "float32", FLOAT, files=(FILENAME, METADATA))]


def verify(artifact: Artifact, folder: Path, network, spec, options) -> list:
    """Reloaded the way the docstring tells users (safe mode), compared with `network`."""
    del options
    loaded = keras.saving.load_model(folder / FILENAME, safe_mode=True, compile=False)

    def run(feed):
        images = spec.expected(loaded, feed)
        return {spec.outputs: to_uint8(images), f"{spec.outputs}_float": images}

    return check_signature(artifact.name, run, network, spec, artifact.tolerance)
