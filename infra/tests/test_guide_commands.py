"""Every command of the deployment guide exists as written.

- `aws ...`: the operation and each option, asked of the installed AWS CLI v1 (awscli in
  infra/requirements.txt): its command tables answer offline, as `aws <service> <op> help`
  does, without credentials or network.
- `sam ...`: the options of SAM CLI 1.170.0, written out below (aws-sam-cli pins its own
  boto3 and is not installed here); they were read from the click definitions of
  `sam build`, `sam deploy`, `sam delete` and `sam validate` of that release.
- `cdk ...`: asked of the CDK CLI in infra/cdk/node_modules (`cdk <command> --help`).
- `make ...`: the target exists.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from cfn_templates import INFRA, REPO
from guide_commands import Command, commands, heredocs, options, shell_blocks

GUIDES = [INFRA / "README.md", INFRA / "OPERATIONS.md", INFRA / "scp" / "README.md"]
ALL = [c for guide in GUIDES for c in commands(guide)]

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

# Global options of the AWS CLI that take a value (the rest are flags).
AWS_GLOBAL_WITH_VALUE = {"--region", "--profile", "--output", "--query", "--endpoint-url", "--color",
                         "--ca-bundle", "--cli-read-timeout", "--cli-connect-timeout"}

# Asks the AWS CLI's own command tables; run with the interpreter of the `aws` script.
_AWS_CHECK = r"""
import json, sys
from awscli.clidriver import create_clidriver
driver = create_clidriver()
services = driver._get_command_table()
global_args = set(driver._get_argument_table())
out = {}
for service, operation in json.load(sys.stdin):
    key = service + " " + operation
    if service not in services:
        out[key] = {"error": "no service " + service}
        continue
    table = services[service]._get_command_table() if hasattr(services[service], "_get_command_table") else services[service].subcommand_table
    if operation not in table:
        out[key] = {"error": "no operation " + operation + " in " + service}
        continue
    out[key] = {"options": sorted(set(table[operation].arg_table) | global_args)}
print(json.dumps(out))
"""


def _aws_python() -> str:
    """The interpreter of the pip-installed AWS CLI v1: $VENV/bin/aws first, then PATH (a
    wrapper, e.g. a version manager's shim or AWS CLI v2, is passed over)."""
    venv = os.environ.get("VENV", str(REPO / ".venv"))
    for directory in [str(Path(venv) / "bin"), *os.environ.get("PATH", "").split(os.pathsep)]:
        aws = Path(directory) / "aws"
        if not aws.is_file():
            continue
        first = aws.read_text(errors="replace").split("\n", 1)[0]
        interpreter = first[2:].strip().split()[0] if first.startswith("#!") else ""
        if "python" in Path(interpreter).name:
            return interpreter
    pytest.fail("AWS CLI v1 is not installed: pip install -r infra/requirements.txt (awscli)")


def _aws_parts(argv: tuple[str, ...]) -> tuple[str, str, list[str]]:
    """service, operation, options of an `aws` command (global options may come first)."""
    rest = list(argv[1:])
    while rest and rest[0].startswith("--"):
        name = rest.pop(0).split("=", 1)[0]
        if name in AWS_GLOBAL_WITH_VALUE and "=" not in name and rest:
            rest.pop(0)
    assert len(rest) >= 2, f"no service and operation in: {' '.join(argv)}"
    return rest[0], rest[1], options(argv)


@lru_cache(maxsize=1)
def aws_tables() -> dict[str, dict]:
    pairs = sorted({_aws_parts(c.argv)[:2] for c in ALL if c.argv[0] == "aws"})
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    env.pop("AWS_PROFILE", None)
    result = subprocess.run([_aws_python(), "-c", _AWS_CHECK], input=json.dumps(pairs), capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


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
    service, operation, opts = _aws_parts(command.argv)
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
    """The guide's commands run on AWS CLI v1 and v2 alike."""
    for c in AWS:
        assert "--cli-binary-format" not in c.argv, f"{c}: AWS CLI v1 rejects --cli-binary-format"


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
