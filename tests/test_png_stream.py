"""PNG files written band by band decode exactly, in every channel count and bit depth, and
a stream that is not finished leaves no file."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_gan.io.png_stream import PNGStream


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_bands_decode_to_the_exact_pixels(tmp_path, channels, dtype):
    pixels = np.random.default_rng(channels).integers(0, np.iinfo(dtype).max, (37, 23, channels),
                                                     endpoint=True).astype(dtype)
    path = tmp_path / "a.png"
    with PNGStream(path, 37, 23, channels, dtype) as png:
        for start, stop in ((0, 1), (1, 20), (20, 37)):  # uneven bands, as tiles finish them
            png[start:stop] = pixels[start:stop]
    decoded = tf.io.decode_png(path.read_bytes(), dtype=tf.as_dtype(dtype)).numpy()
    np.testing.assert_array_equal(decoded, pixels)
    if dtype == np.uint8:  # and Pillow, which checks every chunk's CRC
        with Image.open(path) as image:
            assert image.mode == {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[channels]
            np.testing.assert_array_equal(np.asarray(image).reshape(pixels.shape), pixels)


def test_rows_out_of_order_or_missing_leave_no_file(tmp_path):
    path = tmp_path / "b.png"
    with pytest.raises(ValueError, match="expected row 0, received 5"):
        with PNGStream(path, 10, 4, 3) as png:
            png[5:10] = np.zeros((5, 4, 3), np.uint8)
    with pytest.raises(ValueError, match="got 4 of 10 rows"):
        with PNGStream(path, 10, 4, 3) as png:
            png[0:4] = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(KeyboardInterrupt):
        with PNGStream(path, 10, 4, 3) as png:
            png[0:4] = np.zeros((4, 4, 3), np.uint8)
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []  # no file, no temporary left behind


def test_smooth_pictures_compress_well(tmp_path):
    ramp = np.tile(np.arange(256, dtype=np.uint8)[None, :, None], (256, 1, 3))  # the Up filter's case
    with PNGStream(tmp_path / "c.png", 256, 256, 3) as png:
        png[0:256] = ramp
    assert (tmp_path / "c.png").stat().st_size < ramp.nbytes / 50
