"""A tiny name -> object registry with a helpful error on unknown names.

One registry per kind of thing (families, tasks, networks, losses, datasets, metrics,
export formats); the CLI reads `names()` for its `click.Choice`, so `--help` and errors
list what exists.

FAMILIES, TASKS and METRICS are created here, below every layer that looks a name up in
them: `config` reads a family by the name in config.json (and offers the metrics' names)
and `resolve` a task by the name a family gives, without importing the packages that
define them. Each is filled by its
package (`builtins`), imported on the first lookup, so `import keras_gan.config` loads
no family, and a user's file registers more with `FAMILIES.register("toy", Family(...))`.
"""

from __future__ import annotations

import importlib
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
    """Maps snake_case names to objects of one kind. `builtins`: the module that registers
    the package's own entries, imported before the first lookup (None: registered by the
    module that creates the registry)."""

    def __init__(self, kind: str, builtins: str | None = None):
        self.kind = kind
        self._items: dict[str, T] = {}
        self._builtins = builtins

    def _load(self) -> dict[str, T]:
        if self._builtins is not None:
            module, self._builtins = self._builtins, None  # once, even while it imports
            try:
                importlib.import_module(module)
            except BaseException:
                self._builtins = module  # the next lookup raises the same error, not a short list
                raise
        return self._items

    def register(self, name: str, item: T | None = None):
        """Register `item` under `name`; usable as a decorator when `item` is omitted."""

        def add(obj: T) -> T:
            if name in self._load():
                raise ValueError(f"{self.kind} {name!r} is already registered.")
            self._items[name] = obj
            return obj

        return add(item) if item is not None else add

    def unregister(self, name: str) -> T:
        """Remove `name` (a test's or a plugin's entry) and return what it named."""
        self.get(name)  # an unknown name: the registry's message
        return self._items.pop(name)

    def get(self, name: str) -> T:
        try:
            return self._load()[name]
        except KeyError:
            raise UnknownNameError(
                f"Unknown {self.kind} {name!r}. Expected one of: "
                f"{', '.join(self.names())}. Received: {self.kind}={name!r}."
            ) from None

    __getitem__ = get

    def names(self) -> list[str]:
        return sorted(self._load())

    def __contains__(self, name: object) -> bool:
        return name in self._load()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def items(self) -> list[tuple[str, T]]:
        return [(name, self._load()[name]) for name in self.names()]


# looked up by name from lower layers (config, resolve, evaluation, cards): see the docstring
FAMILIES: Registry = Registry("family", builtins="keras_gan.families")
TASKS: Registry = Registry("task", builtins="keras_gan.tasks")
METRICS: Registry = Registry("metric", builtins="keras_gan.evaluation")  # config's choices
