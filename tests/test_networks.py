import keras
import numpy as np
import pytest

from keras_gan.errors import ConfigError
from keras_gan.families import FAMILIES
from keras_gan.networks import build_network, get_network, names, patchgan, unet
from keras_gan.networks.dcgan import channels_at


def trainable(model) -> int:
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.mark.parametrize("name", names("generator"))
@pytest.mark.parametrize("shape", [(8, 8, 1), (16, 16, 3)])
def test_generator_and_discriminator_shapes(name, shape):
    generator = build_network("generator", name, 5, shape, 2)
    discriminator = build_network("discriminator", name, shape, 2)
    assert generator.input_shape == (None, 5)
    assert generator.output_shape == (None, *shape)
    assert discriminator.input_shape == (None, *shape)
    assert discriminator.output_shape == (None, 1)


def test_generator_output_is_tanh_bounded():
    generator = build_network("generator", "dcgan", 4, (16, 16, 3), 2)
    images = generator.predict(np.random.default_rng(0).normal(size=(3, 4)) * 50, verbose=0)
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_dcgan_layer_plan_matches_the_paper_at_64px():
    generator = build_network("generator", "dcgan", 128, (64, 64, 3), 64)
    transposed = [l.filters for l in generator.layers if type(l).__name__ == "Conv2DTranspose"]
    assert transposed == [256, 128, 64, 3]
    assert channels_at(4, 64) == 512
    discriminator = build_network("discriminator", "dcgan", (64, 64, 3), 64)
    convs = [l for l in discriminator.layers if type(l).__name__ == "Conv2D"]
    assert [l.filters for l in convs] == [64, 128, 256, 512, 1]
    assert convs[-1].padding == "valid" and convs[-1].kernel_size == (4, 4)
    batchnorms = [l for l in discriminator.layers if type(l).__name__ == "BatchNormalization"]
    assert len(batchnorms) == 3  # none after the first conv


def test_mlp_gan_layer_plan():
    generator = build_network("generator", "mlp", 100, (28, 28, 1), 0)
    dense = [l.units for l in generator.layers if type(l).__name__ == "Dense"]
    assert dense == [128, 256, 512, 1024, 784]
    discriminator = build_network("discriminator", "mlp", (28, 28, 1), 0)
    assert [l.units for l in discriminator.layers if type(l).__name__ == "Dense"] == [512, 256, 1]


def test_pix2pix_networks_have_the_reference_parameter_counts_at_256px():
    # pytorch-CycleGAN-and-pix2pix prints 54.414 M (unet_256) and 2.769 M (basic D, n_layers 3)
    generator = build_network("translator", "unet", (256, 256, 3), 3, 64)
    discriminator = build_network("discriminator", "patchgan", (256, 256, 6), 64)
    assert trainable(generator) == 54_413_955 and trainable(discriminator) == 2_768_705
    assert discriminator.output_shape == (None, 30, 30, 1)  # 70x70 patches
    downs = [l for l in generator.layers if l.name.startswith("down_") and "bn" not in l.name]
    assert len(downs) == 8 and unet.multiple(256) == 256  # 8 halvings to 1x1
    dropouts = [l.name for l in generator.layers if isinstance(l, keras.layers.Dropout)]
    assert dropouts == ["up_7_dropout", "up_6_dropout", "up_5_dropout"]  # first three decoder blocks
    assert all(not l.use_bias for l in downs)


@pytest.mark.parametrize("size, layers, patches", [(8, 1, 2), (16, 2, 2), (32, 3, 2), (64, 3, 6)])
def test_patchgan_keeps_at_least_one_patch_at_small_sizes(size, layers, patches):
    assert patchgan.stride2_layers(size) == layers
    model = build_network("discriminator", "patchgan", (size, size, 2), 4)
    assert model.output_shape == (None, patches, patches, 1)


def test_unet_translates_any_multiple_of_its_depth_and_keeps_the_size():
    generator = build_network("translator", "unet", (16, 16, 1), 3, 4)  # depth 4: multiples of 16
    out = generator(np.zeros((2, 32, 48, 1), "float32"), training=False)
    assert out.shape == (2, 32, 48, 3) and float(np.abs(out).max()) <= 1.0


def test_unknown_network_names_its_role_and_the_choices():
    with pytest.raises(ConfigError, match="Unknown translator network 'stylegan'.*resnet, unet"):
        get_network("translator", "stylegan")


@pytest.mark.parametrize(
    "name, native, expected", [("dcgan", 28, 32), ("dcgan", None, 64), ("dcgan", 218, 64),
                               ("gan", 28, 28), ("gan", None, 32), ("pix2pix", 28, 32),
                               ("pix2pix", 128, 128), ("pix2pix", 600, 256), ("pix2pix", None, 256)],
)
def test_default_image_size(name, native, expected):
    assert FAMILIES.get(name).default_image_size(native) == expected


@pytest.mark.parametrize("size, ok", [(32, True), (64, True), (128, True), (48, False),
                                      (256, False), (4, False)])
def test_dcgan_image_size_check(size, ok):
    assert (FAMILIES.get("dcgan").check_size(size) is None) == ok
