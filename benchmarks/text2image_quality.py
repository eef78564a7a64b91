"""text2image: does the image show what the caption asks for? Scores a run's checkpoints.

    python cli.py train --family text2image --run-dir RUN          # captioned mnist_5k, offline
    python benchmarks/text2image_quality.py --run RUN --out prompts.png \
        --prompt "a handwritten seven" --prompt "the digit 2" --prompt "an 8"

For every checkpoint asked for (default: each epoch_NNNN kept, plus best):
- R-precision with the run's own encoders on 1,000 training captions: real images (the
  ceiling) and images generated from those captions (keras_gan.evaluation.TextEvaluator);
- on captioned digits, every phrasing of every digit (8 x 10 captions) times --per-caption
  seeds: how often the domain classifier (trained on the data's labels, no download) reads
  the digit the caption names, per digit and overall, and the class entropy of what it
  reads across all of them (1.0: every digit equally often), plus domain_fd.
Then a grid of --prompt rows (seeds 0-7) from the last checkpoint, to look at.

Results, dated with the machine and command: benchmarks/RESULTS.md#text2image
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, help="a text2image run folder")
    parser.add_argument("--checkpoints", nargs="*", default=None,
                        help="checkpoint names [default: every epoch_NNNN kept, then best]")
    parser.add_argument("--per-caption", type=int, default=25, help="seeds per digit caption")
    parser.add_argument("--n", type=int, default=1000, help="captions for R-precision")
    parser.add_argument("--prompt", action="append", default=[], help="grid rows (repeat)")
    parser.add_argument("--out", default="text2image_prompts.png", help="the prompt grid")
    args = parser.parse_args()

    import numpy as np

    from keras_gan.data.captions import TEMPLATES, caption_for
    from keras_gan.evaluation import TextEvaluator
    from keras_gan.evaluation.domain import DomainScore
    from keras_gan.io.images import save_grid
    from keras_gan.latents import latents_for
    from keras_gan.commands.prompting import draw, sentences
    from keras_gan.resolve import load_run_data
    from keras_gan.runs import load_run

    run = Path(args.run)
    names = args.checkpoints or [p.name for p in sorted((run / "checkpoints").glob("epoch_*.weights.h5"))]
    if not args.checkpoints and (run / "checkpoints" / "best.weights.h5").is_file():
        names.append("best")
    config, model, _ = load_run(run, names[-1])
    data = load_run_data(config, labels=True)
    metrics = ("rprecision", "domain") if data.labels is not None else ("rprecision",)
    evaluator = TextEvaluator(config, data, metrics, n=args.n)
    digits = None
    if data.labels is not None and config.data.name == "mnist_captions":
        digits = DomainScore(data.images, data.labels, 10, 2000)
        captions = [caption_for(d, t) for d in range(10) for t in range(len(TEMPLATES))]
        asked = np.repeat(np.arange(10), len(TEMPLATES) * args.per_caption)
        print(f"digit accuracy: {len(captions)} captions x {args.per_caption} seeds; "
              f"classifier accuracy on held-out digits {digits.accuracy:.3f}")
    print("| checkpoint | R-precision real | R-precision generated | digit accuracy | "
          "class entropy | domain_fd | worst digit |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    vocabulary = model.task.read_examples(run)["vocabulary"]
    for name in names:
        _, model, used = load_run(run, name)
        scores = evaluator.evaluate(model)
        row = [used.name, f"{scores['r_precision_real']:.3f}", f"{scores['r_precision']:.3f}"]
        if digits is not None:
            sentence = np.repeat(sentences(model, vocabulary, captions), args.per_caption, axis=0)
            latents = latents_for(list(range(args.per_caption)) * len(captions), model.latent_dim)
            images = draw(model, sentence, latents)
            read = digits(images, asked)
            per_digit = [digits(images[asked == d], asked[asked == d])["label_accuracy"]
                         for d in range(10)]
            worst = int(np.argmin(per_digit))
            row += [f"{read['label_accuracy']:.3f}", f"{read['class_entropy']:.3f}",
                    f"{read['domain_fd']:.2f}", f"{worst} ({per_digit[worst]:.2f})"]
        else:
            row += ["", "", "", ""]
        print("| " + " | ".join(row) + " |", flush=True)
    if args.prompt:
        sentence = np.repeat(sentences(model, vocabulary, args.prompt), 8, axis=0)
        latents = latents_for(list(range(8)) * len(args.prompt), model.latent_dim)
        save_grid(args.out, draw(model, sentence, latents), ncols=8)
        print(f"Wrote {args.out}: rows " + " | ".join(args.prompt) + f" (seeds 0-7, {used.name})")


if __name__ == "__main__":
    main()
