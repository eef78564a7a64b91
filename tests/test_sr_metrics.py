"""keras_gan.evaluation.super_resolution against an independent numpy/scipy reference
(BasicSR's psnr_ssim.py written out again without TensorFlow), the border crop, and the
evaluator's wiring with a fake model."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy.signal import convolve2d

from keras_gan.errors import ConfigError
from keras_gan.evaluation.super_resolution import (RGB_SPACE, Y_SPACE, SREvaluator, rgb_to_y,
                                                   sr_scores)
from keras_gan.io.images import from_uint8


# ---- the reference: plain numpy / scipy, no TensorFlow -------------------------------------

def reference_y(rgb):
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    return (16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0)[..., None]


def reference_psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 100.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def reference_ssim(a, b, size=11, sigma=1.5):
    """Wang et al. 2004 with a Gaussian window, 'valid' filtering, mean over the map and
    the channels (BasicSR's _ssim, skimage with gaussian_weights and population stats)."""
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-x**2 / (2 * sigma**2))
    window = np.outer(g, g) / np.outer(g, g).sum()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    maps = []
    for ch in range(a.shape[-1]):
        p, q = a[..., ch].astype(np.float64), b[..., ch].astype(np.float64)
        f = lambda img: convolve2d(img, window, mode="valid")  # noqa: E731
        mu_p, mu_q = f(p), f(q)
        var_p, var_q, cov = f(p * p) - mu_p**2, f(q * q) - mu_q**2, f(p * q) - mu_p * mu_q
        maps.append((2 * mu_p * mu_q + c1) * (2 * cov + c2)
                    / ((mu_p**2 + mu_q**2 + c1) * (var_p + var_q + c2)))
    return float(np.mean(maps))


def reference_scores(outputs, targets, scale, space):
    crop = (slice(scale, -scale), slice(scale, -scale))
    psnrs, ssims = [], []
    for out, ref in zip(outputs, targets):
        out, ref = out[crop], ref[crop]
        if space == Y_SPACE:
            out, ref = reference_y(out), reference_y(ref)
        size = min(11, out.shape[0], out.shape[1])
        psnrs.append(reference_psnr(out, ref))
        ssims.append(reference_ssim(out, ref, size=size))
    return float(np.mean(psnrs)), float(np.mean(ssims))


# ---- test images --------------------------------------------------------------------------

def structured_image(size=48):
    """Deterministic RGB: colour gradients + an 8 px checkerboard + a filled circle."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    img = np.stack([xx / size * 200, yy / size * 200, (xx + yy) / (2 * size) * 120], axis=-1)
    img += 40 * (((yy // 8) + (xx // 8)) % 2)[..., None]
    circle = (yy - size / 2) ** 2 + (xx - size / 2) ** 2 < (size / 4) ** 2
    img[circle] = [230, 60, 30]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def pil_resize(images, height, width):
    return np.stack([np.asarray(Image.fromarray(im).resize((width, height), Image.BICUBIC))
                     for im in images])


def degraded(images, seed=0):
    """Bicubic down by 2 and back up (PIL), plus a little seeded noise."""
    n, h, w, _ = images.shape
    blurred = pil_resize(pil_resize(images, h // 2, w // 2), h, w).astype(np.float64)
    noise = np.random.default_rng(seed).normal(0, 3, blurred.shape)
    return np.clip(np.rint(blurred + noise), 0, 255).astype(np.uint8)


# ---- tests --------------------------------------------------------------------------------

def test_rgb_to_y_is_bt601_studio_range_unrounded():
    pixels = np.array([[[[0, 0, 0], [255, 255, 255], [255, 0, 0], [10, 20, 30]]]], np.uint8)
    y = rgb_to_y(pixels)
    assert y.shape == (1, 1, 4, 1) and y.dtype == np.float64
    np.testing.assert_allclose(y[0, 0, :3, 0], [16.0, 235.0, 81.481], atol=1e-9)
    np.testing.assert_allclose(y[0, 0, 3, 0], 16 + (654.81 + 2571.06 + 748.98) / 255, atol=1e-9)
    grey = np.arange(12, dtype=np.uint8).reshape(1, 3, 4, 1)
    assert rgb_to_y(grey).dtype == np.float64
    np.testing.assert_array_equal(rgb_to_y(grey), grey)


@pytest.mark.parametrize("space", [Y_SPACE, RGB_SPACE])
@pytest.mark.parametrize("size, scale", [(48, 2), (16, 4)])  # 16 - 2*4 = 8 px: window 8
def test_sr_scores_match_an_independent_numpy_reference(space, size, scale):
    base = structured_image(size)
    targets = np.stack([base, base[::-1, :, ::-1]])  # two images: the mean over images
    outputs = degraded(targets, seed=1)
    scores = sr_scores(outputs, targets, scale, space)
    psnr, ssim = reference_scores(outputs, targets, scale, space)
    assert abs(scores["psnr"] - psnr) < 0.01
    assert abs(scores["ssim"] - ssim) < 1e-4
    assert 15 < psnr < 60 and 0.2 < ssim < 0.999  # a real degradation, not a trivial pair


def test_y_and_rgb_spaces_give_different_figures():
    targets = structured_image()[None]
    outputs = degraded(targets)
    y, rgb = sr_scores(outputs, targets, 2, Y_SPACE), sr_scores(outputs, targets, 2, RGB_SPACE)
    assert abs(y["psnr"] - rgb["psnr"]) > 0.1


def test_a_difference_only_in_the_scale_wide_border_is_cropped_away():
    scale = 3
    targets = np.random.default_rng(0).integers(0, 256, (2, 20, 20, 3), dtype=np.uint8)
    outputs = 255 - targets
    outputs[:, scale:-scale, scale:-scale] = targets[:, scale:-scale, scale:-scale]
    for space in (Y_SPACE, RGB_SPACE):
        assert sr_scores(outputs, targets, scale, space) == {"psnr": 100.0, "ssim": 1.0}
        narrower = sr_scores(outputs, targets, scale - 1, space)  # keeps a bad ring
        # the ring sits at the window's light edge, so SSIM barely moves; PSNR plunges
        assert narrower["psnr"] < 40 and narrower["ssim"] < 1 - 1e-4


def test_bad_arguments_are_refused_with_what_was_received():
    images = np.zeros((1, 16, 16, 3), np.uint8)
    with pytest.raises(ConfigError, match="space='ycbcr'"):
        sr_scores(images, images, 2, "ycbcr")
    with pytest.raises(ValueError, match="one shape"):
        sr_scores(images, images[:, :8], 2)
    with pytest.raises(ValueError, match="larger than"):
        sr_scores(images, images, 8)


class FakeTask:
    def __init__(self, scale):
        self.scale, self.calls = scale, []

    def translate(self, network, images):
        self.calls.append((network, images.shape, images.dtype))
        nearest = np.repeat(np.repeat(images, self.scale, axis=1), self.scale, axis=2)
        return from_uint8(nearest)  # float [-1, 1], as the real tasks return


class FakeModel:
    def __init__(self, scale):
        self.task, self.sampling_generator = FakeTask(scale), object()


def test_sr_evaluator_scores_the_model_and_the_bicubic_baseline():
    scale, n = 4, 3
    base = structured_image(26)  # 26 is not a multiple of 4: modcrop to 24
    heldout = np.stack([np.roll(base, 5 * i, axis=1) for i in range(5)])

    def downscale(images):
        return pil_resize(images, images.shape[1] // scale, images.shape[2] // scale)

    def upscale_bicubic(images, factor):
        return pil_resize(images, images.shape[1] * factor, images.shape[2] * factor)

    evaluator = SREvaluator(heldout, scale, downscale, upscale_bicubic, n=n)
    model = FakeModel(scale)
    result = evaluator.evaluate(model)

    targets = heldout[:n, :24, :24]
    lr = downscale(targets)
    assert model.task.calls == [(model.sampling_generator, (n, 6, 6, 3), np.uint8)]
    nearest = np.repeat(np.repeat(lr, scale, axis=1), scale, axis=2)
    direct = sr_scores(nearest, targets, scale)
    bicubic = sr_scores(upscale_bicubic(lr, scale), targets, scale)
    assert result["n_images"] == n
    assert result["psnr"] == pytest.approx(direct["psnr"], abs=1e-9)
    assert result["ssim"] == pytest.approx(direct["ssim"], abs=1e-9)
    assert result["bicubic_psnr"] == pytest.approx(bicubic["psnr"], abs=1e-9)
    assert result["bicubic_ssim"] == pytest.approx(bicubic["ssim"], abs=1e-9)
    assert result["psnr"] != result["bicubic_psnr"]
    assert result["metric_space"] == Y_SPACE and result["crop_border"] == scale
