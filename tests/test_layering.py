"""The import rules of docs/architecture.md, checked on the source (every import statement,
in functions too), so the layers cannot drift back: config reads families through the
registry, a task never names a family, evaluation builds no training callback, and the
library never imports the commands or the CLI on top of it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "keras_gan"

# (files: a module or a folder of the package, forbidden module prefix, why)
RULES = [
    ("config.py", "keras_gan.families", "config looks families up in keras_gan.registry.FAMILIES"),
    ("config.py", "keras_gan.evaluation", "config offers the metrics of keras_gan.registry.METRICS"),
    ("tasks", "keras_gan.families", "a family is built on a task, never the other way"),
    ("evaluation", "keras_gan.training", "training builds the --eval-every callback "
                                         "(keras_gan.training.quality) from an evaluator"),
    *[(layer, above, "the library never imports the commands or the CLI on top of it")
      for layer in ("config.py", "registry.py", "resolve.py", "runs.py", "generator.py", "tasks",
                    "families", "networks", "evaluation", "serving", "cards", "exporters",
                    "training", "data", "io", "text")
      for above in ("keras_gan.commands", "keras_gan.cli")],
]


def imported(path: Path) -> set[str]:
    """Every module an import statement of `path` names (`from a import b`: a and a.b)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def files(where: str) -> list[Path]:
    path = PACKAGE / where
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@pytest.mark.parametrize("where, forbidden, why", RULES, ids=[f"{w}-{f}" for w, f, _ in RULES])
def test_layers_import_only_downwards(where, forbidden, why):
    found = [f"{path.relative_to(PACKAGE.parent)} imports {name}"
             for path in files(where) for name in sorted(imported(path))
             if name == forbidden or name.startswith(forbidden + ".")]
    assert not found, f"{where} must not import {forbidden} ({why}): {found}"


def test_the_scan_sees_imports_inside_functions_and_from_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from keras_gan import families\n    import keras_gan.training.run\n")
    assert {"keras_gan.families", "keras_gan.training.run"} <= imported(source)


def task_names() -> set[str]:
    """The `name = "..."` of every task class in keras_gan/tasks (read from the source)."""
    names = set()
    for path in files("tasks"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (isinstance(item, ast.Assign) and [getattr(t, "id", None) for t in item.targets] == ["name"]
                            and isinstance(item.value, ast.Constant)):
                        names.add(item.value.value)
    return names


# Where a task's name may appear outside keras_gan/tasks as a key or in a comparison, and why
TASK_NAME_USES = {
    "generator.py": "an export written before generator.json: its task guessed from the input's rank",
}


def test_no_rule_outside_the_tasks_is_keyed_by_a_task_name():
    """Every rule of a task lives on its class (docs/architecture.md): no dict keyed by a
    task's name and no `task == "..."` branch anywhere else, so adding a task is its module
    and its registration line."""
    names = task_names()
    assert {"noise_to_image", "image_to_image", "two_way_image_to_image", "super_resolution",
            "text_to_image"} <= names
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(PACKAGE))
        if where.startswith("tasks/") or where in TASK_NAME_USES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = [node.value for node in tree.body if isinstance(node, ast.Assign) and all(
            isinstance(c, ast.Constant) for c in getattr(node.value, "elts", [node.value]))]  # NOISE = "..."
        for node in [*ast.walk(tree), *aliases]:
            keyed = node.keys if isinstance(node, ast.Dict) else \
                [node.left, *node.comparators] if isinstance(node, ast.Compare) else \
                [node] if node in aliases else []
            constants = [c.value for k in keyed if k is not None for c in ast.walk(k)
                         if isinstance(c, ast.Constant)]
            found += [f"{where}:{node.lineno} {value!r}" for value in constants if value in names]
    assert not found, f"task rules outside keras_gan/tasks (move them onto the task class): {found}"
