"""Atomic file writes: a crash, Ctrl-C or SIGTERM leaves the old file or the new one, never half.

Every writer here turns the operating system's "cannot write" (no permission, a read-only
file system, a full disk or quota) into a WriteError: one paragraph naming the path and
what to do, for every command alike.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

from keras_gan.errors import ConfigError

# errno -> what the message says; the others (a missing folder, a bug) keep their traceback
EDQUOT = getattr(errno, "EDQUOT", -1)  # not on every platform
REASONS = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
           errno.EROFS: "read-only file system", errno.ENOSPC: "no space left on the device",
           EDQUOT: "disk quota exceeded",
           errno.EFBIG: "file too large for the file system or the file-size limit (ulimit -f)"}
FULL = {errno.ENOSPC, EDQUOT}
MB = 1e6


class WriteError(ConfigError):
    """A place keras-gan must write to is not writable or is full; the message names the
    path, the reason and what to do (`or_else` and `with_remedy` tailor the last part to
    the command)."""

    def __init__(self, path: str | Path, code: int, reason: str | None = None,
                 remedy: str | None = None):
        self.path, self.code = Path(path), code
        self.reason = reason or REASONS.get(code, os.strerror(code))
        self.full = code in FULL
        self.remedy = remedy or (
            "Free some space there, or write somewhere else." if self.full else
            "Write somewhere else." if code == errno.EFBIG else
            "Make it writable, or write somewhere else.")
        super().__init__(f"Cannot write to {self.path}: {self.reason}. {self.remedy}")

    def with_remedy(self, remedy: str) -> WriteError:
        return WriteError(self.path, self.code, self.reason, remedy)

    def or_else(self, alternative: str) -> WriteError:
        """The remedy "Free some space there (or: Make it writable), or ALTERNATIVE."."""
        if self.code == errno.EFBIG:
            return self.with_remedy(f"{alternative[0].upper()}{alternative[1:]}.")
        fix = "Free some space there" if self.full else "Make it writable"
        return self.with_remedy(f"{fix}, or {alternative}.")


def free_bytes(path: str | Path) -> int | None:
    """Free bytes on the disk holding `path` (its nearest existing folder); None if unknown."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def _reason(code: int, path) -> str:
    free = free_bytes(path) if code in FULL else None
    return REASONS[code] + ("" if free is None else f" ({free / MB:,.1f} MB free)")


@contextlib.contextmanager
def writing(path: str | Path):
    """Turns "cannot write" errors inside the block (OSError, or TensorFlow's own errors for
    the same conditions) into a WriteError naming `path` (or the file the error names)."""
    try:
        yield
    except WriteError:
        raise
    except OSError as err:
        if err.errno not in REASONS:
            raise
        # the file the error names, unless it is a hidden temporary one (atomic_path, export's
        # staging folder): then the place it was to become
        named = err.filename
        named = Path(os.fsdecode(named)) if isinstance(named, (str, bytes, os.PathLike)) else None
        where = named if named is not None and not named.name.startswith(".") else path
        raise WriteError(where, err.errno, _reason(err.errno, where)) from None
    except Exception as err:
        code = _tensorflow_code(err)
        if code is None:
            raise
        where = _elsewhere(str(err), Path(path))
        raise WriteError(where, code, _reason(code, where)) from None


def _elsewhere(text: str, path: Path) -> Path:
    """`path`, or the folder a TensorFlow error names when that is on another tree (the
    TFLite converter's temporary SavedModel goes to the system's temporary folder)."""
    match = re.search(r"(?:^|\s)(/[^;\s]+); ", text)
    if match is None:
        return path
    named = Path(match.group(1))
    root = path.parent.absolute()
    if named == root or root in named.parents:
        return path
    return Path(tempfile.gettempdir()) if Path(tempfile.gettempdir()) in named.parents else named


def _tensorflow_code(err: Exception) -> int | None:
    """The errno behind TensorFlow's file errors (tf.saved_model.save raises these, not
    OSError), read from the class name so this module needs no TensorFlow."""
    kind, text = type(err).__name__, str(err).lower()
    if kind == "ResourceExhaustedError" and ("space" in text or "quota" in text):
        return EDQUOT if "quota" in text else errno.ENOSPC
    if kind == "PermissionDeniedError":
        return errno.EACCES
    if kind in ("FailedPreconditionError", "UnknownError") and "read-only" in text:
        return errno.EROFS
    return None


def make_dirs(path: str | Path) -> Path:
    """mkdir -p, with a WriteError where it cannot be created."""
    path = Path(path)
    with writing(path):
        path.mkdir(parents=True, exist_ok=True)
    return path


def check_writable(folder: str | Path) -> Path:
    """Creates and removes a file in `folder`: proof that it is writable before work whose
    results would be lost (a resumed run's next checkpoint). Whoever runs it (root included)
    gets the answer the file system gives, not a guess from permission bits."""
    folder = Path(folder)
    with writing(folder):
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    return folder


def check_space(folder: str | Path, needed: int, what: str) -> None:
    """A WriteError (full disk) unless the disk holding `folder` has `needed` bytes free:
    refusing before writing is cheaper than a half-written file."""
    free = free_bytes(folder)
    if free is not None and free < needed:
        raise WriteError(folder, errno.ENOSPC, f"not enough space for {what} (it needs about "
                                               f"{needed / MB:,.1f} MB; {free / MB:,.1f} MB free)")


def append_text(path: str | Path, text: str) -> None:
    """Appends `text` to a log-like file (created if missing)."""
    path = Path(path)
    with writing(path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        with os.fdopen(fd, "a") as handle:
            handle.write(text)


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
    """Yield a temporary path beside `path`; on success rename it over `path`. "Cannot write"
    errors, there or in the block, are a WriteError (see `writing`).

    The temporary name keeps the final suffix(es) so writers that check the
    extension (Keras wants `.weights.h5`, PIL picks the format) still work.
    """
    path = Path(path)
    with writing(path):
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
