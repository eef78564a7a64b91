"""When side work (grids, the loss plot, checkpoints) runs: by time, so it stays a small share
of training however short the epochs are.

On small data sets an epoch is a handful of steps (mnist_5k at batch 256: 19 steps, well under
a second), and per-epoch grids, plots and checkpoints then cost as much as training. StyleGAN
snapshots every N thousand images and diffusers every N steps for the same reason; here:

- `Budget(share)`: work that may run whenever its last run took at most `share` of the time
  since (a 60 ms grid with share 0.01 runs at most every 6 s: every epoch when epochs are
  longer). Always allowed the first time.
- `Interval(seconds)`: work due once `seconds` have passed since it last ran (checkpoints:
  a kill loses at most that much training).
"""

from __future__ import annotations

import time
from contextlib import contextmanager


class Budget:
    def __init__(self, share: float, clock=time.perf_counter):
        self.share = share
        self.clock = clock
        self.last = None  # (when the last run ended, seconds it took)

    def allows(self) -> bool:
        if self.last is None:
            return True
        ended, cost = self.last
        return self.clock() - ended >= cost / self.share

    @contextmanager
    def spend(self):
        """Times the work inside, so the next `allows` waits in proportion."""
        start = self.clock()
        try:
            yield
        finally:
            end = self.clock()
            self.last = (end, end - start)


class Interval:
    def __init__(self, seconds: float, clock=time.perf_counter):
        self.seconds = seconds
        self.clock = clock
        self.since = clock()

    def allows(self) -> bool:
        return self.clock() - self.since >= self.seconds

    def reset(self) -> None:
        self.since = self.clock()
