"""image_to_image: a source image in, an image out (`pix2pix`).

Any H x W is translated: the image is padded by reflection to a multiple of the
generator's 2^depth (centred), translated, and cropped back, never resized
(keras_gan.io.padding).

The preview grid shows a fixed held-out batch as three rows: source, output, target.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import tensorflow as tf

from keras_gan.cards import image as image_card
from keras_gan.evaluation.paired import PairedEvaluator
from keras_gan.io.files import atomic_path
from keras_gan.io.images import from_uint8, to_channels
from keras_gan.io.padding import translate_tensor
from keras_gan.serving.image import ImageSpec
from keras_gan.tasks.base import Preview, Task


EXAMPLES = "examples.npz"
EXAMPLES_KEPT = 64


def spread(count: int, n: int) -> np.ndarray:
    """min(n, count) indices spread evenly over range(count)."""
    return np.unique(np.linspace(0, count - 1, min(n, count)).round().astype(int))


class ImageToImage(Task):
    name = "image_to_image"
    summary = "a source image in, its translation out (any size); translate"
    holds_out = True  # a share of the data (--holdout) kept for previews and scores
    metrics = ("l1", "psnr", "ssim")
    convention = {"convention": "uint8 outputs vs targets, RGB, no border crop "
                                "(keras_gan.evaluation.paired)"}
    card = image_card
    pipeline_tag = "image-to-image"
    intended_use = "images translated like the training pairs"
    use = "translate --run {run} INPUT --out DIR"
    commands = ("translate",)

    def __init__(self, source_channels: int, channels: int, multiple: int, image_size: int):
        self.source_channels = source_channels
        self.channels = channels
        self.multiple = multiple  # input sides are padded to a multiple of this
        self.image_size = image_size  # the training size (TFLite files take this size)
        self._functions = {}

    def translate(self, network, images, batch_size: int = 16) -> np.ndarray:
        """Source images (uint8 or float [-1, 1], NHWC, one H x W) -> float32 outputs."""
        images = np.asarray(images)
        if images.dtype == np.uint8:
            images = from_uint8(images)
        key = id(network)
        if key not in self._functions:  # one trace per network (and H x W)
            self._functions[key] = tf.function(lambda x: self.apply(network, x),
                                               reduce_retracing=True)
        function = self._functions[key]
        return np.concatenate([function(tf.constant(images[i:i + batch_size])).numpy()
                               for i in range(0, len(images), batch_size)])

    def apply(self, network, images):
        """float [-1, 1] NHWC of any H x W -> the network's output, padded and cropped back."""
        return translate_tensor(network, images, self.multiple)

    def preview_inputs(self, model, data, grid_size: int, seed: int) -> dict:
        """`grid_size` held-out pairs spread evenly over the split (data is often sorted by
        class), fixed so grids compare across epochs."""
        del model, seed
        pick = spread(len(data.heldout["source"]), grid_size)
        return {name: np.asarray(data.heldout[name][pick]) for name in ("source", "target")}

    def render_preview(self, model, inputs: dict, ncols: int) -> Preview:
        del ncols  # one column per pair
        outputs = self.translate(model.sampling_generator, inputs["source"])
        rows = [from_uint8(inputs["source"]), outputs, from_uint8(inputs["target"])]
        shown = [to_channels(row, max(self.source_channels, self.channels)) for row in rows]
        return Preview(outputs, np.concatenate(shown), len(outputs))

    def reals(self, data, n: int, seed: int) -> tuple[np.ndarray, int]:
        """(cells, columns): training pairs before jitter, a row of sources over a row of
        their targets; sqrt(n) pairs (the grid's width) drawn at random."""
        fields = data.fields
        count = max(1, min(math.isqrt(n), len(fields["source"])))
        pick = np.sort(np.random.default_rng(seed).choice(len(fields["source"]), count,
                                                          replace=False))
        rows = [from_uint8(fields["source"][pick]), from_uint8(fields["target"][pick])]
        return np.concatenate([to_channels(r, max(self.source_channels, self.channels))
                               for r in rows]), count

    def write_examples(self, run_dir, data, count: int = EXAMPLES_KEPT) -> None:
        """RUN/examples.npz: held-out pairs (uint8, training size) that export calibrates
        and verifies quantized files on, and the model card shows, with no data at hand."""
        pick = spread(len(data.heldout["source"]), count)
        arrays = {name: np.asarray(data.heldout[name][pick]) for name in ("source", "target")}
        with atomic_path(Path(run_dir) / EXAMPLES) as tmp:
            np.savez_compressed(tmp, **arrays)

    def read_examples(self, run_dir) -> np.ndarray | None:
        """The held-out sources saved with the run, or None (a run folder without them)."""
        path = Path(run_dir) / EXAMPLES
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as arrays:
            return arrays["source"]

    def serving(self, examples=None) -> ImageSpec:
        """The serving spec; `examples` (uint8 sources) calibrate and verify quantized files."""
        return ImageSpec(self, examples)

    @classmethod
    def free_metric(cls, data) -> str | None:
        return "l1"

    @classmethod
    def default_metrics(cls, data) -> tuple[str, ...]:
        return ("l1", "psnr", "ssim")

    @classmethod
    def evaluator(cls, config, data, metrics, n, inception_weights, seed):
        del metrics, inception_weights, seed  # scores every paired metric at once
        return PairedEvaluator(data.heldout, n)

    @classmethod
    def scored_on(cls, record: dict) -> str:
        return f"{record['n_pairs']} held-out pairs"
