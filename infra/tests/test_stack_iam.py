"""Both stacks: each function's IAM policy is exactly the listed actions, scoped to its resources,
and SAM and CDK grant alike."""

from __future__ import annotations

import pytest

from cfn_templates import (
    FUNCTIONS,
    OUTLETS,
    REMEDIATION_FUNCTIONS,
    allowed_actions,
    as_list,
    function_role_id,
    functions,
    normalized_statements,
    ref_id,
    render,
    resources,
    statements,
)
from stack_expectations import (
    CONFIRMATION_SIDS,
    FUNCTION_ACTIONS,
    STACKS,
    function_docs,
    worker_queue_id,
)


# The only actions granted on any resource: reading the organization, never changing it.
READ_ORGANIZATION_ON_ANY_RESOURCE = {
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListDelegatedAdministrators",
    # Whether ExemptTagPolicyId is an SCP attached to the root.
    "organizations:DescribePolicy",
    "organizations:ListTargetsForPolicy",
}


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
@pytest.mark.parametrize("name", REMEDIATION_FUNCTIONS)
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
            assert name == OUTLETS, f"{name} posts to chat"
            assert s["Resource"] == ["${ChatTopicArn}"]
            assert s["When"] == {"Fn::Not": [{"Fn::Equals": ["${ChatTopicArn}", ""]}]}
        elif "sns:Publish" in s["Action"]:
            assert name != OUTLETS, "the outlets publish no finding"
            assert s["Resource"] == ["${AWS::SNS::Topic}"]
            assert s["When"] is None
        if any(a.startswith("kms:") for a in s["Action"]):
            assert s["Resource"] == ["${AWS::KMS::Key.Arn}"]
        if s["Resource"] == ["*"]:
            assert set(s["Action"]) <= READ_ORGANIZATION_ON_ANY_RESOURCE, s


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", REMEDIATION_FUNCTIONS)
def test_every_function_may_check_the_exempt_tag_policy(stack, name, request):
    """The exempt tag counts only while ExemptTagPolicyId protects it: every function (each one
    judges instances) reads the policy and its targets, read only."""
    template = request.getfixturevalue(stack)
    st = normalized_statements(function_docs(template, name), template)
    read = st["ReadOrganization"]
    assert read["Resource"] == ["*"] and read["When"] is None and read["Condition"] is None
    assert set(read["Action"]) == READ_ORGANIZATION_ON_ANY_RESOURCE


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", REMEDIATION_FUNCTIONS)
def test_every_function_may_queue_its_confirmations(stack, name, request):
    """Before each DeleteInstance every function sends a delayed confirmation to the worker queue:
    sqs:SendMessage on that queue alone, unconditionally (the sweep's fan-out statement covers
    it), and the key that encrypts the queue through SQS: kms:GenerateDataKey (and Decrypt, to
    reuse a data key) in the function's policy and in the key policy, via SQS only."""
    template = request.getfixturevalue(stack)
    queue_id = worker_queue_id(template)
    docs = function_docs(template, name)
    (confirm,) = [s for s in statements(docs) if s.get("Sid") == CONFIRMATION_SIDS[name]]
    assert confirm["Effect"] == "Allow"
    assert as_list(confirm["Action"]) == ["sqs:SendMessage"]
    assert [ref_id(r) for r in as_list(confirm["Resource"])] == [queue_id]
    assert "Condition" not in confirm
    st = normalized_statements(docs, template)
    assert st[CONFIRMATION_SIDS[name]]["When"] is None
    # The queue's key is the guardrail key, which the function may use ...
    queue = resources(template)[queue_id]["Properties"]
    key_id = ref_id(queue["KmsMasterKeyId"])
    (use_key,) = [s for s in statements(docs) if s.get("Sid") == "UseGuardrailKey"]
    assert [ref_id(r) for r in as_list(use_key["Resource"])] == [key_id]
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= set(as_list(use_key["Action"]))
    # ... and whose policy lets the function's role use it through SQS.
    key_policy = resources(template)[key_id]["Properties"]["KeyPolicy"]
    (via,) = [s for s in statements([key_policy]) if s.get("Sid") == "FunctionsUseKeyViaSnsAndSqs"]
    role = function_role_id(template, functions(template)[name])
    assert role in {ref_id(p) for p in as_list(via["Principal"]["AWS"])}
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= set(as_list(via["Action"]))
    assert "sqs.${AWS::Region}.amazonaws.com" in render(via["Condition"]["StringEquals"]["kms:ViaService"], template)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_sam_and_cdk_function_policies_are_identical(sam, cdk, name):
    assert normalized_statements(function_docs(sam, name), sam) == normalized_statements(
        function_docs(cdk, name), cdk
    )


# The services a member account's Identity Center instances are read and deleted through.
MEMBER_ROLE_SERVICES = ("sso:", "identitystore:", "quicksight:")


def _central_iam_actions(template) -> set[str]:
    """Every action any IAM policy or role of a central stack grants or denies."""
    docs = [p["Properties"]["PolicyDocument"] for p in resources(template, "AWS::IAM::Policy").values()]
    docs += [p["Properties"]["PolicyDocument"] for p in resources(template, "AWS::IAM::ManagedPolicy").values()]
    for role in resources(template, "AWS::IAM::Role").values():
        docs += [p["PolicyDocument"] for p in role["Properties"].get("Policies", [])]
    return {a for s in statements(docs) for a in as_list(s.get("Action", []))}


@pytest.mark.parametrize("stack", STACKS)
def test_member_accounts_are_read_only_through_the_member_role(stack, request):
    """Identity Center, its identity store and QuickSight of a member account (the inventory, the
    delete, and what the migration plan reads) are granted in the member role alone
    (infra/member-stackset.yaml, statement ReadWhatAppsUse for the plan): SAM and CDK alike grant
    none of their actions to a central role, and reach them by assuming the member role, whose
    name both take from MemberRoleName with the member template's default."""
    template = request.getfixturevalue(stack)
    assert not {a for a in _central_iam_actions(template) if a.startswith(MEMBER_ROLE_SERVICES)}
    assert not [a for a in _central_iam_actions(template) if a == "*" or a.endswith(":*")]
    member_role_name = request.getfixturevalue("member")["Parameters"]["MemberRoleName"]
    for key in ("Default", "AllowedPattern"):
        assert template["Parameters"]["MemberRoleName"][key] == member_role_name[key], key


def test_function_role_arns_output_names_every_role(sam, cdk):
    """The member role trusts these: the functions that judge and delete, not the outlets (which
    assume no member role). The outlets role is an output of its own, only with the outlets."""
    for template in (sam, cdk):
        value = template["Outputs"]["FunctionRoleArns"]["Value"]["Fn::Join"]
        assert value[0] == ","
        roles = {ref_id(v) for v in value[1]}
        ids = functions(template)
        assert roles == {function_role_id(template, ids[n]) for n in REMEDIATION_FUNCTIONS}
        outlets_role = function_role_id(template, ids[OUTLETS])
        assert outlets_role not in roles
        output = template["Outputs"]["OutletsRoleArn"]
        assert ref_id(output["Value"]) == outlets_role
        assert template["Conditions"][output["Condition"]] == template["Conditions"][
            template["Resources"][outlets_role]["Condition"]
        ]


SECURITY_HUB_PRODUCT = (
    "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default"
)
SECURITY_HUB_HUB = (
    "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:hub/default"
)


HAS_OUTLETS = {
    "Fn::Or": [
        {"Fn::Equals": ["${SecurityHub}", "true"]},
        {"Fn::Not": [{"Fn::Equals": ["${ChatTopicArn}", ""]}]},
    ]
}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", REMEDIATION_FUNCTIONS)
def test_the_functions_that_delete_may_not_reach_security_hub_or_chat(stack, name, request):
    """Off the delete path: no Security Hub action, no chat topic, nothing conditional."""
    template = request.getfixturevalue(stack)
    st = normalized_statements(function_docs(template, name), template)
    assert not [a for s in st.values() for a in s["Action"] if a.startswith("securityhub:")]
    assert not {"ImportFindingsToSecurityHub", "ResolveFindingsInSecurityHub", "PublishChatNotices"} & set(st)
    assert all(r != "${ChatTopicArn}" for s in st.values() for r in s["Resource"])
    assert sorted(sid for sid, s in st.items() if s["When"] is not None) == []


@pytest.mark.parametrize("stack", STACKS)
def test_security_hub_and_chat_only_when_asked(stack, request):
    """The outlets function: BatchImportFindings on the account's own default product and
    BatchUpdateFindings on its own hub (to resolve a deleted instance's finding), only with
    SecurityHub=true; Publish to the chat topic only when one is given; its queue, the key
    (through SQS, to decrypt only) and its logs whenever it exists (HasOutlets)."""
    template = request.getfixturevalue(stack)
    st = normalized_statements(function_docs(template, OUTLETS), template)
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
    assert st["PublishChatNotices"] == {
        "When": {"Fn::Not": [{"Fn::Equals": ["${ChatTopicArn}", ""]}]},
        "Effect": "Allow",
        "Action": ["sns:Publish"],
        "Resource": ["${ChatTopicArn}"],
        "Principal": None,
        "Condition": None,
    }
    common = {"When": HAS_OUTLETS, "Effect": "Allow", "Principal": None, "Condition": None}
    assert st["ConsumeOutletsQueue"] == {
        **common,
        "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
        "Resource": ["${AWS::SQS::Queue.Arn}"],
    }
    assert st["UseGuardrailKey"] == {**common, "Action": ["kms:Decrypt"], "Resource": ["${AWS::KMS::Key.Arn}"]}
    assert st["WriteLogs"] == {
        **common,
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": ["${AWS::Logs::LogGroup.Arn}"],
    }
    assert set(st) == {
        "ConsumeOutletsQueue", "UseGuardrailKey", "WriteLogs",
        "ImportFindingsToSecurityHub", "ResolveFindingsInSecurityHub", "PublishChatNotices",
    }
    # The queue it consumes is the outlets queue, the log group its own.
    from stack_expectations import function_props, outlets_queue_id

    docs = function_docs(template, OUTLETS)
    (consume,) = [s for s in statements(docs) if s.get("Sid") == "ConsumeOutletsQueue"]
    assert ref_id(consume["Resource"]) == outlets_queue_id(template)
    (logs,) = [s for s in statements(docs) if s.get("Sid") == "WriteLogs"]
    assert ref_id(logs["Resource"]) == ref_id(function_props(template, OUTLETS)["LoggingConfig"]["LogGroup"])


def test_sam_and_cdk_security_hub_and_chat_policies_have_one_role(sam, cdk):
    """Each destination policy is the outlets role's alone."""
    for template in (sam, cdk):
        outlets_role = function_role_id(template, functions(template)[OUTLETS])
        for pol in resources(template, "AWS::IAM::Policy").values():
            names = {s.get("Sid") for s in as_list(pol["Properties"]["PolicyDocument"]["Statement"])}
            if names & {"ImportFindingsToSecurityHub", "ResolveFindingsInSecurityHub", "PublishChatNotices"}:
                assert [ref_id(r) for r in pol["Properties"]["Roles"]] == [outlets_role]


def test_the_guides_delegation_policy_delegates_every_organizations_action(sam):
    """Outside the management account, Organizations answers the functions only for the actions
    its delegation policy (infra/README.md, step 3) names: every organizations action a function
    is granted must be delegated there, and nothing more (least privilege in the management
    account too)."""
    import json

    import re

    from cfn_templates import INFRA
    from guide_commands import commands, logical_lines

    granted = {
        a for name in FUNCTIONS for a in allowed_actions(function_docs(sam, name)) if a.startswith("organizations:")
    }
    guide = INFRA / "README.md"
    (put,) = [c for c in commands(guide) if c.argv[:3] == ("aws", "organizations", "put-resource-policy")]
    argv = list(put.argv)
    content = argv[argv.index("--content") + 1]
    if content.startswith("file://"):  # written by a here-document of the guide, for the central account
        (body,) = [b for _, line, b in logical_lines(guide) if b and re.search(rf">\s*{re.escape(content[7:])}\s", line)]
        assert '"arn:aws:iam::$CENTRAL_ACCOUNT_ID:root"' in body, body
        content = body.replace("$CENTRAL_ACCOUNT_ID", "111111111111")
    policy = json.loads(content)
    delegated = {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert granted <= delegated, f"{put.source}: not delegated: {sorted(granted - delegated)}"
    assert delegated <= granted, f"{put.source}: delegated, never granted: {sorted(delegated - granted)}"
