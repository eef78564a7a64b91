"""export/<name>/MODEL_CARD.md: where an export came from, its API, how it was checked,
and copy-paste client snippets."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from keras_gan.fileio import write_text_atomic


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_model_card(result, config, run_dir: Path, checkpoint: Path, gan) -> Path:
    model_dir = result.path.parent
    name, version = model_dir.name, result.path.name
    height, width, channels = gan.generator.output_shape[1:]
    latent = json.dumps([[0.0] * gan.latent_dim])  # valid, copy-paste-able request body
    epoch = checkpoint.stem.split(".")[0].replace("epoch_", "")
    files = sorted(p for p in result.path.rglob("*") if p.is_file())
    lines = [
        f"# {name} (version {version})",
        "",
        f"Generator exported by keras-gan from run `{run_dir}`, checkpoint `{checkpoint.name}` "
        f"(epoch {int(epoch)}). Architecture `{config.model.arch}`, data `{config.data.name}`, "
        f"loss `{config.train.loss}`, latent_dim {gan.latent_dim}, images {height}x{width}x{channels}.",
        "",
        "## Signatures",
        "",
        "| signature | inputs | outputs |",
        "| --- | --- | --- |",
        f"| `serving_default` | `latent` float32 [batch, {gan.latent_dim}] | see below |",
        "| `generate` | `seed` int64 [batch]: one deterministic image per seed | see below |",
        "| `generate_n` | `num_images` int32 scalar (1..256), `seed` int64 scalar | see below |",
        "",
        f"Outputs of each: `images` uint8 [batch, {height}, {width}, {channels}], `images_float` "
        "float32 in [-1, 1], `images_png_bytes` string [batch] (PNG; TF Serving's REST API "
        "returns it base64-encoded as `{\"b64\": ...}`).",
        "",
        "## Verification (reloaded SavedModel vs the Keras generator)",
        "",
        "| signature | batch | max abs diff (images_float) | max diff (uint8 images) |",
        "| --- | --- | --- | --- |",
        *[f"| {c.signature} | {c.batch_size} | {c.max_abs_diff:.2e} | {c.max_uint8_diff} |"
          for c in result.checks],
        "",
        "## Files",
        "",
        "| file | bytes | sha256 |",
        "| --- | --- | --- |",
        *[f"| {p.relative_to(model_dir)} | {p.stat().st_size} | `{sha256(p)[:16]}` |" for p in files],
        "",
        "## Serve it",
        "",
        "```bash",
        f"docker run -p 8501:8501 -v \"$PWD/{model_dir}:/models/{name}\" -e MODEL_NAME={name} "
        "tensorflow/serving",
        f"curl -d '{{\"instances\": {latent}}}' "
        f"http://localhost:8501/v1/models/{name}:predict",
        f"curl -d '{{\"signature_name\": \"generate\", \"instances\": [1, 2, 3]}}' "
        f"http://localhost:8501/v1/models/{name}:predict",
        f"curl -d '{{\"signature_name\": \"generate_n\", \"inputs\": {{\"num_images\": 4, \"seed\": 0}}}}' "
        f"http://localhost:8501/v1/models/{name}:predict",
        "```",
        "",
        "Scalar inputs (`generate_n`) need the columnar `inputs` form; `instances` is row-wise.",
        "",
        "```python",
        "import tensorflow as tf",
        f"model = tf.saved_model.load(\"{result.path}\")",
        "out = model.signatures[\"generate\"](seed=tf.constant([1, 2, 3], tf.int64))",
        "images = out[\"images\"].numpy()  # uint8 NHWC",
        "```",
        "",
    ]
    card = model_dir / "MODEL_CARD.md"
    write_text_atomic(card, "\n".join(lines))
    return card
