"""Super-resolution scores as the literature reports them: PSNR and SSIM on the Y channel
after a border crop, with the bicubic upscale beside them as the baseline.

Convention (BasicSR's basicsr/metrics/psnr_ssim.py with test_y_channel=True and
crop_border=scale; the MATLAB SRGAN / EDSR evaluation scripts):
- the high-resolution images are first cropped to a multiple of `scale` (MATLAB's
  modcrop), so downscale -> upscale gives back their exact size;
- both images lose `scale` pixels on every border (crop_border = scale);
- space "y": ITU-R BT.601 luma of studio range [16, 235], unrounded float64,
  Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 (MATLAB rgb2ycbcr, BasicSR
  bgr2ycbcr(y_only=True)); grayscale images are their own luminance;
  space "rgb" keeps the three channels, for those who want RGB figures;
- psnr: per image 10 log10(255^2 / MSE) over the remaining pixels (data range 255; an
  exact match counts as 100 dB, as keras_gan.evaluation.paired), then the mean over images;
- ssim: tf.image.ssim with max_val=255 (L), an 11x11 Gaussian window of sigma 1.5,
  K1=0.01, K2=0.03, 'valid' filtering, averaged over positions and channels, then over
  images; images under 11 px after the crop use a window of their size;
- baseline: the caller's bicubic upscale of the same low-resolution inputs, scored the
  same way ("bicubic_psnr", "bicubic_ssim"); a model must beat it to have learned anything.
"""

from __future__ import annotations

import numpy as np

from keras_gan.errors import invalid
from keras_gan.evaluation.paired import psnr_ssim
from keras_gan.io.images import to_uint8

Y_SPACE, RGB_SPACE = "y", "rgb"
# ITU-R BT.601 studio-range luma, the coefficients of MATLAB's rgb2ycbcr for [0, 255] input.
Y_WEIGHTS = np.array([65.481, 128.553, 24.966]) / 255.0
Y_OFFSET = 16.0


def rgb_to_y(images: np.ndarray) -> np.ndarray:
    """uint8 (or float 0..255) NHWC RGB -> float64 NHW1 BT.601 Y in [16, 235], unrounded.
    Grayscale input (C == 1) is returned as float64 unchanged (its own luminance)."""
    images = np.asarray(images, dtype=np.float64)
    if images.shape[-1] == 1:
        return images
    if images.shape[-1] != 3:
        raise invalid("images", "NHWC with 1 or 3 channels", images.shape)
    return (Y_OFFSET + images @ Y_WEIGHTS)[..., None]


SPACES = {Y_SPACE: rgb_to_y, RGB_SPACE: lambda images: np.asarray(images, dtype=np.float64)}


def sr_scores(outputs: np.ndarray, targets: np.ndarray, scale: int,
              space: str = Y_SPACE) -> dict[str, float]:
    """outputs, targets: uint8 NHWC of one shape -> {"psnr", "ssim"}, means over images,
    after a `scale`-pixel border crop, in `space` ("y" or "rgb")."""
    if space not in SPACES:
        raise invalid("space", f"one of {sorted(SPACES)}", space)
    if outputs.shape != targets.shape:
        raise ValueError(f"outputs and targets must have one shape; received {outputs.shape} "
                         f"and {targets.shape}.")
    if int(scale) != scale or scale < 1:
        raise invalid("scale", "a positive integer", scale)
    if outputs.ndim != 4 or min(outputs.shape[1:3]) <= 2 * scale:
        raise ValueError(f"Expected NHWC images larger than 2 * scale = {2 * scale} px per side; "
                         f"received shape {outputs.shape}.")
    crop = (slice(None), slice(scale, -scale), slice(scale, -scale))
    return psnr_ssim(*(SPACES[space](images[crop]) for images in (outputs, targets)))


class SREvaluator:
    """Scores a model's sampling generator on up to `n` held-out high-resolution images,
    whose low-resolution inputs and bicubic baseline are computed once, here.

    downscale(uint8 NHWC) -> uint8 NHWC: the family's antialiased bicubic downscale;
    upscale_bicubic(uint8 NHWC, scale) -> uint8 NHWC: the baseline upscale."""

    def __init__(self, heldout_hr: np.ndarray, scale: int, downscale, upscale_bicubic,
                 n: int = 100, space: str = Y_SPACE):
        if int(scale) != scale or scale < 1:
            raise invalid("scale", "a positive integer", scale)
        if space not in SPACES:
            raise invalid("space", f"one of {sorted(SPACES)}", space)
        hr = np.asarray(heldout_hr[:n])
        height, width = hr.shape[1] - hr.shape[1] % scale, hr.shape[2] - hr.shape[2] % scale
        self.targets = hr[:, :height, :width]  # modcrop: downscale -> upscale restores the size
        self.scale, self.space = int(scale), space
        self.inputs = np.asarray(downscale(self.targets))
        bicubic = np.asarray(upscale_bicubic(self.inputs, self.scale))
        self.baseline = {f"bicubic_{k}": v
                         for k, v in sr_scores(bicubic, self.targets, self.scale, space).items()}

    def evaluate(self, model) -> dict:
        outputs = to_uint8(model.task.translate(model.sampling_generator, self.inputs))
        scores = sr_scores(outputs, self.targets, self.scale, self.space)
        return {"n_images": len(self.targets), **scores, **self.baseline,
                "metric_space": self.space, "crop_border": self.scale}
