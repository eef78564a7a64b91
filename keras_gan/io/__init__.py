"""File and image I/O: atomic writes and clear write errors (files), float/uint8 image
helpers (images), banded PNG writing (png_stream), and the image operations the commands
share: tiles (tiling), resampling, reflect padding (padding)."""
