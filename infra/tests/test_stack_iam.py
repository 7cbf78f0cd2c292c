"""Both stacks: each function's IAM policy is exactly the listed actions, scoped to its resources,
and SAM and CDK grant alike."""

from __future__ import annotations

import pytest

from cfn_templates import (
    FUNCTIONS,
    allowed_actions,
    function_role_id,
    functions,
    normalized_statements,
    ref_id,
    statements,
)
from stack_expectations import FUNCTION_ACTIONS, STACKS, function_docs


@pytest.mark.parametrize("stack", STACKS)
def test_every_function_exists(stack, request):
    assert set(functions(request.getfixturevalue(stack))) == set(FUNCTIONS)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_iam_actions_are_exactly_the_listed_ones(stack, name, request):
    template = request.getfixturevalue(stack)
    docs = function_docs(template, name)
    assert allowed_actions(docs) == FUNCTION_ACTIONS[name]
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
    for sid, s in st.items():
        if "sns:Publish" in s["Action"] and sid == "PublishChatNotices":
            assert s["Resource"] == ["${ChatTopicArn}"]
            assert s["When"] == {"Fn::Not": [{"Fn::Equals": ["${ChatTopicArn}", ""]}]}
        elif "sns:Publish" in s["Action"]:
            assert s["Resource"] == ["${AWS::SNS::Topic}"]
            assert s["When"] is None
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


def test_function_role_arns_output_names_every_role(sam, cdk):
    for template in (sam, cdk):
        value = template["Outputs"]["FunctionRoleArns"]["Value"]["Fn::Join"]
        assert value[0] == ","
        roles = {ref_id(v) for v in value[1]}
        assert roles == {function_role_id(template, lid) for lid in functions(template).values()}


SECURITY_HUB_PRODUCT = (
    "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default"
)
SECURITY_HUB_HUB = (
    "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:hub/default"
)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_security_hub_and_chat_only_when_asked(stack, name, request):
    """BatchImportFindings on the account's own default product and BatchUpdateFindings on its
    own hub (to resolve a deleted instance's finding), only with SecurityHub=true;
    Publish to the chat topic only when one is given. Nothing else is conditional."""
    template = request.getfixturevalue(stack)
    st = normalized_statements(function_docs(template, name), template)
    assert st["ImportFindingsToSecurityHub"] == {
        "When": {"Fn::Equals": ["${SecurityHub}", "true"]},
        "Effect": "Allow",
        "Action": ["securityhub:BatchImportFindings"],
        "Resource": [SECURITY_HUB_PRODUCT],
        "Principal": None,
        "Condition": None,
    }
    assert st["ResolveFindingsInSecurityHub"] == {
        "When": {"Fn::Equals": ["${SecurityHub}", "true"]},
        "Effect": "Allow",
        "Action": ["securityhub:BatchUpdateFindings"],
        "Resource": [SECURITY_HUB_HUB],
        "Principal": None,
        "Condition": None,
    }
    assert st["PublishChatNotices"]["Action"] == ["sns:Publish"]
    conditional = sorted(sid for sid, s in st.items() if s["When"] is not None)
    assert conditional == [
        "ImportFindingsToSecurityHub",
        "PublishChatNotices",
        "ResolveFindingsInSecurityHub",
    ]
