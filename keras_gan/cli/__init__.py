"""The `keras-gan` command (also `python -m keras_gan` and `python cli.py`).

`main` quiets TensorFlow's start-up before anything imports it; the click group is
keras_gan.cli.app.cli (also reachable here as `keras_gan.cli.cli`).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Run the command line with `argv` (default: sys.argv[1:])."""
    from keras_gan.console import quiet_start

    args = sys.argv[1:] if argv is None else argv
    quiet_start(verbose="--verbose" in args)  # before anything below imports TensorFlow
    from keras_gan.cli.app import cli

    cli.main(args=args, prog_name="keras-gan")


def __getattr__(name: str):
    if name == "cli":
        from keras_gan.cli.app import cli

        return cli
    raise AttributeError(f"module 'keras_gan.cli' has no attribute {name!r}")
