"""Tasks: what crosses a model's boundary (noise -> image, image -> image, ...), and every
rule that follows from it (keras_gan.tasks.base.Task lists them).

A task owns the fixed preview inputs of the per-epoch grid and how the grid is drawn,
the training images shown in samples/reals.png, the serving spec exporters build
signatures from, its metrics, evaluator and eval cadence, its model card and the command
that uses it. Callbacks, evaluation and export read the task, never a latent size.

TASKS lives in keras_gan.registry (so that resolve and evaluation look a task up by name
without importing this package); a task is one module here plus its line below, or a
user's own module: `TASKS.register("my_task", MyTask)`. Task modules import no family.
"""

from keras_gan.registry import TASKS
from keras_gan.tasks.base import Preview, Task
from keras_gan.tasks.image_to_image import ImageToImage
from keras_gan.tasks.noise_to_image import NoiseToImage
from keras_gan.tasks.super_resolution import SuperResolution
from keras_gan.tasks.text_to_image import TextToImage
from keras_gan.tasks.two_way import TwoWayImageToImage

TASKS.register(NoiseToImage.name, NoiseToImage)
TASKS.register(ImageToImage.name, ImageToImage)
TASKS.register(TwoWayImageToImage.name, TwoWayImageToImage)
TASKS.register(SuperResolution.name, SuperResolution)
TASKS.register(TextToImage.name, TextToImage)

__all__ = ["TASKS", "ImageToImage", "NoiseToImage", "Preview", "SuperResolution", "Task",
           "TextToImage", "TwoWayImageToImage"]
