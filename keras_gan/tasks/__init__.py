"""Tasks: what crosses a model's boundary (noise -> image, image -> image).

A task owns the fixed preview inputs of the per-epoch grid and how the grid is drawn,
the training images shown in samples/reals.png, and the serving spec exporters build
signatures from. Callbacks, evaluation and export read the task, never a latent size.
"""

from keras_gan.tasks.base import Preview
from keras_gan.tasks.image_to_image import ImageToImage
from keras_gan.tasks.noise_to_image import NoiseToImage
from keras_gan.tasks.super_resolution import SuperResolution
from keras_gan.tasks.text_to_image import TextToImage
from keras_gan.tasks.two_way import TwoWayImageToImage

TASKS = {"noise_to_image": NoiseToImage, "image_to_image": ImageToImage,
         "two_way_image_to_image": TwoWayImageToImage, "super_resolution": SuperResolution, "text_to_image": TextToImage}

__all__ = ["TASKS", "ImageToImage", "NoiseToImage", "Preview", "SuperResolution", "TextToImage",
           "TwoWayImageToImage"]
