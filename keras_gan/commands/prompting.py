"""Images from captions: `sample --prompt` and `interpolate --prompt` on a text2image run.

One prompt and one seed make one image everywhere: the run's vocabulary tokenizes the
prompt, its frozen text encoder embeds it, and the seed's latent (keras_gan.latents)
goes with it into the sampling generator; the exported SavedModel's
generate(text=[p], seed=[s]) returns the same image.

A word the vocabulary lacks becomes [UNK], the same for every such word, and the encoder
reads only its first token_limit words: check_prompts says so (a warning), and refuses a
prompt of which it would read no known word, since every such prompt draws the same
images. The exported serving signature takes any text without a word of warning.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from keras_gan.config import RunConfig
from keras_gan.errors import ConfigError, invalid
from keras_gan.networks.base import generate_in_batches
from keras_gan.registry import TASKS
from keras_gan.tasks.text_to_image import check_prompts, shorten  # noqa: F401 (the CLI's)
from keras_gan.io.files import atomic_path, make_dirs, new_output
from keras_gan.io.images import save_gif, save_grid, to_uint8
from keras_gan.latents import latents_for
from keras_gan.runs import CONFIG, load_run

log = logging.getLogger(__name__)

SAMPLES = "sample --prompt"  # in a task's `commands`: its runs draw from captions


def is_text_run(run_dir) -> bool:
    """Whether the run at `run_dir` draws images from captions (read from its config.json)."""
    task = RunConfig.from_json(Path(run_dir) / CONFIG, saved=True).family.task
    return SAMPLES in TASKS.get(task).commands


def text_run(run_dir, checkpoint: str = "latest", command: str = "sample --prompt"):
    """(config, model, checkpoint used, {"vocabulary", "prompts"}) of a text2image run;
    any other run is refused."""
    config, model, used = load_run(run_dir, checkpoint)
    if SAMPLES not in model.task.commands:
        raise ConfigError(
            f"Invalid run: expected a text2image run for {command}. Received: a "
            f"{config.model.family!r} run, which takes no captions: leave out --prompt/--prompts.")
    return config, model, used, model.task.read_examples(run_dir)


def read_prompts(prompts=(), prompts_file=None, default=()) -> list[str]:
    """--prompt values, then the non-blank lines of --prompts FILE; `default` when neither
    gives any (the run's own prompts)."""
    found = list(prompts)
    if prompts_file is not None:
        try:
            lines = Path(prompts_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise invalid("prompts", "a readable UTF-8 text file, one prompt per line",
                          str(prompts_file)) from error
        from_file = [line.strip() for line in lines if line.strip()]
        if not from_file:
            raise invalid("prompts", "a file with at least one non-blank line", str(prompts_file))
        found += from_file
    if any(not p.strip() for p in found):
        raise invalid("prompt", "non-empty text", [shorten(p) for p in found])
    return found or list(default)


def sentences(model, vocabulary, prompts) -> np.ndarray:
    """Sentence embeddings [len(prompts), dim] from the run's frozen text encoder, once
    check_prompts has passed them."""
    check_prompts(vocabulary, prompts)
    return model.task.sentences(model, np.asarray(vocabulary(list(prompts))).astype("int32"))


def draw(model, sentence: np.ndarray, latents: np.ndarray) -> np.ndarray:
    """Float images [-1, 1] of (sentence, latent) rows from the sampling generator."""
    return generate_in_batches(model.sampling_generator, [latents, sentence])


def write_prompt_samples(run_dir, prompts, count: int, seed: int, out=None,
                         checkpoint: str = "latest", overwrite: bool = False):
    """A grid with one row per prompt and `count` columns, seeds seed .. seed + count - 1
    (a column shares its latent), or an .npz of the float images, latents, token ids and
    prompts. Returns (path, prompts used, checkpoint used). No prompts: the run's own
    (RUN/prompts.txt). out None: RUN/samples/prompts-seed{seed}-n{count}.png."""
    _, model, used, examples = text_run(run_dir, checkpoint)
    prompts = list(prompts) or examples["prompts"]
    if not prompts:
        raise invalid("prompt", "at least one --prompt (the run keeps no prompts.txt)", prompts)
    out = new_output(out or Path(run_dir) / "samples" / f"prompts-seed{seed}-n{count}.png",
                     overwrite)
    latents = latents_for(range(seed, seed + count), model.latent_dim)
    sentence = np.repeat(sentences(model, examples["vocabulary"], prompts), count, axis=0)
    latents = np.tile(latents, (len(prompts), 1))
    images = draw(model, sentence, latents)
    make_dirs(out.parent)
    if out.suffix.lower() == ".npz":
        tokens = np.asarray(examples["vocabulary"](prompts)).astype("int32")
        with atomic_path(out) as tmp:
            np.savez_compressed(tmp, images=images, latents=latents,
                                tokens=np.repeat(tokens, count, 0),
                                prompts=np.repeat(np.asarray(prompts), count))
    else:
        save_grid(out, images, ncols=count)
    return out, prompts, used


def write_prompt_walk(run_dir, prompts, seed: int, steps: int, out=None,
                      checkpoint: str = "latest", overwrite: bool = False):
    """A walk from each prompt to the next and back to the first: the sentence embeddings
    interpolated linearly (`steps` frames per leg, each leg starting at its prompt), one
    latent (`seed`) throughout. Writes OUT (.gif) and OUT with .png (one row per leg);
    returns (gif, png, checkpoint used). out None: RUN/samples/walk-prompts-seed{seed}.gif."""
    if len(prompts) < 2:
        raise invalid("prompt", "two or more prompts to walk between", [shorten(p) for p in prompts])
    out = new_output(out or Path(run_dir) / "samples" / f"walk-prompts-seed{seed}.gif", overwrite)
    new_output(out.with_suffix(".png"), overwrite)
    _, model, used, examples = text_run(run_dir, checkpoint, "interpolate --prompt")
    anchors = sentences(model, examples["vocabulary"], prompts)
    t = (np.arange(steps) / steps)[:, None]
    walk = np.concatenate([(1 - t) * anchors[i] + t * anchors[(i + 1) % len(anchors)]
                           for i in range(len(anchors))]).astype("float32")
    latents = np.repeat(latents_for([seed], model.latent_dim), len(walk), axis=0)
    images = draw(model, walk, latents)
    save_gif(out, list(to_uint8(images)), duration_ms=80)
    strip = save_grid(out.with_suffix(".png"), images, ncols=steps)
    return out, strip, used
