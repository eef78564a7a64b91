"""`keras_gan.load_generator(path)`: a trained generator in three lines, from an export
version folder (generator.keras + generator.json) or a run folder (its newest checkpoint).

    import keras_gan
    g = keras_gan.load_generator("export/dcgan-tom_and_jerry/1")
    images = g.generate(seeds=[0, 7, 123])          # uint8 [3, H, W, C], as generate(seed=...) serves
    outputs = g.translate(photos_uint8)               # image-to-image generators
    sevens = g.generate(seeds=[0, 1], prompt="a handwritten seven")  # text-to-image generators
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from keras_gan.errors import ConfigError, invalid
from keras_gan.exporters.keras_file import FILENAME, METADATA
from keras_gan.io.images import from_uint8, to_uint8
from keras_gan.networks.base import generate_in_batches
from keras_gan.registry import TASKS
from keras_gan.runs import CONFIG, load_run
from keras_gan.text import load_vocabulary


@dataclass
class Generator:
    network: keras.Model  # float32 [-1, 1] in and out
    task: str  # a keras_gan.tasks name: noise_to_image, image_to_image, text_to_image...
    latent_dim: int | None = None
    num_classes: int | None = None
    vocabulary: keras.layers.TextVectorization | None = None  # text_to_image: its tokenizer

    def generate(self, seeds, label: int | None = None, prompt: str | None = None) -> np.ndarray:
        """uint8 images, one per seed (keras_gan.latents); `label` for conditional generators,
        `prompt` (one caption for every seed) for text-to-image ones."""
        inputs = TASKS.get(self.task).generator_inputs(self, list(seeds), label, prompt)
        return to_uint8(generate_in_batches(self.network, inputs))

    def translate(self, images) -> np.ndarray:
        """uint8 images in (a size the network takes: the training size is safe), uint8 out."""
        if "translate" not in TASKS.get(self.task).commands:
            raise invalid("task", "an image-to-image generator for translate()", self.task)
        return to_uint8(generate_in_batches(self.network, from_uint8(images)))


def load_generator(path: str | Path, checkpoint: str = "latest") -> Generator:
    """From an export version folder (`export/<name>/<version>/`, or the file in it) or a run
    folder; ConfigError if `path` is neither."""
    path = Path(path)
    folder = path.parent if path.name == FILENAME else path
    if (folder / FILENAME).is_file():
        meta = json.loads((folder / METADATA).read_text()) if (folder / METADATA).is_file() else {}
        network = keras.saving.load_model(folder / FILENAME, safe_mode=True, compile=False)
        task = meta.get("task", "noise_to_image" if len(network.inputs[0].shape) == 2 else "image_to_image")
        latent_dim = meta.get("latent_dim") or (network.inputs[0].shape[-1] if task == "noise_to_image" else None)
        vocabulary = load_vocabulary(folder / meta["vocabulary"]) if "vocabulary" in meta else None
        return Generator(network, task, latent_dim, meta.get("num_classes"), vocabulary)
    if (folder / CONFIG).is_file():
        config, model, _ = load_run(folder, checkpoint)
        return Generator(**TASKS.get(config.family.task).run_generator(model, folder))
    raise ConfigError(f"Invalid path: expected an export version folder with {FILENAME} or a run "
                      f"folder with {CONFIG}. Received: path={str(path)!r}.")
