"""Image folders of every layout train at their own size: the size each family takes
nearest the images' (the median shorter side of a sample), said in the log."""

import logging

import pytest
from PIL import Image

from keras_gan.config import RunConfig
from keras_gan.data import DataError, DataRequest, resolve_source
from keras_gan.errors import ConfigError
from keras_gan.resolve import fill_defaults, load_run_data
from tests.conftest import blobs

FOLDERS = {"images": [""], "pairs": ["a", "b"], "unpaired": ["trainA", "trainB"],
           "captions": [""]}


def image_folder(root, layout: str, side: int, count: int = 4):
    for folder in FOLDERS[layout]:
        (root / folder).mkdir(parents=True, exist_ok=True)
        for i, picture in enumerate(blobs(count, side, seed=len(folder))):
            Image.fromarray(picture).save(root / folder / f"{i}.png")
            if layout == "captions":
                (root / folder / f"{i}.txt").write_text(f"picture number {i}")
    return root


def resolved(family: str, name: str, **data) -> RunConfig:
    return fill_defaults(RunConfig().replace(model={"family": family}, data={"name": name, **data}))


@pytest.mark.parametrize("family, layout, expected", [
    ("gan", "images", 24), ("dcgan", "images", 32), ("srgan", "images", 24),
    ("text2image", "captions", 32), ("pix2pix", "pairs", 32), ("cyclegan", "unpaired", 32),
    ("discogan", "unpaired", 32),
])
def test_a_folder_trains_at_the_size_nearest_its_images_and_the_log_says_so(
        tmp_path, caplog, family, layout, expected):
    root = image_folder(tmp_path / "data", layout, side=24)
    caplog.set_level(logging.INFO, logger="keras_gan.resolve")
    assert resolved(family, str(root)).data.image_size == expected
    nearest = "" if expected == 24 else f"; {expected} is the nearest size --family {family} picks"
    assert (f"Image size {expected}: the images of {root} are 24 px on their shorter side"
            f"{nearest} (pass --image-size to change it)") in caplog.text


@pytest.mark.parametrize("layout", FOLDERS)
def test_every_folder_layout_knows_its_own_size(tmp_path, layout):
    root = image_folder(tmp_path, layout, side=20)
    assert resolve_source(str(root), layout).native_size(str(root), None) == 20


def test_two_domain_folders_take_the_smaller_domain_size(tmp_path):
    a = image_folder(tmp_path / "a", "images", side=40)
    b = image_folder(tmp_path / "b", "images", side=20)
    assert resolve_source(str(a), "unpaired").native_size(str(a), None, str(b)) == 20


def test_a_size_in_the_config_is_kept_and_not_looked_up(tmp_path, caplog):
    """Old runs' config.json holds image_size: resuming never re-reads the folder's size."""
    root = image_folder(tmp_path, "images", side=24)
    caplog.set_level(logging.INFO, logger="keras_gan.resolve")
    assert resolved("dcgan", str(root), image_size=64).data.image_size == 64
    assert "Image size" not in caplog.text


def test_srgan_asked_for_more_than_the_images_hold_names_image_size_and_their_size(tmp_path):
    root = image_folder(tmp_path, "images", side=32)
    config = resolved("srgan", str(root), image_size=64)
    with pytest.raises(ConfigError, match=r"Invalid image_size: .* are 32 px on their shorter "
                                          r"side.*image_size=64\. Pass --image-size 32 or less"):
        load_run_data(config)


def test_srgan_on_its_own_size_reads_every_file(tmp_path):
    root = image_folder(tmp_path, "images", side=32)
    config = resolved("srgan", str(root))
    data = load_run_data(config)
    assert config.data.image_size == 32 and data.count == 3 and not data.skipped


def test_a_text2image_folder_is_padded_only_by_a_thin_border(tmp_path):
    """28 px digits are padded to 32; 100 px pictures are resized to 128, not framed."""
    from keras_gan.families.text2image import data_options

    for side, decoded in ((28, 28), (100, None)):
        root = image_folder(tmp_path / str(side), "captions", side=side)
        config = resolved("text2image", str(root))
        assert data_options(config).get("image_size") == decoded


def test_a_folder_too_small_for_any_size_is_an_error_naming_the_images(tmp_path):
    root = image_folder(tmp_path, "images", side=12)
    with pytest.raises(ConfigError, match=r"expected at least 16 .* Received: image_size=12 "
                                          r"\(the images' own size"):
        resolved("srgan", str(root))
    with pytest.raises(DataError, match="Invalid image_size"):
        resolve_source(str(root)).load(DataRequest(str(root), image_size=16, min_side=16))
