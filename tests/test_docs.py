"""Every command the README and docs/ show parses with the real CLI, and every relative link
in them points at a file: a renamed or removed command or option fails here, not for a reader.

Commands are read from fenced code blocks (bash, sh, shell, console or no language) and from
inline code spans: each `keras-gan ...`, `python cli.py ...` or `python -m keras_gan ...`
(continuation lines joined, comments after `#` dropped, `&&`, `|` and `;` split; a span
without arguments or with `...` names the command, not a call). Parsing runs click's
make_context on the group and then on the subcommand, so nothing runs; paths that must exist
are only checked to be paths (docs use placeholders such as photo.jpg). A `train` line must
also give only options its --family reads. Under a plugin the docs name (KERAS_GAN_PLUGINS),
a choice takes any name: the plugin adds names the package does not have.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[1]
# docs/results.md links benchmarks/RESULTS.md into the site: a journal of commands as they were
# run on their date, not documentation to keep current
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if not p.is_symlink())]
SHELL_BLOCK = re.compile(r"^(?P<fence>```+|~~~+)[ \t]*(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                         re.M | re.S)
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
SHELL_LANGUAGES = {"", "bash", "sh", "shell", "console"}
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _tokens(line: str) -> list[str]:
    """Shell words of one command line, with `&&`, `||`, `|` and `;` as words of their own
    and anything after an unquoted `#` left out."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


PLUGINS = "KERAS_GAN_PLUGINS"


def _keras_gan_args(words: list[str]) -> tuple[list[str] | None, str | None]:
    """(the arguments after the program, or None where the words do not call keras-gan;
    the KERAS_GAN_PLUGINS=... the line sets before the program, or None)."""
    plugins = None
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):  # VAR=value before it
        name, _, value = words[0].partition("=")
        plugins = value if name == PLUGINS else plugins
        words = words[1:]
    if not words:
        return None, plugins
    program = Path(words[0]).name
    if program == "keras-gan":
        return words[1:], plugins
    if re.fullmatch(r"python(3(\.\d+)?)?", program):
        if words[1:2] == ["cli.py"]:
            return words[2:], plugins
        if words[1:3] == ["-m", "keras_gan"]:
            return words[3:], plugins
    return None, plugins


def _commands_in(text: str) -> list[tuple[int, str, str]]:
    """(line number, command line, plugins) of each keras-gan call in a page's code;
    plugins: the KERAS_GAN_PLUGINS the page exported above the call or the call sets
    ("" for none)."""
    found = []
    for block in SHELL_BLOCK.finditer(text):
        if block["lang"].lower() not in SHELL_LANGUAGES:
            continue
        first = text.count("\n", 0, block.start("body")) + 1
        lines = block["body"].split("\n")
        i = 0
        while i < len(lines):
            start, line = i, lines[i]
            while line.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line.rstrip()[:-1] + " " + lines[i]
            i += 1
            found.append((first + start, line.strip().removeprefix("$ "), False))
    outside = SHELL_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for span in INLINE.finditer(outside):
        found.append((outside.count("\n", 0, span.start()) + 1, span.group(1), True))
    calls, exported = [], ""
    for number, line, inline in sorted(found):
        if not re.search(r"keras-gan|cli\.py|-m keras_gan|" + PLUGINS, line):
            continue
        try:
            words = _tokens(line)
        except ValueError:  # an unclosed quote: not a command line
            continue
        segments = [[]]
        for word in words:
            if word in ("&&", "||", "|", ";"):
                segments.append([])
            else:
                segments[-1].append(word)
        for segment in segments:
            if not inline and segment[:1] == ["export"] and segment[1:2] and \
                    segment[1].startswith(PLUGINS + "="):
                exported = segment[1].partition("=")[2]
                continue
            args, plugins = _keras_gan_args(segment)
            if args is None or inline and (not args or "..." in args):  # prose naming it, a synopsis
                continue
            calls.append((number, shlex.join(args), exported if plugins is None else plugins))
    return calls


def documented_commands() -> list[tuple[str, str, str]]:
    """(page:line, the arguments after the program, plugins) for every page."""
    return [(f"{_relative(page)}:{number}", args, plugins) for page in PAGES
            for number, args, plugins in _commands_in(page.read_text())]


COMMANDS = documented_commands()


@contextlib.contextmanager
def _relaxed(command: click.Command, plugins: str):
    """For this parse: click.Path(exists=True) accepts a path that is not there, and under
    a plugin (KERAS_GAN_PLUGINS) a choice accepts any name, since the plugin adds names to
    the registries the choices list. Plugins are not imported here: they would change the
    registries for every later test in this process."""
    saved = [(p, p.type) for p in command.params]
    for param, kind in saved:
        if isinstance(kind, click.Path) and kind.exists:
            param.type = click.Path(file_okay=kind.file_okay, dir_okay=kind.dir_okay,
                                    path_type=kind.type)
        elif plugins and isinstance(kind, click.Choice):
            param.type = click.STRING
    try:
        yield
    finally:
        for param, kind in saved:
            param.type = kind


def _family_takes():
    """The rule `train` applies: does --family F read option NAME?"""
    from keras_gan.cli.options import takes

    return takes


def parse(args: str, plugins: str = "") -> None:
    """Parse a documented command with the real CLI (click), running nothing; a `train`
    line's options must be ones its family reads (for a family the package registers).
    Raises click's error on a mismatch."""
    from keras_gan.cli.app import cli
    from keras_gan.families import FAMILIES

    with _relaxed(cli, plugins), cli.make_context("keras-gan", shlex.split(args)) as group:
        try:
            rest = [*group._protected_args, *group.args]  # click 8.2 on
        except AttributeError:
            rest = [*group.protected_args, *group.args]
        if not rest:
            return
        name, command, sub_args = cli.resolve_command(group, rest)
        with _relaxed(command, plugins), command.make_context(name, sub_args, parent=group) as ctx:
            family = ctx.params.get("family")
            if name != "train" or family not in FAMILIES.names():
                return
            takes = _family_takes()
            given = [p.name for p in command.params
                     if ctx.get_parameter_source(p.name) == click.core.ParameterSource.COMMANDLINE]
            foreign = ", ".join(f"--{n.replace('_', '-')}" for n in given if not takes(family, n))
            if foreign:
                raise click.UsageError(f"--family {family} does not read {foreign}")


def test_the_docs_show_commands():
    """The reader is not left without examples, and the extractor did not silently stop."""
    pages = {where.split(":")[0] for where, _, _ in COMMANDS}
    assert "README.md" in pages and len(COMMANDS) >= 100, len(COMMANDS)


@pytest.mark.parametrize("where,args,plugins", COMMANDS, ids=[where for where, _, _ in COMMANDS])
def test_documented_command_parses(where, args, plugins, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # relative paths in the docs name nothing here
    try:
        parse(args, plugins)
    except click.exceptions.Exit as done:  # --help, --version
        assert done.exit_code == 0, f"{where}: keras-gan {args}"
    except click.ClickException as err:
        pytest.fail(f"{where}: `keras-gan {args}` does not parse: {err.format_message()}")


@pytest.mark.parametrize("args,plugins,error", [
    ("train --family pix2pix --made-up-option 3", "", "No such option"),
    ("train --family pix2pix --latent-dim 8", "", "does not read"),
    ("train --family pix2pux", "", "is not one of"),
    ("train --family my_family --made-up-option 3", "./my_family.py", "No such option"),
    ("sampel --n 4", "", "No such command"),
    ("export --formats", "", "requires an argument"),
    ("sample --n 0", "", "not in the range"),
])
def test_a_wrong_command_is_caught(args, plugins, error, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(click.ClickException, match=error):
        parse(args, plugins)


def test_the_relaxed_parse_leaves_the_cli_as_it_was(tmp_path, monkeypatch):
    from keras_gan.cli.app import cli

    def types():
        return {(c, p.name): p.type for c, command in cli.commands.items() for p in command.params}

    before = types()
    monkeypatch.chdir(tmp_path)
    parse("translate photo.jpg scans/ --out translated")
    parse("train --family toy --width 4", "docs/examples/toy_family.py")
    assert types() == before
    assert before["translate", "inputs"].exists and isinstance(before["train", "family"], click.Choice)


def test_commands_are_found_in_blocks_spans_continuations_and_under_plugins():
    page = "\n".join([
        "Run `keras-gan list` first; `keras-gan` and `keras-gan ...` are the command.",
        "```bash",
        "keras-gan train --family dcgan \\",
        "    --epochs 3   # three epochs",
        "python3.11 -m venv .venv && .venv/bin/keras-gan sample --n 4",
        "echo done",
        "KERAS_GAN_PLUGINS=toy.py python -m keras_gan train --family toy",
        "export KERAS_GAN_PLUGINS=./mine.py",
        "```",
        "```python",
        "keras-gan = 'not a command'",
        "```",
        "```console",
        "$ python cli.py train --family mine",
        "```",
    ])
    assert _commands_in(page) == [(1, "list", ""), (3, "train --family dcgan --epochs 3", ""),
                                  (5, "sample --n 4", ""), (7, "train --family toy", "toy.py"),
                                  (14, "train --family mine", "./mine.py")]


def _links(page: Path) -> list[str]:
    text = SHELL_BLOCK.sub("", page.read_text())
    text = INLINE.sub("", text)
    return [target for target in LINK.findall(text)
            if not re.match(r"[a-z][a-z0-9+.-]*:|#|/", target)]


@pytest.mark.parametrize("page", PAGES, ids=_relative)
def test_relative_links_point_at_files(page):
    missing = [target for target in _links(page)
               if not (page.parent / target.split("#")[0]).exists()]
    assert not missing, f"{_relative(page)} links to missing files: {missing}"
