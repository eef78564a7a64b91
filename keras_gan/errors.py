"""The error every user mistake raises. Imports nothing, so any module can use it.

The CLI turns a ConfigError into a one-paragraph message without a traceback;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A user-supplied value is out of its domain; the message names it."""


def invalid(name: str, expected: str, received) -> ConfigError:
    """`Invalid NAME: expected EXPECTED. Received: NAME=RECEIVED.`, Keras' wording."""
    return ConfigError(f"Invalid {name}: expected {expected}. Received: {name}={received!r}.")
