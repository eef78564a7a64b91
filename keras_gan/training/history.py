"""history.csv: one row per epoch, a column per number that was logged.

Columns are `epoch` (0-based, as Keras counts; the console's "Epoch 1/5" is epoch 0) then
every logged value in name order. A cell is empty where nothing was measured that epoch (a
quality metric scored every N epochs), and a column exists only once it holds a number, so
the file loads in pandas or a spreadsheet as it is. Each epoch rewrites the whole file
atomically (it is small), which also tidies files written by keras-gan 0.1 through Keras'
CSVLogger: its `val_*` placeholder columns of "NA" disappear and "nan" cells become empty,
so old run folders resume into the new format.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from keras_gan.io.files import atomic_path

EMPTY = ("", "NA", "nan", "NaN")  # "NA", "nan": keras-gan 0.1 (CSVLogger) placeholders


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """The rows as {column: cell}, placeholders turned into empty cells; [] without a file."""
    path = Path(path)
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return [{key: "" if cell in EMPTY else cell for key, cell in row.items() if key}
                for row in csv.DictReader(handle)]


def write_rows(path: str | Path, rows: list[dict[str, str]]) -> None:
    """Rewrite the file atomically: `epoch` first, then every column with a value, sorted."""
    filled = {key for row in rows for key, cell in row.items() if cell != "" and key != "epoch"}
    columns = ["epoch", *sorted(filled)]
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def cell(value) -> str:
    value = float(value)
    return "" if math.isnan(value) else repr(value)


def _ends(path: Path) -> tuple[list[str], int | None] | None:
    """(header, last row's epoch) of a tidy file that ends with a newline, else None."""
    try:
        with open(path, "rb") as handle:
            header = handle.readline().decode().rstrip("\r\n").split(",")
            handle.seek(max(0, handle.seek(0, 2) - 4096))
            tail = handle.read().decode(errors="replace")
    except OSError:
        return None
    if header[0] != "epoch" or any(h.startswith("val_") for h in header) or not tail.endswith("\n"):
        return None  # no file, keras-gan 0.1's placeholders, or a torn last line: rewrite
    last = tail.rstrip("\r\n").rsplit("\n", 1)[-1].split(",")[0]
    return header, int(last) if last.isdigit() else None


def append_epoch(path: str | Path, epoch: int, logs: dict) -> None:
    """Add (or replace) the row of `epoch` with the numbers in `logs`. The usual case, a new
    epoch with known columns, appends one line; anything else rewrites the file."""
    row = {"epoch": str(epoch), **{key: cell(value) for key, value in logs.items()}}
    ends = _ends(Path(path))
    if ends is not None:
        header, last = ends
        filled = {key for key, value in row.items() if value != ""}
        if filled <= set(header) and (last is None or last < epoch):
            with open(path, "a", newline="") as handle:
                csv.writer(handle).writerow([row.get(key, "") for key in header])
            return
    rows = [old for old in read_rows(path) if old.get("epoch") != str(epoch)]
    write_rows(path, [*rows, row])


def trim_history(path: str | Path, before_epoch: int) -> None:
    """Drop the rows of epochs that a resumed or rolled-back run trains again."""
    if Path(path).exists():
        write_rows(path, [row for row in read_rows(path) if int(row["epoch"]) < before_epoch])


def read_history(path: str | Path) -> dict[str, list[float]]:
    """The columns as lists of floats (NaN in empty cells); columns without a number are
    dropped (files of any keras-gan version)."""
    rows = read_rows(path)
    columns = {}
    for key in rows[0] if rows else []:
        values = [float(row.get(key) or "nan") for row in rows]
        if not all(np.isnan(values)):
            columns[key] = values
    return columns
