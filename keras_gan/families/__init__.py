"""Model families by --family name: one model file each, one registration line each.

`gan` and `dcgan` are presets of the GAN family (noise -> image); `pix2pix` is the
paired image-to-image family. See keras_gan.families.family for what a family says.
FAMILIES itself lives in keras_gan.registry (config reads it without importing this
package); a family defined outside the package registers the same way:
`FAMILIES.register("toy", Family(...))`.
"""

from keras_gan.families import cyclegan, gan, lightweight, pix2pix, srgan, text2image
from keras_gan.families.family import Family
from keras_gan.families.model import GANModel
from keras_gan.registry import FAMILIES

FAMILIES.register("gan", gan.PRESETS["gan"])
FAMILIES.register("dcgan", gan.PRESETS["dcgan"])
FAMILIES.register("lightweight", lightweight.PRESET)
FAMILIES.register("pix2pix", pix2pix.PRESET)
FAMILIES.register("cyclegan", cyclegan.CYCLEGAN)
FAMILIES.register("discogan", cyclegan.DISCOGAN)
FAMILIES.register("srgan", srgan.PRESET)
FAMILIES.register("text2image", text2image.PRESET)

__all__ = ["FAMILIES", "Family", "GANModel"]
