"""text_to_image: a caption (and a latent) in, an image out (`text2image`).

The preview grid shows one row per prompt (data.extras["prompts"]: the ten digits'
"a handwritten <word>" for mnist_captions, else the data's first distinct captions),
tokenized with the run's vocabulary, times `grid_size` columns of fixed latents; every
row shares the same latents, so a column shows one latent across the prompts. The
vocabulary is saved with the run (RUN/vocabulary.txt and .json): sampling and any later
export tokenize with exactly the ids the model trained on.
"""

from __future__ import annotations

import logging
from pathlib import Path

import keras
import numpy as np
from keras import ops

from keras_gan.cards import text as text_card
from keras_gan.errors import ConfigError, invalid
from keras_gan.evaluation import TextEvaluator
from keras_gan.io.files import write_text_atomic
from keras_gan.latents import RULE, latents_for
from keras_gan.networks.base import generate_in_batches
from keras_gan.serving.text import TextSpec
from keras_gan.tasks.base import Preview, Task
from keras_gan.tasks.noise_to_image import random_reals
from keras_gan.text import load_vocabulary, save_vocabulary
from keras_gan.text.vocabulary import known_words, token_limit, words

log = logging.getLogger(__name__)

VOCABULARY, PROMPTS = "vocabulary.txt", "prompts.txt"
ECHO_CHARS = 80  # a prompt echoed in a message or a listing is cut to this many characters
LISTED = 8  # unknown words named in a warning, and vocabulary examples in an error


class TextToImage(Task):
    name = "text_to_image"
    summary = "a caption (and a latent) in, an image out; sample --prompt, interpolate --prompt"
    metrics = ("kid", "fid", "domain", "rprecision")
    convention = {"convention": "training captions with EVAL_SEED latents; R-precision 1 true + "
                                "99 other-image captions (other classes where labelled), run's "
                                "encoders; keras_gan.evaluation.TextEvaluator"}
    card = text_card
    pipeline_tag = "text-to-image"
    intended_use = ("images like the training set's, from captions like its captions (other "
                    "words are unknown to it)")
    use = 'sample --run {run} --prompt "YOUR CAPTION"'
    commands = ("sample --prompt", "interpolate --prompt")

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

    @classmethod
    def free_metric(cls, data) -> str | None:
        """Captioned digits: whether the digit asked for is drawn; else R-precision."""
        return "domain" if cls.domain_reason(data) is None else "rprecision"

    @classmethod
    def default_metrics(cls, data) -> tuple[str, ...]:
        return ("rprecision",) + (("domain",) if cls.domain_reason(data) is None else ())

    @classmethod
    def evaluator(cls, config, data, metrics, n, inception_weights, seed):
        return TextEvaluator(config, data, metrics, n, inception_weights, seed)

    @classmethod
    def export_metadata(cls, spec) -> dict:
        """Inputs [tokens, latent]; the token ids of vocabulary.txt."""
        return {"latent_dim": spec.latent_dim, "caption_length": spec.length, "seed_rule": RULE,
                "vocabulary": VOCABULARY}

    @classmethod
    def generator_inputs(cls, generator, seeds, label, prompt):
        latents = latents_for(seeds, generator.latent_dim)
        if not isinstance(prompt, str) or not prompt.strip():
            raise invalid("prompt", "a caption (text-to-image generator)", prompt)
        check_prompts(generator.vocabulary, [prompt])
        tokens = np.asarray(generator.vocabulary([prompt] * len(seeds))).astype("int32")
        return [tokens, latents]

    @classmethod
    def run_generator(cls, model, run_dir) -> dict:
        task = model.task
        return {"network": task.serving_network(model), "task": cls.name,
                "latent_dim": model.latent_dim, "vocabulary": task.read_examples(run_dir)["vocabulary"]}


def shorten(prompt: str, limit: int = ECHO_CHARS) -> str:
    """`prompt` for a message: at most `limit` characters, '...' where it was cut."""
    return prompt if len(prompt) <= limit else prompt[:limit - 3].rstrip() + "..."


def check_prompts(vocabulary, prompts) -> None:
    """ConfigError for a prompt whose words the encoder reads (the first token_limit) are
    all unknown to `vocabulary` (or none at all); a warning naming the unknown words of
    any other, and one naming the limit for a prompt longer than it."""
    known, limit = known_words(vocabulary), token_limit(vocabulary)
    lookup = set(known)
    for prompt in prompts:
        found = words(prompt)
        read = found[:limit]
        unknown = list(dict.fromkeys(w for w in read if w not in lookup))
        if len(unknown) == len(set(read)):
            what = ("no word once punctuation is stripped" if not read else
                    f"only words the run's vocabulary lacks ({_listed(unknown)})")
            raise ConfigError(
                f"Invalid prompt: expected at least one word of the run's vocabulary "
                f"({len(known)} words, e.g. {', '.join(known[:LISTED])})"
                f"{f' among its first {limit}' if len(found) > limit else ''}. Received: "
                f"prompt={shorten(prompt)!r}, {what}: each becomes [UNK], so every such "
                f"prompt draws the same images.")
        if unknown:
            log.warning("Prompt %r: %d word%s not in the run's vocabulary, read as [UNK] (any "
                        "unknown word is the same token): %s.", shorten(prompt), len(unknown),
                        "s" * (len(unknown) > 1), _listed(unknown))
        if len(found) > limit:
            log.warning("Prompt %r has %d words; the text encoder reads the first %d (its token "
                        "limit) and ignores the rest.", shorten(prompt), len(found), limit)


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - LISTED} more" if len(names) > LISTED else ""
    return ", ".join(shorten(n, 24) for n in names[:LISTED]) + more
