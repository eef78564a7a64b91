"""The caption tokenizer: a Keras TextVectorization adapted on the training captions, and
its vocabulary file.

Captions are lower-cased, stripped of ASCII punctuation, split on whitespace, looked up
and padded (or truncated) to `length` ids. Id 0 is padding, id 1 Keras' OOV token
"[UNK]": a word never seen in training always becomes 1, whatever the word.

The file format, written by `save_vocabulary(layer, "vocabulary.txt")`:
- `vocabulary.txt`: UTF-8, one token per line in `get_vocabulary()` order, so line n
  (counting from 0) is the token with id n. Line 0 is empty (padding), line 1 "[UNK]".
  Lines are separated by "\\n" only (a token may hold other Unicode line breaks).
- `vocabulary.json` (same stem, beside it): the rest of the tokenizer,
  {"length", "max_tokens", "standardize", "split", "oov_token", "size", "sha256"}, where
  size is the number of tokens and sha256 the text file's digest, so a pair whose
  halves come from different saves is refused instead of silently shifting ids.

Why a file, not only the layer inside a model: TFLite has no string ops among its
builtins, so an exported text-to-image generator takes token ids, not text. A phone app
tokenizes the caption itself: lower-case, drop punctuation, split on spaces, map each
word to its line number in vocabulary.txt (1 when absent), pad with 0 to `length`.
A plain text file with line number = id is the format every mobile tokenizer reads
(TFLite Support's vocab files, BERT's vocab.txt), and the JSON gives the length.
"""

from __future__ import annotations

import hashlib
import string
import json
from pathlib import Path

import keras
import numpy as np

from keras_gan.errors import ConfigError, invalid
from keras_gan.io.files import atomic_path

STANDARDIZE = "lower_and_strip_punctuation"
SPLIT = "whitespace"
PADDING, OOV = "", "[UNK]"


def build_vocabulary(captions: list[str], max_tokens: int = 5000,
                     length: int = 16) -> keras.layers.TextVectorization:
    """A TextVectorization adapted on `captions`: text -> int64 ids [B, length].

    `max_tokens` counts padding and "[UNK]" too (Keras' convention), so at most
    max_tokens - 2 words are kept, the most frequent first (ties in reverse
    alphabetical order, Keras' deterministic lexsort).
    """
    if isinstance(captions, np.ndarray):
        captions = captions.tolist()
    if (not isinstance(captions, (list, tuple)) or not captions
            or not all(isinstance(c, str) for c in captions)):
        raise invalid("captions", "a non-empty list of strings",
                      captions[:3] if isinstance(captions, (list, tuple)) else captions)
    if not isinstance(max_tokens, int) or max_tokens < 3:
        raise invalid("max_tokens", "an integer of at least 3 (padding, [UNK], one word)", max_tokens)
    if not isinstance(length, int) or length < 1:
        raise invalid("length", "a positive integer", length)
    layer = _layer(length, max_tokens)
    layer.adapt(list(captions))
    if layer.vocabulary_size() <= 2:
        raise ConfigError("Invalid captions: expected at least one word once punctuation is "
                          f"stripped. Received: {len(captions)} captions without a word, "
                          f"first {captions[0]!r}.")
    return layer


def save_vocabulary(layer: keras.layers.TextVectorization, path: str | Path) -> Path:
    """Write `path` (the tokens) and its `.json` sibling (the settings), each atomically.

    Returns the path of the text file.
    """
    path = Path(path)
    if path.suffix == ".json":
        raise invalid("path", "a vocabulary text file path (its settings go beside it in "
                      "a .json of the same stem)", str(path))
    tokens = layer.get_vocabulary()
    config = layer.get_config()
    if tokens[:2] != [PADDING, OOV] or config["output_mode"] != "int":
        raise invalid("layer", "a TextVectorization from build_vocabulary (int output, "
                      "padding then [UNK] first)", tokens[:2])
    text = "\n".join(tokens).encode("utf-8")
    settings = {"length": config["output_sequence_length"], "max_tokens": config["max_tokens"],
                "standardize": config["standardize"], "split": config["split"],
                "oov_token": OOV, "size": len(tokens), "sha256": hashlib.sha256(text).hexdigest()}
    with atomic_path(path) as tmp:
        tmp.write_bytes(text)
    with atomic_path(settings_path(path)) as tmp:
        tmp.write_text(json.dumps(settings, indent=2) + "\n")
    return path


def load_vocabulary(path: str | Path) -> keras.layers.TextVectorization:
    """The layer `save_vocabulary` wrote, rebuilt without adapting: same ids for any text."""
    path = Path(path)
    settings = _read_settings(path)
    try:
        text = path.read_bytes()
    except OSError as error:
        raise invalid("vocabulary", "a readable vocabulary text file", str(path)) from error
    if hashlib.sha256(text).hexdigest() != settings["sha256"]:
        raise ConfigError(f"Invalid vocabulary: expected {path.name} to match the sha256 in "
                          f"{settings_path(path).name} (were they saved together?). "
                          f"Received: vocabulary={str(path)!r}.")
    tokens = text.decode("utf-8").split("\n")
    if len(tokens) != settings["size"] or tokens[:2] != [PADDING, OOV]:
        raise invalid("vocabulary", f"{settings['size']} tokens, padding then [UNK] first",
                      str(path))
    layer = _layer(settings["length"], settings["max_tokens"])
    layer.set_vocabulary(tokens)
    return layer


def settings_path(path: str | Path) -> Path:
    """Where the settings of the vocabulary at `path` live: the same stem, `.json`."""
    return Path(path).with_suffix(".json")


def _layer(length: int, max_tokens: int | None) -> keras.layers.TextVectorization:
    return keras.layers.TextVectorization(
        max_tokens=max_tokens, standardize=STANDARDIZE, split=SPLIT, output_mode="int",
        output_sequence_length=length, name="tokenizer")


def _read_settings(path: Path) -> dict:
    where = settings_path(path)
    try:
        settings = json.loads(where.read_text())
    except (OSError, ValueError) as error:
        raise invalid("vocabulary", f"a vocabulary saved by save_vocabulary, with its settings "
                      f"in {where.name} beside it", str(path)) from error
    expected = {"length", "max_tokens", "standardize", "split", "size", "sha256"}
    if not isinstance(settings, dict) or not expected <= settings.keys():
        raise invalid("vocabulary settings", f"a JSON object with {sorted(expected)}", str(where))
    if (settings["standardize"], settings["split"]) != (STANDARDIZE, SPLIT):
        raise invalid("vocabulary settings", f"standardize={STANDARDIZE!r}, split={SPLIT!r}",
                      (settings["standardize"], settings["split"]))
    return settings


def words(text: str) -> list[str]:
    """The words the layer looks up in `text`, in order, before cutting to its length
    (reference_tokenize's rule: ASCII lower-casing, ASCII punctuation stripped, split on
    ASCII whitespace)."""
    raw = text.encode("utf-8").lower().translate(None, string.punctuation.encode())
    return [word.decode("utf-8") for word in raw.split()]


def known_words(layer: keras.layers.TextVectorization) -> list[str]:
    """The layer's words, most frequent first (without padding and [UNK])."""
    return layer.get_vocabulary()[2:]


def token_limit(layer: keras.layers.TextVectorization) -> int:
    """Tokens per text: longer texts are cut to this many, shorter padded."""
    return layer.get_config()["output_sequence_length"]


def reference_tokenize(text: str, vocabulary: list[str], length: int) -> list[int]:
    """The tokenizer in plain Python, to port to an app: the ids the layer gives `text`.

    vocabulary: the lines of vocabulary.txt (line n is the token with id n).
    TensorFlow lower-cases ASCII letters only, strips ASCII punctuation and splits on
    ASCII whitespace, so this works on the UTF-8 bytes.
    """
    index = {token: i for i, token in enumerate(vocabulary) if i > 1}
    raw = text.encode("utf-8").lower().translate(None, string.punctuation.encode())
    ids = [index.get(word.decode("utf-8"), 1) for word in raw.split()][:length]
    return ids + [0] * (length - len(ids))
