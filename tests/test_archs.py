import pytest

from keras_gan.archs import ARCHS
from keras_gan.archs.dcgan import channels_at


@pytest.mark.parametrize("name", ARCHS.names())
@pytest.mark.parametrize("shape", [(8, 8, 1), (16, 16, 3)])
def test_generator_and_discriminator_shapes(name, shape):
    arch = ARCHS.get(name)
    generator = arch.build_generator(5, shape, 2)
    discriminator = arch.build_discriminator(shape, 2)
    assert generator.input_shape == (None, 5)
    assert generator.output_shape == (None, *shape)
    assert discriminator.input_shape == (None, *shape)
    assert discriminator.output_shape == (None, 1)


def test_generator_output_is_tanh_bounded():
    import numpy as np

    generator = ARCHS.get("dcgan").build_generator(4, (16, 16, 3), 2)
    images = generator.predict(np.random.default_rng(0).normal(size=(3, 4)) * 50, verbose=0)
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_dcgan_layer_plan_matches_the_paper_at_64px():
    generator = ARCHS.get("dcgan").build_generator(128, (64, 64, 3), 64)
    transposed = [l.filters for l in generator.layers if type(l).__name__ == "Conv2DTranspose"]
    assert transposed == [256, 128, 64, 3]
    assert channels_at(4, 64) == 512
    discriminator = ARCHS.get("dcgan").build_discriminator((64, 64, 3), 64)
    convs = [l for l in discriminator.layers if type(l).__name__ == "Conv2D"]
    assert [l.filters for l in convs] == [64, 128, 256, 512, 1]
    assert convs[-1].padding == "valid" and convs[-1].kernel_size == (4, 4)
    batchnorms = [l for l in discriminator.layers if type(l).__name__ == "BatchNormalization"]
    assert len(batchnorms) == 3  # none after the first conv


def test_mlp_gan_layer_plan():
    generator = ARCHS.get("gan").build_generator(100, (28, 28, 1), 0)
    dense = [l.units for l in generator.layers if type(l).__name__ == "Dense"]
    assert dense == [128, 256, 512, 1024, 784]
    discriminator = ARCHS.get("gan").build_discriminator((28, 28, 1), 0)
    assert [l.units for l in discriminator.layers if type(l).__name__ == "Dense"] == [512, 256, 1]


@pytest.mark.parametrize(
    "name, native, expected", [("dcgan", 28, 32), ("dcgan", None, 64), ("dcgan", 218, 64),
                               ("gan", 28, 28), ("gan", None, 32)],
)
def test_default_image_size(name, native, expected):
    assert ARCHS.get(name).default_image_size(native) == expected


@pytest.mark.parametrize("size, ok", [(32, True), (64, True), (128, True), (48, False),
                                      (256, False), (4, False)])
def test_dcgan_image_size_check(size, ok):
    problem = ARCHS.get("dcgan").check_image_size(size)
    assert (problem is None) == ok
