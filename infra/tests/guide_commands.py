"""The shell commands of the deployment guide, as argument lists.

Reads the ```sh blocks of a Markdown file, joins continued lines (a trailing backslash, or a
quote still open), skips here-document bodies, splits each line into the commands it runs
(`;`, `&&`, `||`, `|`, and the inside of `$(...)` on its own), and drops leading variable
assignments, so that `X=$(aws sts get-caller-identity)` yields the `aws` command.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
_SUBST = re.compile(r"\$\(([^()]*)\)")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_HEREDOC = re.compile(r"<<-?\s*'?\"?([A-Za-z_]+)'?\"?")
_OPERATORS = {";", "&&", "||", "|", "&", "(", ")"}
_REDIRECTS = {">", ">>", "<", "2>", "&>"}


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    source: str  # file:line, for the error message

    def __str__(self) -> str:
        return f"{self.source}: {' '.join(self.argv)}"


def shell_blocks(path: Path) -> list[tuple[int, str]]:
    """(first line number, text) of each ```sh / ```bash block, indentation removed."""
    blocks, current, indent, start = [], None, "", 0
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fence = _FENCE.match(line)
        if current is None:
            if fence and fence.group(2) in ("sh", "bash", "shell"):
                current, indent, start = [], fence.group(1), number + 1
        elif fence and fence.group(2) == "":
            blocks.append((start, "\n".join(current)))
            current = None
        else:
            current.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
    assert current is None, f"{path}: a shell block is not closed"
    return blocks


def _logical_lines(start: int, text: str) -> list[tuple[int, str]]:
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        number, line = start + i, lines[i]
        i += 1
        while True:
            if line.endswith("\\") and i < len(lines):
                line = line[:-1] + " " + lines[i]
                i += 1
                continue
            try:
                shlex.split(line, comments=True)
            except ValueError:  # a quote still open: the string goes on on the next line
                if i >= len(lines):
                    raise AssertionError(f"line {number}: unterminated quote") from None
                line = line + "\n" + lines[i]
                i += 1
                continue
            break
        heredoc = _HEREDOC.search(line)
        if heredoc:  # the body is data, not commands
            end = heredoc.group(1)
            while i < len(lines) and lines[i].strip() != end:
                i += 1
            i += 1
        out.append((number, line))
    return out


def _split(line: str) -> list[list[str]]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands, current = [], []
    for token in lexer:
        if token in _OPERATORS:
            commands.append(current)
            current = []
        else:
            current.append(token)
    commands.append(current)
    out = []
    for argv in commands:
        while argv and _ASSIGNMENT.match(argv[0]):
            argv = argv[1:]
        # Redirections and what they name are not arguments.
        cleaned, skip = [], False
        for token in argv:
            if skip:
                skip = False
            elif token in _REDIRECTS or token.startswith("<<"):
                skip = True
            else:
                cleaned.append(token)
        if cleaned:
            out.append(cleaned)
    return out


def commands(path: Path) -> list[Command]:
    out = []
    for start, text in shell_blocks(path):
        for number, line in _logical_lines(start, text):
            source = f"{path.name}:{number}"
            # Each $(...) runs a command of its own; its place in the line is a word.
            inner = _SUBST.findall(line)
            line = _SUBST.sub("SUBSTITUTED", line)
            for piece in [*inner, line]:
                out.extend(Command(tuple(argv), source) for argv in _split(piece))
    return out


def options(argv: tuple[str, ...]) -> list[str]:
    """The --long options of a command (without a value given as --opt=value)."""
    return [a.split("=", 1)[0] for a in argv if a.startswith("--")]


def heredocs(path: Path) -> list[tuple[str, str]]:
    """(file:line, body) of each here-document of the shell blocks."""
    out = []
    for start, text in shell_blocks(path):
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            m = _HEREDOC.search(lines[i])
            i += 1
            if m:
                body_start = i
                while i < len(lines) and lines[i].strip() != m.group(1):
                    i += 1
                out.append((f"{path.name}:{start + body_start}", "\n".join(lines[body_start:i])))
                i += 1
    return out
