"""What every task says, in one place: the Task base class, and what a preview returns.

A task is what crosses a model's boundary (noise -> image, image -> image, ...). Every
rule that depends on it lives on its class, so that nothing outside keras_gan.tasks asks
"which task is this?": adding a task is one module plus its line in keras_gan.tasks.

Class attributes and class methods need no model (resolve, evaluate, the CLI and the
model card read them by the task's name, `TASKS.get(name)`); instance methods act on a
built model (its family makes the instance: `NoiseToImage(latent_dim, num_classes)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import ClassVar

import numpy as np

from keras_gan.errors import invalid
from keras_gan.evaluation.domain import applicable


@dataclass
class Preview:
    """One epoch's preview: the generated images, and the grid's cells in row order."""

    outputs: np.ndarray  # float32 [-1, 1] NHWC, what the generator made
    cells: np.ndarray  # float32 [-1, 1] NHWC, the grid's cells, row by row
    ncols: int


class Task:
    """The rules of one task. Subclasses set the class attributes and override what differs.

    Training: preview_inputs / render_preview draw the per-epoch grid, reals the
    training images of samples/reals.png, write_examples / read_examples what the run
    keeps for export (examples.npz, the vocabulary).
    Evaluation (keras_gan.evaluation): `metrics` it can be scored by, `eval_every` and
    free_metric() the default of `train --eval-every`, default_metrics() what `evaluate`
    scores without --metrics, evaluator() what scores it, `convention` what the
    evaluate record says about how.
    Export: servables() the networks and serving specs written (keras_gan.serving),
    `card` the MODEL_CARD.md module (picture(), sections(), files()), `pipeline_tag`
    and `intended_use` for the card, export_metadata() generator.json's fields.
    Use: `use` the command train prints when done; `commands` the verbs of
    `sample`/`translate`/`upscale` that take its runs; generator_inputs() what
    keras_gan.load_generator's generate() feeds it.
    """

    name: ClassVar[str]
    summary: ClassVar[str] = ""  # one line for `keras-gan list`
    holds_out: ClassVar[bool] = False  # a share of the data (--holdout) kept for previews and scores
    metrics: ClassVar[tuple[str, ...]] = ()  # keras_gan.evaluation.METRICS names that score it
    eval_every: ClassVar[int] = 1  # epochs between scorings when a download-free metric applies
    convention: ClassVar[dict] = {}  # written beside `evaluate`'s scores: how they were taken
    card: ClassVar[ModuleType | None] = None  # keras_gan.cards module of its exports
    pipeline_tag: ClassVar[str] = "image-to-image"  # Hugging Face's pipeline_tag of its exports
    intended_use: ClassVar[str] = "images translated like the training pairs"  # the card's "need ..."
    use: ClassVar[str] = "translate --run {run} INPUT --out DIR"  # after `keras-gan `
    commands: ClassVar[tuple[str, ...]] = ()  # of sample, translate, upscale: those it serves
    ways: ClassVar[dict | None] = None  # several directions (two-way): {name: one-way task}

    # training ---------------------------------------------------------------------------
    def preview_inputs(self, model, data, grid_size: int, seed: int):
        """The per-epoch grid's inputs, fixed once so grids compare across epochs."""
        raise NotImplementedError(f"task {self.name!r} draws no preview")

    def render_preview(self, model, inputs, ncols: int) -> Preview:
        raise NotImplementedError(f"task {self.name!r} draws no preview")

    def reals(self, data, n: int, seed: int) -> tuple[np.ndarray, int]:
        """(cells, columns) of samples/reals.png: training examples as the grid shows them."""
        raise NotImplementedError(f"task {self.name!r} shows no training images")

    def write_examples(self, run_dir, data) -> None:
        """What the run keeps for a later export or sampling without the data (nothing)."""

    def read_examples(self, run_dir):
        return None

    def serving(self, examples=None):
        """The serving spec of its exports (keras_gan.serving)."""
        raise NotImplementedError(f"task {self.name!r} has no serving spec")

    # evaluation -------------------------------------------------------------------------
    @classmethod
    def free_metric(cls, data) -> str | None:
        """The metric that needs no download for this data, or None (--eval-every off)."""
        return None

    @classmethod
    def default_metrics(cls, data) -> tuple[str, ...]:
        """What `evaluate` scores without --metrics: nothing that needs a download where
        something else applies."""
        return cls.metrics

    @classmethod
    def domain_reason(cls, data) -> str | None:
        """None if the domain score (labelled data) applies to this data, else why not."""
        return applicable(data.images.shape, data.labels)

    @classmethod
    def evaluator(cls, config, data, metrics: tuple[str, ...], n: int,
                  inception_weights: str | None, seed: int):
        """The object whose evaluate(model) scores `metrics` (already checked)."""
        raise NotImplementedError(f"task {cls.name!r} has no evaluator")

    @classmethod
    def scored_on(cls, record: dict) -> str:
        """What `evaluate` says its scores were taken on, from its evaluator's record."""
        return f"{record['n_generated']} generated vs {record['n_real']} real images"

    # export -----------------------------------------------------------------------------
    def servables(self, model, examples) -> list[tuple[str | None, object, object]]:
        """[(name suffix or None, network, serving spec)]: what `export` writes, one
        servable each (two-way runs: one per direction)."""
        return [(None, self.serving_network(model), self.serving(examples))]

    def serving_network(self, model):
        """The network the export writes and verifies: the sampling (EMA) generator."""
        return model.sampling_generator

    @classmethod
    def export_metadata(cls, spec) -> dict:
        """generator.json's task-specific fields (keras_gan.exporters.keras_file)."""
        return {}

    # use --------------------------------------------------------------------------------
    @classmethod
    def generator_inputs(cls, generator, seeds: list, label, prompt):
        """The network inputs of keras_gan.load_generator's generate(seeds=...)."""
        raise invalid("task", "a generator that draws from noise for generate()", cls.name)

    @classmethod
    def run_generator(cls, model, run_dir) -> dict:
        """keras_gan.generator.Generator's fields for a run folder's model."""
        return {"network": model.sampling_generator, "task": "image_to_image"}
