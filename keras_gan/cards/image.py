"""MODEL_CARD.md sections for image-to-image generators (`pix2pix`): the signatures and
copy-paste clients that send an image, for TF Serving, Python, LiteRT and ONNX."""

from __future__ import annotations

from pathlib import Path

from keras_gan.io.images import save_image

EXAMPLE_INPUT, EXAMPLE_OUTPUT = "example_input.png", "example_output.png"


def files(folder: Path, spec, network) -> None:
    """example_input.png (a held-out source) and example_output.png (its translation)."""
    source = spec.examples[:1]
    save_image(folder / EXAMPLE_INPUT, source[0])
    save_image(folder / EXAMPLE_OUTPUT, spec.expected(network, {"image": source})[0])


def picture() -> list[str]:
    return [f"![a held-out input]({EXAMPLE_INPUT}) ![its translation]({EXAMPLE_OUTPUT})", ""]


def sections(result, spec, shape, max_images: int, class_names=None) -> list[str]:
    del shape, max_images, class_names
    task = spec.task
    return [
        f"Input: an image with {task.source_channels} channel(s), uint8; output: {task.channels} "
        f"channel(s), `image` uint8 `round((x + 1) * 127.5)` and `image_float` the generator's "
        "tanh output in [-1, 1]. Any height and width: the image is padded by reflection to a "
        f"multiple of {task.multiple} (centred), translated and cropped back, never resized. "
        f"Trained at {task.image_size}x{task.image_size}; much larger inputs work but were not "
        "seen in training.",
        "",
        f"`{EXAMPLE_INPUT}` is an image held out from training and `{EXAMPLE_OUTPUT}` what this "
        "model made of it; the snippets below send it.",
        "",
    ] + clients(result, task)


def clients(result, task, after_tflite=lambda files, task: []) -> list[str]:
    """The client sections of the formats exported: SavedModel, TFLite (then `after_tflite`'s
    lines), ONNX."""
    formats = {a.format for a in result.artifacts}
    lines = []
    if "saved_model" in formats:
        lines += _saved_model(result.path.parent, result.path.name, task)
    tflite = [a.name for a in result.artifacts if a.format == "tflite"]
    if tflite:
        lines += _tflite(tflite, task) + after_tflite(tflite, task)
    if "onnx" in formats:
        lines += _onnx(task)
    return lines


def scaled(task, side: str) -> str:
    """An output side: the input's, or `scale` times it (super-resolution)."""
    scale = getattr(task, "scale", 1)
    return side if scale == 1 else (f"{scale * side}" if isinstance(side, int) else f"{scale}{side}")


def _saved_model(model_dir: Path, version: str, task) -> list[str]:
    name, model_dir = model_dir.name, model_dir.resolve()
    url = f"http://localhost:8501/v1/models/{name}:predict"
    c, c_out = task.source_channels, task.channels
    mode, grey_axis = ("L", "[..., None]") if c == 1 else ("RGB", "")
    example = model_dir / version / EXAMPLE_INPUT
    return [
        "## SavedModel (TF Serving)",
        "",
        "| signature | inputs | outputs |",
        "| --- | --- | --- |",
        f"| `serving_default` | `image` uint8 [batch, H, W, {c}] | `image` uint8 [batch, "
        f"{scaled(task, 'H')}, {scaled(task, 'W')}, {c_out}], `image_float` float32 [batch, "
        f"{scaled(task, 'H')}, {scaled(task, 'W')}, {c_out}] |",
        "| `translate_bytes` | `image_bytes` string [batch]: PNG or JPEG files, any sizes | "
        f"`image_png_bytes` string [batch]: one PNG per input, at {scaled(task, 'its size') if getattr(task, 'scale', 1) == 1 else str(task.scale) + ' x its size'} |",
        "",
        "Serve the folder that holds the numbered versions; TF Serving loads the highest one and "
        "ignores the other files beside `saved_model.pb`:",
        "",
        "```bash",
        f"docker run --rm -p 8501:8501 -v \"{model_dir}:/models/{name}\" -e MODEL_NAME={name} "
        "tensorflow/serving",
        "# a PNG or JPEG file in, a PNG file out (REST carries bytes as base64):",
        f"curl -d \"{{\\\"signature_name\\\": \\\"translate_bytes\\\", \\\"instances\\\": "
        f"[{{\\\"b64\\\": \\\"$(base64 -w0 {example})\\\"}}]}}\" {url} \\",
        "  | python3 -c \"import base64, json, sys; sys.stdout.buffer.write(base64.b64decode("
        "json.load(sys.stdin)['predictions'][0]['b64']))\" > translated.png",
        "```",
        "",
        "Python client (standard library only):",
        "",
        "```python",
        "import base64, json, urllib.request",
        f"image = base64.b64encode(open(\"{example}\", \"rb\").read()).decode()",
        "body = {\"signature_name\": \"translate_bytes\", \"instances\": [{\"b64\": image}]}",
        f"request = urllib.request.Request(\"{url}\", data=json.dumps(body).encode())",
        "png = json.load(urllib.request.urlopen(request))[\"predictions\"][0][\"b64\"]",
        "open(\"translated.png\", \"wb\").write(base64.b64decode(png))",
        "```",
        "",
        "In-process, without a server (pixels in, pixels out):",
        "",
        "```python",
        "import numpy as np, tensorflow as tf",
        "from PIL import Image",
        f"model = tf.saved_model.load(\"{model_dir / version}\")",
        f"pixels = np.asarray(Image.open(\"{example}\").convert(\"{mode}\")){grey_axis}",
        "image = model.signatures[\"serving_default\"](image=tf.constant(pixels[None]))[\"image\"][0]",
        "```",
        "",
    ]


def _tflite(files: list[str], task) -> list[str]:
    size, c, c_out = task.image_size, task.source_channels, task.channels
    mode, grey_axis = ("L", "[..., None]") if c == 1 else ("RGB", "")
    first = files[0]
    return [
        "## TFLite / LiteRT (phones)",
        "",
        f"Files: {', '.join(f'`{f}`' for f in files)}. One signature, `serving_default`: "
        f"`image` uint8 [batch, {size}, {size}, {c}] -> `image` uint8 [batch, {scaled(task, size)}, "
        f"{scaled(task, size)}, {c_out}] and `image_float` float32. The size is fixed (resize or "
        "tile other images in the app); the batch is dynamic. Built-in ops only.",
        "",
        "```python",
        "import numpy as np",
        "from ai_edge_litert.interpreter import Interpreter",
        "from PIL import Image",
        f"runner = Interpreter(model_path=\"{first}\", num_threads=2).get_signature_runner()",
        f"pixels = np.asarray(Image.open(\"{EXAMPLE_INPUT}\").convert(\"{mode}\")"
        f".resize(({size}, {size}))){grey_axis}",
        "image = runner(image=pixels[None])[\"image\"][0]",
        "```",
        "",
        "Android (Kotlin, `com.google.ai.edge.litert:litert`):",
        "",
        "```kotlin",
        f"val interpreter = Interpreter(loadModelFile(context, \"{first}\"))",
        f"val input = ByteBuffer.allocateDirect({size} * {size} * {c})  // uint8 pixels, row by row",
        f"val image = ByteBuffer.allocateDirect({scaled(task, size)} * {scaled(task, size)} * {c_out})",
        f"val floats = Array(1) {{ Array({scaled(task, size)}) {{ Array({scaled(task, size)}) "
        f"{{ FloatArray({c_out}) }} }} }}",
        "interpreter.runSignature(mapOf(\"image\" to input), mapOf(\"image\" to image, "
        "\"image_float\" to floats), \"serving_default\")",
        "```",
        "",
    ]


def _onnx(task) -> list[str]:
    size, c = task.image_size, task.source_channels
    return [
        "## ONNX",
        "",
        f"`generator.onnx` (opset 17): input `image` uint8 [batch, {size}, {size}, {c}], outputs "
        "`translated` uint8 and `translated_float` float32 (ONNX names every tensor once, so "
        "the output cannot also be called `image`).",
        "",
        "```python",
        "import numpy as np, onnxruntime",
        "session = onnxruntime.InferenceSession(\"generator.onnx\")",
        f"image = session.run([\"translated\"], {{\"image\": np.zeros((1, {size}, {size}, {c}), np.uint8)}})[0]",
        "```",
        "",
    ]
