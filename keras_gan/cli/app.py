"""The click layer of the keras-gan command: arguments in, one-paragraph errors and summaries out;
each command's work is done in keras_gan.commands (train: keras_gan.training.run)."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

import click
from click.core import ParameterSource

from keras_gan.config import PRECISIONS, STRATEGIES, XLA, DataConfig, ExportConfig, RunConfig, TrainConfig
from keras_gan.data.check import check_data as scan_data
from keras_gan import __version__
from keras_gan.errors import ConfigError
from keras_gan.commands.evaluate import RECORDS, evaluate_run, save_record
from keras_gan.evaluation import METRICS
from keras_gan.commands.export import ExportError, export_run
from keras_gan.exporters import FORMATS
from keras_gan.exporters.tflite import QUANTIZATIONS
from keras_gan.exporters.verify import format_table
from keras_gan.io.files import WriteError
from keras_gan.families import FAMILIES
from keras_gan.registry import TASKS
from keras_gan.cli.options import family_options, model_from_cli, train_default_help
from keras_gan.commands.interpolate import write_walk
from keras_gan.commands.prompting import is_text_run, read_prompts, shorten, write_prompt_samples, write_prompt_walk
from keras_gan.commands.listing import registry_sections
from keras_gan.training.losses import LOSSES
from keras_gan.resolve import resolve
from keras_gan.runs import resolve_run
from keras_gan.latents import parse_seeds
from keras_gan.commands.sample import write_samples, write_seed_images
from keras_gan.training.signals import Terminated, describe, exit_code, terminate_raises
from keras_gan.training.run import TrainingDiverged, resume_training, run_training
from keras_gan.commands.translate import translate_files
from keras_gan.commands.upscale import OVERLAP as UPSCALE_OVERLAP, TILE as UPSCALE_TILE, upscale_files

OPTS = {"show_default": True}


OUT_ELSEWHERE = "pass --out a folder elsewhere"  # what else to do where a write fails


@contextlib.contextmanager
def user_errors(instead: str | None = None):
    """A user's mistake (or a run that cannot go on) is one paragraph, no traceback.
    `instead`: the command's other way when a place cannot be written (WriteError)."""
    try:
        yield
    except WriteError as err:
        raise click.ClickException(str(err.or_else(instead) if instead else err)) from None
    except (ConfigError, TrainingDiverged, ExportError) as err:
        raise click.ClickException(str(err)) from None


def run_options(command):
    """--run, --runs-root and --checkpoint: which run and checkpoint a command reads."""
    for option in reversed([
        click.option("--run", default="latest", help="Run folder, or 'latest' (newest in --runs-root).", **OPTS),
        click.option("--runs-root", type=click.Path(file_okay=False), default=RunConfig.runs_root, help="Where 'latest' is looked for.", **OPTS),
        click.option("--checkpoint", default=ExportConfig.checkpoint, help="'latest', 'best' (runs trained with --eval-every) or a checkpoint file name.", **OPTS),
    ]):
        command = option(command)
    return command


QUIET_HELP = "Only print warnings and errors."
VERBOSE_HELP = ("Also print TensorFlow's native log lines (hidden by default; "
                "TF_CPP_MIN_LOG_LEVEL, when set, picks their level).")


def _quiet(ctx, param, value):
    if value:
        logging.getLogger().setLevel(logging.WARNING)


class Commands(click.Group):
    """Every subcommand also takes --quiet and --verbose, before or after its name. (--verbose
    acts before TensorFlow loads: the start of this file looks for it in the arguments.)"""

    def add_command(self, command, name=None):
        command.params += [
            click.Option(["--quiet"], is_flag=True, expose_value=False, callback=_quiet, help=QUIET_HELP),
            click.Option(["--verbose"], is_flag=True, expose_value=False, help=VERBOSE_HELP)]
        super().add_command(command, name)

    def invoke(self, ctx):
        """SIGTERM raises Terminated, as Ctrl-C raises KeyboardInterrupt, so half-written
        files are removed on the way out; either exits 128 + the signal's number (training
        handles both itself: a checkpoint first, see `_report`)."""
        with terminate_raises():
            try:
                return super().invoke(ctx)
            except (KeyboardInterrupt, Terminated) as stop:
                signum = getattr(stop, "signum", signal.SIGINT)
                click.echo(f"\nStopped by {describe(signum)}; files written whole are kept, the "
                           "one being written was removed.", err=True)
                ctx.exit(exit_code(signum))


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="keras-gan", message="%(prog)s %(version)s")
@click.option("--quiet", is_flag=True, help=QUIET_HELP)
@click.option("--verbose", is_flag=True, help=VERBOSE_HELP)
def cli(quiet, verbose):
    """Train GANs from the command line and ship the generator."""
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s: %(message)s")


@cli.command()
@click.option("--family", "--arch", "family", type=click.Choice(FAMILIES.names()), default="gan", help="The GAN family to train (see `list`); --arch is its old name.", **OPTS)
@click.option("--data", default=DataConfig.name, help="Registered dataset, folder path, or TFDS name (see `list`) [default: gan/dcgan mnist_5k, pix2pix mnist_outline].")
@click.option("--data-b", type=click.Path(exists=True, file_okay=False), default=None, help="cyclegan/discogan: domain B's folder, when --data is domain A's.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="TFDS data_dir, or where a manual download lives.")
@click.option("--image-size", type=click.IntRange(4, 1024), default=None, help="Square training size [default: the size the family takes nearest the data's own (an image folder's: the median shorter side of its files), said in the log: gan: the data's own, 4 to 128; dcgan: 32 or 64; pix2pix, cyclegan, discogan: a power of two, 32 to 256; srgan: the data's own, up to 256; text2image: a power of two, 16 to 256].")
@click.option("--epochs", type=click.IntRange(min=1), default=None, help=f"Passes over the data in all, the decaying ones (--decay-epochs) included; with --resume, the run's new total {train_default_help('epochs')}.")
@click.option("--decay-epochs", type=click.IntRange(min=0), default=None, help=f"The last N of --epochs, with the learning rate decaying linearly toward 0 (the pix2pix/CycleGAN schedule: their --n_epochs 100 --n_epochs_decay 100 is --epochs 200 --decay-epochs 100); at most --epochs {train_default_help('decay_epochs')}.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help=f"Examples per step {train_default_help('batch_size')}.")
@family_options
@click.option("--loss", type=click.Choice(LOSSES.names()), default=TrainConfig.loss, help=f"GAN loss {train_default_help('loss')}.")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=TrainConfig.lr, help="Adam learning rate for the generator(s), and for D unless --d-lr [default: the loss's: 1e-4 for wgan_gp, else 2e-4].")
@click.option("--d-lr", type=click.FloatRange(min=0, min_open=True), default=TrainConfig.d_lr, help="Adam learning rate for the discriminator(s) (critic), e.g. 4e-4 with --lr 1e-4 (TTUR) [default: same as --lr].")
@click.option("--d-steps", type=click.IntRange(1, 20), default=TrainConfig.d_steps, help="Discriminator (critic) updates per generator update, each on its own --batch-size examples [default: 5 for wgan_gp, else 1].")
@click.option("--augment", default=TrainConfig.augment, help="DiffAugment before D: comma-separated translation,cutout,color (ADA's xflip,rotate90,int_translation too); 'ada' adapts the probability (--ada-target); none: off [default: dcgan on RGB sets under 10,000 images translation,color,cutout, else off].")
@click.option("--ada-target", type=float, default=TrainConfig.ada_target, help="ADA: p rises while the share of reals D calls real (E[sign D(x)]) is above this.", **OPTS)
@click.option("--augment-p", type=float, default=None, help="A fixed probability per --augment transform (not with ada) [default: 1, always].")
@click.option("--holdout", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=DataConfig.holdout, help="Image pairs held out for previews and scores when the data has no val/ or test/ folder.", **OPTS)
@click.option("--seed", type=click.IntRange(min=0), default=TrainConfig.seed, help="Same seed, same machine: same run.", **OPTS)
@click.option("--ema", type=click.FloatRange(0, 1, max_open=True), default=TrainConfig.ema, help="Decay of the EMA copy of G that grids, sample, export and metrics use; 0 turns it off.", **OPTS)
@click.option("--eval-every", type=click.IntRange(min=0), default=TrainConfig.eval_every, help="Score every N epochs, log it to history.csv and keep checkpoints/best; 0: never [default: pairs every epoch by held-out L1; labelled digit-sized grayscale data every 10 (domain score, no download); else off].")
@click.option("--eval-metric", type=click.Choice(METRICS.names()), default=TrainConfig.eval_metric, help="Metric for --eval-every [default: l1 for pairs; domain for labelled digit-sized grayscale data, else kid].")
@click.option("--eval-samples", type=click.IntRange(min=2), default=TrainConfig.eval_samples, help="Images (or held-out pairs, at most) per --eval-every evaluation.", **OPTS)
@click.option("--inception-weights", type=click.Path(dir_okay=False, exists=True), default=None, help="InceptionV3 notop weights (.h5) for kid/fid offline [default: Keras' download].")
@click.option("--precision", type=click.Choice(PRECISIONS), default=TrainConfig.precision, help="Training dtype policy (variables stay float32; sample/export use float32) [default: mixed_bfloat16 for dcgan on RGB sets under 10,000 images where the CPU or GPU computes bfloat16 natively (AVX-512 BF16, AMX, Arm BF16; NVIDIA Ampere on), else float32].")
@click.option("--strategy", type=click.Choice(STRATEGIES), default=TrainConfig.strategy, help="tf.distribute strategy: mirrored = all local GPUs, multi_worker = hosts from TF_CONFIG, tpu; --batch-size is the global batch.", **OPTS)
@click.option("--cpu-replicas", type=click.IntRange(min=1), default=TrainConfig.cpu_replicas, help="With --strategy mirrored on a machine without a GPU: split the CPU into N logical devices, one replica each (try a multi-replica run on a laptop) [default: no split].")
@click.option("--xla", type=click.Choice(XLA), default=TrainConfig.xla, help="Compile the train step with XLA; auto: on for GPUs (Keras' choice), off on CPUs (measured: see README).", **OPTS)
@click.option("--steps-per-execution", type=click.IntRange(min=1), default=TrainConfig.steps_per_execution, help="Steps per call into TensorFlow (callbacks, Ctrl-C, SIGTERM and the NaN check act per call), lowered to a divisor of the epoch's steps [default: the family's: gan up to 8,192 images per call, others 1].")
@click.option("--tensorboard", is_flag=True, default=TrainConfig.tensorboard, help="Also write scalars and grids to RUN/tensorboard/ (view: tensorboard --logdir runs).")
@click.option("--runs-root", type=click.Path(file_okay=False), default=RunConfig.runs_root, help="Where numbered run folders are created.", **OPTS)
@click.option("--run-dir", type=click.Path(file_okay=False), default=None, help="Use this (new or empty) folder instead of a numbered one.")
@click.option("--dry-run", is_flag=True, help="Print the resolved config (data checked, nothing written) and exit.")
@click.option("--resume", default=None, help="Continue this run folder (or 'latest') from its newest checkpoint; only --epochs, --strategy and --cpu-replicas may change.")
@click.option("--snap-minutes", type=click.FloatRange(min=0, min_open=True), default=TrainConfig.snap_minutes, help="Checkpoint every M minutes of training, mid-epoch too (always at the end and on Ctrl-C or SIGTERM; a kill loses at most M minutes).", **OPTS)
@click.option("--snap", type=click.IntRange(min=1), default=TrainConfig.snap, help="Checkpoint every N epochs instead of by minutes (always at the end and on Ctrl-C or SIGTERM).")
@click.option("--keep", "keep_checkpoints", type=click.IntRange(min=1), default=TrainConfig.keep_checkpoints, help="Checkpoints kept (the newest; checkpoints/best is kept apart).", **OPTS)
@click.option("--grid-every", type=click.IntRange(min=1), default=TrainConfig.grid_every, help="Draw samples/epoch_NNNN.png every N epochs (always the last) [default: at epoch ends, as often as 1% of the time allows: every epoch unless epochs take under ~6 s].")
@click.option("--init-from", default=None, help="Start a new run from another run's networks (fine-tuning on new --data): RUN, RUN:best, RUN:latest or RUN:<checkpoint file>; same family, size and channels.")
@click.pass_context
def train(ctx, family, data, data_b, data_dir, image_size, epochs, decay_epochs, batch_size, loss, lr, d_lr, d_steps,
          augment, ada_target, augment_p, holdout, seed, ema, eval_every, eval_metric, eval_samples, inception_weights,
          precision, strategy, cpu_replicas, xla, steps_per_execution, tensorboard, runs_root, run_dir, dry_run, resume, snap_minutes, snap, keep_checkpoints,
          grid_every, init_from, **model):
    """Train a GAN; grids, checkpoints and history go to a run folder.

    \b
    Examples:
      python cli.py train                                  # gan on mnist_5k (offline)
      python cli.py train --family dcgan --data tom_and_jerry --image-size 64
      python cli.py train --family dcgan --data path/to/images --epochs 50
      python cli.py train --family pix2pix                   # outline -> filled digit (offline)
      python cli.py train --family pix2pix --data path/to/facades --image-size 256 --direction BtoA
      python cli.py train --data cifar10 --data-dir ~/tensorflow_datasets --dry-run
      python cli.py train --resume latest --epochs 200     # continue the newest run
      python cli.py train --family dcgan --data my_500_photos --init-from runs/00003-dcgan-big:best
      python cli.py train --family dcgan --conditional --augment ada --ema 0.999
      python cli.py train --family dcgan --loss wgan_gp      # 5 critic steps, Adam 1e-4 (0, 0.9)
      python cli.py train --family dcgan --strategy mirrored --batch-size 256   # all local GPUs
    """
    verbose = 1 if sys.stdout.isatty() else 2
    if resume:
        _resume(ctx, resume, runs_root, verbose)
        return
    config = RunConfig(
        data=DataConfig(name=data, name_b=data_b, data_dir=data_dir, image_size=image_size,
                        holdout=holdout),
        model=model_from_cli(family, model, given=[name for name in ctx.params if ctx.get_parameter_source(name)
                                                 is not ParameterSource.DEFAULT]),
        train=TrainConfig(epochs=epochs, decay_epochs=decay_epochs, batch_size=batch_size, loss=loss,
                          lr=lr, d_lr=d_lr, d_steps=d_steps,
                          augment=augment, ada_target=ada_target, augment_p=augment_p, seed=seed, ema=ema or None, eval_every=eval_every,
                          eval_metric=eval_metric, eval_samples=eval_samples,
                          inception_weights=inception_weights, tensorboard=tensorboard,
                          precision=precision, strategy=strategy, cpu_replicas=cpu_replicas, xla=xla,
                          steps_per_execution=steps_per_execution, init_from=init_from,
                          snap=snap, snap_minutes=snap_minutes, keep_checkpoints=keep_checkpoints, grid_every=grid_every),
        runs_root=runs_root, run_dir=run_dir)
    with user_errors():
        if dry_run:
            click.echo(resolve(config)[0].to_json(), nl=False)
            return
        _report(run_training(config, verbose=verbose))


def _resume(ctx, resume, runs_root, verbose):
    allowed = {"resume", "epochs", "runs_root", "strategy", "cpu_replicas"}
    changed = [name for name in ctx.params if name not in allowed
               and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT]
    if changed:
        raise click.UsageError(
            f"--resume continues a run with its own config.json; only --epochs, --strategy and "
            f"--cpu-replicas can change. Received also: {', '.join('--' + n.replace('_', '-') for n in changed)}.")
    epochs, strategy, cpu_replicas = (
        None if ctx.get_parameter_source(name) is ParameterSource.DEFAULT else ctx.params[name]
        for name in ("epochs", "strategy", "cpu_replicas"))
    with user_errors():
        _report(resume_training(resolve_run(resume, runs_root), epochs, verbose=verbose,
                                strategy=strategy, cpu_replicas=cpu_replicas))


def _report(result):
    if not result.chief:
        click.echo("Worker done; the chief wrote the run folder.")
        return
    if result.interrupted:
        signum = result.stop_signal or signal.SIGINT
        click.echo(f"Stopped by {describe(signum)}; checkpoint saved in {result.run_dir / 'checkpoints'}.")
        click.echo(f"Resume with: python cli.py train --resume {result.run_dir}")
        sys.exit(exit_code(signum))
    click.echo(f"Done. Grids: {result.run_dir / 'samples'}  Checkpoints: {result.run_dir / 'checkpoints'}")
    verb = TASKS.get(result.config.family.task).use  # the task says how its runs are used
    click.echo(f"Use it: python cli.py {verb.format(run=result.run_dir)}")


def check_grid_path(out: str | None) -> None:
    if out and not out.lower().endswith((".png", ".npz")):
        raise click.BadParameter(f"expected a path ending in .png or .npz; received {out!r}.", param_hint="--out")


def sample_prompts(ctx, run_dir, prompts, prompts_file, checkpoint, out, overwrite) -> None:
    """`sample` on a text2image run: a row per prompt, --n seeds from --seed across."""
    given = [name for name in ("seeds", "grid", "label")
             if ctx.get_parameter_source(name) != ParameterSource.DEFAULT]
    if given:
        name = given[0]
        raise click.BadParameter(f"expected --prompt with --n/--seed; received --{name} too "
                                 "(text2image grids have one row per prompt, seeds across).",
                                 param_hint=f"--{name}")
    count = ctx.params["count"] if ctx.get_parameter_source("count") != ParameterSource.DEFAULT else 8
    with user_errors(OUT_ELSEWHERE):
        path, used, checkpoint = write_prompt_samples(run_dir, read_prompts(prompts, prompts_file),
                                                      count, ctx.params["seed"], out, checkpoint,
                                                      overwrite)
    click.echo(f"Wrote {path} from {checkpoint}: one row per prompt:")
    for row, prompt in enumerate(used, 1):
        click.echo(f"  {row}. {shorten(prompt)}")


@cli.command()
@run_options
@click.option("--seeds", default=None, help="Seeds, e.g. 0-3,10: one PNG per seed, --out/seed0003.png (--out a folder, default RUN/samples/seeds/), each the image the SavedModel's generate(seed=[3]) serves; with --grid, one grid.")
@click.option("--grid", is_flag=True, help="With --seeds: one grid (--out a .png file).")
@click.option("--n", "count", type=click.IntRange(1, 4096), default=64, help="Number of images: seeds --seed .. --seed + N - 1 (text2image: per prompt, default 8).", **OPTS)
@click.option("--seed", type=click.IntRange(min=0), default=0, help="First seed (the run's seed reproduces its grids).", **OPTS)
@click.option("--label", default=None, help="Conditional runs: class index or name for every image [default: cycle through the classes].")
@click.option("--prompt", "prompts", multiple=True, help="text2image runs: a caption; repeat for more (one grid row each) [default: the run's own prompts].")
@click.option("--prompts", "prompts_file", type=click.Path(dir_okay=False, exists=True), default=None, help="text2image runs: a UTF-8 file of captions, one per line (after any --prompt).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Output: .png grid, or .npz with float images in [-1, 1] and their latents [default: RUN/samples/sample-seedS-nN.png; text2image: RUN/samples/prompts-seedS-nN.png].")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
def sample(run, runs_root, seeds, grid, count, seed, checkpoint, label, prompts, prompts_file, out, overwrite):
    """Generate images from a run's newest checkpoint (gan, dcgan, text2image).

    \b
    Examples:
      python cli.py sample --out grid.png
      python cli.py sample --run runs/00001-gan-mnist_5k --n 16 --seed 3 --out digits.npz
      python cli.py sample --label 3 --out threes.png      # a conditional run
      python cli.py sample --prompt "a handwritten seven" --prompt "the digit 2" --n 8 --seed 0
    """
    ctx = click.get_current_context()
    if seeds is None or grid:  # else --out is the folder of one PNG per seed
        check_grid_path(out)
    with user_errors():
        run_dir = resolve_run(run, runs_root)
        text = bool(prompts or prompts_file) or is_text_run(run_dir)
    if text:
        return sample_prompts(ctx, run_dir, prompts, prompts_file, checkpoint, out, overwrite)
    seed_list = None
    if seeds is not None:
        given = [name for name in ("count", "seed") if ctx.get_parameter_source(name) != ParameterSource.DEFAULT]
        if given:
            raise click.BadParameter(f"expected --seeds or --n/--seed, not both; received --seeds {seeds} "
                                     f"and --{given[0].replace('count', 'n')}.", param_hint="--seeds")
        try:
            seed_list = parse_seeds(seeds)
        except ValueError as err:
            raise click.BadParameter(f"expected seeds and ranges such as 0-3,10; {err}.", param_hint="--seeds")
        if not grid:
            with user_errors(OUT_ELSEWHERE):
                paths, checkpoint = write_seed_images(resolve_run(run, runs_root), seed_list, out, label,
                                                      checkpoint, overwrite)
            repeated = len(seed_list) - len(paths)
            click.echo(f"Wrote {len(paths)} images (one per seed) from {checkpoint} to {paths[0].parent}"
                       + (f"; {repeated} repeated seed{'s' * (repeated > 1)} left out" if repeated else ""))
            return
    with user_errors(OUT_ELSEWHERE):
        path, checkpoint = write_samples(resolve_run(run, runs_root), count, seed, out, label,
                                         checkpoint, overwrite, seeds=seed_list)
    click.echo(f"Wrote {len(seed_list) if seed_list else count} samples from {checkpoint} to {path}")


def _report_written(result, out) -> None:
    """translate's and upscale's summary: each skipped input, then the files written."""
    for path, reason in result.skipped:
        click.echo(f"  skipped {path}: {reason}")
    click.echo(f"Wrote {len(result.written)} image{'s' * (len(result.written) != 1)} from "
               f"{result.checkpoint} to {out}"
               + (f"; skipped {len(result.skipped)} unreadable" if result.skipped else ""))

@cli.command()
@run_options
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for the translated PNGs (created).")
@click.option("--overwrite", is_flag=True, help="Replace outputs that already exist.")
@click.option("--direction", type=click.Choice(["AtoB", "BtoA"]), default=None, help="cyclegan/discogan runs: which generator [default: AtoB; pix2pix: the one it learned].")
def translate(run, runs_root, checkpoint, inputs, out, overwrite, direction):
    """Translate images with an image-to-image run (pix2pix), any size.

    Each output is a PNG at its input's size (padded by reflection to the generator's
    multiple and cropped back, never resized), at OUT/<name>.png for a file and
    OUT/<path below the folder>.png for the images in a folder.

    \b
    Examples:
      python cli.py translate photo.jpg --out translated
      python cli.py translate --run runs/00004-pix2pix-facades val/ --out results --checkpoint best
    """
    with user_errors(OUT_ELSEWHERE):
        result = translate_files(resolve_run(run, runs_root), list(inputs), out, checkpoint,
                                 overwrite, direction)
    _report_written(result, out)


@cli.command()
@run_options
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for the upscaled PNGs (created).")
@click.option("--overwrite", is_flag=True, help="Replace outputs that already exist.")
@click.option("--tile", type=click.IntRange(min=1), default=UPSCALE_TILE, show_default=True, help="Tile side in input pixels (memory grows with its square).")
@click.option("--tile-overlap", type=click.IntRange(min=0), default=UPSCALE_OVERLAP, show_default=True, help="Input pixels shared by neighbouring tiles; seams are blended across the middle half, so tiles match a whole-image upscale when a quarter of it covers the generator's reach.")
def upscale(run, runs_root, checkpoint, inputs, out, overwrite, tile, tile_overlap):
    """Upscale images with a super-resolution run (srgan), any size, tile by tile.

    Each output is a PNG `scale` times larger, at OUT/<name>.png for a file and OUT/<path
    below the folder>.png for the images in a folder; grayscale stays grayscale, alpha is
    kept (upscaled bicubic), 16-bit PNGs stay 16-bit.

    \b
    Examples:
      python cli.py upscale photo.jpg --out big
      python cli.py upscale --run runs/00007-srgan-div2k old_scans/ --out restored --tile 64
    """
    with user_errors(OUT_ELSEWHERE):
        result = upscale_files(resolve_run(run, runs_root), list(inputs), out, checkpoint,
                               overwrite, tile, tile_overlap, progress=_tile_progress())
    _report_written(result, out)


def _tile_progress():
    """Prints 'tiles done/total' for pictures of many tiles, at every tenth of the way."""
    def report(done: int, total: int) -> None:
        if total >= 20 and (done == total or done * 10 // total != (done - 1) * 10 // total):
            click.echo(f"  tiles {done}/{total}", err=True)
    return report


def comma_list(ctx, param, value) -> tuple[str, ...] | None:
    return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())


def seed_list(ctx, param, value) -> list[int]:
    try:
        seeds = parse_seeds(value)
    except ValueError:
        seeds = []
    if len(seeds) < 2:
        raise click.BadParameter(f"expected two or more seeds >= 0 (0,5,9 or 0-3); received {value!r}.")
    return seeds


@cli.command()
@run_options
@click.option("--seeds", default="0,1,2,3", callback=seed_list, help="Latent seeds visited in order, then back to the first.", **OPTS)
@click.option("--steps", type=click.IntRange(2, 256), default=16, help="Frames from one seed to the next.", **OPTS)
@click.option("--label", default=None, help="Conditional runs: the class for the whole walk [default: 0].")
@click.option("--prompt", "prompts", multiple=True, help="text2image runs: two or more captions to walk between (their sentence embeddings, linearly), one latent throughout.")
@click.option("--seed", type=click.IntRange(min=0), default=0, help="With --prompt: the latent's seed.", **OPTS)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="GIF path; a PNG strip (one row per leg) is written beside it [default: RUN/samples/walk-seeds0-1-2-3.gif; prompts: RUN/samples/walk-prompts-seedS.gif].")
@click.option("--overwrite", is_flag=True, help="Replace --out (and its strip) if they exist.")
def interpolate(run, runs_root, checkpoint, seeds, steps, label, prompts, seed, out, overwrite):
    """Walk the latent space: spherical interpolation between seeded latents (or, for
    text2image, between prompts).

    \b
    Examples:
      python cli.py interpolate --steps 16 --out walk.gif
      python cli.py interpolate --run runs/00003-gan-mnist_5k --seeds 3,8,1 --label 7
      python cli.py interpolate --prompt "a handwritten one" --prompt "the digit 7" --seed 3
    """
    if out and not out.lower().endswith(".gif"):
        raise click.BadParameter(f"expected a path ending in .gif; received {out!r}.", param_hint="--out")
    if prompts:
        with user_errors(OUT_ELSEWHERE):
            gif, strip, used = write_prompt_walk(resolve_run(run, runs_root), list(prompts), seed,
                                                 steps, out, checkpoint, overwrite)
        click.echo(f"Wrote {gif} and {strip} ({len(prompts) * steps} frames from {used})")
        return
    with user_errors(OUT_ELSEWHERE):
        gif, strip, used = write_walk(resolve_run(run, runs_root), seeds, steps, out, label,
                                      checkpoint, overwrite)
    click.echo(f"Wrote {gif} and {strip} ({len(seeds) * steps} frames from {used})")


@cli.command()
@run_options
@click.option("--out", type=click.Path(file_okay=False), default=ExportConfig.out, help="Export root; the model goes to OUT/NAME/VERSION/.", **OPTS)
@click.option("--name", default=ExportConfig.name, help="Model name [default: <family>-<data> of the run].")
@click.option("--version", type=click.IntRange(min=1), default=ExportConfig.version, help="Version folder [default: the next free integer].")
@click.option("--formats", default=",".join(ExportConfig.formats), callback=comma_list, help=f"Comma-separated, from: {', '.join(FORMATS.names())}.", **OPTS)
@click.option("--quantize", default=None, callback=comma_list, help=f"TFLite variants, from: {', '.join(QUANTIZATIONS.names())} [default: all three; text2image: float32,float16 (its int8 file measured 25-26 dB, under the 30 dB bar)].")
@click.option("--calibration-samples", type=click.IntRange(min=1), default=ExportConfig.calibration_samples, help="Inputs the int8 converter calibrates on (latents; held-out images for pix2pix).", **OPTS)
@click.option("--max-images", type=click.IntRange(min=1), default=ExportConfig.max_images, help="Largest num_images the generate_n signature accepts.", **OPTS)
@click.option("--push-to-hub", default=None, help="USER/REPO: upload the verified version to the Hugging Face Hub (needs the hub extra, `pip install \"keras-gan[hub]\"`, and a login).")
def export(run, runs_root, **options):
    """Export a run's generator, verify every artifact, then publish it.

    Writes OUT/NAME/VERSION/ (SavedModel in TF Serving's layout, TFLite files,
    optionally ONNX) and OUT/NAME/MODEL_CARD.md. Each artifact is reloaded in its
    runtime and compared with the Keras generator; if one is outside tolerance,
    nothing is published and the exit code is 1.

    \b
    Examples:
      python cli.py export                                   # newest run -> export/<family>-<data>/1/
      python cli.py export --run runs/00001-gan-mnist_5k --name digits --version 3
      python cli.py export --formats tflite --quantize float32,int8
      python cli.py export --formats saved_model,tflite,onnx
      python cli.py export --checkpoint best                 # the best epoch by --eval-every
      python cli.py export --push-to-hub me/my-gan           # and upload it (huggingface_hub)
    """
    with user_errors(OUT_ELSEWHERE):
        result = export_run(resolve_run(run, runs_root), ExportConfig(**options))
    for one in (result, *result.others):  # a two-way run: one servable per direction
        click.echo(format_table(one.checks, one.sizes))
        click.echo(f"Wrote {one.path} ({one.size_bytes / 1e6:.1f} MB, every check passed) and "
                   f"{one.path.parent / 'MODEL_CARD.md'}")
        if one.pushed:
            click.echo(f"Pushed {one.path} to {one.pushed}")


SHOWN = ("fid", "kid", "kid_std", "domain_fd", "class_entropy", "confident", "label_accuracy",
         "label_accuracy_ba", "classifier_accuracy", "class_histogram", "cycle_a", "cycle_b",
         "cycle_l1", "identity_l1", "l1", "baseline_l1", "psnr", "baseline_psnr", "ssim",
         "baseline_ssim", "luminance_correlation", "l1_ba", "baseline_l1_ba",
         "luminance_correlation_ba", "bicubic_psnr", "bicubic_ssim", "r_precision", "r_precision_real")


@cli.command()
@run_options
@click.option("--metrics", default=None, help=f"Comma-separated, from: {', '.join(METRICS.names())} [default: l1,psnr,ssim for pairs; cycle (+ l1,psnr,ssim where the true translation is known, + domain where both domains have the same classes) for two-way runs; domain for labelled digit-sized grayscale data (no download), else kid,fid].")
@click.option("--n", "count", type=click.IntRange(min=2), default=5000, help="Generated images (and real images, at most the dataset), or held-out pairs at most.", **OPTS)
@click.option("--inception-weights", type=click.Path(dir_okay=False, exists=True), default=None, help="InceptionV3 notop weights (.h5) for kid/fid offline [default: Keras' download].")
def evaluate(run, runs_root, checkpoint, metrics, count, inception_weights):
    """Score a run: KID/FID, the domain score for digits, or L1/PSNR/SSIM for pairs.

    Prints the numbers and appends them to RUN/evaluation.jsonl. KID and FID use
    InceptionV3 pool features of images resized (bilinear, antialiased) to 299 px;
    pairs are scored on the held-out split, beside the do-nothing baseline.

    \b
    Examples:
      python cli.py evaluate                                 # mnist_5k runs: domain score, no download
      python cli.py evaluate --run runs/00002-dcgan-tom_and_jerry --n 5000
      python cli.py evaluate --checkpoint best --inception-weights inception_notop.h5
    """
    with user_errors():
        run_dir = resolve_run(run, runs_root)
        record = evaluate_run(run_dir, metrics, count, checkpoint, inception_weights, save=False)
    size = (f"{record['n_pairs']} held-out pairs" if "n_pairs" in record else
            f"{record['n_a']} + {record['n_b']} held-out images of A and B" if "n_a" in record else
            f"{record['n_images']} held-out images, x{record['crop_border']}, {record['metric_space']} "
            f"channel{'s' if record['metric_space'] == 'rgb' else ''}, {record['crop_border']} px "
            "border cropped" if "n_images" in record else
            f"{record['n_generated']} generated vs {record['n_real']} real images")
    click.echo(f"{record['checkpoint']} (epoch {record['epoch']}), {size}:")
    shown = [key for key in SHOWN if key in record]
    width = max(map(len, shown), default=0)
    for key in shown:
        value = record[key]
        click.echo(f"  {key:<{width}} {value if isinstance(value, list) else f'{value:.5g}'}")
    try:  # after printing: a run folder that cannot be written to does not cost the scores
        save_record(run_dir, record)
    except WriteError as err:
        raise click.ClickException(
            f"{err.or_else('copy the run folder somewhere writable and evaluate the copy')} The "
            f"scores above were not added to {RECORDS}.") from None


@cli.command(name="check-data")
@click.option("--data", default="mnist_5k", help="Registered dataset, image folder path, or TFDS name.", **OPTS)
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="TFDS data_dir, or where a manual download lives.")
def check_data(data, data_dir):
    """Scan a dataset before training: readable and broken files, sizes, modes, duplicates.

    Exits 0 if at least one image is usable, 1 otherwise.

    \b
    Examples:
      python cli.py check-data --data path/to/images
      python cli.py check-data --data tom_and_jerry
    """
    with user_errors():
        result = scan_data(data, data_dir)
    click.echo(result.report())
    if not result.usable:
        sys.exit(1)


@cli.command(name="list")
def list_registered():
    """List the architectures, networks, losses, datasets, augmentations, metrics and export formats."""
    for title, items in registry_sections():
        click.echo(title)
        width = max(14, *(len(name) for name, _ in items))
        for name, summary in items:
            click.echo(f"  {name:<{width}} {summary}")

