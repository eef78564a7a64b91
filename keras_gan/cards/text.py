"""MODEL_CARD.md sections for text-to-image generators (`text2image`): the signatures, the
tokenizer an app must reproduce, and copy-paste clients for TF Serving, Python, LiteRT and
ONNX."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from keras_gan.io.images import save_grid
from keras_gan.latents import RULE, latents_for
from keras_gan.text import save_vocabulary
from keras_gan.text.vocabulary import reference_tokenize, settings_path

SAMPLES, VOCABULARY = "samples.png", "vocabulary.txt"
COLUMNS = 8


def files(folder: Path, spec, network) -> None:
    """vocabulary.txt (+ .json) for apps, and samples.png: the run's first prompts (up to
    four), one row each, seeds 0-7."""
    save_vocabulary(spec.vocabulary, folder / VOCABULARY)
    prompts = spec.prompts[:4]
    tokens = spec.tokens([p for p in prompts for _ in range(COLUMNS)])
    latents = latents_for(list(range(COLUMNS)) * len(prompts), spec.latent_dim)
    save_grid(folder / SAMPLES, spec.expected(network, {"tokens": tokens, "latent": latents}),
              ncols=COLUMNS)


def picture() -> list[str]:
    return [f"![a row per prompt, seeds 0-7]({SAMPLES})", ""]


def sections(result, spec, shape, max_images: int, class_names=None) -> list[str]:
    del max_images, class_names
    prompts = spec.prompts[:4]
    lines = [
        f"A caption in, an image out. `{SAMPLES}` shows the prompts "
        + ", ".join(f"\"{p}\"" for p in prompts) + " (a row each) with seeds 0-7. Latents are "
        f"standard normal; one seed is one latent everywhere ({RULE}, "
        "`keras_gan.latents.reference_latents`), so `generate(text=[p], seed=[s])` here equals "
        f"`keras-gan sample --prompt \"p\" --seed s --n 1` on the run.",
        "",
        f"Pixels: `images` is uint8 `round((x + 1) * 127.5)` [batch, {shape[0]}, {shape[1]}, "
        f"{shape[2]}], `images_float` the generator's tanh output in [-1, 1].",
        "",
        *_tokenizer(spec),
    ]
    formats = {a.format for a in result.artifacts}
    if "saved_model" in formats:
        lines += _saved_model(result.path.parent, result.path.name, spec)
    tflite = [a.name for a in result.artifacts if a.format == "tflite"]
    if tflite:
        lines += _tflite(tflite, spec)
    if "onnx" in formats:
        lines += _onnx(spec)
    return lines


def _tokenizer(spec) -> list[str]:
    return [
        "## Tokenizer",
        "",
        f"Text becomes {spec.length} token ids (int32). The SavedModel does it inside the graph; "
        f"TFLite and ONNX files take the ids, so an app tokenizes with `{VOCABULARY}` (UTF-8, "
        f"one token per line, line n = id n; its settings and sha256 are in "
        f"`{settings_path(VOCABULARY).name}`):",
        "",
        "1. lower-case the ASCII letters (other letters are kept as they are);",
        "2. delete the ASCII punctuation characters ``!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~``;",
        "3. split on ASCII whitespace (space, tab, CR, LF, VT, FF);",
        "4. map each word to its line number in the file, 1 (`[UNK]`) if absent;",
        f"5. keep the first {spec.length} ids and pad with 0 to {spec.length}.",
        "",
        "The same in Python (the SavedModel's `tokenize` signature returns the ids it uses, to "
        "check a port):",
        "",
        "```python",
        "import string",
        "",
        inspect.getsource(reference_tokenize).rstrip(),
        "",
        f"vocabulary = open(\"{VOCABULARY}\", encoding=\"utf-8\").read().split(\"\\n\")",
        f"tokens = reference_tokenize(\"a handwritten seven\", vocabulary, {spec.length})",
        "```",
        "",
    ]


def _saved_model(model_dir: Path, version: str, spec) -> list[str]:
    name, model_dir = model_dir.name, model_dir.resolve()
    url = f"http://localhost:8501/v1/models/{name}:predict"
    prompt = spec.prompts[0]
    return [
        "## SavedModel (TF Serving)",
        "",
        "| signature | inputs | outputs |",
        "| --- | --- | --- |",
        "| `serving_default` | `text` string [batch]; row i uses seed i | images, images_float, "
        "images_png_bytes |",
        "| `generate` | `text` string [batch], `seed` int64 [batch] | the same three |",
        f"| `generate_tokens` | `tokens` int32 [batch, {spec.length}], `latent` float32 [batch, "
        f"{spec.latent_dim}] | images, images_float |",
        f"| `tokenize` | `text` string [batch] | `tokens` int32 [batch, {spec.length}] |",
        "",
        "`images_png_bytes` are PNG files (TF Serving's REST API returns them base64-encoded as "
        "`{\"b64\": ...}`).",
        "",
        "```bash",
        f"docker run --rm -p 8501:8501 -v \"{model_dir}:/models/{name}\" -e MODEL_NAME={name} "
        "tensorflow/serving",
        f"curl -d '{{\"instances\": {json.dumps([prompt, prompt])}}}' {url}  # seeds 0 and 1",
        f"curl -d '{{\"signature_name\": \"generate\", \"inputs\": {{\"text\": {json.dumps([prompt])}, "
        f"\"seed\": [42]}}}}' {url}",
        "```",
        "",
        "In-process, without a server:",
        "",
        "```python",
        "import tensorflow as tf",
        f"model = tf.saved_model.load(\"{model_dir / version}\")",
        f"images = model.signatures[\"generate\"](text=tf.constant({json.dumps([prompt])}), "
        "seed=tf.constant([42], tf.int64))[\"images\"]",
        "```",
        "",
    ]


def _tflite(files: list[str], spec) -> list[str]:
    return [
        "## TFLite / LiteRT (phones)",
        "",
        f"Files: {', '.join(f'`{f}`' for f in files)}. One signature, `serving_default`: "
        f"`tokens` int32 [batch, {spec.length}] (the tokenizer above) and `latent` float32 "
        f"[batch, {spec.latent_dim}] (standard normal, or a seed's latent by the rule above) -> "
        "`images` uint8 and `images_float`. Built-in ops only; the batch is dynamic.",
        "",
        "```python",
        "import numpy as np",
        "from ai_edge_litert.interpreter import Interpreter",
        "from keras_gan.latents import reference_latents",
        f"runner = Interpreter(model_path=\"{files[0]}\").get_signature_runner()",
        f"tokens = np.array([reference_tokenize(\"a handwritten seven\", vocabulary, {spec.length})], "
        "np.int32)",
        f"images = runner(tokens=tokens, latent=reference_latents([0], {spec.latent_dim}))"
        "[\"images\"]",
        "```",
        "",
    ]


def _onnx(spec) -> list[str]:
    return [
        "## ONNX",
        "",
        f"`generator.onnx` (opset 17): inputs `tokens` int32 [batch, {spec.length}] and `latent` "
        f"float32 [batch, {spec.latent_dim}], outputs `images` uint8 and `images_float` float32.",
        "",
    ]
