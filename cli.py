"""keras-gan command line: train GANs, sample from runs, export generators, list registries."""

from __future__ import annotations

import logging
import sys

import click

from keras_gan.archs import ARCHS
from keras_gan.config import (PRECISIONS, STRATEGIES, XLA, ConfigError, DataConfig, ExportConfig, ModelConfig,
                              RunConfig, TrainConfig)
from keras_gan.evaluation import METRICS
from keras_gan.exporters import FORMATS
from keras_gan.exporters.tflite import QUANTIZATIONS
from keras_gan.losses import LOSSES

OPTS = {"show_default": True}


def run_options(command):
    """--run, --runs-root and --checkpoint: which run and checkpoint a command reads."""
    for option in reversed([
        click.option("--run", default="latest", help="Run folder, or 'latest' (newest in --runs-root).", **OPTS),
        click.option("--runs-root", type=click.Path(file_okay=False), default=RunConfig.runs_root, help="Where 'latest' is looked for.", **OPTS),
        click.option("--checkpoint", default=ExportConfig.checkpoint, help="'latest', 'best' (runs trained with --eval-every) or a checkpoint file name.", **OPTS),
    ]):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quiet", is_flag=True, help="Only print warnings and errors.")
def cli(quiet):
    """Train GANs from the command line and ship the generator."""
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s: %(message)s")


@cli.command()
@click.option("--arch", type=click.Choice(ARCHS.names()), default=ModelConfig.arch, help="Architecture.", **OPTS)
@click.option("--data", default=DataConfig.name, help="Registered dataset, image folder path, or TFDS name (see `list`).", **OPTS)
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="TFDS data_dir, or where a manual download lives.")
@click.option("--image-size", type=click.IntRange(4, 1024), default=None, help="Square training size [default: gan: the data's own; dcgan: 32 for <=32 px data, else 64].")
@click.option("--epochs", type=click.IntRange(min=1), default=TrainConfig.epochs, help="Passes over the data.", **OPTS)
@click.option("--batch-size", type=click.IntRange(min=1), default=TrainConfig.batch_size, help="Images per step.", **OPTS)
@click.option("--latent-dim", type=click.IntRange(min=1), default=None, help="Latent size [default: gan 100, dcgan 128].")
@click.option("--width", type=click.IntRange(min=1), default=ModelConfig.width, help="dcgan base width w (G starts at 8w channels).", **OPTS)
@click.option("--spectral-norm", is_flag=True, default=ModelConfig.spectral_norm, help="Spectral normalization on every discriminator Dense/Conv2D layer.")
@click.option("--loss", type=click.Choice(LOSSES.names()), default=TrainConfig.loss, help="GAN loss.", **OPTS)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=TrainConfig.lr, help="Adam learning rate for both networks [default: the loss's: 1e-4 for wgan_gp, else 2e-4].")
@click.option("--d-steps", type=click.IntRange(1, 20), default=TrainConfig.d_steps, help="Discriminator (critic) updates per generator update, each on its own --batch-size images [default: 5 for wgan_gp, else 1].")
@click.option("--augment", default=TrainConfig.augment, help="DiffAugment before D: comma-separated translation,cutout,color; 'ada' adapts the probability (target 0.6) [default: off].")
@click.option("--conditional", is_flag=True, default=ModelConfig.conditional, help="Class-conditional G and D (labelled data: mnist_5k, TFDS labels, one subfolder per class).")
@click.option("--seed", type=click.IntRange(min=0), default=TrainConfig.seed, help="Same seed, same machine: same run.", **OPTS)
@click.option("--ema", type=click.FloatRange(0, 1, max_open=True), default=TrainConfig.ema, help="Decay of the EMA copy of G that grids, sample, export and metrics use; 0 turns it off.", **OPTS)
@click.option("--eval-every", type=click.IntRange(min=0), default=TrainConfig.eval_every, help="Score samples every N epochs, log it to history.csv and keep checkpoints/best; 0: never [default: 10 on labelled digit-sized grayscale data (domain score, no download), else off].")
@click.option("--eval-metric", type=click.Choice(METRICS.names()), default=TrainConfig.eval_metric, help="Metric for --eval-every [default: domain for labelled digit-sized grayscale data, else kid].")
@click.option("--eval-samples", type=click.IntRange(min=2), default=TrainConfig.eval_samples, help="Images per --eval-every evaluation.", **OPTS)
@click.option("--inception-weights", type=click.Path(dir_okay=False, exists=True), default=None, help="InceptionV3 notop weights (.h5) for kid/fid offline [default: Keras' download].")
@click.option("--precision", type=click.Choice(PRECISIONS), default=TrainConfig.precision, help="Training dtype policy (variables stay float32; sample/export use float32).", **OPTS)
@click.option("--strategy", type=click.Choice(STRATEGIES), default=TrainConfig.strategy, help="tf.distribute strategy: mirrored = all local GPUs, multi_worker = hosts from TF_CONFIG, tpu; --batch-size is the global batch.", **OPTS)
@click.option("--xla", type=click.Choice(XLA), default=TrainConfig.xla, help="Compile the train step with XLA; auto: on for GPUs (Keras' choice), off on CPUs (measured: see README).", **OPTS)
@click.option("--tensorboard", is_flag=True, default=TrainConfig.tensorboard, help="Also write scalars and grids to RUN/tensorboard/ (view: tensorboard --logdir runs).")
@click.option("--runs-root", type=click.Path(file_okay=False), default=RunConfig.runs_root, help="Where numbered run folders are created.", **OPTS)
@click.option("--run-dir", type=click.Path(file_okay=False), default=None, help="Use this (new or empty) folder instead of a numbered one.")
@click.option("--dry-run", is_flag=True, help="Print the resolved config and exit.")
@click.option("--resume", default=None, help="Continue this run folder (or 'latest') from its newest checkpoint; only --epochs and --strategy may change.")
@click.pass_context
def train(ctx, arch, data, data_dir, image_size, epochs, batch_size, latent_dim, width,
          spectral_norm, loss, lr, d_steps, augment, conditional, seed, ema, eval_every,
          eval_metric, eval_samples, inception_weights, precision, strategy, xla, tensorboard, runs_root,
          run_dir,
          dry_run, resume):
    """Train a GAN; grids, checkpoints and history go to a run folder.

    \b
    Examples:
      python cli.py train                                  # gan on mnist_5k (offline)
      python cli.py train --arch dcgan --data tom_and_jerry --image-size 64
      python cli.py train --arch dcgan --data path/to/images --epochs 50
      python cli.py train --data cifar10 --data-dir ~/tensorflow_datasets --dry-run
      python cli.py train --resume latest --epochs 200     # continue the newest run
      python cli.py train --arch dcgan --conditional --augment ada --ema 0.999
      python cli.py train --arch dcgan --loss wgan_gp      # 5 critic steps, Adam 1e-4 (0, 0.9)
      python cli.py train --eval-every 10                  # keep checkpoints/best by a metric
      python cli.py train --arch dcgan --strategy mirrored --batch-size 256   # all local GPUs
    """
    from keras_gan.train import TrainingDiverged, resolve_config, run_training

    verbose = 1 if sys.stdout.isatty() else 2
    if resume:
        _resume(ctx, resume, runs_root, verbose)
        return

    config = RunConfig(
        data=DataConfig(name=data, data_dir=data_dir, image_size=image_size),
        model=ModelConfig(arch=arch, latent_dim=latent_dim, width=width, spectral_norm=spectral_norm,
                          conditional=conditional),
        train=TrainConfig(epochs=epochs, batch_size=batch_size, loss=loss, lr=lr, d_steps=d_steps,
                          augment=augment, seed=seed, ema=ema or None, eval_every=eval_every,
                          eval_metric=eval_metric, eval_samples=eval_samples,
                          inception_weights=inception_weights, tensorboard=tensorboard,
                          precision=precision, strategy=strategy, xla=xla),
        runs_root=runs_root,
        run_dir=run_dir,
    )
    try:
        if dry_run:
            click.echo(resolve_config(config).to_json(), nl=False)
            return
        result = run_training(config, verbose=verbose)
    except (ConfigError, TrainingDiverged) as err:
        raise click.ClickException(str(err)) from None
    _report(result)


def _resume(ctx, resume, runs_root, verbose):
    from click.core import ParameterSource

    from keras_gan.runs import resolve_run
    from keras_gan.train import TrainingDiverged, resume_training

    allowed = {"resume", "epochs", "runs_root", "strategy"}
    changed = [name for name in ctx.params if name not in allowed
               and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT]
    if changed:
        raise click.UsageError(
            f"--resume continues a run with its own config.json; only --epochs and --strategy "
            f"can change. "
            f"Received also: {', '.join('--' + n.replace('_', '-') for n in changed)}.")
    epochs, strategy = (None if ctx.get_parameter_source(name) is ParameterSource.DEFAULT
                        else ctx.params[name] for name in ("epochs", "strategy"))
    try:
        result = resume_training(resolve_run(resume, runs_root), epochs, verbose=verbose,
                                 strategy=strategy)
    except (ConfigError, TrainingDiverged) as err:
        raise click.ClickException(str(err)) from None
    _report(result)


def _report(result):
    if not result.chief:
        click.echo("Worker done; the chief wrote the run folder.")
        return
    if result.interrupted:
        click.echo(f"Stopped by Ctrl-C; checkpoint saved in {result.run_dir / 'checkpoints'}.")
        click.echo(f"Resume with: python cli.py train --resume {result.run_dir}")
        sys.exit(130)
    click.echo(f"Done. Grids: {result.run_dir / 'samples'}  Checkpoints: {result.run_dir / 'checkpoints'}")
    click.echo(f"Sample from it: python cli.py sample --run {result.run_dir}")


@cli.command()
@run_options
@click.option("--n", "count", type=click.IntRange(1, 4096), default=64, help="Number of images.", **OPTS)
@click.option("--seed", type=click.IntRange(min=0), default=0, help="Latent seed (the run's seed reproduces its grids).", **OPTS)
@click.option("--label", default=None, help="Conditional runs: class index or name for every image [default: cycle through the classes].")
@click.option("--out", type=click.Path(dir_okay=False), default="samples.png", help="Output: .png grid, or .npz with float images in [-1, 1] and their latents.", **OPTS)
def sample(run, runs_root, count, seed, checkpoint, label, out):
    """Generate images from a run's newest checkpoint.

    \b
    Examples:
      python cli.py sample --out grid.png
      python cli.py sample --run runs/00001-gan-mnist_5k --n 16 --seed 3 --out digits.npz
      python cli.py sample --label 3 --out threes.png      # a conditional run
    """
    from keras_gan.sample import write_samples
    from keras_gan.runs import resolve_run

    if not out.lower().endswith((".png", ".npz")):
        raise click.BadParameter(f"expected a path ending in .png or .npz; received {out!r}.", param_hint="--out")
    try:
        run_dir = resolve_run(run, runs_root)
        path, checkpoint = write_samples(run_dir, count, seed, out, label, checkpoint)
    except ConfigError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Wrote {count} samples from {checkpoint} to {path}")


def comma_list(ctx, param, value) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def seed_list(ctx, param, value) -> list[int]:
    seeds = comma_list(ctx, param, value)
    if len(seeds) < 2 or not all(s.isdigit() for s in seeds):
        raise click.BadParameter(f"expected two or more comma-separated seeds >= 0; received {value!r}.")
    return [int(s) for s in seeds]


@cli.command()
@run_options
@click.option("--seeds", default="0,1,2,3", callback=seed_list, help="Latent seeds visited in order, then back to the first.", **OPTS)
@click.option("--steps", type=click.IntRange(2, 256), default=16, help="Frames from one seed to the next.", **OPTS)
@click.option("--label", default=None, help="Conditional runs: the class for the whole walk [default: 0].")
@click.option("--out", type=click.Path(dir_okay=False), default="walk.gif", help="GIF path; a PNG strip (one row per leg) is written beside it.", **OPTS)
def interpolate(run, runs_root, checkpoint, seeds, steps, label, out):
    """Walk the latent space: spherical interpolation between seeded latents.

    \b
    Examples:
      python cli.py interpolate --steps 16 --out walk.gif
      python cli.py interpolate --run runs/00003-gan-mnist_5k --seeds 3,8,1 --label 7
    """
    from keras_gan.interpolate import write_walk
    from keras_gan.runs import resolve_run

    if not out.lower().endswith(".gif"):
        raise click.BadParameter(f"expected a path ending in .gif; received {out!r}.", param_hint="--out")
    try:
        gif, strip, used = write_walk(resolve_run(run, runs_root), seeds, steps, out, label, checkpoint)
    except ConfigError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Wrote {gif} and {strip} ({len(seeds) * steps} frames from {used})")


@cli.command()
@run_options
@click.option("--out", type=click.Path(file_okay=False), default=ExportConfig.out, help="Export root; the model goes to OUT/NAME/VERSION/.", **OPTS)
@click.option("--name", default=ExportConfig.name, help="Model name [default: <arch>-<data> of the run].")
@click.option("--version", type=click.IntRange(min=1), default=ExportConfig.version, help="Version folder [default: the next free integer].")
@click.option("--formats", default=",".join(ExportConfig.formats), callback=comma_list, help=f"Comma-separated, from: {', '.join(FORMATS.names())}.", **OPTS)
@click.option("--quantize", default=",".join(ExportConfig.quantize), callback=comma_list, help=f"TFLite variants, from: {', '.join(QUANTIZATIONS.names())}.", **OPTS)
@click.option("--calibration-samples", type=click.IntRange(min=1), default=ExportConfig.calibration_samples, help="Latents the int8 converter calibrates on.", **OPTS)
@click.option("--max-images", type=click.IntRange(min=1), default=ExportConfig.max_images, help="Largest num_images the generate_n signature accepts.", **OPTS)
def export(run, runs_root, **options):
    """Export a run's generator, verify every artifact, then publish it.

    Writes OUT/NAME/VERSION/ (SavedModel in TF Serving's layout, TFLite files,
    optionally ONNX) and OUT/NAME/MODEL_CARD.md. Each artifact is reloaded in its
    runtime and compared with the Keras generator; if one is outside tolerance,
    nothing is published and the exit code is 1.

    \b
    Examples:
      python cli.py export                                   # newest run -> export/<arch>-<data>/1/
      python cli.py export --run runs/00001-gan-mnist_5k --name digits --version 3
      python cli.py export --formats tflite --quantize float32,int8
      python cli.py export --formats saved_model,tflite,onnx
      python cli.py export --checkpoint best                 # the best epoch by --eval-every
    """
    from keras_gan.export import ExportError, export_run
    from keras_gan.exporters.verify import format_table
    from keras_gan.runs import resolve_run

    try:
        result = export_run(resolve_run(run, runs_root), ExportConfig(**options))
    except (ConfigError, ExportError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(format_table(result.checks, result.sizes))
    click.echo(f"Wrote {result.path} ({result.size_bytes / 1e6:.1f} MB, every check passed) and "
               f"{result.path.parent / 'MODEL_CARD.md'}")


@cli.command()
@run_options
@click.option("--metrics", default=None, help=f"Comma-separated, from: {', '.join(METRICS.names())} [default: domain for labelled digit-sized grayscale data (no download), else kid,fid].")
@click.option("--n", "count", type=click.IntRange(min=2), default=5000, help="Generated images (and real images, at most the dataset).", **OPTS)
@click.option("--inception-weights", type=click.Path(dir_okay=False, exists=True), default=None, help="InceptionV3 notop weights (.h5) for kid/fid offline [default: Keras' download].")
def evaluate(run, runs_root, checkpoint, metrics, count, inception_weights):
    """Score a run's samples: KID/FID (InceptionV3) or the domain score for digit data.

    Prints the numbers and appends them to RUN/evaluation.jsonl. KID and FID use
    InceptionV3 pool features of images resized (bilinear, antialiased) to 299 px.

    \b
    Examples:
      python cli.py evaluate                                 # mnist_5k runs: domain score, no download
      python cli.py evaluate --run runs/00002-dcgan-tom_and_jerry --n 5000
      python cli.py evaluate --checkpoint best --inception-weights inception_notop.h5
    """
    from keras_gan.evaluation import evaluate_run
    from keras_gan.runs import resolve_run

    try:
        record = evaluate_run(resolve_run(run, runs_root), metrics, count, checkpoint, inception_weights)
    except ConfigError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{record['checkpoint']} (epoch {record['epoch']}), {record['n_generated']} generated "
               f"vs {record['n_real']} real images:")
    for key, value in record.items():
        if key in ("fid", "kid", "kid_std", "domain_fd", "class_entropy", "confident",
                   "label_accuracy", "classifier_accuracy", "class_histogram"):
            click.echo(f"  {key:<20} {value if isinstance(value, list) else f'{value:.5g}'}")


@cli.command(name="check-data")
@click.option("--data", default=DataConfig.name, help="Registered dataset, image folder path, or TFDS name.", **OPTS)
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="TFDS data_dir, or where a manual download lives.")
def check_data(data, data_dir):
    """Scan a dataset before training: readable and broken files, sizes, modes, duplicates.

    Exits 0 if at least one image is usable, 1 otherwise.

    \b
    Examples:
      python cli.py check-data --data path/to/images
      python cli.py check-data --data tom_and_jerry
    """
    from keras_gan.data.check import check_data as scan

    try:
        result = scan(data, data_dir)
    except ConfigError as err:
        raise click.ClickException(str(err)) from None
    click.echo(result.report())
    if not result.usable:
        sys.exit(1)


@cli.command(name="list")
def list_registered():
    """List the registered architectures, losses, datasets, augmentations, metrics and export formats."""
    from types import SimpleNamespace

    from keras_gan.augment import ADAPTIVE, TRANSFORMS
    from keras_gan.data import DATASETS, OTHER_SOURCES

    sections = (("Architectures (--arch)", ARCHS.items()), ("Losses (--loss)", LOSSES.items()),
                ("Datasets (--data)", [*DATASETS.items(), *OTHER_SOURCES.items()]),
                ("Augmentations (--augment, comma-separated)", [
                    *[(n, SimpleNamespace(summary=f.__doc__.splitlines()[0]))
                      for n, f in TRANSFORMS.items()],
                    (ADAPTIVE, SimpleNamespace(summary="adaptive probability (ADA, target r_t 0.6) "
                                               "over the transforms named with it, or all three"))]),
                ("Metrics (evaluate --metrics, --eval-metric)", METRICS.items()),
                ("Export formats (export --formats)", FORMATS.items()),
                ("TFLite variants (export --quantize)", QUANTIZATIONS.items()))
    for title, items in sections:
        click.echo(title)
        for name, item in items:
            click.echo(f"  {name:<14} {item.summary}")


if __name__ == "__main__":
    cli()
