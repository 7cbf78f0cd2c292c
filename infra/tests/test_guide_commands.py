"""Every command of the deployment guide exists as written.

- `aws ...`: the operation and each option, asked of the installed AWS CLI v1 (awscli in
  infra/requirements.txt): its command tables answer offline, as `aws <service> <op> help`
  does, without credentials or network.
- `sam ...`: the options of SAM CLI 1.170.0, written out below (aws-sam-cli pins its own
  boto3 and is not installed here); they were read from the click definitions of
  `sam build`, `sam deploy`, `sam delete` and `sam validate` of that release.
- `cdk ...`: asked of the CDK CLI in infra/cdk/node_modules (`cdk <command> --help`); each runs
  in infra/cdk, the app's directory, and names its profile and Region.
- `make ...`: the target exists.
- They run on AWS CLI v1 and v2 alike: no option of v2 only, v2's pager off (AWS_PAGER=""), and
  `--call-as DELEGATED_ADMIN` advised only for the operations that take it.

The order of the steps, their variables and quoting: test_guide_steps.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from aws_cli import aws_answers, aws_parts
from cfn_templates import INFRA, REPO
from guide_commands import (
    ALL,
    GUIDES,
    Command,
    commands_of_line,
    heredocs,
    logical_lines,
    options,
    shell_blocks,
    variables_block,
)

README = INFRA / "README.md"

SAM_OPTIONS = {
    "build": """--base-dir --beta-features --build-dir --build-image --build-in-source --cache-dir --cached
        --config-env --config-file --container-env-var --container-env-var-file --debug --docker-network
        --exclude --hook-name --language-extensions --manifest --mount-symlinks --mount-with
        --no-beta-features --no-build-in-source --no-cached --no-language-extensions --no-mount-symlinks
        --no-use-buildkit --no-use-container --output --parallel --parameter-overrides --prepare-infra
        --profile --region --save-params --skip-prepare-infra --skip-pull-image --template --template-file
        --terraform-project-root-path --use-buildkit --use-container""",
    "deploy": """--beta-features --capabilities --config-env --config-file --confirm-changeset --debug
        --disable-rollback --express --fail-on-empty-changeset --force-upload --guided --image-repositories
        --image-repository --kms-key-id --language-extensions --max-wait-duration --metadata
        --no-beta-features --no-confirm-changeset --no-disable-rollback --no-execute-changeset --no-express
        --no-fail-on-empty-changeset --no-language-extensions --no-progressbar --no-resolve-s3
        --notification-arns --on-failure --output --parameter-overrides --profile --region
        --resolve-image-repos --resolve-s3 --role-arn --s3-bucket --s3-prefix --save-params
        --signing-profiles --stack-name --tags --template --template-file --use-json""",
    "delete": """--beta-features --config-env --config-file --debug --express --no-beta-features --no-express --no-prompts
        --profile --region --s3-bucket --s3-prefix --save-params --stack-name""",
    "validate": """--beta-features --config-env --config-file --debug --language-extensions --lint
        --no-beta-features --no-language-extensions --profile --region --save-params --template
        --template-file""",
}
SAM_OPTIONS = {k: set(v.split()) | {"--help"} for k, v in SAM_OPTIONS.items()}



def aws_tables() -> dict[str, dict]:
    """The options of every `aws` operation the guides run."""
    return aws_answers(tuple(sorted({aws_parts(c.argv)[:2] for c in ALL if c.argv[0] == "aws"})))


def _ids(cmds: list[Command]) -> list[str]:
    return [f"{c.source} {' '.join(c.argv[:3])}" for c in cmds]


AWS = [c for c in ALL if c.argv[0] == "aws"]
SAM = [c for c in ALL if c.argv[0] == "sam"]
MAKE = [c for c in ALL if c.argv[0] == "make"]
CDK = [c for c in ALL if c.argv[0] == "npx" and "cdk" in c.argv]


def test_the_guide_has_commands_of_each_kind():
    assert len(AWS) >= 15 and SAM and MAKE and CDK


@pytest.mark.parametrize("command", AWS, ids=_ids(AWS))
def test_aws_command_exists_in_the_aws_cli(command):
    service, operation, opts = aws_parts(command.argv)
    answer = aws_tables()[f"{service} {operation}"]
    assert "error" not in answer, f"{command}: {answer.get('error')}"
    known = {"--" + o for o in answer["options"]}
    unknown = [o for o in opts if o not in known]
    assert not unknown, f"{command}: AWS CLI v1 has no {unknown} for {service} {operation}"


@pytest.mark.parametrize("command", SAM, ids=_ids(SAM))
def test_sam_command_has_these_options(command):
    sub = command.argv[1]
    assert sub in SAM_OPTIONS, f"{command}: sam {sub} is not among the checked commands"
    unknown = [o for o in options(command.argv) if o not in SAM_OPTIONS[sub]]
    assert not unknown, f"{command}: SAM CLI 1.170 has no {unknown} for sam {sub}"


@lru_cache(maxsize=None)
def cdk_options(sub: str) -> set[str]:
    cdk = INFRA / "cdk" / "node_modules" / ".bin" / "cdk"
    if not cdk.exists():
        pytest.fail("infra/cdk/node_modules is missing: npm ci in infra/cdk (infra/test.sh does)")
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true", "CDK_DISABLE_VERSION_CHECK": "true"}
    result = subprocess.run([str(cdk), sub, "--help"], capture_output=True, text=True, cwd=INFRA / "cdk",
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"(?m)^\s+(--[a-z0-9-]+)", result.stdout)) | {"--help"}


@pytest.mark.parametrize("command", CDK, ids=_ids(CDK))
def test_cdk_command_has_these_options(command):
    argv = command.argv[command.argv.index("cdk"):]
    unknown = [o for o in options(argv) if o not in cdk_options(argv[1])]
    assert not unknown, f"{command}: the CDK CLI has no {unknown} for cdk {argv[1]}"


def _make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text() + (INFRA / "make.mk").read_text()
    return set(re.findall(r"(?m)^([a-z][a-z0-9-]*):", text))


@pytest.mark.parametrize("command", MAKE, ids=_ids(MAKE))
def test_make_target_exists(command):
    targets = [a for a in command.argv[1:] if not a.startswith("-") and "=" not in a]
    assert targets and set(targets) <= _make_targets(), command


def test_no_option_only_aws_cli_v2_has():
    """The guide's commands run on AWS CLI v1 and v2 alike: v1 rejects v2's own options (its pager is
    turned off by AWS_PAGER instead, see test_the_variables_block_turns_the_aws_cli_v2_pager_off)."""
    for c in AWS:
        for option in ("--cli-binary-format", "--no-cli-pager", "--cli-auto-prompt"):
            assert option not in options(c.argv), f"{c}: AWS CLI v1 rejects {option}"


def test_no_command_leaves_the_repository_root():
    """The commands name infra/... files from the repository's root: a `cd` runs in a subshell."""
    for guide in GUIDES:
        for start, text in shell_blocks(guide):
            for offset, line in enumerate(text.splitlines()):
                assert not re.match(r"\s*cd\s", line), f"{guide.name}:{start + offset}: use (cd DIR && ...)"


def _json_values(value: object) -> list[object]:
    """A JSON document and the JSON documents in its string values (a policy inside attributes)."""
    out = [value]
    if isinstance(value, dict):
        for v in value.values():
            if isinstance(v, str) and v.lstrip().startswith(("{", "[")):
                out.extend(_json_values(json.loads(v)))
    return out


def test_json_the_guide_passes_is_json():
    """Inline JSON options and here-documents parse (shell variables stand for ARNs)."""
    checked = 0
    for c in AWS:
        for value in c.argv:
            if value.lstrip().startswith("{"):
                try:
                    _json_values(json.loads(value))
                except json.JSONDecodeError as e:
                    pytest.fail(f"{c.source}: not JSON ({e}): {value}")
                checked += 1
    for guide in GUIDES:
        for source, body in heredocs(guide):
            text = re.sub(r"\$[A-Z_]+", "arn:aws:sqs:eu-west-1:222222222222:x", body)
            try:
                docs = _json_values(json.loads(text))
            except json.JSONDecodeError as e:
                pytest.fail(f"{source}: not JSON ({e}): {body}")
            checked += len(docs)
    assert checked >= 4


def test_the_variables_block_turns_the_aws_cli_v2_pager_off():
    """AWS CLI v2 shows long output (every `--output table`) in a pager and waits; v1 rejects
    `--no-cli-pager`, and both accept AWS_PAGER="" (v1 has no pager)."""
    block, names, text = variables_block(README)
    assert any(re.fullmatch(r"""export AWS_PAGER=(""|'')""", line.split(" #")[0].strip())
               for line in text.splitlines()), f"{block}: export AWS_PAGER=\"\""


def _prose(path: Path) -> str:
    """A guide's text outside the fenced blocks, as one line."""
    text = re.sub(r"(?ms)^\s*```.*?^\s*```\s*$", " ", path.read_text())
    return " ".join(text.split())


def test_the_call_as_advice_names_the_operations_that_take_it():
    """A StackSets delegated administrator adds `--call-as DELEGATED_ADMIN` to the StackSet
    operations, each named; not every `cloudformation` command takes it
    (`activate-organizations-access` takes no option and runs in the management account only)."""
    cfn = sorted({aws_parts(c.argv)[1] for c in AWS if aws_parts(c.argv)[0] == "cloudformation"})
    taking = {op for op in cfn if "call-as" in aws_tables()[f"cloudformation {op}"].get("options", [])}
    advice = [a for g in GUIDES for a in re.findall(r"`--call-as DELEGATED_ADMIN` to ([^.;:()]*)", _prose(g))]
    assert advice, "the guide says which commands a delegated administrator adds --call-as to"
    named: set[str] = set()
    for text in advice:
        ops = re.findall(r"`([a-z]+(?:-[a-z]+)+)`", text)
        if not ops or re.search(r"\b(each|every|all)\b", text):
            ops = cfn  # advice for every cloudformation command of the guide
        answers = aws_answers(tuple(("cloudformation", op) for op in sorted(set(ops))))
        wrong = [op for op in ops if "call-as" not in answers[f"cloudformation {op}"].get("options", [])]
        assert not wrong, f"`--call-as` advised for {wrong}, which do not take it (advice: {text!r})"
        named |= set(ops)
    assert taking <= named, f"the advice leaves out {sorted(taking - named)}"


_CDK = re.compile(r"\bnpx\b[^`\n]*?\bcdk\s+[a-z]+")


def test_every_cdk_command_runs_in_the_app_with_a_profile_and_a_region():
    """`npx cdk ...` works only in infra/cdk (its cdk.json names the app) and otherwise acts on the
    default profile: each is a command of a shell block, `(cd infra/cdk && npx ... cdk ...)` or with
    `--app`, and names `--profile` and `--region`."""
    wrong, checked = [], 0
    for guide in GUIDES:
        fenced = False
        for number, line in enumerate(guide.read_text().splitlines(), 1):
            fence = re.match(r"^\s*```(\w*)\s*$", line)
            if fence:
                fenced = bool(fence.group(1)) if not fenced else False
                continue
            for m in _CDK.finditer(line):
                comment = line.lstrip().startswith("#") or " # " in line[:m.start()]
                if not fenced or comment:
                    wrong.append(f"{guide.parent.name}/{guide.name}:{number}: `{m.group(0)}` is not a command "
                                 "of a shell block")
        for source, line, _ in logical_lines(guide):
            if not _CDK.search(line.split(" #")[0]) or line.lstrip().startswith("#"):
                continue
            checked += 1
            in_app = re.search(r"\(cd infra/cdk && [^()]*\bcdk\b", line) or "--app" in line
            argv = [c.argv for c in commands_of_line(line) if "cdk" in c.argv]
            missing = {"--profile", "--region"} - {o for a in argv for o in options(a)}
            if not in_app or missing:
                wrong.append(f"{source}: `{line}` " + ("runs outside infra/cdk " if not in_app else "")
                             + (f"names no {sorted(missing)}" if missing else ""))
    assert not wrong, "\n".join(wrong)
    assert checked >= 2
