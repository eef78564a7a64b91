"""Atomic file writes: a crash or Ctrl-C leaves the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from keras_gan.errors import ConfigError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; finished files get the usual 0666 & ~umask instead,
# so a grid or an export is readable by the user's other tools (TF Serving, a web server).
FILE_MODE = 0o666 & ~_current_umask()
DIR_MODE = 0o777 & ~_current_umask()  # likewise for mkdtemp's 0700 staging folders


@contextlib.contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside `path`; on success rename it over `path`.

    The temporary name keeps the final suffix(es) so writers that check the
    extension (Keras wants `.weights.h5`, PIL picks the format) still work.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = "".join(path.suffixes)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def path_size(path: str | Path) -> int:
    """Bytes in a file, or in every file below a folder."""
    path = Path(path)
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def new_output(path: str | Path, overwrite: bool, option: str = "out") -> Path:
    """`path`, refused (a ConfigError) when it exists and `overwrite` is off."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise ConfigError(f"Invalid {option}: expected a path that does not exist yet (pass "
                          f"--overwrite to replace it). Received: {option}={str(path)!r}, which exists.")
    return path
