"""`keras-gan translate`: run an image-to-image model on files and folders.

Every input keeps its size (reflect-padded to the generator's multiple and cropped
back, never resized) and its place: a file becomes OUT/<its name>.png, the images
below a folder become OUT/<their path below it>.png, so results line up with their
sources. Unreadable files are skipped and listed; nothing is overwritten unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from keras_gan.console import command_name
from keras_gan.commands.sample import families_for
from keras_gan.data.decode import display_path, find_images, flatten, open_still, to_array
from keras_gan.errors import ConfigError, invalid
from keras_gan.io.files import make_dirs
from keras_gan.io.images import save_image, to_channels
from keras_gan.runs import load_run


@dataclass
class Translated:
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    checkpoint: Path | None = None


def plan(inputs: list[str | Path], out: Path) -> list[tuple[Path, Path]]:
    """(input file, output file) for every image named or found below a named folder."""
    pairs = []
    for item in map(Path, inputs):
        if item.is_dir():
            pairs += [(path, out / path.relative_to(item).with_suffix(".png"))
                      for path in find_images(item)]
        elif item.is_file():
            pairs.append((item, out / item.with_suffix(".png").name))
        else:
            raise invalid("input", "an image file or a folder of images", str(item))
    if not pairs:
        raise ConfigError(f"Invalid input: expected image files or folders with images in them. "
                          f"Received: {', '.join(map(str, inputs))} (no images).")
    targets: dict[Path, Path] = {}
    for source, target in pairs:
        if target in targets:
            raise ConfigError(
                f"Invalid input: {display_path(targets[target])} and {display_path(source)} would "
                f"both be written to {display_path(target)}. Rename one or translate them into "
                "separate --out folders.")
        targets[target] = source
    return pairs


def planned_outputs(inputs: list[str | Path], out: str | Path, overwrite: bool) -> list[tuple[Path, Path]]:
    """plan(), refusing outputs that exist unless `overwrite`."""
    pairs = plan(inputs, Path(out))
    existing = [target for _, target in pairs if target.exists()]
    if existing and not overwrite:
        raise ConfigError(
            f"Invalid out: {len(existing)} of the {len(pairs)} outputs already exist (first: "
            f"{display_path(existing[0])}). Pass --overwrite to replace them, or another --out.")
    return pairs


def read_picture(path: Path, channels: int):
    """uint8 HWC with `channels` channels; raises on unreadable files."""
    with open_still(path) as image:  # an animated file: its first frame, with a warning
        image.load()
        return to_channels(to_array(flatten(image)), channels)


def translator(config, model, direction: str | None):
    """(one-way task, network) of a run for `direction` (two-way runs: AtoB or BtoA)."""
    task = model.task
    if "translate" not in task.commands:
        raise ConfigError(
            f"Invalid run: expected an image-to-image run ({families_for('translate')}) for "
            f"translate. Received: a {config.model.family!r} run, which draws images from noise: "
            f"use `{command_name()} sample`.")
    if task.ways:  # two-way: one translator per direction
        direction = direction or "AtoB"
        return task.direction(direction), task.network(model, direction)
    if direction not in (None, getattr(config.model, "direction", "AtoB")):
        raise invalid("direction", f"nothing or {config.model.direction}: this {config.model.family} run "
                      "learned one direction (train another with --direction for the other)",
                      direction)
    return task, model.sampling_generator


def translate_files(run_dir: str | Path, inputs: list[str | Path], out: str | Path,
                    checkpoint: str = "latest", overwrite: bool = False,
                    direction: str | None = None) -> Translated:
    pairs = planned_outputs(inputs, out, overwrite)
    config, model, used = load_run(run_dir, checkpoint)
    task, network = translator(config, model, direction)
    return each_picture(pairs, lambda path: read_picture(path, task.source_channels),
                        lambda picture, target: save_image(target, task.translate(network, picture[None])[0]),
                        used)


SHOWN = 5  # unreadable inputs named in the error when none could be read


def each_picture(pairs: list[tuple[Path, Path]], read, write, checkpoint: Path) -> Translated:
    """write(read(source), target) for every pair; a file that cannot be read is skipped and
    listed (one bad file must never stop the rest), but when none can be, nothing was done
    that was asked: a ConfigError lists why."""
    result = Translated(checkpoint=checkpoint)
    for source, target in pairs:
        try:
            picture = read(source)
        except Exception as err:  # noqa: BLE001
            result.skipped.append((display_path(source), f"{type(err).__name__}: {err}"[:200]))
            continue
        make_dirs(target.parent)
        write(picture, target)
        result.written.append(target)
    if not result.written:
        shown = "; ".join(f"{path}: {reason}" for path, reason in result.skipped[:SHOWN])
        more = f"; and {len(result.skipped) - SHOWN} more" if len(result.skipped) > SHOWN else ""
        raise ConfigError(f"Wrote no images: none of the {len(pairs)} inputs could be read "
                          f"({shown}{more}). Check the files ({command_name()} check-data --data "
                          "FOLDER lists what is wrong with each).")
    return result
