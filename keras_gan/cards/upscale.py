"""MODEL_CARD.md sections for upscalers (`srgan`): the image-to-image clients with outputs
`scale` times larger, and the tiling loop apps use with the fixed-size TFLite file."""

from __future__ import annotations

from keras_gan.cards import image
from keras_gan.cards.image import EXAMPLE_INPUT, EXAMPLE_OUTPUT

files, picture = image.files, image.picture


def sections(result, spec, shape, max_images: int, class_names=None) -> list[str]:
    del max_images, class_names
    task = spec.task
    return [
        f"Input: a low-resolution image with {task.channels} channel(s), uint8, any height and "
        f"width; output: the same picture {task.scale} times larger, `image` uint8 and "
        "`image_float` float32 (the generator's output, about [-1, 1]; uint8 is "
        "`floor(x * 127.5 + 128)` clipped). Nothing is padded or resized: the generator is "
        f"fully convolutional. Trained on crops of {shape[0]} px high-resolution images "
        "downscaled by antialiased bicubic; inputs degraded otherwise (JPEG, noise, blur) were "
        "not seen in training.",
        "",
        f"`{EXAMPLE_INPUT}` is a held-out low-resolution image and `{EXAMPLE_OUTPUT}` its upscale.",
        "",
    ] + image.clients(result, task, lambda files, task: _tiling(files[0], task))


def _tiling(file: str, task) -> list[str]:
    tile, s = task.image_size, task.scale
    return [
        f"Pictures of any size go through the {tile}x{tile} file tile by tile: tiles overlap "
        "by `overlap` pixels and are blended with weights that ramp across the middle half "
        "of each overlap (`keras-gan upscale` does the same on a desktop; "
        "keras_gan/tiling.py). The loop, in Python; an Android or iOS app runs the same loop:",
        "",
        "```python",
        "import numpy as np",
        "from ai_edge_litert.interpreter import Interpreter",
        f"TILE, SCALE, OVERLAP = {tile}, {s}, {min(max(2, tile // 4), tile // 2)}",
        f"run = Interpreter(model_path=\"{file}\", num_threads=2).get_signature_runner()",
        "",
        "def starts(n):  # tile offsets along one axis; the last tile ends at the edge",
        "    step = TILE - OVERLAP",
        "    return sorted({min(i, max(n - TILE, 0)) for i in range(0, max(n - OVERLAP, 1), step)})",
        "",
        "def ramp(first, last):  # a tile's weights along one axis: low near inner edges",
        "    w, q = np.ones(TILE), OVERLAP // 4",
        "    up = np.clip((np.arange(TILE) - q + 0.5) / max(OVERLAP - 2 * q, 1), 0, 1)",
        "    if not first: w = np.minimum(w, up)",
        "    if not last: w = np.minimum(w, up[::-1])",
        "    return np.repeat(w, SCALE)",
        "",
        "def upscale(pixels):  # uint8 [H, W, C], H and W >= TILE (pad smaller images first)",
        "    h, w, c = pixels.shape",
        "    total = np.zeros((h * SCALE, w * SCALE, c)); weight = np.zeros((h * SCALE, w * SCALE, 1))",
        "    ys, xs = starts(h), starts(w)",
        "    for y in ys:",
        "        for x in xs:",
        "            out = run(image=pixels[None, y:y + TILE, x:x + TILE])[\"image_float\"][0]",
        "            wy = ramp(y == ys[0], y == ys[-1])[:, None, None]",
        "            wx = ramp(x == xs[0], x == xs[-1])[None, :, None]",
        "            Y, X = y * SCALE, x * SCALE",
        "            total[Y:Y + TILE * SCALE, X:X + TILE * SCALE] += out * wy * wx",
        "            weight[Y:Y + TILE * SCALE, X:X + TILE * SCALE] += wy * wx",
        "    return np.clip(np.floor(total / weight * 127.5 + 128), 0, 255).astype(np.uint8)",
        "```",
        "",
    ]
