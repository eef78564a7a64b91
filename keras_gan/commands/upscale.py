"""`keras-gan upscale`: super-resolve files and folders with a trained `srgan` run.

Every input keeps its place and name (OUT/<its path below the named folder>.png, as
`translate`) and its kind: grayscale stays grayscale, RGBA keeps its alpha (upscaled
apart, bicubic: the generator never saw transparency), 16-bit PNGs come back as 16-bit
PNGs. Pictures are upscaled in overlapping tiles with blended seams (keras_gan.io.tiling),
so memory stays bounded: a 4000x3000 photo never goes to the model whole, and its output is
never held whole: each band of finished rows is compressed into the PNG as the tiles finish
(keras_gan.io.png_stream). Unreadable files are skipped and listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from keras_gan.console import command_name
from keras_gan.data.decode import open_still
from keras_gan.errors import ConfigError
from keras_gan.io.png_stream import PNGStream
from keras_gan.runs import load_run
from keras_gan.tasks import SuperResolution  # what upscale_to_png reads: channels, scale
from keras_gan.io.tiling import check_tiling, upscale_tiled
from keras_gan.commands.sample import families_for
from keras_gan.commands.translate import Translated, each_picture, planned_outputs

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TILE, OVERLAP = 128, 32  # LR pixels: activations of a few hundred MB; 8 px of context per seam


@dataclass
class Picture:
    colour: np.ndarray  # float32 HWC [-1, 1], 1 or 3 channels
    alpha: np.ndarray | None  # float32 HW1 [-1, 1]
    depth: int  # 8 or 16 bits per channel


def _png_depth(data: bytes) -> int:
    """The bit depth in a PNG header (IHDR's 9th byte), 8 for other formats."""
    return data[24] if data[:8] == PNG_SIGNATURE and len(data) > 24 else 8


def read_hires(path: Path) -> Picture:
    """Any image file as colour (+ alpha) floats, turned upright (EXIF); 16-bit PNGs and
    TIFFs keep their precision."""
    from PIL import ImageOps

    data = path.read_bytes()
    if _png_depth(data) == 16:  # Pillow reads 16-bit colour PNGs as 8-bit
        pixels = tf.io.decode_png(data, dtype=tf.uint16).numpy().astype(np.float32) / 32767.5 - 1.0
        depth = 16
    else:
        with open_still(path) as image:  # an animated file: its first frame, with a warning
            image = ImageOps.exif_transpose(image)
            depth = 16 if image.mode.startswith("I;16") or image.mode == "I" else 8
            if depth == 16:
                pixels = np.asarray(image, np.float32) / 32767.5 - 1.0
            else:
                alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
                grey = image.mode in ("1", "L", "LA", "F")
                image = image.convert(("LA" if alpha else "L") if grey else ("RGBA" if alpha else "RGB"))
                pixels = np.asarray(image, np.float32) / 127.5 - 1.0
    pixels = pixels[..., None] if pixels.ndim == 2 else pixels
    has_alpha = pixels.shape[-1] in (2, 4)
    colour = pixels[..., :-1] if has_alpha else pixels
    return Picture(colour, pixels[..., -1:] if has_alpha else None, depth)


LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R BT.601, as Pillow's "L"


def upscale_to_png(task: SuperResolution, network, picture: Picture, target: Path, tile: int,
                   overlap: int, progress=None) -> None:
    """Write the picture `scale` times larger as a PNG of its own kind (grey or colour as the
    model allows, its alpha, its bit depth), band by band as the tiles finish: colour through
    the generator, alpha by bicubic (its 2 px reach is within any tile's context)."""
    dtype = np.uint16 if picture.depth == 16 else np.uint8
    colour, channels, scale = picture.colour, task.channels, task.scale
    grey_in_colour = (colour.shape[-1], channels) == (1, 3)  # and back to grey
    if colour.shape[-1] != channels:
        colour = np.repeat(colour, 3, axis=-1) if channels == 3 else (colour @ LUMA)[..., None]

    def upscale(x):
        out = task.translate(network, x[..., :channels], batch_size=1)
        out = out @ LUMA[:, None] if grey_in_colour else out
        if x.shape[-1] == channels:
            return out
        size = (x.shape[1] * scale, x.shape[2] * scale)
        alpha = tf.image.resize(x[..., channels:], size, method="bicubic").numpy()
        return np.concatenate([out, alpha], axis=-1)

    image = colour if picture.alpha is None else np.concatenate([colour, picture.alpha], axis=-1)
    kept = 1 if grey_in_colour else channels
    height, width = image.shape[:2]
    with PNGStream(target, height * scale, width * scale, kept + (picture.alpha is not None),
                   dtype) as png:
        upscale_tiled(upscale, image, scale, tile, overlap, out_dtype=dtype, progress=progress,
                      out=png)


def upscale_files(run_dir: str | Path, inputs: list[str | Path], out: str | Path,
                  checkpoint: str = "latest", overwrite: bool = False, tile: int = TILE,
                  overlap: int = OVERLAP, progress=None) -> Translated:
    check_tiling(tile, overlap, names=("tile", "tile_overlap"))
    pairs = planned_outputs(inputs, out, overwrite)
    config, model, used = load_run(run_dir, checkpoint)
    if "upscale" not in model.task.commands:
        raise ConfigError(
            f"Invalid run: expected a super-resolution run ({families_for('upscale')}) for "
            f"upscale. Received: a "
            f"{config.model.family!r} run; use `{command_name()} translate` or `sample`.")
    return each_picture(pairs, read_hires,
                        lambda picture, target: upscale_to_png(model.task, model.sampling_generator,
                                                               picture, target, tile, overlap, progress),
                        used)
