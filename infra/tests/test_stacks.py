"""The SAM template, the synthesized CDK stack and the member StackSet template:
least-privilege IAM, encryption, dead letters, and SAM/CDK parity."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from cfn_templates import (
    FUNCTIONS,
    allowed_actions,
    as_list,
    function_role_id,
    functions,
    normalized_statements,
    render,
    resources,
    role_policy_documents,
    statements,
)

# Exactly these, nothing more: what the functions need (assume the member role,
# publish findings, read the organization) plus their own dead letters and logs.
FUNCTION_ACTIONS = {
    "sts:AssumeRole",
    "sns:Publish",
    "kms:GenerateDataKey",
    "kms:Decrypt",
    "organizations:DescribeOrganization",
    "organizations:ListDelegatedAdministrators",
    "organizations:DescribeAccount",
    "organizations:ListAccounts",
    "sqs:SendMessage",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
}

REMEDIATION_ACTIONS = {
    "sso:ListInstances",
    "sso:DescribeInstance",
    "sso:DeleteInstance",
    "sso:ListApplications",
    "sso:ListTagsForResource",
    "identitystore:DeleteIdentityStore",
}

ENV_VARS = {
    "TOPIC_ARN",
    "AUTO_REMEDIATE",
    "DRY_RUN",
    "EXEMPT_ACCOUNTS",
    "EXEMPT_TAG",
    "TRIAL_DAYS",
    "FORCE_DELETE_IN_USE",
    "MEMBER_ROLE_NAME",
    "MANAGEMENT_ACCOUNT_ID",
    "RUST_LOG",
}

SAM_PARAMETERS = {
    "AutoRemediate",
    "DryRun",
    "ExemptAccounts",
    "ExemptTag",
    "TrialDays",
    "MemberRoleName",
    "OrganizationId",
    "AlertEmail",
    "Architecture",
}


def function_props(template: dict[str, Any], name: str) -> dict[str, Any]:
    return resources(template)[functions(template)[name]]["Properties"]


def function_docs(template: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return role_policy_documents(template, function_role_id(template, functions(template)[name]))


STACKS = ["sam", "cdk"]


@pytest.mark.parametrize("stack", STACKS)
def test_both_functions_exist(stack, request):
    assert set(functions(request.getfixturevalue(stack))) == set(FUNCTIONS)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_iam_actions_are_exactly_the_listed_ones(stack, name, request):
    template = request.getfixturevalue(stack)
    docs = function_docs(template, name)
    assert allowed_actions(docs) == FUNCTION_ACTIONS
    for s in statements(docs):
        assert "*" not in str(s["Action"]), f"wildcard action in {s}"


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_assume_role_only_member_role_inside_the_org(stack, name, request):
    template = request.getfixturevalue(stack)
    st = normalized_statements(function_docs(template, name), template)
    assume = [s for s in st.values() if "sts:AssumeRole" in s["Action"]]
    assert len(assume) == 1
    assert assume[0]["Action"] == ["sts:AssumeRole"]
    assert assume[0]["Resource"] == ["arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"]
    assert assume[0]["Condition"] == {"StringEquals": {"aws:ResourceOrgID": ["${OrganizationId}"]}}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_publish_only_to_the_topic_and_key(stack, name, request):
    template = request.getfixturevalue(stack)
    st = normalized_statements(function_docs(template, name), template)
    for s in st.values():
        if "sns:Publish" in s["Action"]:
            assert s["Resource"] == ["${AWS::SNS::Topic}"]
        if any(a.startswith("kms:") for a in s["Action"]):
            assert s["Resource"] == ["${AWS::KMS::Key.Arn}"]
        if s["Resource"] == ["*"]:
            assert all(a.startswith("organizations:List") or a == "organizations:DescribeOrganization"
                       for a in s["Action"]), s


@pytest.mark.parametrize("name", FUNCTIONS)
def test_sam_and_cdk_function_policies_are_identical(sam, cdk, name):
    assert normalized_statements(function_docs(sam, name), sam) == normalized_statements(
        function_docs(cdk, name), cdk
    )


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_settings(stack, name, request):
    template = request.getfixturevalue(stack)
    props = function_props(template, name)
    assert props["Runtime"] == "provided.al2023"
    assert props["Handler"] == "bootstrap"
    assert render(props["Architectures"], template) == ["${Architecture}"]
    assert set(props["Environment"]["Variables"]) == ENV_VARS
    assert "TargetArn" in (props.get("DeadLetterQueue") or props.get("DeadLetterConfig"))
    assert props["LoggingConfig"]["LogGroup"]


def test_sam_and_cdk_function_settings_match(sam, cdk):
    keys = ("Runtime", "Handler", "MemorySize", "Timeout", "Architectures", "Environment", "Description")
    for name in FUNCTIONS:
        s, c = function_props(sam, name), function_props(cdk, name)
        for key in keys:
            assert render(s[key], sam) == render(c[key], cdk), (name, key)
    # Asynchronous invocation retries: SAM's EventInvokeConfig, CDK's resource.
    cdk_invoke = [r["Properties"] for r in resources(cdk, "AWS::Lambda::EventInvokeConfig").values()]
    assert len(cdk_invoke) == len(FUNCTIONS)
    for name in FUNCTIONS:
        sam_cfg = function_props(sam, name)["EventInvokeConfig"]
        for cfg in cdk_invoke:
            assert cfg["MaximumRetryAttempts"] == sam_cfg["MaximumRetryAttempts"]
            assert cfg["MaximumEventAgeInSeconds"] == sam_cfg["MaximumEventAgeInSeconds"]


def test_sam_parameters_and_cdk_parameters(sam, cdk):
    assert SAM_PARAMETERS <= set(sam["Parameters"])
    assert sam["Parameters"]["AutoRemediate"]["Default"] == "false"
    assert sam["Parameters"]["Architecture"]["Default"] == "arm64"
    assert sorted(sam["Parameters"]["Architecture"]["AllowedValues"]) == ["arm64", "x86_64"]
    cdk_params = set(cdk["Parameters"]) - {"BootstrapVersion"}
    assert cdk_params == set(sam["Parameters"])
    for name, spec in sam["Parameters"].items():
        assert str(spec.get("Default")) == str(cdk["Parameters"][name].get("Default")), name


def test_same_outputs(sam, cdk):
    assert set(sam["Outputs"]) == set(cdk["Outputs"])
    assert {"EventBusArn", "FindingsTopicArn", "FunctionRoleArns"} <= set(sam["Outputs"])


def _types(template: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for res in template["Resources"].values():
        rtype = res["Type"]
        if rtype == "AWS::CDK::Metadata":
            continue
        if rtype == "AWS::Serverless::Function":
            counts["AWS::Lambda::Function"] += 1
            if "EventInvokeConfig" in res["Properties"]:
                counts["AWS::Lambda::EventInvokeConfig"] += 1
            continue
        counts[rtype] += 1
    return counts


def test_same_resources(sam, cdk):
    assert _types(sam) == _types(cdk)


@pytest.mark.parametrize("stack", STACKS)
def test_encryption_on_topic_queues_and_logs(stack, request):
    template = request.getfixturevalue(stack)
    keys = resources(template, "AWS::KMS::Key")
    assert len(keys) == 1
    (key,) = keys.values()
    assert key["Properties"]["EnableKeyRotation"] is True
    for topic in resources(template, "AWS::SNS::Topic").values():
        assert render(topic["Properties"]["KmsMasterKeyId"], template) == "${AWS::KMS::Key.Arn}"
    queues = resources(template, "AWS::SQS::Queue")
    assert len(queues) == len(FUNCTIONS) + 1
    for queue in queues.values():
        assert render(queue["Properties"]["KmsMasterKeyId"], template) == "${AWS::KMS::Key.Arn}"
    for group in resources(template, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["KmsKeyId"]
        assert group["Properties"]["RetentionInDays"]


@pytest.mark.parametrize("stack", STACKS)
def test_key_policy_lets_only_function_roles_use_the_key(stack, request):
    template = request.getfixturevalue(stack)
    (key,) = resources(template, "AWS::KMS::Key").values()
    st = normalized_statements([key["Properties"]["KeyPolicy"]], template)
    admin = st["KeyAdministration"]
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:*"} & set(admin["Action"])
    users = st["FunctionsUseKeyViaSnsAndSqs"]
    assert users["Principal"] == {"AWS": ["${AWS::IAM::Role.Arn}"] * len(FUNCTIONS)}
    assert users["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    for s in st.values():
        assert s["Principal"] not in ({"AWS": ["*"]}, "*"), s


def test_sam_and_cdk_key_topic_and_bus_policies_match(sam, cdk):
    def policies(t: dict[str, Any]) -> dict[str, Any]:
        (key,) = resources(t, "AWS::KMS::Key").values()
        (topic_policy,) = resources(t, "AWS::SNS::TopicPolicy").values()
        (bus_policy,) = resources(t, "AWS::Events::EventBusPolicy").values()
        return {
            "key": normalized_statements([key["Properties"]["KeyPolicy"]], t),
            "topic": normalized_statements([topic_policy["Properties"]["PolicyDocument"]], t),
            "bus": normalized_statements([{"Statement": bus_policy["Properties"]["Statement"]}], t),
        }

    assert policies(sam) == policies(cdk)


@pytest.mark.parametrize("stack", STACKS)
def test_bus_admits_only_the_organization(stack, request):
    template = request.getfixturevalue(stack)
    (policy,) = resources(template, "AWS::Events::EventBusPolicy").values()
    (s,) = normalized_statements([{"Statement": policy["Properties"]["Statement"]}], template).values()
    assert s["Action"] == ["events:PutEvents"]
    assert s["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ["${OrganizationId}"]}}


# ----------------------------------------------------------------- member template


def test_member_remediation_role(member):
    (lid,) = [
        k
        for k, r in resources(member, "AWS::IAM::Role").items()
        if render(r["Properties"].get("RoleName"), member) == "${MemberRoleName}"
    ]
    role = member["Resources"][lid]
    assert role["Condition"] == "CreateRemediationRole"
    assert member["Conditions"]["CreateRemediationRole"] == {
        "Fn::Equals": [{"Ref": "AWS::Region"}, {"Ref": "RoleRegion"}]
    }
    assert member["Parameters"]["RoleRegion"]["Default"] == "us-east-1"
    docs = role_policy_documents(member, lid)
    assert allowed_actions(docs) == REMEDIATION_ACTIONS
    (trust,) = as_list(role["Properties"]["AssumeRolePolicyDocument"]["Statement"])
    assert trust["Principal"] == {"AWS": {"Ref": "CentralRoleArns"}}
    assert trust["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}}


def test_member_forwarding_rules(member):
    rules = resources(member, "AWS::Events::Rule")
    assert len(rules) == 3
    forwarder_ids = set()
    for lid, rule in rules.items():
        props = rule["Properties"]
        assert "EventBusName" not in props, f"{lid} must watch the default bus"
        (target,) = props["Targets"]
        assert target["Arn"] == {"Ref": "CentralEventBusArn"}
        forwarder_ids.add(target["RoleArn"]["Fn::GetAtt"][0])
    (forwarder,) = forwarder_ids
    docs = role_policy_documents(member, forwarder)
    assert allowed_actions(docs) == {"events:PutEvents"}
    assert [s["Resource"] for s in statements(docs)] == [{"Ref": "CentralEventBusArn"}]
    # CreateInstance is forwarded from every Region; Organizations events only
    # exist in us-east-1.
    conditions = sorted(r.get("Condition", "-") for r in rules.values())
    assert conditions == ["-", "ForwardOrganizationsEvents", "ForwardOrganizationsEvents"]


def test_sam_builds_each_binary_from_the_workspace(sam):
    """sam build: rust-cargolambda, one binary per function, CodeUri = the workspace root."""
    from cfn_templates import REPO, SAM_TEMPLATE

    for name, lid in functions(sam).items():
        res = sam["Resources"][lid]
        assert res["Type"] == "AWS::Serverless::Function"
        assert res["Metadata"]["BuildMethod"] == "rust-cargolambda"
        assert res["Metadata"]["BuildProperties"] == {"Binary": name}
        code_dir = (SAM_TEMPLATE.parent / res["Properties"]["CodeUri"]).resolve()
        assert code_dir == REPO.resolve()
        assert (code_dir / "Cargo.toml").is_file()
