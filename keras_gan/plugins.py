"""Plugins: a family, network, loss, dataset or metric defined outside the package.

A plugin is a Python module that registers what it adds into the public registries
(`keras_gan.FAMILIES`, `keras_gan.NETWORKS`, `keras_gan.LOSSES`, ...) when it is imported.
The `keras-gan` command loads every plugin before it builds its options, so a plugin's
names are valid `--family`, `--loss`, ... values, and a later process (resume, sample,
export of a run trained with it) finds them again. Two places name plugins:

- the environment variable KERAS_GAN_PLUGINS: comma-separated module names (importable
  from sys.path) or paths of .py files, e.g. `KERAS_GAN_PLUGINS=./my_family.py`;
- the entry-point group `keras_gan.plugins` of installed packages, e.g. in a plugin
  package's pyproject.toml: `[project.entry-points."keras_gan.plugins"]` with
  `my_family = "my_package.family"` (a module) or `"my_package:register"` (a function,
  called with no arguments).

In Python, `keras_gan.train` and `keras_gan.load_generator` load the same plugins first
(a run trained with a plugin's family is rebuilt from its folder); `import keras_gan` alone
loads none: import your plugin module, or call `keras_gan.load_plugins()`. Importing this
module imports no TensorFlow.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
import traceback
import types
from pathlib import Path

from keras_gan.errors import ConfigError

ENV = "KERAS_GAN_PLUGINS"
ENTRY_POINTS = "keras_gan.plugins"

_loaded: dict[str, object] = {}  # what each plugin spec loaded, so loading twice is a no-op


class PluginError(ConfigError):
    """A plugin could not be loaded; the message names it and where it was named."""


def plugin_specs(value: str | None = None) -> list[str]:
    """The plugins KERAS_GAN_PLUGINS names (or `value`), in order, blanks dropped."""
    value = os.environ.get(ENV, "") if value is None else value
    return [item.strip() for item in value.split(",") if item.strip()]


def is_path(spec: str) -> bool:
    return spec.endswith(".py") or os.sep in spec or "/" in spec


def load_plugins(specs: list[str] | str | None = None, entry_points: bool = True) -> list[str]:
    """Import every plugin: the installed packages' `keras_gan.plugins` entry points, then
    the modules or .py files in `specs` (default: KERAS_GAN_PLUGINS). Returns the plugins
    loaded by this call; one loaded before is not imported again. A plugin that fails to
    import raises PluginError naming it."""
    if specs is None:
        names, where = plugin_specs(), f"{ENV}={os.environ.get(ENV, '')!r}"
    else:
        names = plugin_specs(specs if isinstance(specs, str) else ",".join(specs))
        where = "keras_gan.load_plugins()"
    loaded = []
    if entry_points:
        for point in importlib.metadata.entry_points(group=ENTRY_POINTS):
            key = f"entry point {point.name} = {point.value}"
            if key not in _loaded:
                _loaded[key] = _call(key, lambda: _from_entry_point(point), where=(
                    f"the {ENTRY_POINTS!r} entry point {point.name!r} of the installed package "
                    f"{getattr(point.dist, 'name', '?')!r}"))
                loaded.append(key)
    for spec in names:
        key = str(Path(spec).expanduser().resolve()) if is_path(spec) else spec
        if key not in _loaded:
            _loaded[key] = _call(spec, lambda: _import(spec), where=where)
            loaded.append(spec)
    return loaded


def _call(name: str, load, where: str):
    try:
        return load()
    except BaseException as err:  # a plugin's SystemExit too: it must not end the command silently
        if isinstance(err, KeyboardInterrupt):
            raise
        detail = f"{type(err).__name__}: {err}".rstrip(": .")
        frames = traceback.extract_tb(err.__traceback__)
        if frames and not isinstance(err, (FileNotFoundError, ModuleNotFoundError)):
            detail += f" (raised at {frames[-1].filename}:{frames[-1].lineno})"
        raise PluginError(
            f"Cannot load the keras-gan plugin {name!r} (named by {where}): {detail}. Fix the "
            f"plugin, or leave it out of {ENV} (or uninstall its package) to run without it."
        ) from err


def _from_entry_point(point):
    target = point.load()
    if callable(target) and not isinstance(target, types.ModuleType):
        target()  # "package:register": a function that registers
    return target


def _import(spec: str) -> types.ModuleType:
    if not is_path(spec):
        try:
            return importlib.import_module(spec)
        except ModuleNotFoundError as err:
            if err.name != spec.split(".")[0]:
                raise  # the plugin itself imports something missing
            raise ModuleNotFoundError(
                f"no module named {spec!r} on sys.path (a module must be installed or on "
                f"PYTHONPATH; a file is named by its path, e.g. ./{spec.replace('.', '/')}.py)",
                name=err.name) from None
    path = Path(spec).expanduser().resolve()
    if not path.is_file() or path.suffix != ".py":
        raise FileNotFoundError(f"expected a module name or the path of a .py file; there is no "
                                f".py file at {path}")
    name = path.stem  # the plugin's own name, as if its folder were on sys.path
    known = sys.modules.get(name)
    if known is not None:
        if Path(getattr(known, "__file__", "") or "").resolve() == path:
            return known
        raise ImportError(f"a module named {name!r} is already imported from "
                          f"{getattr(known, '__file__', None) or 'elsewhere'}; rename the plugin file")
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # pickled or Keras-serialised objects find their module again
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


__all__ = ["ENTRY_POINTS", "ENV", "PluginError", "load_plugins", "plugin_specs"]
