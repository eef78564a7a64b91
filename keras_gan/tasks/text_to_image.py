"""text_to_image: a caption (and a latent) in, an image out (`text2image`).

The preview grid shows one row per prompt (data.extras["prompts"]: the ten digits'
"a handwritten <word>" for mnist_captions, else the data's first distinct captions),
tokenized with the run's vocabulary, times `grid_size` columns of fixed latents; every
row shares the same latents, so a column shows one latent across the prompts. The
vocabulary is saved with the run (RUN/vocabulary.txt and .json): sampling and any later
export tokenize with exactly the ids the model trained on.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import ops

from keras_gan.errors import ConfigError
from keras_gan.families.model import generate_in_batches
from keras_gan.io.files import write_text_atomic
from keras_gan.latents import latents_for
from keras_gan.serving.text import TextSpec
from keras_gan.tasks.base import Preview
from keras_gan.tasks.noise_to_image import random_reals
from keras_gan.text import load_vocabulary, save_vocabulary

VOCABULARY, PROMPTS = "vocabulary.txt", "prompts.txt"


class TextToImage:
    name = "text_to_image"
    holds_out = False  # a share of the data (--holdout) kept for previews and scores

    def __init__(self, latent_dim: int):
        self.latent_dim = latent_dim

    def preview_inputs(self, model, data, grid_size: int, seed: int) -> dict:
        """Prompt token ids and latents, one row per prompt, drawn once so grids compare."""
        del model
        prompts = list(data.extras["prompts"])
        tokens = np.asarray(data.extras["vocabulary"](prompts)).astype("int32")
        latents = latents_for(range(seed, seed + grid_size), self.latent_dim)
        return {"tokens": np.repeat(tokens, grid_size, axis=0),
                "latents": np.tile(latents, (len(prompts), 1)), "prompts": prompts}

    def sentences(self, model, tokens) -> np.ndarray:
        sentence = model.text_encoder(ops.convert_to_tensor(tokens, "int32"), training=False)
        return ops.convert_to_numpy(sentence).astype("float32")

    def render_preview(self, model, inputs: dict, ncols: int) -> Preview:
        images = generate_in_batches(model.sampling_generator, [
            inputs["latents"], self.sentences(model, inputs["tokens"])])
        return Preview(images, images, ncols)

    def reals(self, data, n: int, seed: int) -> tuple[np.ndarray, int]:
        return random_reals(data, n, seed)

    def write_examples(self, run_dir, data) -> None:
        """RUN/vocabulary.txt (+ .json): the ids the run's text encoder reads; RUN/prompts.txt:
        the grid's prompts, one per line (what `sample` and the export show by default)."""
        save_vocabulary(data.extras["vocabulary"], Path(run_dir) / VOCABULARY)
        write_text_atomic(Path(run_dir) / PROMPTS, "".join(
            f"{' '.join(p.split())}\n" for p in data.extras["prompts"]))

    def read_examples(self, run_dir) -> dict:
        """{"vocabulary": the run's TextVectorization, "prompts": its grid prompts}."""
        run_dir = Path(run_dir)
        if not (run_dir / VOCABULARY).is_file():
            raise ConfigError(f"Invalid run: expected {VOCABULARY} in {run_dir} (written when a "
                              "text2image run starts). Received: a run folder without it.")
        prompts = (run_dir / PROMPTS).read_text(encoding="utf-8").splitlines() \
            if (run_dir / PROMPTS).is_file() else []
        return {"vocabulary": load_vocabulary(run_dir / VOCABULARY), "prompts": prompts}

    def serving_network(self, model) -> keras.Model:
        """[tokens int32 [B, L], latent [B, latent_dim]] -> images: the text encoder feeding
        the sampling generator, one model to export and verify."""
        length = model.text_encoder.inputs[0].shape[1]
        tokens = keras.Input((length,), dtype="int32", name="tokens")
        latent = keras.Input((self.latent_dim,), name="latent")
        sentence = model.text_encoder(tokens)
        return keras.Model([tokens, latent], model.sampling_generator([latent, sentence]),
                           name="text_generator")

    def serving(self, examples: dict) -> TextSpec:
        return TextSpec(examples["vocabulary"], self.latent_dim, examples["prompts"])
