"""Tiled upscaling: tile placement, complementary seam weights, tiled == untiled under the
receptive-field rule, fixed-size tiles, integer outputs written band by band, bounded memory."""

import tracemalloc

import numpy as np
import pytest

from keras_gan.io.images import to_uint8
from keras_gan.io.tiling import blend_weights, tile_starts, upscale_tiled

SHAPES = [(1, 16, 0), (16, 16, 8), (17, 16, 8), (32, 16, 8), (37, 16, 8), (53, 16, 4),
          (100, 10, 5), (64, 16, 0), (7, 16, 8), (31, 8, 2), (1000, 256, 32)]


def _image(height, width, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (height, width, channels)).astype(np.float32)


def blur_x2(radius):
    """A numpy stand-in generator of receptive radius `radius` LR px: a (2r+1)^2 box sum with
    zero padding (as Conv2D 'same'), then nearest x2."""
    def upscale(batch):
        x = np.pad(batch[0], ((radius, radius), (radius, radius), (0, 0)))
        h, w = batch.shape[1:3]
        box = sum(x[dy:dy + h, dx:dx + w] for dy in range(2 * radius + 1)
                  for dx in range(2 * radius + 1)) / (2 * radius + 1) ** 2
        return np.repeat(np.repeat(box, 2, 0), 2, 1)[None]
    return upscale


def conv_x2(layers, channels=3, seed=0):
    """A tiny SRGAN-like Keras net: `layers` Conv2D 3x3 'same' (radius = layers LR px), then a
    Conv2D to 4*C and depth_to_space x2 (the 1x1 head adds no radius)."""
    import keras

    init = keras.initializers.RandomNormal(stddev=0.4, seed=seed)
    model = keras.Sequential(
        [keras.Input((None, None, channels))]
        + [keras.layers.Conv2D(8, 3, padding="same", activation="tanh", kernel_initializer=init,
                               bias_initializer=init) for _ in range(layers)]
        + [keras.layers.Conv2D(4 * channels, 1, kernel_initializer=init),
           keras.layers.Lambda(lambda t: keras.ops.depth_to_space(t, 2))])
    return lambda batch: keras.ops.convert_to_numpy(model(batch, training=False))


@pytest.fixture(scope="module")
def net_r2():
    return conv_x2(layers=2)


@pytest.mark.parametrize("length,tile,overlap", SHAPES)
def test_tile_starts_cover_the_axis_with_enough_overlap(length, tile, overlap):
    starts = np.array(tile_starts(length, tile, overlap))
    assert starts[0] == 0 and starts[-1] + min(tile, length) == length
    if length <= tile:
        assert starts.tolist() == [0]
    gaps = np.diff(starts)
    assert np.all(gaps >= 1) and np.all(tile - gaps >= overlap)  # overlaps are >= overlap
    assert np.all(starts[2:] - starts[:-2] >= overlap)  # only neighbours' ramps meet


def test_tile_starts_uses_the_fewest_tiles():
    assert tile_starts(32, 16, 8) == [0, 8, 16]
    assert tile_starts(33, 16, 8) == [0, 5, 11, 17]  # 3 tiles cannot cover 33 with overlap 8
    assert tile_starts(48, 16, 0) == [0, 16, 32]


@pytest.mark.parametrize("length,tile,overlap", SHAPES)
def test_weights_sum_to_exactly_one_and_skip_the_edge_margin(length, tile, overlap):
    starts = tile_starts(length, tile, overlap)
    weights = blend_weights(length, starts, tile, overlap)
    total = np.zeros(length, np.float32)
    for start, weight in zip(starts, weights):
        total[start:start + weight.size] += weight
        margin = overlap // 4
        if start > 0:  # an inner left edge: no weight where context is missing
            assert np.all(weight[:margin] == 0)
        if start + weight.size < length:
            assert np.all(weight[weight.size - margin:] == 0)
    assert np.array_equal(total, np.ones(length, np.float32))
    assert weights[0][0] == 1 and weights[-1][-1] == 1  # image edges have no neighbour


def test_weights_are_the_trapezoid():
    left, right = blend_weights(24, [0, 8], 16, 8)  # one overlap: pixels 8..15
    assert right[:8].tolist() == [0, 0, 0.125, 0.375, 0.625, 0.875, 1, 1]
    assert left[8:].tolist() == [1, 1, 0.875, 0.625, 0.375, 0.125, 0, 0]
    assert np.all(left[:8] == 1) and np.all(right[8:] == 1)


@pytest.mark.parametrize("shape,tile,overlap", [((37, 53), 16, 8), ((9, 30), 20, 10),
                                                ((5, 6), 16, 8), ((33, 17), 16, 8)])
def test_tiled_equals_untiled_within_the_receptive_field_rule(net_r2, shape, tile, overlap):
    image = _image(*shape)
    full = net_r2(image[None])[0]
    tiled = upscale_tiled(net_r2, image, scale=2, tile=tile, overlap=overlap)
    assert tiled.shape == full.shape == (shape[0] * 2, shape[1] * 2, 3)
    assert tiled.dtype == np.float32
    assert np.max(np.abs(tiled - full)) < 1e-5


@pytest.mark.parametrize("radius,overlap", [(0, 0), (1, 4), (3, 12), (2, 10)])
def test_tiled_equals_untiled_for_numpy_stand_ins(radius, overlap):
    image = _image(41, 29, channels=2, seed=radius)
    full = blur_x2(radius)(image[None])[0]
    tiled = upscale_tiled(blur_x2(radius), image, scale=2, tile=24, overlap=overlap)
    assert np.max(np.abs(tiled - full)) < 1e-5


def test_a_wider_receptive_field_than_overlap_over_4_shows_seams():
    net = conv_x2(layers=4, seed=1)  # radius 4 > 8 / 4
    image = _image(37, 53, seed=1)
    full, tiled = net(image[None])[0], upscale_tiled(net, image, scale=2, tile=16, overlap=8)
    assert np.max(np.abs(tiled - full)) > 1e-3
    assert np.max(np.abs(tiled[:16, :16] - full[:16, :16])) < 1e-5  # far from every seam
    wide = upscale_tiled(net, image, scale=2, tile=32, overlap=16)  # 16 / 4 = radius again
    assert np.max(np.abs(wide - full)) < 1e-5


def test_fixed_size_feeds_exact_tiles_and_matches_free_size(net_r2):
    seen = []

    def recording(batch):
        seen.append(batch.shape)
        return net_r2(batch)
    image = _image(37, 53)
    fixed = upscale_tiled(recording, image, scale=2, tile=16, overlap=8, fixed_size=True)
    assert set(seen) == {(1, 16, 16, 3)}
    free = upscale_tiled(net_r2, image, scale=2, tile=16, overlap=8)
    assert np.max(np.abs(fixed - free)) < 1e-6


@pytest.mark.parametrize("shape", [(10, 13), (1, 7), (5, 1), (20, 3)])
def test_fixed_size_pads_small_images_and_crops_back(net_r2, shape):
    seen = []

    def recording(batch):
        seen.append(batch.shape)
        return net_r2(batch)
    image = _image(*shape)
    fixed = upscale_tiled(recording, image, scale=2, tile=16, overlap=8, fixed_size=True)
    assert set(seen) == {(1, 16, 16, 3)} and fixed.shape == (shape[0] * 2, shape[1] * 2, 3)
    full = net_r2(image[None])[0]
    h, w = (max(0, 2 * (n - 2)) for n in shape)  # padding only reaches 2 LR px (radius)
    assert np.max(np.abs(fixed[:h, :w] - full[:h, :w]), initial=0) < 1e-5
    nearest = upscale_tiled(blur_x2(0), image, 2, tile=16, overlap=8, fixed_size=True)
    assert np.max(np.abs(nearest - blur_x2(0)(image[None])[0])) < 1e-6  # padding all cropped


def test_integer_outputs_match_the_float_output_row_for_row():
    image = _image(45, 38, seed=3) * 1.5  # outliers exercise the clipping
    upscale = _nearest(2)
    floats = upscale_tiled(upscale, image, scale=2, tile=16, overlap=8)
    pixels = upscale_tiled(upscale, image, scale=2, tile=16, overlap=8, out_dtype=np.uint8)
    assert pixels.dtype == np.uint8 and np.array_equal(pixels, to_uint8(floats))
    deep = upscale_tiled(upscale, image, scale=2, tile=16, overlap=8, out_dtype=np.uint16)
    assert deep.dtype == np.uint16 and deep.min() == 0 and deep.max() == 65535
    expected = np.clip(np.rint((floats.astype(np.float64) + 1) / 2 * 65535), 0, 65535)
    assert np.max(np.abs(deep.astype(np.int64) - expected)) <= 1


def test_progress_counts_every_tile():
    calls = []
    upscale_tiled(blur_x2(0), _image(37, 53), 2, tile=16, overlap=8,
                  progress=lambda done, total: calls.append((done, total)))
    total = len(tile_starts(37, 16, 8)) * len(tile_starts(53, 16, 8))
    assert calls == [(i, total) for i in range(1, total + 1)]


def test_memory_stays_below_a_float_copy_of_the_output():
    image, scale = _image(1024, 32), 4
    float_output = image.size * scale ** 2 * 4
    tracemalloc.start()
    try:
        pixels = upscale_tiled(_nearest(scale), image, scale,
                               tile=16, overlap=4, out_dtype=np.uint8)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert pixels.shape == (4096, 128, 3)
    assert peak < float_output / 2  # uint8 output (1/4) + one band, never the float32 whole


def _nearest(scale):
    return lambda batch: np.repeat(np.repeat(batch, scale, 1), scale, 2)


@pytest.mark.parametrize("kwargs,name", [
    (dict(tile=0), "tile"), (dict(tile=16, overlap=9), "overlap"), (dict(overlap=-1), "overlap"),
    (dict(tile=8.0), "tile"), (dict(scale=0), "scale"), (dict(out_dtype=np.int32), "out_dtype"),
])
def test_bad_arguments_name_themselves(kwargs, name):
    args = dict(scale=2, tile=8, overlap=2) | kwargs
    with pytest.raises(ValueError, match=rf"Invalid {name}: expected .* Received: {name}="):
        upscale_tiled(_nearest(2), _image(4, 4), **args)


def test_bad_image_and_wrong_scale_are_reported():
    with pytest.raises(ValueError, match="image shape"):
        upscale_tiled(_nearest(2), np.zeros((4, 4), np.float32), 2)
    with pytest.raises(ValueError, match=r"upscale_fn returned shape.*scale=3"):
        upscale_tiled(_nearest(2), _image(4, 4), 3)
    with pytest.raises(ValueError, match="Invalid length"):
        tile_starts(0, 16, 8)
