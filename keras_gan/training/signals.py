"""Stop signals: Ctrl-C (SIGINT) and SIGTERM (Slurm and Kubernetes preemption, `timeout`,
`docker stop`) are handled alike.

Training records the first one and stops after the current step with a checkpoint
(keras_gan.training.callbacks.StopOnInterrupt); everywhere else SIGTERM raises `Terminated`, as
Ctrl-C raises KeyboardInterrupt, so the cleanup of half-written files runs (atomic writes,
export's staging folder) before the process exits with 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import signal
import threading

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(BaseException):
    """SIGTERM arrived outside training; like KeyboardInterrupt, not an Exception, so
    `except Exception` handlers let it through to the cleanup and the exit code."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(f"stopped by {describe(signum)}")
        self.signum = signum


def describe(signum: int) -> str:
    """How a user knows the signal: "Ctrl-C" or "SIGTERM"."""
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


def exit_code(signum: int) -> int:
    """The shell's code for a process ended by `signum`: 130 for Ctrl-C, 143 for SIGTERM."""
    return 128 + int(signum)


def _raise_terminated(signum, frame):
    raise Terminated(signum)


@contextlib.contextmanager
def terminate_raises():
    """Within the block SIGTERM raises Terminated (in the main thread; elsewhere Python
    cannot install handlers and SIGTERM keeps its default)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, restorable(previous))


def restorable(handler):
    """A handler `signal.signal` returned, as it can be given back (None: one set outside
    Python, which cannot be restored; the default stands in)."""
    return signal.SIG_DFL if handler is None else handler
