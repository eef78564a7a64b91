"""The user cache: ~/.cache/keras-gan, or $KERAS_GAN_CACHE.

Holds what is slow to make and cheap to make again: decoded, resized image
folders (data/) and the domain-score classifiers (domain/). Entries are keyed by
a hash of everything they depend on and written atomically, so a stale or
half-written entry is never read; deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

CACHE_ENV = "KERAS_GAN_CACHE"


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV, "~/.cache/keras-gan")).expanduser()


def digest(*parts) -> str:
    """A short stable hash of strings, bytes and JSON-able values."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()[:20]


def load_arrays(kind: str, key: str) -> tuple[dict, dict] | None:
    """(arrays, metadata) of a cache entry, or None if absent or unreadable."""
    path = cache_root() / kind / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as entry:  # never unpickle a file
            arrays = {name: entry[name] for name in entry.files if name != "_meta"}
            return arrays, json.loads(str(entry["_meta"]))
    except Exception as err:  # noqa: BLE001  a damaged entry is rebuilt, never fatal
        log.warning("Cache entry %s is unreadable (%s); rebuilding it.", path, err)
        return None


def save_arrays(kind: str, key: str, arrays: dict, meta: dict) -> Path | None:
    """Write an entry atomically; a full or read-only disk only costs the cache (logged)."""
    from keras_gan.fileio import atomic_path

    path = cache_root() / kind / f"{key}.npz"
    try:
        with atomic_path(path) as tmp:  # the temporary name keeps .npz, so numpy adds nothing
            np.savez(tmp, _meta=np.array(json.dumps(meta)), **arrays)
        return path
    except OSError as err:
        log.warning("Could not write cache entry %s (%s); continuing without it.", path, err)
        return None
