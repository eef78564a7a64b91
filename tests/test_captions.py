import json
import re

import numpy as np
import pytest
import tensorflow as tf

from keras_gan.data import DataError, DataRequest, steps_per_epoch, training_pipeline
from keras_gan.data import pipeline
from keras_gan.data.captions import (DIGIT_WORDS, PROMPTS, TEMPLATES, CaptionedFolder, MNISTCaptions,
                                     caption_for, mnist_captions, read_captions)
from keras_gan.data.pipeline import random_flip


def solid(path, value):
    """A 12x12 grey image of one value: the decoded pixels say which file a row came from."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((12, 12), value, np.uint8)).save(path)
    return path


def load(root, size=12):
    return CaptionedFolder().load(DataRequest(str(root), image_size=size))


def values(data):
    """Which solid image each row holds (its centre pixel)."""
    return data.fields["image"][:, 6, 6, 0].tolist()


@pytest.fixture
def csv_folder(tmp_path):
    """a.png (2 captions, quoted commas), ab.png (captioned but corrupt), b.png (1 caption and
    an empty one), sub/c.png (a caption over two lines), d.png (none), a row for a missing file."""
    solid(tmp_path / "a.png", 10)
    (tmp_path / "ab.png").write_bytes(b"not a png")
    solid(tmp_path / "b.png", 20)
    solid(tmp_path / "sub" / "c.png", 30)
    solid(tmp_path / "d.png", 40)
    (tmp_path / "captions.csv").write_text(
        'file,caption\n'
        'a.png,"a cat, sleeping"\n'
        'b.png,a dog\n'
        'missing.png,a ghost\n'
        'a.png,"a cat, awake"\n'
        'b.png,"   "\n'
        'ab.png,unreadable\n'
        'sub/c.png,"line one\nline two"\n', encoding="utf-8")
    return tmp_path


def test_csv_keeps_quoted_commas_and_several_rows_per_image_and_reports_bad_rows(csv_folder):
    captions, problems = read_captions(csv_folder)
    assert captions == {csv_folder / "a.png": ["a cat, sleeping", "a cat, awake"],
                        csv_folder / "ab.png": ["unreadable"],
                        csv_folder / "b.png": ["a dog"],
                        csv_folder / "sub" / "c.png": ["line one line two"]}
    table = str(csv_folder / "captions.csv")
    assert [entry for entry, _ in problems] == [f"{table}:4", f"{table}:6"]
    assert "missing.png" in problems[0][1] and "empty caption for b.png" == problems[1][1]


def test_captioned_folder_repeats_each_image_per_caption_in_order_and_counts_skips(csv_folder):
    data = load(csv_folder)
    assert set(data.fields) == {"image", "caption"} and data.count == 4
    assert data.fields["image"].shape == (4, 12, 12, 1) and data.fields["image"].dtype == np.uint8
    assert data.fields["caption"].dtype.kind == "U"
    # sorted by path; the corrupt ab.png between a.png and b.png must not shift the captions
    assert data.fields["caption"].tolist() == ["a cat, sleeping", "a cat, awake", "a dog",
                                               "line one line two"]
    assert values(data) == [10, 10, 20, 30]
    skipped = dict(data.skipped)
    assert skipped[str(csv_folder / "d.png")] == "no caption"
    assert str(csv_folder / "ab.png") in skipped
    assert len(data.skipped) == 4  # missing.png's row, b.png's empty caption, d.png, ab.png
    assert "3 images, 4 captions" in data.description


def test_jsonl_reports_a_broken_line_and_keeps_the_others(tmp_path):
    solid(tmp_path / "a.png", 10)
    solid(tmp_path / "b.png", 20)
    lines = [json.dumps({"file": "a.png", "caption": "first"}), '{"file": "b.png", "caption": ',
             json.dumps(["a list"]), json.dumps({"file": "a.png"}), "",
             json.dumps({"file": "b.png", "caption": "émoji, ok"})]
    (tmp_path / "captions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    captions, problems = read_captions(tmp_path)
    assert captions == {tmp_path / "a.png": ["first"], tmp_path / "b.png": ["émoji, ok"]}
    assert [int(entry.rsplit(":", 1)[1]) for entry, _ in problems] == [2, 3, 4]
    assert problems[0][1].startswith("not a JSON line")
    assert values(load(tmp_path)) == [10, 20]


def test_txt_beside_each_image_one_caption_per_line_and_uncaptioned_images_skipped(tmp_path):
    solid(tmp_path / "a.png", 10)
    (tmp_path / "a.txt").write_text("first caption\n\n  second caption \n", encoding="utf-8")
    solid(tmp_path / "b.png", 20)  # no .txt
    solid(tmp_path / "c.png", 30)
    (tmp_path / "c.txt").write_text("\n \n", encoding="utf-8")  # blank: no caption
    solid(tmp_path / "d" / "e.png", 50)
    (tmp_path / "d" / "e.txt").write_text("deep", encoding="utf-8")
    data = load(tmp_path)
    assert data.fields["caption"].tolist() == ["first caption", "second caption", "deep"]
    assert values(data) == [10, 10, 50]
    assert sorted(data.skipped) == [(str(tmp_path / "b.png"), "no caption"),
                                    (str(tmp_path / "c.png"), "no caption")]


def test_csv_wins_over_jsonl_and_txt(tmp_path):
    solid(tmp_path / "a.png", 10)
    (tmp_path / "captions.csv").write_text("file,caption\na.png,from csv\n", encoding="utf-8")
    (tmp_path / "captions.jsonl").write_text('{"file": "a.png", "caption": "from jsonl"}\n')
    (tmp_path / "a.txt").write_text("from txt\n")
    assert read_captions(tmp_path)[0] == {tmp_path / "a.png": ["from csv"]}
    (tmp_path / "captions.csv").unlink()
    assert read_captions(tmp_path)[0] == {tmp_path / "a.png": ["from jsonl"]}


def test_unreadable_csv_rows_are_reported_and_the_rest_kept(tmp_path):
    solid(tmp_path / "a.png", 10)
    solid(tmp_path / "b.png", 20)
    (tmp_path / "captions.csv").write_bytes(
        b"\xef\xbb\xbffile,caption\n"  # a byte-order mark, as spreadsheets write
        b"a.png,caf\xe9\n"  # Latin-1, not UTF-8
        b"a.png," + b"x" * 200_000 + b"\n"  # over the csv module's field limit
        b"b.png,fine\n"
        b"notes.pdf,not an image\n")
    captions, problems = read_captions(tmp_path)
    assert captions == {tmp_path / "b.png": ["fine"]}
    assert [int(entry.rsplit(":", 1)[1]) for entry, _ in problems] == [2, 3, 5]
    assert "not UTF-8" in problems[0][1] and "field limit" in problems[1][1]


def test_a_csv_without_its_header_or_a_folder_without_captions_is_an_error(tmp_path):
    solid(tmp_path / "a.png", 10)
    with pytest.raises(DataError, match="no captions|No captioned images"):
        load(tmp_path)
    (tmp_path / "captions.csv").write_text("a.png,a cat\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape("columns file,caption")):
        read_captions(tmp_path)


def named_digits(caption: str) -> set[int]:
    """The digits a caption names, as a word or a numeral."""
    tokens = re.findall(r"[a-z0-9]+", caption)
    return {d for d in range(10) if DIGIT_WORDS[d] in tokens or str(d) in tokens}


def test_mnist_captions_name_the_right_digit_in_several_phrasings_deterministically():
    data = MNISTCaptions().load(DataRequest("mnist_captions", image_size=28))
    images, captions, labels = data.fields["image"], data.fields["caption"], data.fields["label"]
    assert images.shape == (5000, 28, 28, 1) and labels.dtype == np.int32 and len(captions) == 5000
    assert all(named_digits(c) == {int(d)} for c, d in zip(captions.tolist(), labels))
    assert np.array_equal(mnist_captions(labels), captions)  # the same captions every time
    for digit in range(10):
        assert len(set(captions[labels == digit].tolist())) >= 6  # several phrasings per digit
    assert len(TEMPLATES) >= 6 and caption_for(7, 0) == "a handwritten seven"
    assert caption_for(8, TEMPLATES.index("{a} {digit}")) == "an 8"
    assert [named_digits(p) for p in PROMPTS] == [{d} for d in range(10)]
    assert PROMPTS[0] == "a handwritten zero" and PROMPTS[9] == "a handwritten nine"
    with pytest.raises(ValueError, match="template_index"):
        caption_for(1, len(TEMPLATES))


@pytest.mark.parametrize("streamed", [False, True], ids=["in_memory", "streamed"])
def test_pipeline_passes_captions_through_as_strings_lined_up_with_their_images(monkeypatch, streamed):
    if streamed:  # the path large, memory-mapped data takes
        monkeypatch.setattr(pipeline, "IN_MEMORY_BYTES", 0)
    count = 10
    fields = {"image": np.arange(count, dtype=np.uint8).reshape(-1, 1, 1, 1).repeat(4, 1).repeat(4, 2),
              "caption": np.array([f"c{i}" for i in range(count)])}
    dataset = training_pipeline(fields, batch_size=4, seed=0, transform=random_flip)
    seen = []
    for batch in dataset.take(steps_per_epoch(count, 4)):
        assert batch["caption"].dtype == tf.string and batch["image"].dtype == tf.float32
        index = np.rint((batch["image"].numpy()[:, 0, 0, 0] + 1.0) * 127.5).astype(int)
        assert [c.decode() for c in batch["caption"].numpy()] == [f"c{i}" for i in index]
        seen += index.tolist()
    assert sorted(seen) == list(range(count)) and seen != list(range(count))  # shuffled, all once


def test_a_tfds_captioned_set_gives_a_row_per_caption_and_counts_uncaptioned_images(
        tmp_path, monkeypatch):
    """coco_captions' layout (offline: TFDS' mock with our own examples): every caption of an
    image is a row of its own, in the dataset's order; an image without one is skipped."""
    import tensorflow_datasets as tfds

    from keras_gan.data import resolve_source
    from keras_gan.data.tfds_source import TFDSCaptions

    captions = [["A red bus.", "  a red   BUS "], [], ["two cats"]]
    images = np.stack([np.full((20, 24, 3), 60 * (i + 1), np.uint8) for i in range(3)])

    def as_dataset(self, split, decoders=None, **kwargs):
        def examples():
            for image, texts in zip(images, captions):
                yield {"image": image, "captions": {"text": np.array(texts, dtype=object)}}
        return tf.data.Dataset.from_generator(examples, output_signature={
            "image": tf.TensorSpec((20, 24, 3), tf.uint8),
            "captions": {"text": tf.TensorSpec((None,), tf.string)}})

    monkeypatch.setenv("KERAS_GAN_CACHE", str(tmp_path / "cache"))
    with tfds.testing.mock_data(as_dataset_fn=as_dataset):
        source = resolve_source("coco_captions", "captions")
        assert isinstance(source, TFDSCaptions)
        data = source.load(DataRequest(name="coco_captions", image_size=16, channels=3))
    assert list(data.fields["caption"]) == ["A red bus.", "a red BUS", "two cats"]
    assert data.fields["image"].shape == (3, 16, 16, 3)
    assert [int(v) for v in data.fields["image"][:, 8, 8, 0]] == [60, 60, 180]
    assert data.skipped == [("coco_captions train example 1", "no caption")]
