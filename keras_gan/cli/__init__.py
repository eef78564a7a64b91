"""The `keras-gan` command (also `python -m keras_gan` and `python cli.py`).

`main` answers --version at once, quiets TensorFlow's start-up before anything imports it,
then loads the plugins (keras_gan.plugins) before the click group is built, so a plugin's
family, network or loss is a valid choice of every option; the click group is
keras_gan.cli.app.cli (also reachable here as `keras_gan.cli.cli`).
"""

from __future__ import annotations

import sys

import click

from keras_gan import __version__
from keras_gan.console import command_name, quiet_start
from keras_gan.plugins import PluginError, load_plugins


def main(argv: list[str] | None = None) -> None:
    """Run the command line with `argv` (default: sys.argv[1:])."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:  # without loading TensorFlow (the group's --version does too)
        print(f"keras-gan {__version__}")
        return
    quiet_start(verbose="--verbose" in args)  # before anything below imports TensorFlow
    _load_plugins()
    from keras_gan.cli.app import cli  # deliberately late: after quiet_start (LAZY in tests/test_families.py)

    cli.main(args=args, prog_name=command_name())  # "Usage: python cli.py train ..." as it was run


def _load_plugins() -> None:
    """KERAS_GAN_PLUGINS and the installed `keras_gan.plugins` entry points; a plugin that
    fails is one paragraph naming it (exit status 1), not a traceback."""
    try:
        load_plugins()
    except PluginError as err:
        click.ClickException(str(err)).show()
        sys.exit(1)


def __getattr__(name: str):
    if name == "cli":
        from keras_gan.cli.app import cli

        return cli
    raise AttributeError(f"module 'keras_gan.cli' has no attribute {name!r}")
