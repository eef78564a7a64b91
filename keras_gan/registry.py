"""A tiny name -> object registry with a helpful error on unknown names.

One registry per kind of thing (architectures, losses, datasets); the CLI reads
`names()` for its `click.Choice`, so `--help` and errors list what exists.
"""

from __future__ import annotations

from typing import Generic, Iterator, TypeVar

from keras_gan.errors import ConfigError

T = TypeVar("T")


class UnknownNameError(KeyError, ConfigError):
    """Raised for a name that is not registered; the message lists the choices. A
    ConfigError, so a hand-edited config.json naming an unknown loss gets the CLI's
    one-paragraph message, not a traceback."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class Registry(Generic[T]):
    """Maps snake_case names to objects of one kind."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T | None = None):
        """Register `item` under `name`; usable as a decorator when `item` is omitted."""

        def add(obj: T) -> T:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} is already registered.")
            self._items[name] = obj
            return obj

        return add(item) if item is not None else add

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(
                f"Unknown {self.kind} {name!r}. Expected one of: "
                f"{', '.join(self.names())}. Received: {self.kind}={name!r}."
            ) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def items(self) -> list[tuple[str, T]]:
        return [(name, self._items[name]) for name in self.names()]

