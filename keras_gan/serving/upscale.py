"""Serving an upscaler (`srgan`): the image-to-image signatures, with outputs `scale`
times larger.

SavedModel signatures (as keras_gan.serving.image):
- serving_default: image uint8 [batch, H, W, C] (any H, W) -> image uint8
    [batch, scale H, scale W, C], image_float float32
- translate_bytes: PNG or JPEG files -> PNG files, each at scale x its own size
The network is fully convolutional: nothing is padded. TFLite and ONNX files take a
fixed tile (the LR side of a held-out image); apps tile larger pictures (the model
card shows the loop; `keras-gan upscale` does it on a desktop).
"""

from __future__ import annotations

from keras_gan.serving.image import ImageSpec


class UpscaleSpec(ImageSpec):
    task_name = "super_resolution"
