"""Export a run's generator as a versioned SavedModel (TF Serving layout), then prove it.

export/<name>/<version>/{saved_model.pb, variables/} is written to a hidden
temporary folder, reloaded and compared with the Keras generator there, and
only then renamed into place: a server watching export/<name>/ never sees a
half-written or unverified version, and a failed export leaves nothing behind.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keras_gan.config import ConfigError
from keras_gan.fileio import DIR_MODE

FLOAT_TOLERANCE = 1e-4
BATCH_SIZES = (1, 5)


class ExportError(RuntimeError):
    """The exported artifact does not reproduce the Keras generator."""


@dataclass
class Check:
    signature: str
    batch_size: int
    max_abs_diff: float  # images_float vs Keras
    max_uint8_diff: int  # images vs Keras' output converted with images.to_uint8


@dataclass
class ExportResult:
    path: Path
    checks: list[Check]
    size_bytes: int


def next_version(model_dir: Path) -> int:
    versions = [int(p.name) for p in model_dir.glob("*") if re.fullmatch(r"\d+", p.name)]
    return max(versions, default=0) + 1


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def verify_saved_model(path: Path, generator, latent_dim: int) -> list[Check]:
    """Reload the SavedModel and compare every signature with the Keras generator."""
    import tensorflow as tf

    from keras_gan.images import to_uint8
    from keras_gan.serving import seed_latents

    loaded = tf.saved_model.load(str(path))
    checks = []
    for batch in BATCH_SIZES:
        latents = np.random.default_rng(batch).standard_normal((batch, latent_dim)).astype("float32")
        seeds = np.arange(batch, dtype=np.int64) + 7
        cases = {
            "serving_default": (latents, {"latent": tf.constant(latents)}),
            "generate": (seed_latents(tf.constant(seeds), latent_dim).numpy(),
                         {"seed": tf.constant(seeds)}),
        }
        for name, (z, inputs) in cases.items():
            expected = generator(z, training=False).numpy()
            out = loaded.signatures[name](**inputs)
            float_diff = float(np.max(np.abs(out["images_float"].numpy() - expected)))
            uint8_diff = int(np.max(np.abs(out["images"].numpy().astype(int)
                                           - to_uint8(expected).astype(int))))
            checks.append(Check(name, batch, float_diff, uint8_diff))
    return checks


def check_passed(check: Check) -> bool:
    # uint8 may differ by one where a float lands on a rounding boundary.
    return check.max_abs_diff <= FLOAT_TOLERANCE and check.max_uint8_diff <= 1


def export_saved_model(generator, latent_dim: int, model_dir: Path,
                       version: int | None = None) -> ExportResult:
    import tensorflow as tf

    from keras_gan.serving import GeneratorServing

    model_dir.mkdir(parents=True, exist_ok=True)
    version = next_version(model_dir) if version is None else version
    final = model_dir / str(version)
    if final.exists():
        raise ConfigError(
            f"Invalid version: expected a version not yet in {model_dir}. Received: "
            f"version={version} (exists; omit --version to use {next_version(model_dir)})."
        )
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=model_dir))
    try:
        module = GeneratorServing(generator, latent_dim)
        tf.saved_model.save(module, str(staging), signatures=module.signatures())
        checks = verify_saved_model(staging, generator, latent_dim)
        failed = [c for c in checks if not check_passed(c)]
        if failed:
            raise ExportError(
                f"The SavedModel does not reproduce the Keras generator: {failed[0]} "
                f"(tolerance {FLOAT_TOLERANCE} for images_float, 1 for uint8 images)."
            )
        staging.chmod(DIR_MODE)  # servers often run as another user
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(final, checks, folder_size(final))


def export_run(run_dir: Path, out: Path, name: str | None = None,
               version: int | None = None) -> ExportResult:
    """Export a run's newest generator to out/<name>/<version>/ and write MODEL_CARD.md."""
    from keras_gan.model_card import write_model_card
    from keras_gan.runs import load_run, slug

    config, gan, checkpoint = load_run(run_dir)
    name = name or f"{config.model.arch}-{slug(config.data.name)}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ConfigError(
            "Invalid name: expected letters, digits, '_', '.' or '-' (a folder name). "
            f"Received: name={name!r}."
        )
    result = export_saved_model(gan.generator, gan.latent_dim, Path(out) / name, version)
    write_model_card(result, config, run_dir, checkpoint, gan)
    return result
