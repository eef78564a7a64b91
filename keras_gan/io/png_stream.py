"""A PNG file written a band of rows at a time, so a picture larger than memory can be saved.

Pillow and tf.io.encode_png take the whole image at once: for a 16000x12000 upscale that is
576 MB of pixels plus Pillow's own 768 MB copy. A PNG is a zlib stream of rows, each
prefixed by its filter type (PNG spec, section 6 and 9), so rows can be compressed as they
are finished. Each row uses the "Up" filter (the byte difference to the row above), which
turns smooth photos into mostly small numbers for zlib; written atomically (the file appears
whole or not at all).
"""

from __future__ import annotations

import contextlib
import struct
import zlib
from pathlib import Path

import numpy as np

from keras_gan.io.files import atomic_path

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> grey, grey + alpha, RGB, RGBA
UP = 2  # filter type
CHUNK = 1 << 20  # compressed bytes per IDAT chunk


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class PNGStream:
    """with PNGStream(path, height, width, channels, np.uint8 or np.uint16) as png:
    png[rows] = pixels  (row slices in order, as keras_gan.io.tiling writes its output)."""

    def __init__(self, path: str | Path, height: int, width: int, channels: int, dtype=np.uint8):
        self.path, self.shape = Path(path), (height, width, channels)
        self.dtype = np.dtype(dtype)
        if channels not in COLOUR_TYPES or self.dtype not in (np.uint8, np.uint16):
            raise ValueError(f"PNGStream writes 1-4 channels of uint8 or uint16; received "
                             f"{channels} channels of {self.dtype}.")
        self.next_row = 0

    def __enter__(self):
        self._stack = contextlib.ExitStack()
        self._file = self._stack.enter_context(open(self._stack.enter_context(atomic_path(self.path)), "wb"))
        height, width, channels = self.shape
        depth = 8 * self.dtype.itemsize
        self._file.write(SIGNATURE + _chunk(b"IHDR", struct.pack(
            ">IIBBBBB", width, height, depth, COLOUR_TYPES[channels], 0, 0, 0)))
        self._zip = zlib.compressobj(6)
        self._pending = b""
        self._previous = np.zeros(width * channels * self.dtype.itemsize, np.uint8)
        return self

    def __setitem__(self, rows, pixels) -> None:
        """Write the next rows: `rows` must start where the last write ended."""
        start = rows.start if isinstance(rows, slice) else rows
        if start != self.next_row:
            raise ValueError(f"PNGStream rows must come in order: expected row {self.next_row}, "
                             f"received {start}.")
        pixels = np.asarray(pixels, self.dtype).reshape(-1, self.shape[1] * self.shape[2])
        raw = pixels.astype(">u2").view(np.uint8) if self.dtype == np.uint16 else pixels
        raw = raw.reshape(len(pixels), -1)
        up = raw - np.concatenate([self._previous[None], raw[:-1]])  # uint8 wraps, as PNG's Up
        framed = np.concatenate([np.full((len(raw), 1), UP, np.uint8), up], axis=1)
        self._pending += self._zip.compress(framed.tobytes())
        self._flush(CHUNK)
        self._previous = raw[-1].copy()
        self.next_row += len(pixels)

    def _flush(self, at_least: int) -> None:
        while len(self._pending) >= max(at_least, 1):
            self._file.write(_chunk(b"IDAT", self._pending[:CHUNK]))
            self._pending = self._pending[CHUNK:]

    def _finish(self) -> None:
        if self.next_row != self.shape[0]:
            raise ValueError(f"PNGStream got {self.next_row} of {self.shape[0]} rows.")
        self._pending += self._zip.flush()
        self._flush(0)
        self._file.write(_chunk(b"IEND", b""))

    def __exit__(self, kind, error, trace):
        """A clean exit with every row publishes the file; anything else leaves no file."""
        if kind is None:
            try:
                self._finish()
            except BaseException as err:
                self._stack.__exit__(type(err), err, err.__traceback__)
                raise
        return self._stack.__exit__(kind, error, trace)
