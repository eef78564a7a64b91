import numpy as np
import pytest
from PIL import Image

from keras_gan.io.images import from_uint8, make_grid, save_grid, to_uint8


def test_to_uint8_maps_range_ends_and_clips():
    out = to_uint8(np.array([-1.0, 0.0, 1.0, -3.0, 3.0]))
    assert out.tolist() == [0, 128, 255, 0, 255]
    assert out.dtype == np.uint8


def test_uint8_round_trip():
    values = np.arange(256, dtype=np.uint8)
    assert np.array_equal(to_uint8(from_uint8(values)), values)


def test_make_grid_places_images_with_padding():
    images = np.stack([np.full((2, 3, 1), i, np.uint8) for i in range(5)])
    grid = make_grid(images, ncols=3, padding=1, pad_value=255)
    assert grid.shape == (2 * 3 + 1, 3 * 4 + 1, 1)
    assert grid[1, 1, 0] == 0 and grid[1, 5, 0] == 1 and grid[4, 1, 0] == 3
    assert grid[0, 0, 0] == 255  # padding
    assert grid[4, 9, 0] == 255  # the empty sixth cell


def test_make_grid_rejects_floats():
    with pytest.raises(ValueError, match="uint8"):
        make_grid(np.zeros((1, 2, 2, 1), np.float32))


def test_save_grid_writes_a_png_upscaled_for_small_images(tmp_path):
    images = np.linspace(-1, 1, 4 * 8 * 8 * 3, dtype=np.float32).reshape(4, 8, 8, 3)
    path = save_grid(tmp_path / "g.png", images)
    with Image.open(path) as picture:
        assert picture.format == "PNG" and picture.mode == "RGB"
        cells = 2 * (8 + 2) + 2
        assert picture.size == (cells * 8, cells * 8)  # 64 // 8 = 8x nearest upscale
    assert not list(tmp_path.glob(".*tmp*"))  # the temporary file was renamed away
