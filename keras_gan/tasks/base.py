"""What a task's preview returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Preview:
    """One epoch's preview: the generated images, and the grid's cells in row order."""

    outputs: np.ndarray  # float32 [-1, 1] NHWC, what the generator made
    cells: np.ndarray  # float32 [-1, 1] NHWC, the grid's cells, row by row
    ncols: int
