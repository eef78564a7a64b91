"""The click layer of the keras-gan command: arguments in, one-paragraph errors and summaries out;
each command's work is done in keras_gan.commands (train: keras_gan.training.run)."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

import click
from click.core import ParameterSource

from keras_gan.config import ExportConfig, RunConfig
from keras_gan.console import command_name
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
from keras_gan.registry import TASKS
from keras_gan.cli.command import TrainCommand
from keras_gan.cli.options import run_config
from keras_gan.commands.interpolate import write_walk
from keras_gan.commands.prompting import is_text_run, read_prompts, shorten, write_prompt_samples, write_prompt_walk
from keras_gan.commands.listing import registry_sections
from keras_gan.resolve import resolve
from keras_gan.runs import resolve_run
from keras_gan.latents import parse_seeds
from keras_gan.commands.sample import write_samples, write_seed_images
from keras_gan.training.signals import Terminated, describe, exit_code, terminate_raises
from keras_gan.training.run import RESUME_OPTIONS, TrainingDiverged, resume_training, run_training
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
VERBOSE_HELP = "Also print TensorFlow's native log lines."  # TF_CPP_MIN_LOG_LEVEL, if set, picks which


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


@cli.command(cls=TrainCommand)
@click.option("--dry-run", is_flag=True, help="Print the resolved config (data checked) and exit.")
@click.option("--resume", default=None, help="Continue a run folder (or 'latest'); what may change: docs/runs.md.")
@click.pass_context
def train(ctx, family, dry_run, resume, **values):
    """Train a GAN; grids, checkpoints and history go to a run folder.

    \b
    Examples:
      keras-gan train                                      # gan on mnist_5k (offline)
      keras-gan train --data cifar10 --data-dir ~/tensorflow_datasets --dry-run
      keras-gan train --family dcgan --data tom_and_jerry --image-size 64
      keras-gan train --family dcgan --data path/to/images --epochs 50
      keras-gan train --family dcgan --data my_500_photos --init-from runs/00003-dcgan-big:best
      keras-gan train --family dcgan --conditional --augment ada --ema 0.999
      keras-gan train --family dcgan --loss wgan_gp        # 5 critic steps, Adam 1e-4 (0, 0.9)
      keras-gan train --family dcgan --strategy mirrored --batch-size 256   # all local GPUs
      keras-gan train --family pix2pix                     # outline -> filled digit (offline)
      keras-gan train --family pix2pix --data path/to/facades --image-size 256 --direction BtoA
      keras-gan train --family cyclegan --data path/to/horses --data-b path/to/zebras
      keras-gan train --family discogan                    # two colourings of digits (offline)
      keras-gan train --family srgan --data path/to/photos --scale 4
      keras-gan train --family text2image                  # captioned digits (offline)
      keras-gan train --family dcgan --data path/to/images --minutes 30   # a time budget
      keras-gan train --resume latest --epochs 200         # continue the newest run
      keras-gan train --resume latest --minutes 60         # on to 60 minutes in all
    """
    verbose = 1 if sys.stdout.isatty() else 2
    if resume:
        _resume(ctx, resume, values["runs_root"], verbose)
        return
    config = run_config(family, values, given=[name for name in ctx.params if ctx.get_parameter_source(name)
                                               is not ParameterSource.DEFAULT])
    with user_errors():
        if dry_run:
            click.echo(resolve(config)[0].to_json(), nl=False)
            return
        _report(run_training(config, verbose=verbose))


def _resume(ctx, resume, runs_root, verbose):
    allowed = {"resume", "runs_root", *RESUME_OPTIONS}
    changed = [name for name in ctx.params if name not in allowed
               and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT]
    if changed:
        names = ", ".join("--" + n.replace("_", "-") for n in RESUME_OPTIONS)
        raise click.UsageError(
            f"--resume continues a run with its own config.json; only {names} can change. "
            f"Received also: {', '.join('--' + n.replace('_', '-') for n in changed)}.")
    given = {name: ctx.params[name] for name in RESUME_OPTIONS
             if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT}
    with user_errors():
        _report(resume_training(resolve_run(resume, runs_root), verbose=verbose, **given))


def _report(result):
    if not result.chief:
        click.echo("Worker done; the chief wrote the run folder.")
        return
    if result.interrupted:
        signum = result.stop_signal or signal.SIGINT
        click.echo(f"Stopped by {describe(signum)}; checkpoint saved in {result.run_dir / 'checkpoints'}.")
        click.echo(f"Resume with: {command_name()} train --resume {result.run_dir}")
        sys.exit(exit_code(signum))
    if result.budget_note and logging.getLogger().getEffectiveLevel() > logging.INFO:
        click.echo(result.budget_note)  # logged too, unless --quiet
    click.echo(f"Done. Grids: {result.run_dir / 'samples'}  Checkpoints: {result.run_dir / 'checkpoints'}")
    verb = TASKS.get(result.config.family.task).use  # the task says how its runs are used
    click.echo(f"Use it: {command_name()} {verb.format(run=result.run_dir)}")


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
      keras-gan sample --out grid.png
      keras-gan sample --run runs/00001-gan-mnist_5k --n 16 --seed 3 --out digits.npz
      keras-gan sample --label 3 --out threes.png      # a conditional run
      keras-gan sample --prompt "a handwritten seven" --prompt "the digit 2" --n 8 --seed 0
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
      keras-gan translate photo.jpg --out translated
      keras-gan translate --run runs/00004-pix2pix-facades val/ --out results --checkpoint best
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
      keras-gan upscale photo.jpg --out big
      keras-gan upscale --run runs/00007-srgan-div2k old_scans/ --out restored --tile 64
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
      keras-gan interpolate --steps 16 --out walk.gif
      keras-gan interpolate --run runs/00003-gan-mnist_5k --seeds 3,8,1 --label 7
      keras-gan interpolate --prompt "a handwritten one" --prompt "the digit 7" --seed 3
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
      keras-gan export                                   # newest run -> export/<family>-<data>/1/
      keras-gan export --run runs/00001-gan-mnist_5k --name digits --version 3
      keras-gan export --formats tflite --quantize float32,int8
      keras-gan export --formats saved_model,tflite,onnx
      keras-gan export --checkpoint best                 # the best epoch by --eval-every
      keras-gan export --push-to-hub me/my-gan           # and upload it (huggingface_hub)
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
      keras-gan evaluate                                 # mnist_5k runs: domain score, no download
      keras-gan evaluate --run runs/00002-dcgan-tom_and_jerry --n 5000
      keras-gan evaluate --checkpoint best --inception-weights inception_notop.h5
    """
    with user_errors():
        run_dir = resolve_run(run, runs_root)
        record = evaluate_run(run_dir, metrics, count, checkpoint, inception_weights, save=False)
    size = TASKS.get(record["task"]).scored_on(record)
    click.echo(f"{record['checkpoint']} (epoch {record['epoch']}), {size}:")
    # the known scores in their order, then any other a task's evaluator returns (a plugin's)
    shown = ([key for key in SHOWN if key in record]
             + [key for key, value in record.items() if key not in SHOWN and isinstance(value, float)])
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
      keras-gan check-data --data path/to/images
      keras-gan check-data --data tom_and_jerry
    """
    with user_errors():
        result = scan_data(data, data_dir)
    click.echo(result.report())
    if not result.usable:
        sys.exit(1)


@cli.command(name="list")
def list_registered():
    """List the families, networks, losses, datasets, augmentations, metrics and export formats."""
    for title, items in registry_sections():
        click.echo(title)
        width = max(14, *(len(name) for name, _ in items))
        for name, summary in items:
            click.echo(f"  {name:<{width}} {summary}")

