"""The installed AWS CLI v1's own command tables, asked offline (no credentials, no network).

Run with the interpreter of the pip-installed `aws` script (awscli in infra/requirements.txt):
the tables answer as `aws <service> <operation> help` does.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from cfn_templates import REPO
from guide_commands import options

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
    command = None
    for part in operation.split():  # "wait stack-delete-complete": a waiter of the wait command
        if part not in table:
            command = None
            break
        command = table[part]
        table = getattr(command, "subcommand_table", {})
    if command is None:
        out[key] = {"error": "no operation " + operation + " in " + service}
        continue
    out[key] = {"options": sorted(set(command.arg_table) | global_args)}
print(json.dumps(out))
"""


def aws_python() -> str:
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


def aws_parts(argv: tuple[str, ...]) -> tuple[str, str, list[str]]:
    """service, operation, options of an `aws` command (global options may come first)."""
    rest = list(argv[1:])
    while rest and rest[0].startswith("--"):
        name = rest.pop(0).split("=", 1)[0]
        if name in AWS_GLOBAL_WITH_VALUE and "=" not in name and rest:
            rest.pop(0)
    assert len(rest) >= 2, f"no service and operation in: {' '.join(argv)}"
    if rest[1] == "wait" and len(rest) >= 3:
        return rest[0], f"wait {rest[2]}", options(argv)
    return rest[0], rest[1], options(argv)


def aws_env() -> dict[str, str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    env.pop("AWS_PROFILE", None)
    return env


@lru_cache(maxsize=None)
def aws_answers(pairs: tuple[tuple[str, str], ...]) -> dict[str, dict]:
    """'service operation' -> its options (or an error), asked of AWS CLI v1."""
    result = subprocess.run([aws_python(), "-c", _AWS_CHECK], input=json.dumps(pairs), capture_output=True,
                            text=True, env=aws_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)



_AWS_UNPACK = r"""
import json, sys
from awscli.argprocess import unpack_cli_arg
from awscli.clidriver import create_clidriver
service, operation, option, value = json.load(sys.stdin)
table = create_clidriver()._get_command_table()[service]._get_command_table()
print(json.dumps(unpack_cli_arg(table[operation].arg_table[option], [value])))
"""


def unpack(service: str, operation: str, option: str, value: str) -> object:
    """What AWS CLI v1 makes of one argument given to an option, as the API receives it."""
    job = [service, operation, option, value]
    result = subprocess.run([aws_python(), "-c", _AWS_UNPACK], input=json.dumps(job), capture_output=True,
                            text=True, env=aws_env(), timeout=120)
    assert result.returncode == 0, f"aws {service} {operation} --{option}: {result.stderr}"
    return json.loads(result.stdout)
