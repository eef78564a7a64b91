"""Any TFDS image dataset by name (mnist, fashion_mnist, cifar10, celeb_a, ...), and
captioned ones (coco_captions) for text-to-image.

Loaded with download=False: offline, a download attempt hangs for minutes
before failing, so a dataset that is not prepared is a clear error instead,
with the command that prepares it. The train split is resized once and streamed
into the cache (keras_gan.data.cache), so a set larger than memory trains.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf

from keras_gan.data.cache import EntryWriter, digest, load_entry
from keras_gan.data.names import unknown_name_error
from keras_gan.data.resize import center_crop_resize
from keras_gan.data.source import Data, DataError, DataRequest, Source

CACHE_VERSION = 1  # part of the decoded-cache key
PREFERRED_IMAGE_KEYS = ("image", "hr")


def _image_key(features) -> str:
    import tensorflow_datasets as tfds

    images = [key for key, feature in features.items() if isinstance(feature, tfds.features.Image)]
    for preferred in PREFERRED_IMAGE_KEYS:  # div2k holds "hr" and "lr": train on the originals
        if preferred in images:
            return preferred
    if images:
        return images[0]
    raise DataError(
        f"TFDS dataset has no image feature; expected an image dataset. Received features: "
        f"{list(features.keys())}."
    )


def _label_key(features) -> str | None:
    import tensorflow_datasets as tfds

    for key, feature in features.items():
        if isinstance(feature, tfds.features.ClassLabel):
            return key
    return None


class TFDSSource(Source):
    summary = "any prepared TFDS image dataset by name (train split), e.g. mnist, cifar10"

    def __init__(self, registered: Callable[[str], list[str]] = lambda layout: []):
        self.registered = registered  # keras-gan's own names of a layout, for messages

    def _builder(self, name, data_dir):
        import tensorflow_datasets as tfds

        try:
            return tfds.builder(name, data_dir=data_dir)
        # DatasetNotFoundError (a ValueError): an unknown name; a plain ValueError: a name
        # TFDS cannot parse ("my-data") or an unknown config; AssertionError: an unknown
        # version; TypeError: unknown builder arguments (name/config/arg=value)
        except (ValueError, AssertionError, TypeError) as err:
            not_found = isinstance(err, tfds.core.registered.DatasetNotFoundError) or \
                str(err).startswith("Parsing builder name string")
            raise unknown_name_error(
                name, self.layout, self.registered(self.layout),
                tfds.list_builders(with_community_datasets=False),
                "" if not_found else str(err).strip().splitlines()[0][:300]) from None

    def native_size(self, name, data_dir, name_b=None):
        builder = self._builder(name, data_dir)
        shape = builder.info.features[_image_key(builder.info.features)].shape
        height, width = shape[0], shape[1]
        return min(height, width) if height and width else None

    def images(self, request: DataRequest, split: str = "train", size: int | None = None,
               channels: int | None = None) -> np.ndarray:
        """One split's images, resized once and streamed into the cache."""
        import tensorflow_datasets as tfds

        name, data_dir = request.name, request.data_dir
        builder = self._builder(name, data_dir)
        key = _image_key(builder.info.features)
        try:
            dataset = tfds.load(name, split=split, data_dir=data_dir, download=False)
        except AssertionError:  # TFDS's "could not find data in <dir>"
            where = data_dir or "~/tensorflow_datasets"
            raise DataError(
                f"TFDS dataset {name!r} is not prepared in {where}, and keras-gan does not "
                "download during training. Prepare it once on a machine with network access: "
                f"`python -c \"import tensorflow_datasets as tfds; tfds.load('{name}', "
                f"data_dir={data_dir!r})\"` (or `tfds build {name}`), then pass the same "
                "--data-dir. Offline, try --data mnist_5k."
            ) from None
        size = size or request.image_size
        channels = channels or request.channels or builder.info.features[key].shape[-1] or 3
        entry_key = digest(CACHE_VERSION, "tfds", name, split, str(builder.data_dir),
                           str(builder.version), int(dataset.cardinality()), size, channels)
        entry = load_entry("data", entry_key)
        if entry is None:
            entry = _stream(dataset.map(lambda example: example[key]), size, channels,
                            EntryWriter("data", entry_key))
        return entry[0]["image"]

    def load(self, request: DataRequest) -> Data:
        import tensorflow_datasets as tfds

        arrays = {"image": self.images(request)}
        builder = self._builder(request.name, request.data_dir)
        key, label_key = _image_key(builder.info.features), _label_key(builder.info.features)
        class_names = None
        if request.labels and label_key:
            # A second pass that skips image decoding: labels cost seconds, not a decode.
            plain = tfds.load(request.name, split="train", data_dir=request.data_dir,
                              download=False, decoders={key: tfds.decode.SkipDecoding()})
            arrays["label"] = np.fromiter(
                (int(v) for v in tfds.as_numpy(plain.map(lambda e: e[label_key]))), np.int32)
            class_names = tuple(builder.info.features[label_key].names)
        count = len(arrays["image"])
        return Data(fields=arrays, description=f"TFDS {request.name} train split ({count} images)",
                    class_names=class_names)


def _caption_key(features) -> tuple[str, ...]:
    """Where an example's captions are: a Text feature (or a Sequence of Text) named
    caption(s) or text, or a Sequence({..., "text"}) as coco_captions' ("captions",
    "text"); other Text features (image/filename) are not captions."""
    import tensorflow_datasets as tfds

    def text(feature) -> bool:  # Text, or a string Tensor (coco_captions' "text")
        return isinstance(feature, tfds.features.Text) or (
            isinstance(feature, tfds.features.Tensor) and feature.dtype == tf.string)

    for key, feature in features.items():
        inner = feature.feature if isinstance(feature, tfds.features.Sequence) else feature
        if text(inner) and key.lower() in ("caption", "captions", "text"):
            return (key,)
        if (isinstance(inner, tfds.features.FeaturesDict) and "text" in inner.keys()
                and text(inner["text"])):
            return (key, "text")
    raise DataError(f"TFDS dataset has no caption feature (Text named caption, captions or "
                    f"text); expected a captioned image dataset such as coco_captions. "
                    f"Received features: {list(features.keys())}.")


class TFDSCaptions(TFDSSource):
    """A prepared TFDS set with images and captions: one row per (image, caption) pair."""

    summary = "a prepared TFDS captioned image set, e.g. coco_captions (train split)"
    layout = "captions"

    def load(self, request: DataRequest) -> Data:
        import tensorflow_datasets as tfds

        images = self.images(request)  # decoded and cached in the dataset's order
        builder = self._builder(request.name, request.data_dir)
        image_key, path = _image_key(builder.info.features), _caption_key(builder.info.features)
        plain = tfds.load(request.name, split="train", data_dir=request.data_dir, download=False,
                          decoders={image_key: tfds.decode.SkipDecoding()})
        texts = []
        for example in tfds.as_numpy(plain):
            value = example
            for key in path:
                value = value[key]
            texts.append([t.decode("utf-8", "replace").strip()
                          for t in np.atleast_1d(value) if t.strip()])
        counts = np.array([len(t) for t in texts])
        skipped = [(f"{request.name} train example {i}", "no caption")
                   for i in np.flatnonzero(counts == 0)]
        captions = np.array([" ".join(t.split()) for group in texts for t in group], dtype=str)
        return Data(fields={"image": np.repeat(images, counts, axis=0), "caption": captions},
                    description=f"TFDS {request.name} train split ({len(images)} images, "
                                f"{len(captions)} captions)", skipped=skipped)


class TFDSUnpaired(TFDSSource):
    """TFDS `cycle_gan/<name>`: splits trainA, trainB, testA, testB."""

    summary = "a prepared TFDS cycle_gan/<name> set (trainA/trainB, testA/testB), e.g. cycle_gan/horse2zebra"
    layout = "unpaired"

    def load(self, request: DataRequest) -> Data:
        fields, heldout = {}, {}
        wanted = {"a": request.source_channels, "b": request.channels}
        for domain in ("a", "b"):
            upper = domain.upper()
            fields[domain] = self.images(request, f"train{upper}",
                                         request.load_size or request.image_size, wanted[domain])
            heldout[domain] = self.images(request, f"test{upper}", request.image_size,
                                          fields[domain].shape[-1])
        return Data(fields=fields, heldout=heldout,
                    description=f"TFDS {request.name} (A: {len(fields['a'])} + {len(heldout['a'])} "
                                f"held out, B: {len(fields['b'])} + {len(heldout['b'])})")


def _stream(images, size: int, channels: int, writer: EntryWriter):
    """Resize every image and stream it into the cache, a batch of 256 at a time."""
    try:
        resized = images.map(lambda image: center_crop_resize(image, size, channels),
                             num_parallel_calls=tf.data.AUTOTUNE).batch(256)
        for batch in resized.as_numpy_iterator():
            writer.append("image", batch)
        return writer.finish({})
    except BaseException:
        writer.abort()
        raise
