"""MODEL_CARD.md sections for latent generators (`gan`, `dcgan`): the signatures and
copy-paste clients for TF Serving, Python, Android, iOS and ONNX."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from keras_gan.io.images import save_grid
from keras_gan.latents import RULE, RULE_TEXT, latents_for


SAMPLES = "samples.png"


def files(folder: Path, spec, network) -> None:
    """samples.png: the images of seeds 0-15 (classes in turn for a conditional generator)."""
    latents = latents_for(range(16), spec.latent_dim)
    inputs = latents if not spec.conditional else [latents, np.arange(16, dtype=np.int32) % spec.num_classes]
    save_grid(folder / SAMPLES, network(inputs, training=False).numpy(), ncols=8)


def picture() -> list[str]:
    return [f"![the images of seeds 0-15]({SAMPLES})", ""]


def sections(result, spec, shape, max_images: int, class_names=None) -> list[str]:
    formats = {a.format for a in result.artifacts}
    lines = [
        "Latents are standard normal. One seed is one image everywhere: `generate(seed=[s])` "
        "here, `keras-gan sample --seeds s` on the run, and any file below fed the latent "
        f"of seed s by keras-gan's published rule ({RULE}; `keras_gan.latents.reference_latents`"
        " in NumPy, to port to an app):",
        "",
        "```",
        RULE_TEXT,
        "```",
        "",
        "Pixels: `images` is uint8 `round((x + 1) * 127.5)`, `images_float` the generator's "
        "tanh output in [-1, 1].",
        "",
        *_classes(spec, class_names),
    ]
    if "saved_model" in formats:
        lines += _saved_model(result.path.parent, result.path.name, spec.latent_dim, shape,
                              max_images, spec.conditional)
    tflite = [a.name for a in result.artifacts if a.format == "tflite"]
    if tflite:
        lines += _tflite(tflite, spec.latent_dim, shape, spec.conditional)
    if "onnx" in formats:
        lines += _onnx(spec.latent_dim, spec.conditional)
    return lines


def _classes(spec, class_names) -> list[str]:
    if not spec.conditional:
        return []
    names = list(class_names or [str(i) for i in range(spec.num_classes)])
    return [
        "**Conditional generator**: every signature also takes `label`, the class index "
        f"(int32, 0..{len(names) - 1}; one per image, a scalar for `generate_n`):",
        "",
        "| label | class |",
        "| --- | --- |",
        *[f"| {i} | {name} |" for i, name in enumerate(names)],
        "",
    ]


def _saved_model(model_dir: Path, version: str, latent_dim: int, shape, max_images: int,
                 conditional: bool = False) -> list[str]:
    h, w, c = shape
    name, model_dir = model_dir.name, model_dir.resolve()
    latent = json.dumps([[0.0] * latent_dim])
    url = f"http://localhost:8501/v1/models/{name}:predict"
    # conditional: the label goes next to each input (row form: one object per instance)
    label, labels, one = (", \"label\": [0]", ", \"label\": [0, 0, 0]", ", \"label\": 0") \
        if conditional else ("", "", "")
    row_latent = (json.dumps([{"latent": [0.0] * latent_dim, "label": 0}]) if conditional
                  else latent)
    rows_seed = (json.dumps([{"seed": s, "label": 0} for s in (1, 2, 3)]) if conditional
                 else "[1, 2, 3]")
    plus = ", `label` int32 [batch]" if conditional else ""
    return [
        "## SavedModel (TF Serving)",
        "",
        "| signature | inputs | outputs |",
        "| --- | --- | --- |",
        f"| `serving_default` | `latent` float32 [batch, {latent_dim}]{plus} | all three below |",
        f"| `generate` | `seed` int64 [batch]{plus}: one deterministic image per seed | all three below |",
        f"| `generate_n` | `num_images` int32 scalar (1..{max_images}), `seed` int64 scalar"
        f"{', `label` int32 scalar' if conditional else ''}: seeds seed .. seed + num_images - 1 "
        "| all three below |",
        "",
        f"Outputs: `images` uint8 [batch, {h}, {w}, {c}]; `images_float` float32 [batch, {h}, {w}, "
        f"{c}] in [-1, 1]; `images_png_bytes` string [batch], PNG files (TF Serving's REST API "
        "returns them base64-encoded as `{\"b64\": ...}`, about 10x smaller than integer lists). "
        f"`generate_n` rejects counts outside 1..{max_images} with INVALID_ARGUMENT.",
        "",
        "Serve the folder that holds the numbered versions; TF Serving loads the highest one and "
        "ignores the non-SavedModel files beside `saved_model.pb`:",
        "",
        "```bash",
        f"docker run --rm -p 8501:8501 -v \"{model_dir}:/models/{name}\" -e MODEL_NAME={name} "
        "tensorflow/serving",
        "# latents in, row form (\"instances\") or columnar form (\"inputs\"):",
        f"curl -d '{{\"instances\": {row_latent}}}' {url}",
        f"curl -d '{{\"inputs\": {{\"latent\": {latent}{label}}}}}' {url}",
        "# seeds in, one image per seed:",
        f"curl -d '{{\"signature_name\": \"generate\", \"instances\": {rows_seed}}}' {url}",
        f"curl -d '{{\"signature_name\": \"generate\", \"inputs\": {{\"seed\": [1, 2, 3]{labels}}}}}' {url}",
        "# scalar inputs need the columnar form:",
        f"curl -d '{{\"signature_name\": \"generate_n\", \"inputs\": {{\"num_images\": 4, "
        f"\"seed\": 0{one}}}}}' {url}",
        "```",
        "",
        "Python client (standard library only), PNGs written to disk:",
        "",
        "```python",
        "import base64, json, urllib.request",
        "body = {\"signature_name\": \"generate_n\", \"inputs\": {\"num_images\": 4, \"seed\": 0"
        f"{one}}}}}",
        f"request = urllib.request.Request(\"{url}\", data=json.dumps(body).encode())",
        "outputs = json.load(urllib.request.urlopen(request))[\"outputs\"]",
        "for i, png in enumerate(outputs[\"images_png_bytes\"]):",
        "    open(f\"image_{i}.png\", \"wb\").write(base64.b64decode(png[\"b64\"]))",
        "```",
        "",
        "In-process, without a server:",
        "",
        "```python",
        "import tensorflow as tf",
        f"model = tf.saved_model.load(\"{model_dir / version}\")",
        "images = model.signatures[\"generate\"](seed=tf.constant([1, 2, 3], tf.int64)"
        f"{', label=tf.constant([0, 0, 0])' if conditional else ''})[\"images\"]",
        "```",
        "",
    ]


def _tflite(files: list[str], latent_dim: int, shape, conditional: bool = False) -> list[str]:
    h, w, c = shape
    first = files[0]
    return [
        "## TFLite / LiteRT (phones)",
        "",
        f"Files: {', '.join(f'`{f}`' for f in files)}. One signature, `serving_default`: "
        f"`latent` float32 [batch, {latent_dim}]{' and `label` int32 [batch]' if conditional else ''}"
        f" -> `images` uint8 [batch, {h}, {w}, {c}] and "
        "`images_float` float32. Built-in ops only. There is no seeded signature (random ops "
        "would need Flex ops that mobile interpreters lack): the app computes the latent of a "
        "seed with the rule above (or draws any standard normal latent). The batch is dynamic: "
        "resize the input before allocating.",
        "",
        "```python",
        "import numpy as np",
        "from ai_edge_litert.interpreter import Interpreter",
        "from keras_gan.latents import reference_latents  # or its dozen lines, copied",
        f"runner = Interpreter(model_path=\"{first}\", num_threads=2).get_signature_runner()",
        f"latent = reference_latents([0, 1, 2, 3], {latent_dim})  # seeds 0-3, as the server's",
        "images = runner(latent=latent"
        f"{', label=np.zeros(4, np.int32)' if conditional else ''})[\"images\"]",
        "```",
        "",
        "Android (Kotlin, `com.google.ai.edge.litert:litert`; `loadModelFile` memory-maps the file from assets):",
        "",
        "```kotlin",
        f"val interpreter = Interpreter(loadModelFile(context, \"{first}\"))",
        f"val latent = Array(1) {{ FloatArray({latent_dim}) {{ random.nextGaussian().toFloat() }} }}",
        f"val images = ByteBuffer.allocateDirect(1 * {h} * {w} * {c})  // uint8 pixels, NHWC",
        "val floats = Array(1) { Array(" + f"{h}) {{ Array({w}) {{ FloatArray({c}) }} }} }}",
        "interpreter.runSignature(mapOf(\"latent\" to latent"
        + (', "label" to intArrayOf(0)' if conditional else "") + "),",
        "    mapOf(\"images\" to images, \"images_float\" to floats), \"serving_default\")",
        "```",
        "",
        "iOS (Swift, `TensorFlowLiteSwift` pod):",
        "",
        "```swift",
        f"let interpreter = try Interpreter(modelPath: Bundle.main.path(forResource: "
        f"\"{Path(first).stem}\", ofType: \"tflite\")!)",
        f"try interpreter.resizeInput(at: 0, to: Tensor.Shape([1, {latent_dim}]))",
        "try interpreter.allocateTensors()",
        f"var latent = (0..<{latent_dim}).map {{ _ in Float(gaussian()) }}  // your N(0, 1) sampler",
        "try interpreter.copy(Data(bytes: &latent, count: latent.count * 4), toInputAt: 0)",
        *(["// conditional: also resize and copy the Int32 label into the input named \"label\""]
          if conditional else []),
        "try interpreter.invoke()",
        "let images = try interpreter.output(at: 0)  // check .name: \"images\" (uint8) or "
        "\"images_float\"",
        "```",
        "",
    ]


def _onnx(latent_dim: int, conditional: bool = False) -> list[str]:
    return [
        "## ONNX",
        "",
        f"`generator.onnx` (opset 17): input `latent` float32 [batch, {latent_dim}]"
        f"{' and `label` int32 [batch]' if conditional else ''}, outputs "
        "`images` uint8 and `images_float` float32.",
        "",
        "```python",
        "import numpy as np, onnxruntime",
        "session = onnxruntime.InferenceSession(\"generator.onnx\")",
        f"images = session.run([\"images\"], {{\"latent\": np.random.standard_normal((4, {latent_dim}))"
        ".astype(\"float32\")" + (', "label": np.zeros(4, np.int32)' if conditional else "")
        + "})[0]",
        "```",
        "",
    ]
