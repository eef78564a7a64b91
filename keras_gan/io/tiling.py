"""Tiled super-resolution: upscale an image of any size with bounded memory.

Why tiles: an SRGAN generator is fully convolutional, but a 4000x3000 photo at x4 needs
gigabytes of activations, and a TFLite file may accept one input size only. So the
low-resolution (LR) image is cut into overlapping tiles, each is upscaled alone, and the
seams are blended.

The blending rule. Along each axis a tile's weight is a trapezoid: in the overlap with a
neighbour it is 0 within overlap/4 LR px of its inner edge (those pixels lack context), ramps
linearly to 1 across the middle half of the overlap, and is 1 elsewhere; image edges keep
weight 1 (no neighbour). The two neighbours' ramps are complementary (r and 1 - r), so the
weights at every pixel sum to exactly 1 per axis (the 2-D weight is their product). When
rounding makes an overlap wider than `overlap`, the ramp keeps its width and sits at the
overlap's centre, so the zero margin only grows. Hence every kept output pixel had at least
floor(overlap/4) LR px of real image around it, and for a fully convolutional network (no
batch statistics: BatchNorm in inference mode is fine; no global pooling or attention) whose
receptive-field radius is <= overlap/4 LR px, the tiled result EQUALS the untiled one within
float tolerance. A wider receptive field leaves small differences near the seams.

Memory: one horizontal band of tiles is accumulated at a time in float32 (tile*scale rows of
the output); rows no later tile covers are converted (`out_dtype`) into the preallocated
output, so no float32 copy of the whole output ever exists.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from keras_gan.errors import invalid
from keras_gan.io.images import to_uint8


def _to_uint16(rows: np.ndarray) -> np.ndarray:
    """[-1, 1] floats -> uint16 [0, 65535], rounding to nearest and clipping outliers."""
    values = np.rint((rows + np.float32(1.0)) * np.float32(32767.5))
    return np.clip(values, 0, 65535).astype(np.uint16)


# out_dtype -> to_pixels(float32 rows) -> rows of that dtype; uint8 rounds as every export does.
TO_PIXELS: dict[np.dtype, Callable[[np.ndarray], np.ndarray]] = {
    np.dtype(np.float32): lambda rows: rows,
    np.dtype(np.uint8): to_uint8,
    np.dtype(np.uint16): _to_uint16,
}


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_tiling(tile: int, overlap: int, names: tuple[str, str] = ("tile", "overlap")) -> None:
    """Raise ConfigError unless tile >= 1 and 0 <= overlap <= tile // 2. The upper bound keeps
    a tile overlapping only its two neighbours, so neighbouring ramps never cross and the
    weights stay a partition of unity. `names`: how the caller's user spells the two."""
    if not _is_int(tile) or tile < 1:
        raise invalid(names[0], "an integer >= 1 (LR pixels per tile side)", tile)
    if not _is_int(overlap) or not 0 <= 2 * overlap <= tile:
        raise invalid(names[1], f"an integer in [0, {names[0]} // 2] = [0, {tile // 2}] for "
                      f"{names[0]}={tile}", overlap)


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of `tile`-px tiles along an axis of `length` px: the fewest tiles whose
    consecutive overlaps are >= `overlap`, spread evenly, the last ending exactly at `length`;
    one tile (of `length` px) when length <= tile."""
    check_tiling(tile, overlap)
    if not _is_int(length) or length < 1:
        raise invalid("length", "an integer >= 1", length)
    if length <= tile:
        return [0]
    span = length - tile
    gaps = -(-span // (tile - overlap))  # ceil: each gap <= tile - overlap
    return [i * span // gaps for i in range(gaps + 1)]


def _ramp(positions: np.ndarray, centre: float, overlap: int) -> np.ndarray:
    """0 before the seam at `centre`, 1 after, linear across overlap/2 px centred on it
    (evaluated at pixel centres; a hard cut when overlap == 0)."""
    x = positions + 0.5 - centre
    if overlap == 0:
        return (x >= 0).astype(np.float32)
    return np.clip(x / (overlap / 2) + 0.5, 0.0, 1.0).astype(np.float32)


def blend_weights(length: int, starts: list[int], tile: int, overlap: int) -> list[np.ndarray]:
    """One float32 weight vector per tile (min(tile, length) px each): the trapezoids of the
    module docstring. Where one seam's ramp is fractional the other seam's is exactly 0 or 1,
    so the weights at any pixel are r and 1 - r and sum to exactly 1."""
    check_tiling(tile, overlap)
    size = min(tile, length)
    weights = []
    for i, start in enumerate(starts):
        positions = np.arange(start, start + size)
        weight = np.ones(size, np.float32)
        if i > 0:
            weight *= _ramp(positions, (starts[i - 1] + size + start) / 2, overlap)
        if i + 1 < len(starts):
            seam = (start + size + starts[i + 1]) / 2
            weight *= np.float32(1.0) - _ramp(positions, seam, overlap)
        weights.append(weight)
    return weights


def _pad_to(patch: np.ndarray, size: int) -> np.ndarray:
    """Pad an HWC patch at the bottom/right to size x size by reflection ('edge' for a 1-px side,
    which has nothing to reflect), so the top-left keeps exactly its real context."""
    for axis in (0, 1):
        short = size - patch.shape[axis]
        if short > 0:
            pad = [(0, 0)] * 3
            pad[axis] = (0, short)
            patch = np.pad(patch, pad, mode="reflect" if patch.shape[axis] > 1 else "edge")
    return patch


def _run_tile(upscale_fn, patch: np.ndarray, scale: int, fixed: int | None) -> np.ndarray:
    """upscale_fn on one patch (padded to fixed x fixed when given), cropped back; float32 HWC."""
    height, width = patch.shape[:2]
    if fixed:
        patch = _pad_to(patch, fixed)
    result = np.asarray(upscale_fn(np.ascontiguousarray(patch[None], dtype=np.float32)))
    expected = (1, patch.shape[0] * scale, patch.shape[1] * scale)
    if result.ndim != 4 or result.shape[:3] != expected:  # a caller's bug, not a user's
        raise ValueError(f"upscale_fn returned shape {result.shape}; expected "
                         f"{expected + ('C',)} for a {patch.shape[:2]} tile at scale={scale}.")
    return result[0, :height * scale, :width * scale].astype(np.float32, copy=False)


def _check_call(image, scale: int, tile: int, overlap: int, out_dtype) -> np.ndarray:
    check_tiling(tile, overlap)
    if not _is_int(scale) or scale < 1:
        raise invalid("scale", "an integer >= 1", scale)
    if np.dtype(out_dtype) not in TO_PIXELS:
        raise invalid("out_dtype", f"one of {sorted(str(d) for d in TO_PIXELS)}", out_dtype)
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3 or min(image.shape) < 1:
        raise invalid("image shape", "(height, width, channels), each >= 1", image.shape)
    return image


def upscale_tiled(upscale_fn, image: np.ndarray, scale: int, tile: int = 256, overlap: int = 32,
                  fixed_size: bool = False, out_dtype=np.float32,
                  progress: Callable[[int, int], None] | None = None,
                  out: np.ndarray | None = None) -> np.ndarray:
    """Upscale a float32 HWC image in [-1, 1] tile by tile; returns [H*scale, W*scale, C'] of
    `out_dtype` (float32, or uint8/uint16 converted band by band to bound memory).

    upscale_fn(float32 [1, h, w, C]) -> [1, h*scale, w*scale, C']. With fixed_size every call
    gets exactly tile x tile (smaller tiles are reflection-padded and cropped back), as a
    fixed-size TFLite file needs. progress(done_tiles, total_tiles) is called after each tile.
    out: where to write (a view of a larger array, as the colour channels of an RGBA output),
    else a new array.
    """
    image = _check_call(image, scale, tile, overlap, out_dtype)
    to_pixels = TO_PIXELS[np.dtype(out_dtype)]
    height, width = image.shape[:2]
    rows, cols = tile_starts(height, tile, overlap), tile_starts(width, tile, overlap)
    row_w = [np.repeat(w, scale) for w in blend_weights(height, rows, tile, overlap)]
    col_w = [np.repeat(w, scale) for w in blend_weights(width, cols, tile, overlap)]
    band, side = min(tile, height), min(tile, width)
    acc = None
    for i, top in enumerate(rows):
        for j, left in enumerate(cols):
            hr = _run_tile(upscale_fn, image[top:top + band, left:left + side], scale,
                           tile if fixed_size else None)
            if acc is None:  # C' is known only now
                acc = np.zeros((band * scale, width * scale, hr.shape[-1]), np.float32)
                if out is None:
                    out = np.empty((height * scale, width * scale, hr.shape[-1]), out_dtype)
            elif hr.shape[-1] != acc.shape[-1]:
                raise invalid("upscale_fn output channels", f"{acc.shape[-1]} (as the first tile)",
                              hr.shape[-1])
            acc[:, left * scale:(left + side) * scale] += hr * (row_w[i][:, None, None]
                                                                * col_w[j][None, :, None])
            if progress is not None:
                progress(i * len(cols) + j + 1, len(rows) * len(cols))
        # Rows above the next band's first row are final; the rest carry over into it.
        done = ((rows[i + 1] if i + 1 < len(rows) else top + band) - top) * scale
        out[top * scale:top * scale + done] = to_pixels(acc[:done])
        acc[:acc.shape[0] - done] = acc[done:]
        acc[acc.shape[0] - done:] = 0.0
    return out
