"""make deploy: SAM runs next to the template (so samconfig.toml stays there), and the build
and the deploy cannot disagree on the architecture."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from cfn_templates import INFRA, REPO, SAM_TEMPLATE, load_cfn

sys.path.insert(0, str(INFRA))
from pin_architecture import pin  # noqa: E402


def make_n(*args: str) -> str:
    if not shutil.which("make"):
        pytest.fail("make is not installed")
    # -n prints the commands and runs none; the venv prerequisite is not under test.
    out = subprocess.run(["make", "-n", "-o", ".venv/.installed", *args, "SAM=sam"], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.replace("\\\n", " ")


@pytest.mark.parametrize("arch", ["arm64", "x86_64"])
def test_build_pin_and_deploy_name_one_architecture(arch):
    lines = [re.sub(r"\s+", " ", l) for l in make_n("deploy", f"LAMBDA_ARCH={arch}").splitlines()]
    build = [l for l in lines if " sam build " in f" {l} "]
    deploy = [l for l in lines if " sam deploy " in f" {l} "]
    pinning = [l for l in lines if "pin_architecture.py" in l]
    assert len(build) == len(deploy) == len(pinning) == 1, lines
    assert f"Architecture={arch}" in build[0] and f"Architecture={arch}" in deploy[0]
    assert pinning[0].endswith(f"infra/.aws-sam/build/template.yaml {arch}")
    # Both from infra/: the guided deploy saves infra/samconfig.toml, which no build deletes
    # and which `cd infra && sam deploy ...` reads.
    for line in (build[0], deploy[0]):
        assert line.startswith("cd infra && "), line
    assert "--template-file" not in deploy[0] and "--config-file" not in deploy[0]
    assert "CAPABILITY_AUTO_EXPAND" in deploy[0], "the template nests applications"


def test_pinned_template_accepts_only_the_built_architecture(tmp_path):
    built = tmp_path / "template.yaml"
    shutil.copy(SAM_TEMPLATE, built)
    subprocess.run([sys.executable, str(INFRA / "pin_architecture.py"), str(built), "x86_64"], check=True,
                   capture_output=True)
    pinned = json.loads(built.read_text())  # rewritten as JSON, which YAML readers read too
    original = load_cfn(SAM_TEMPLATE)
    assert pinned["Parameters"]["Architecture"]["AllowedValues"] == ["x86_64"]
    assert pinned["Parameters"]["Architecture"]["Default"] == "x86_64"
    # Nothing else changes.
    pinned["Parameters"]["Architecture"] = original["Parameters"]["Architecture"]
    assert pinned == original


def test_pin_refuses_what_it_cannot_pin():
    template = load_cfn(SAM_TEMPLATE)
    with pytest.raises(SystemExit):
        pin(template, "aarch64")
    with pytest.raises(SystemExit):
        pin({"Parameters": {}}, "arm64")


def test_deploys_take_the_region_and_the_profile():
    """SAM CLI does not read AWS_REGION: `make deploy REGION=... PROFILE=...` names both to SAM, and
    `make deploy-cdk` to the CDK CLI; without them, neither option is written."""
    for target, tool in (("deploy", " sam deploy "), ("deploy-cdk", " cdk deploy ")):
        named = [re.sub(r"\s+", " ", l) for l in make_n(target, "REGION=eu-west-1", "PROFILE=central",
                                                          "ORG_ID=o-abcdef1234").splitlines()]
        (line,) = [l for l in named if tool in f" {l} "]
        assert "--region eu-west-1" in line and "--profile central" in line, line
        plain = [re.sub(r"\s+", " ", l) for l in make_n(target, "ORG_ID=o-abcdef1234").splitlines()]
        (line,) = [l for l in plain if tool in f" {l} "]
        assert "--region" not in line and "--profile" not in line, line


def test_synth_builds_the_code_it_packs():
    """`make synth` packs target/lambda into the template's assets: it builds them first."""
    lines = make_n("synth").splitlines()
    build = [i for i, l in enumerate(lines) if "cargo lambda build" in l]
    synth = [i for i, l in enumerate(lines) if " cdk synth " in f" {l} "]
    assert build and synth and build[0] < synth[0], lines
