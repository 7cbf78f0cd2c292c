"""The guide, followed in order by a user, in bash or zsh.

- Deploys name their Region and profile (SAM CLI does not read AWS_REGION).
- Each step uses only what an earlier step made: node_modules (make infra-node-modules), the
  functions' code in target/lambda (make package), SAM's build and samconfig.toml (make deploy);
  the make targets themselves build what their recipes use.
- Every $VARIABLE is set before it is used, in the deployment guide's block of variables or by an
  earlier command, and no command holds a stand-in to replace by hand (`<worker DLQ arn>`,
  `aws://CENTRAL_ACCOUNT_ID/...`, `r-xxxx`).
- No expansion is split into several arguments (bash splits an unquoted $VAR, zsh does not).
- What the guide reads from the stacks' outputs exists, and dead letters are moved back by commands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from aws_cli import aws_parts, unpack
from cfn_templates import INFRA, REPO
from guide_commands import (
    ALL,
    GUIDES,
    commands_of_line,
    logical_lines,
    options,
    shell_words,
    variables_block,
)

README = INFRA / "README.md"
AWS = [c for c in ALL if c.argv[0] == "aws"]
SHELL_NAMES = {"HOME", "PWD", "PATH", "USER"}
DEPLOY_TARGETS = {"deploy", "deploy-cdk"}


def test_deploys_name_the_region_and_the_profile():
    """SAM CLI does not read AWS_REGION (a guided deploy then offers us-east-1): every deploy and
    delete names its Region and profile, `make` through REGION= and PROFILE=."""
    checked, wrong = 0, []
    for c in ALL:
        if c.argv[0] == "sam" and c.argv[1] in ("deploy", "delete"):
            missing = {"--region", "--profile"} - set(options(c.argv))
        elif c.argv[0] == "make" and DEPLOY_TARGETS & set(c.argv[1:]):
            missing = {"REGION", "PROFILE"} - {a.split("=", 1)[0] for a in c.argv[1:] if "=" in a}
        else:
            continue
        checked += 1
        if missing:
            wrong.append(f"{c}: name {sorted(missing)}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 5


def _make_rules() -> dict[str, tuple[list[str], list[str]]]:
    """target -> (prerequisites, recipe lines), from the root Makefile and infra/make.mk."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    for path in (REPO / "Makefile", INFRA / "make.mk"):
        recipe = None
        for line in path.read_text().splitlines():
            m = re.match(r"^([a-z][a-z0-9-]*)\s*:(?![=:])([^#]*)", line)
            if m:
                prerequisites, recipe = rules.setdefault(m.group(1), ([], []))
                prerequisites.extend(m.group(2).split())
            elif line.startswith("\t") and recipe is not None:
                if recipe and recipe[-1].endswith("\\"):
                    recipe[-1] = recipe[-1][:-1] + " " + line.strip()
                else:
                    recipe.append(line.strip())
            elif line.strip() and not line.startswith((" ", "\t")):
                recipe = None
    return rules


def _makes(text: str) -> set[str]:
    """What a command (or a recipe line) leaves for the next steps."""
    out = set()
    if re.search(r"\bcargo lambda build\b", text):
        out.add("target/lambda (make package)")
    if re.search(r"\bnpm (ci|install)\b", text):
        out.add("infra/cdk/node_modules (make infra-node-modules)")
    if re.search(r"\bsam\)?\s+build\b", text, re.I):
        out.add("infra/.aws-sam/build (make sam-build)")
    if re.search(r"\bsam\)?\s+deploy\b.*--guided", text, re.I):
        out.add("infra/samconfig.toml (make deploy)")
    return out


def _needs(text: str) -> set[str]:
    """What a command (or a recipe line) needs from an earlier step."""
    out = set()
    if re.search(r"\bcdk\s+(synth|deploy|bootstrap|diff|destroy|list|ls)\b", text):
        # The app is compiled by the CDK CLI of node_modules and packs the code of target/lambda.
        out |= {"infra/cdk/node_modules (make infra-node-modules)", "target/lambda (make package)"}
    sam = re.search(r"\bsam\)?\s+(deploy|delete)\b", text, re.I)
    if sam and "--guided" not in text and "--stack-name" not in text:
        out.add("infra/samconfig.toml (make deploy)")
    if sam and sam.group(1) == "deploy":
        out.add("infra/.aws-sam/build (make sam-build)")
    return out


def _closure(target: str, rules: dict[str, tuple[list[str], list[str]]]) -> list[str]:
    """The targets `make target` runs, prerequisites first."""
    out: list[str] = []

    def visit(t: str) -> None:
        if t in rules and t not in out:
            for p in rules[t][0]:
                visit(p)
            out.append(t)

    visit(target)
    return out


def test_make_targets_build_what_their_recipes_use():
    """`make synth` and `make deploy-cdk` synthesize the app from target/lambda: their prerequisites
    build it (and install node_modules), as `make deploy`'s builds before SAM deploys."""
    rules = _make_rules()
    for target in ("synth", "deploy", "deploy-cdk"):
        made: set[str] = set()
        for t in _closure(target, rules):
            for line in rules[t][1]:
                missing = _needs(line) - made - _makes(line)
                assert not missing, f"make {target}: `{t}` runs `{line}`, which needs {sorted(missing)} first"
                made |= _makes(line)


def _guide_lines() -> list[tuple[Path, str, str, str | None]]:
    """(guide, file:line, line, here-document body) of every shell block, the deployment guide first:
    the other guides are read once it is done."""
    return [(g, *entry) for g in GUIDES for entry in logical_lines(g)]


def test_each_step_uses_only_what_an_earlier_step_made():
    rules = _make_rules()
    made: set[str] = set()
    for guide, source, line, _ in _guide_lines():
        for command in commands_of_line(line):
            argv, text = command.argv, " ".join(command.argv)
            if argv[0] == "make":
                for target in [a for a in argv[1:] if not a.startswith("-") and "=" not in a]:
                    for t in _closure(target, rules):
                        for recipe in rules[t][1]:
                            made |= _makes(recipe)
                continue
            missing = _needs(text) - made
            assert not missing, f"{source}: `{text}` needs {sorted(missing)} from an earlier step"
            made |= _makes(text)


def _assigned_anywhere() -> set[str]:
    return {w.assigns for _, _, line, _ in _guide_lines() for w in shell_words(line) if w.assigns}


def test_every_variable_is_set_before_it_is_used():
    """In the guide's block of variables, or by an earlier command; the other guides may use the
    deployment guide's."""
    defined = set(SHELL_NAMES)
    block, names, _ = variables_block(README)
    assert names, block
    defined |= set(names)
    for guide, source, line, body in _guide_lines():
        words = shell_words(line)
        used = {n for w in words for n in w.used}
        if body is not None and not re.search(r"<<-?\s*['\"]", line):
            used |= {m.group(1) or m.group(2) for m in re.finditer(r"\$(?:\{(\w+)[^}]*\}|([A-Za-z_]\w*))", body)}
        missing = used - defined
        assert not missing, f"{source}: {sorted(missing)} is not set (add it to {block}, or set it earlier)"
        defined |= {w.assigns for w in words if w.assigns}


_ACCOUNT_OK = re.compile(r"^(\d{12}|\*|\$\{?[A-Za-z_]\w*\}?|)$")


def _placeholders(text: str, variables: set[str]) -> list[str]:
    """The stand-ins a user would have to replace by hand in a command's text."""
    found = re.findall(r"<[A-Za-z][^<>\n]*[A-Za-z0-9]>", text)
    found += re.findall(r"\b[a-z]{1,2}-x{4,}\b", text)
    for m in re.finditer(r"arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:([^:\s\"']*):", text):
        if not _ACCOUNT_OK.match(m.group(1)):
            found.append(m.group(0))
    for m in re.finditer(r"aws://([^/\s\"']+)/", text):
        if not re.match(r"^(\d{12}|\$\{?[A-Za-z_]\w*\}?)$", m.group(1)):
            found.append(m.group(0))
    for m in re.finditer(r"(?<![\w${])([A-Z][A-Z0-9_]*[A-Z0-9])\b(?!=)", text):
        if m.group(1) in variables or re.search(r"_(ID|ARN|ACCOUNT)$", m.group(1)):
            found.append(m.group(1))
    return found


def test_no_command_holds_a_placeholder():
    """Whatever a command needs is a shell variable the guide sets (`<worker DLQ arn>`,
    `aws://CENTRAL_ACCOUNT_ID/...`, `arn:aws:iam::CENTRAL:root`, `r-xxxx` are not); only the
    variables' own values may be examples to replace."""
    variables, wrong = _assigned_anywhere(), []
    for _, source, line, body in _guide_lines():
        words = [w for w in shell_words(line) if not w.assigns]
        text = " ".join(w.text for w in words if not w.operator)
        code = re.sub(r"<<-?\s*['\"]?\w+['\"]?", "", line.split(" #", 1)[0])
        found = _placeholders(text, variables) + re.findall(r"<[A-Za-z][^<>\n]*[A-Za-z0-9]>", code)
        found += _placeholders(body or "", variables)
        if found:
            wrong.append(f"{source}: placeholders {found} in `{line}`")
    assert not wrong, "\n".join(wrong)


def test_no_expansion_is_split_into_several_arguments():
    """An unquoted $VAR is several arguments in bash and one in zsh (`--regions $REGIONS`): every
    expansion in an argument is quoted, a list given as one JSON argument."""
    wrong = [
        f"{source}: {w.text} is split into words by bash (quote it)"
        for _, source, line, _ in _guide_lines() for w in shell_words(line) if w.unquoted
    ]
    assert not wrong, "\n".join(wrong)


def test_a_list_in_a_variable_is_json_the_aws_cli_reads_as_a_list():
    """`REGIONS=$(aws ... --output json)` and `--regions "$REGIONS"`: one argument in every shell,
    which the AWS CLI (v1 and v2 alike) reads as a JSON list."""
    json_vars = {
        w.assigns for _, _, line, _ in _guide_lines() for w in shell_words(line)
        if w.assigns and "--output json" in w.text
    }
    checked = 0
    sample = ["us-east-1", "eu-west-1", "ap-southeast-2"]
    for c in AWS:
        for option, value in zip(c.argv, c.argv[1:]):
            name = value[1:] if value.startswith("$") else None
            if option.startswith("--") and name in json_vars:
                service, operation, _ = aws_parts(c.argv)
                value = unpack(service, operation, option[2:], json.dumps(sample, indent=4))
                assert value == sample, f"{c}: {option} is not read as a list"
                checked += 1
    assert checked >= 1, "the member StackSet's Regions are passed as a JSON list"


def _assignment_line(name: str) -> str | None:
    lines = [line for _, _, line, _ in _guide_lines() if any(w.assigns == name for w in shell_words(line))]
    return lines[0] if lines else None


def test_the_outputs_the_guide_reads_exist(sam, cdk):
    keys = {k for _, _, line, _ in _guide_lines() for k in re.findall(r"OutputKey=='(\w+)'", line)}
    assert keys
    for key in sorted(keys):
        assert key in sam["Outputs"] and key in cdk["Outputs"], f"the stacks have no output {key}"


def test_a_dead_letter_redrive_is_given_as_commands(sam):
    """The guide says how to move dead letters back: `start-message-move-task --source-arn "$VAR"`,
    VAR read from the stack's outputs (`...DeadLetterQueueArn`), not `<worker DLQ arn>`."""
    moves = [c for c in AWS if aws_parts(c.argv)[:2] == ("sqs", "start-message-move-task")]
    assert moves, "no shell block runs `aws sqs start-message-move-task` (the redrive of dead letters)"
    for c in moves:
        arn = c.argv[c.argv.index("--source-arn") + 1]
        assert arn.startswith("$"), f"{c}: --source-arn is not a variable"
        line = _assignment_line(arn.lstrip("${").rstrip("}"))
        key = re.search(r"OutputKey=='(\w+DeadLetterQueueArn)'", line or "")
        assert key and key.group(1) in sam["Outputs"], f"{c}: {arn} is not read from a dead-letter queue output"
