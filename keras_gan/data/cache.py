"""The user cache: ~/.cache/keras-gan, or $KERAS_GAN_CACHE.

Holds what is slow to make and cheap to make again: decoded, resized datasets
(data/) and the domain-score classifiers (domain/). Entries are keyed by a hash of
everything they depend on and written into a staging folder that is renamed into
place, so a stale or half-written entry is never read; deleting the folder is
always safe.

A dataset entry is a folder of raw arrays (<name>.bin) and meta.json with their
dtypes and shapes. Arrays are written chunk by chunk and read memory-mapped, so a
dataset larger than memory decodes and trains: only the batches in use are read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from keras_gan.io.files import DIR_MODE

log = logging.getLogger(__name__)

CACHE_ENV = "KERAS_GAN_CACHE"
META = "meta.json"


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV, "~/.cache/keras-gan")).expanduser()


def digest(*parts) -> str:
    """A short stable hash of strings, bytes and JSON-able values."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()[:20]


def load_entry(kind: str, key: str) -> tuple[dict[str, np.ndarray], dict] | None:
    """(memory-mapped arrays, metadata) of a cache entry, or None if absent or unreadable."""
    folder = cache_root() / kind / key
    if not (folder / META).is_file():
        return None
    try:
        meta = json.loads((folder / META).read_text())
        arrays = {}
        for name, spec in meta.pop("_arrays").items():
            shape = tuple(spec["shape"])
            if spec["shape"][0] == 0:
                arrays[name] = np.zeros(shape, spec["dtype"])  # np.memmap refuses empty files
            else:
                arrays[name] = np.memmap(folder / f"{name}.bin", spec["dtype"], "r", shape=shape)
        return arrays, meta
    except Exception as err:  # noqa: BLE001  a damaged entry is rebuilt, never fatal
        log.warning("Cache entry %s is unreadable (%s); rebuilding it.", folder, err)
        return None


class EntryWriter:
    """Writes a cache entry chunk by chunk: `append(name, chunk)` for each array, then
    `finish(meta)` -> (arrays, meta) read back memory-mapped. If the cache cannot be
    written (full or read-only disk), the chunks are kept in memory instead (logged),
    which only costs the cache."""

    def __init__(self, kind: str, key: str, disk: bool = True):
        self.final = cache_root() / kind / key
        self.shapes: dict[str, list] = {}
        self.dtypes: dict[str, str] = {}
        self.memory: dict[str, list] | None = None if disk else {}  # disk=False: memory only
        if not disk:
            return
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.final.parent))
        except OSError as err:
            self._fall_back(err)

    def _fall_back(self, err) -> None:
        log.warning("Could not write cache entry %s (%s); continuing without it.", self.final, err)
        self.memory = {name: [np.fromfile(self.staging / f"{name}.bin", self.dtypes[name],
                                          count=int(np.prod(shape))).reshape(shape)]
                       for name, shape in self.shapes.items()}
        if getattr(self, "staging", None) is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def append(self, name: str, chunk: np.ndarray) -> None:
        chunk = np.ascontiguousarray(chunk)
        if name not in self.shapes:
            self.shapes[name], self.dtypes[name] = [0, *chunk.shape[1:]], chunk.dtype.str
        self.shapes[name][0] += len(chunk)
        if self.memory is None:
            try:
                with open(self.staging / f"{name}.bin", "ab") as handle:
                    handle.write(chunk.tobytes())
                return
            except OSError as err:
                self.shapes[name][0] -= len(chunk)
                self._fall_back(err)
                self.shapes[name][0] += len(chunk)
        self.memory.setdefault(name, []).append(chunk)

    def finish(self, meta: dict) -> tuple[dict[str, np.ndarray], dict]:
        """Publish the entry and read it back memory-mapped. If another process (a second
        worker decoding the same data) published it first, that entry is used and this
        one dropped; a damaged entry in the way is replaced."""
        if self.memory is None:
            try:
                arrays = {name: {"dtype": self.dtypes[name], "shape": self.shapes[name]}
                          for name in self.shapes}
                (self.staging / META).write_text(json.dumps({**meta, "_arrays": arrays}))
                self.staging.chmod(DIR_MODE)
            except OSError as err:
                self._fall_back(err)
        if self.memory is not None:
            return {name: np.concatenate(chunks) for name, chunks in self.memory.items()}, meta
        kind, key = self.final.parent.name, self.final.name
        try:
            self.staging.rename(self.final)
        except OSError:  # the entry exists: published meanwhile, or damaged
            existing = load_entry(kind, key)
            if existing is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                return existing
            shutil.rmtree(self.final, ignore_errors=True)
            self.staging.rename(self.final)
        loaded = load_entry(kind, key)
        if loaded is None:
            raise OSError(f"The cache entry {self.final} could not be read back after writing it.")
        return loaded

    def abort(self) -> None:
        if self.memory is None:
            shutil.rmtree(self.staging, ignore_errors=True)
