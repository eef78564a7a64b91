"""Helper process for the interrupt tests (not a test module).

    python tests/interrupted_run.py EPOCH STEP SIGNAL -- CLI ARGS...

Runs `cli.py CLI ARGS` as a user would, with one extra callback that sends this
process SIGNAL (KILL, INT or TERM) right after step STEP of epoch EPOCH (both 1-based):
a kill at a known point, never a sleep.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


import keras  # noqa: E402


class InterruptAt(keras.callbacks.Callback):
    """Sends this process `signum` right after step `step` of epoch `epoch` (1-based)."""

    def __init__(self, epoch: int, step: int, signum: int):
        super().__init__()
        self.at, self.signum = (epoch, step), signum

    def on_epoch_begin(self, index, logs=None):
        self.epoch, self.step = index + 1, 0

    def on_train_batch_end(self, batch, logs=None):
        step, self.step = self.step, batch + 1  # several steps per call (steps_per_execution)
        if self.epoch == self.at[0] and step < self.at[1] <= self.step:
            os.kill(os.getpid(), self.signum)


def main(epoch: str, step: str, signame: str, *args: str) -> None:
    import keras_gan.cli.app as cli
    from keras_gan.training import run as train

    interrupt = InterruptAt(int(epoch), int(step), getattr(signal, f"SIG{signame}"))
    for name in ("run_training", "resume_training"):
        setattr(cli, name, functools.partial(getattr(train, name), callbacks=[interrupt]))
    cli.cli(list(args))


if __name__ == "__main__":
    separator = sys.argv.index("--")
    main(*sys.argv[1:separator], *sys.argv[separator + 1:])
