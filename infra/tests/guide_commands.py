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


def _label(path: Path) -> str:
    """infra/README.md, scp/README.md, infra/OPERATIONS.md: the guide a line is in."""
    return f"{path.parent.name}/{path.name}"


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


def _logical_lines(start: int, text: str) -> list[tuple[int, str, str | None]]:
    """(line number, line, here-document body or None) of each logical line of a block."""
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
        heredoc, body = _HEREDOC.search(line), None
        if heredoc:  # the body is data, not commands
            end, first = heredoc.group(1), i
            while i < len(lines) and lines[i].strip() != end:
                i += 1
            body = "\n".join(lines[first:i])
            i += 1
        out.append((number, line, body))
    return out


def logical_lines(path: Path) -> list[tuple[str, str, str | None]]:
    """(file:line, line, here-document body or None) of every shell block, in order."""
    return [
        (f"{_label(path)}:{number}", line, body)
        for start, text in shell_blocks(path)
        for number, line, body in _logical_lines(start, text)
    ]


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
        if argv[:1] == ["xargs"]:  # xargs runs the command that follows, with more arguments
            argv = argv[1:]
            while argv and argv[0].startswith("-"):
                argv = argv[2:] if argv[0] in ("-n", "-L", "-I", "-P", "-d") else argv[1:]
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
        for number, line, _ in _logical_lines(start, text):
            source = f"{_label(path)}:{number}"
            # Each $(...) runs a command of its own; its place in the line is a word.
            inner = _SUBST.findall(line)
            line = _SUBST.sub("SUBSTITUTED", line)
            for piece in [*inner, line]:
                out.extend(Command(tuple(argv), source) for argv in _split(piece))
    return out


def commands_of_line(line: str) -> list[Command]:
    """The commands of one logical line, those of its $(...) first."""
    pieces = [*_SUBST.findall(line), _SUBST.sub("SUBSTITUTED", line)]
    return [Command(tuple(argv), "") for piece in pieces for argv in _split(piece)]


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
                out.append((f"{_label(path)}:{start + body_start}", "\n".join(lines[body_start:i])))
                i += 1
    return out


def inline_commands(path: Path) -> list[Command]:
    """The commands the prose gives to run, in a subshell: `(cd infra && sam delete --region ...)`
    (an elided one, with `...`, only refers to commands of the shell blocks)."""
    out = []
    for source, span in inline_code(path):
        if span.startswith("(cd ") and span.endswith(")") and "..." not in span:
            out.extend(Command(tuple(argv), source) for argv in _split(span))
    return out


def inline_code(path: Path) -> list[tuple[str, str]]:
    """(file:line, text) of each `inline code` span outside the fenced blocks."""
    out, fenced, prose = [], False, []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
            prose.append((number, ""))
        else:
            prose.append((number, "" if fenced else line))
    text = "\n".join(line for _, line in prose)
    for m in re.finditer(r"`([^`]+)`", text):
        number = prose[text.count("\n", 0, m.start())][0]
        out.append((f"{_label(path)}:{number}", " ".join(m.group(1).split())))
    return out


# --------------------------------------------------------------------- words of a shell line

_EXPANSION = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))")
_DECLARATIONS = {"export", "local", "declare", "readonly", "typeset"}


@dataclass(frozen=True)
class Word:
    text: str  # as written, quotes included
    used: tuple[str, ...]  # the $NAMEs it expands
    unquoted: tuple[str, ...]  # those expanded outside double quotes ("$(" for a substitution)
    assigns: str | None  # NAME, when the word is an assignment (NAME=...) the shell makes
    operator: bool = False  # ; && || | ( ) < > <<
    level: int = 0  # 0 in the line itself, 1 inside a $(...) of it, ...


def _closing(line: str, i: int) -> int:
    """The index of the parenthesis closing the one at i (quotes respected)."""
    depth, quote = 0, None
    while i < len(line):
        c = line[i]
        if quote:
            if c == quote:
                quote = None
            elif c == "\\" and quote == '"':
                i += 1
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise AssertionError(f"no closing parenthesis: {line}")


def shell_words(line: str, level: int = 0) -> list[Word]:
    """The words of a logical line as bash and zsh read them, and those of each $(...) in it.

    An expansion outside double quotes in an argument is split into several arguments by bash
    (and, for $(...), by zsh), never by zsh for $NAME: such a word means two things. In an
    assignment (at the start of a command, or after export) neither shell splits."""
    words: list[Word] = []
    inner: list[str] = []
    text: list[str] = []
    used: list[str] = []
    unquoted: list[str] = []
    state = {"command": True, "declaring": False}

    def finish() -> None:
        if not text:
            return
        raw = "".join(text)
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=", raw)
        assigns = m.group(1) if m and (state["command"] or state["declaring"]) else None
        words.append(Word(raw, tuple(used), () if assigns else tuple(unquoted), assigns, level=level))
        if assigns is None:
            state["declaring"] = state["command"] and raw in _DECLARATIONS
            state["command"] = False
        text.clear(), used.clear(), unquoted.clear()

    i, quote = 0, None
    while i < len(line):
        c = line[i]
        if quote == "'":
            text.append(c)
            quote = None if c == "'" else quote
            i += 1
        elif c == "\\" and i + 1 < len(line):
            text.append(line[i:i + 2])
            i += 2
        elif line.startswith("$(", i) and not line.startswith("$((", i):
            j = _closing(line, i + 1)
            inner.append(line[i + 2:j])
            text.append(line[i:j + 1])
            if quote is None:
                unquoted.append("$(")
            i = j + 1
        elif c == "$" and _EXPANSION.match(line, i):
            m = _EXPANSION.match(line, i)
            name = m.group(1) or m.group(2)
            used.append(name)
            if quote is None:
                unquoted.append(name)
            text.append(m.group(0))
            i = m.end()
        elif quote == '"':
            text.append(c)
            quote = None if c == '"' else quote
            i += 1
        elif c in "'\"":
            quote = c
            text.append(c)
            i += 1
        elif c.isspace():
            finish()
            i += 1
        elif c == "#" and not text:
            break  # a comment
        elif c in ";&|()<>":
            finish()
            op = re.match(r"&&|\|\||<<-?|>>|2>|&>|[;&|()<>]", line[i:]).group(0)
            words.append(Word(op, (), (), None, operator=True, level=level))
            if op in {";", "&&", "||", "|", "&", "(", ")"}:
                state.update(command=True, declaring=False)
            i += len(op)
        else:
            text.append(c)
            i += 1
    finish()
    for piece in inner:
        words.extend(shell_words(piece, level + 1))
    return words


def variables_block(path: Path) -> tuple[str, list[str], str]:
    """The guide's block of shell variables, its first block that only assigns: file:line, the
    names it sets, its text."""
    for start, text in shell_blocks(path):
        lines = _logical_lines(start, text)
        names, only_assignments = [], True
        for _, line, _ in lines:
            words = [w for w in shell_words(line) if not w.operator and w.level == 0]
            if any(not (w.assigns or w.text in _DECLARATIONS) for w in words):
                only_assignments = False
            names += [w.assigns for w in words if w.assigns]
        if only_assignments and names:
            return f"{_label(path)}:{start}", names, text
    raise AssertionError(f"{_label(path)}: no block of shell variables")


# --------------------------------------------------------------------- this repository's guides

INFRA = Path(__file__).resolve().parents[1]
# The deployment guide first: the others are read once it is done.
GUIDES = [INFRA / "README.md", INFRA / "OPERATIONS.md", INFRA / "scp" / "README.md"]
# The shell blocks' commands, and those the prose gives to run in a subshell: `(cd infra && ...)`.
ALL = [c for guide in GUIDES for c in commands(guide) + inline_commands(guide)]
