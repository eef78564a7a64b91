"""Serving captions: the exported generator of `text2image`.

The exported network is the text generator: [tokens int32 [batch, length], latent
float32 [batch, latent_dim]] -> images in [-1, 1], the run's frozen text encoder feeding
its sampling generator (`TextToImage.serving_network`).

SavedModel signatures (every output batch-first):
- serving_default: text string [batch] -> images uint8 [batch, H, W, C], images_float,
    images_png_bytes; row i is drawn from seed i (keras_gan.latents), so the REST body
    {"instances": ["a handwritten seven"]} always returns the image of
    `sample --prompt "a handwritten seven" --seed 0 --n 1`, and repeating a prompt in one
    request gives different images
- generate: text string [batch], seed int64 [batch] -> the same outputs, row i from seed[i]
- generate_tokens: tokens int32 [batch, length], latent float32 [batch, latent_dim] ->
    images, images_float (what the TFLite and ONNX files take as serving_default)
- tokenize: text string [batch] -> tokens int32 [batch, length] (the ids the text
    signatures use: check an app's own tokenizer against it)
The text signatures tokenize inside the graph with the run's TextVectorization
(keras_gan.text.vocabulary): lower-case, strip punctuation, split on whitespace, unknown
words -> 1, padding 0, cut at `length`.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from keras_gan.exporters.verify import BATCH_SIZES, Check, Tolerance, compare
from keras_gan.latents import latents_for, seed_latents
from keras_gan.serving.latent import postprocess
from keras_gan.serving.common import pixel_outputs

# verification prompts beside the run's own: case, punctuation, spacing and unknown words
HARD_PROMPTS = ("A  Handwritten SEVEN!!", "zebra quokka", "", "the, the; the. the")
EXACT = Tolerance(max_abs_diff=0.0)


class TextSpec:
    """What an exported text generator takes: token ids and a latent (text in SavedModels)."""

    names = ("tokens", "latent")
    outputs = "images"
    task_name = "text_to_image"
    tensor_signature = "generate_tokens"  # the SavedModel signature that takes `names`
    # no int8 by default: DF-GAN's affine text fusion measured under the 30 dB bar
    # full-integer on captioned digits, while float16 passes at half the size
    # (benchmarks/RESULTS.md#export)
    quantize = ("float32", "float16")

    def __init__(self, vocabulary, latent_dim: int, prompts=()):
        self.vocabulary = vocabulary  # keras.layers.TextVectorization (keras_gan.text)
        self.latent_dim = int(latent_dim)
        self.length = int(vocabulary.get_config()["output_sequence_length"])
        self.prompts = tuple(p for p in prompts if p.strip()) or ("a caption",)  # the run's
        self.checked = self.prompts + HARD_PROMPTS  # verification and calibration texts

    def tokens(self, texts) -> np.ndarray:
        return np.asarray(self.vocabulary(list(texts))).astype("int32")

    def input_specs(self) -> list[tf.TensorSpec]:
        return [tf.TensorSpec([None, self.length], tf.int32, "tokens"),
                tf.TensorSpec([None, self.latent_dim], tf.float32, "latent")]

    def fixed(self, batch_size: int) -> dict[str, np.ndarray]:
        return self.calibration(batch_size, seed=1000 + batch_size)

    def calibration(self, count: int, seed: int = 0) -> dict[str, np.ndarray]:
        """The prompts in turn, each with a standard normal latent."""
        texts = [self.checked[i % len(self.checked)] for i in range(count)]
        latent = np.random.default_rng(seed).standard_normal((count, self.latent_dim))
        return {"tokens": self.tokens(texts), "latent": latent.astype("float32")}

    def expected(self, network, feed: dict) -> np.ndarray:
        return network([feed["tokens"], feed["latent"]], training=False).numpy()

    def pixel_function(self, network, prefix: str = outputs):
        function = tf.function(
            lambda tokens, latent: pixel_outputs(network([tokens, latent], training=False), prefix),
            input_signature=self.input_specs())
        function.get_concrete_function()
        return function

    def module(self, network, options) -> "TextServing":
        del options
        return TextServing(network, self)

    def saved_model_checks(self, signatures, network, artifact: str, tolerance) -> list:
        """The text signatures against the Keras network fed Python-tokenized prompts and
        the seed rule's latents; tokenize against the vocabulary layer, exactly."""
        checks = []
        for batch in BATCH_SIZES:
            texts = [self.checked[(i + batch) % len(self.checked)] for i in range(batch)]
            seeds = np.arange(batch, dtype=np.int64) + 7
            feeds = {"serving_default": ({"text": tf.constant(texts)}, np.arange(batch)),
                     "generate": ({"text": tf.constant(texts), "seed": tf.constant(seeds)}, seeds)}
            for name, (feed, drawn) in feeds.items():
                expected = self.expected(network, {"tokens": self.tokens(texts),
                                                   "latent": latents_for(drawn, self.latent_dim)})
                checks.append(compare(artifact, name, expected, signatures[name](**feed),
                                      tolerance, self.outputs))
            ids = signatures["tokenize"](text=tf.constant(texts))["tokens"].numpy()
            same_shape = ids.shape == (batch, self.length)
            diff = float(np.max(np.abs(ids - self.tokens(texts)))) if same_shape else math.inf
            checks.append(Check(artifact, "tokenize", batch, diff, math.inf, EXACT))
        return checks


class TextServing(tf.Module):
    def __init__(self, network, spec: TextSpec):
        super().__init__(name="text_generator_serving")
        self.weights = [variable.value for variable in network.variables]
        self._call_network = lambda inputs: network(inputs, training=False)  # untracked
        self.tokenizer = spec.vocabulary  # tracked: its lookup table is saved with the model
        self.spec = spec
        text = tf.TensorSpec([None], tf.string, "text")
        self.serve = tf.function(self._serve, input_signature=[text])
        self.generate = tf.function(self._generate, input_signature=[
            text, tf.TensorSpec([None], tf.int64, "seed")])
        self.generate_tokens = tf.function(self._generate_tokens, input_signature=spec.input_specs())
        self.tokenize = tf.function(lambda text: {"tokens": self._tokens(text)},
                                    input_signature=[text])

    def _tokens(self, text):
        return tf.cast(self.tokenizer(text), tf.int32)

    def _serve(self, text):
        return self._generate(text, tf.range(tf.shape(text, out_type=tf.int64)[0]))

    def _generate(self, text, seed):
        tf.debugging.assert_equal(tf.shape(text), tf.shape(seed),
                                  message="text and seed must have the same length")
        latent = seed_latents(seed, self.spec.latent_dim)
        return postprocess(self._call_network([self._tokens(text), latent]))

    def _generate_tokens(self, tokens, latent):
        return pixel_outputs(self._call_network([tokens, latent]))

    def signatures(self) -> dict:
        return {"serving_default": self.serve, "generate": self.generate,
                "generate_tokens": self.generate_tokens, "tokenize": self.tokenize}
