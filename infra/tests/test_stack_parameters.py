"""The stacks' parameters: SAM and CDK alike, their patterns, groups and the README's table."""

from __future__ import annotations

from typing import Any

import pytest

from stack_expectations import SAM_PARAMETERS


def test_sam_parameters_and_cdk_parameters(sam, cdk):
    assert SAM_PARAMETERS <= set(sam["Parameters"])
    assert sam["Parameters"]["AutoRemediate"]["Default"] == "false"
    assert sam["Parameters"]["Architecture"]["Default"] == "arm64"
    assert sorted(sam["Parameters"]["Architecture"]["AllowedValues"]) == ["arm64", "x86_64"]
    cdk_params = set(cdk["Parameters"]) - {"BootstrapVersion"}
    assert cdk_params == set(sam["Parameters"])
    for name, spec in sam["Parameters"].items():
        for key in (
            "Type", "Default", "AllowedPattern", "AllowedValues", "MinValue", "MaxValue", "MinLength", "MaxLength",
        ):
            # CloudFormation takes numbers and numeric strings alike: compare as text.
            def text(v: Any) -> Any:
                return [str(x) for x in v] if isinstance(v, list) else str(v)

            assert text(spec.get(key)) == text(cdk["Parameters"][name].get(key)), (name, key)
    assert sam["Parameters"]["Regions"]["Default"] == ""
    assert sam["Parameters"]["SweepConcurrency"]["Default"] == 32
    assert sam["Parameters"]["FanoutThreshold"]["Default"] == 100


REGIONS_OK = ["", "eu-west-1", "us-east-1,eu-central-2,ap-southeast-5", "us-gov-west-1,cn-north-1"]


REGIONS_BAD = ["eu-west-1,", "eu-west-1, us-east-1", "Ireland", "eu-west", "EU-WEST-1"]


@pytest.mark.parametrize("value", REGIONS_OK + REGIONS_BAD)
def test_regions_parameter_pattern(sam, value):
    """The pattern accepts what the functions accept as REGIONS, minus blanks."""
    import re

    pattern = sam["Parameters"]["Regions"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) == (value in REGIONS_OK)


EXEMPTIONS_OK = [
    "",
    "[]",
    '[{"account":"222222222222","expires":"2027-01-31","reason":"QuickSight trial, SEC-123"}]',
    '[{"instance_arn":"arn:aws:sso:::instance/ssoins-1234567890abcdef","expires":"2027-01-31","reason":"SEC-124"}]',
    '[\n  {"account": "222222222222", "expires": "2027-01-31", "reason": "a, b"}\n]',
]
EXEMPTIONS_BAD = ["222222222222", '{"account":"222222222222"}', "none", " []"]


@pytest.mark.parametrize("value", EXEMPTIONS_OK + EXEMPTIONS_BAD)
def test_exemptions_parameter(sam, value):
    """EXEMPTIONS: empty or a JSON list (the functions read its entries); a comma-separated list of
    accounts, the form of ExemptAccounts, is refused by the template already."""
    import re

    spec = sam["Parameters"]["Exemptions"]
    assert spec["Type"] == "String" and spec["Default"] == ""
    assert bool(re.fullmatch(spec["AllowedPattern"], value)) == (value in EXEMPTIONS_OK)


def test_exemptions_fit_the_lambda_environment(sam):
    """A function's environment (every variable's name and value) is limited to 4 KB: EXEMPTIONS
    takes at most 3000 characters, and the description says why and what an entry needs."""
    spec = sam["Parameters"]["Exemptions"]
    assert spec["MaxLength"] == 3000
    for words in ("JSON list", "expires", "instance_arn", "IDC005", "security team", "4 KB"):
        assert words in spec["Description"], words


POLICY_IDS_OK = ["", "p-abcd1234", "p-0123456789abcdefghij"]
POLICY_IDS_BAD = ["p-abc", "P-ABCD1234", "abcd1234", "p-FullAWSAccess", "r-abcd", "p-abcd1234 "]


@pytest.mark.parametrize("value", POLICY_IDS_OK + POLICY_IDS_BAD)
def test_exempt_tag_policy_id_parameter(sam, value):
    import re

    spec = sam["Parameters"]["ExemptTagPolicyId"]
    assert spec["Type"] == "String" and spec["Default"] == ""
    assert bool(re.fullmatch(spec["AllowedPattern"], value)) == (value in POLICY_IDS_OK)
    assert "ExemptTag" in spec["Description"]


@pytest.mark.parametrize("stack", ["sam", "cdk"])
def test_exemption_parameters_reach_every_function(stack, request):
    from cfn_templates import REMEDIATION_FUNCTIONS
    from stack_expectations import function_props

    template = request.getfixturevalue(stack)
    for name in REMEDIATION_FUNCTIONS:
        env = function_props(template, name)["Environment"]["Variables"]
        assert env["EXEMPTIONS"] == {"Ref": "Exemptions"}, name
        assert env["EXEMPT_TAG_POLICY_ID"] == {"Ref": "ExemptTagPolicyId"}, name


def test_sweep_parameters_match_what_the_functions_accept(sam):
    """Defaults and bounds of the sweep parameters are the ones the functions apply (defaults in
    functions/core/src/settings.rs, parsing in functions/lambda/src/env.rs): a value the
    template admits must not fail the functions' cold start."""
    import re

    from cfn_templates import REPO

    settings = (REPO / "functions" / "core" / "src" / "settings.rs").read_text() + (
        REPO / "functions" / "lambda" / "src" / "env.rs"
    ).read_text()
    for var, param in (("SWEEP_CONCURRENCY", "SweepConcurrency"), ("FANOUT_THRESHOLD", "FanoutThreshold")):
        m = re.search(
            rf'number\(\s*"{var}",\s*get\("{var}"\),\s*DEFAULT_{var},\s*([0-9_]+)\.\.=([0-9_]+),?\s*\)',
            settings,
        )
        assert m, f"env.rs no longer reads {var} as number(..): update this test"
        low, high = (int(x.replace("_", "")) for x in m.groups())
        default = re.search(rf"pub const DEFAULT_{var}: usize = ([0-9_]+);", settings)
        assert default, f"DEFAULT_{var} not found in settings.rs"
        spec = sam["Parameters"][param]
        assert spec["Default"] == int(default.group(1).replace("_", "")), param
        assert low <= spec["MinValue"] and spec["MaxValue"] <= high, (param, low, high)
    # The Regions description promises the 17 default Regions built into the code.
    regions = re.search(r"pub const DEFAULT_REGIONS: \[&str; ([0-9]+)\]", settings)
    assert regions and regions.group(1) == "17"
    assert "17 Regions" in sam["Parameters"]["Regions"]["Description"]


def test_every_parameter_is_in_a_parameter_group(sam):
    groups = sam["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    grouped = [p for g in groups for p in g["Parameters"]]
    assert sorted(grouped) == sorted(sam["Parameters"])


def test_readme_documents_every_parameter(sam):
    from cfn_templates import INFRA

    text = (INFRA / "README.md").read_text()
    table = [line for line in text.splitlines() if line.startswith("| `")]
    for name in sam["Parameters"]:
        assert any(f"`{name}`" in line for line in table), f"infra/README.md has no table row for {name}"
