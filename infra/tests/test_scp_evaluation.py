"""What the SCPs in infra/scp let through, by the evaluator in scp_evaluator.py.

Each SCP is evaluated as attached next to the default FullAWSAccess. The
placeholders of the files are used as they are: 111111111111 (and, in the
allow-list, 222222222222) are the exempted accounts, IdcAccountInstanceBreakGlass
the break-glass role, IdcBreakGlassProvisioner the role that provisions it.
333333333333 is any other member account, whose administrator may do anything
IAM lets an administrator do.

The break-glass variant used to exempt `arn:aws:iam::*:role/IdcAccountInstanceBreakGlass`:
any member administrator could create a role of that name and create an
account instance with it. UNPINNED_BREAK_GLASS is that text; the bypass tests
assert that it let the bypass through and that the current file does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cfn_templates import SCP_DIR
from scp_evaluator import (
    ALLOWED,
    EXPLICIT_DENY,
    FULL_AWS_ACCESS,
    IMPLICIT_DENY,
    Request,
    UnsupportedPolicy,
    evaluate,
    permits,
)

# The variants that stop new account instances; the policies that protect the
# guardrail itself are evaluated in test_scp_protection.py and test_scp_exempt_tag.py.
SCPS = sorted(SCP_DIR.glob("deny-create-instance*.json"))
PINNED = "111111111111"
LISTED = ("111111111111", "222222222222")
MEMBER = "333333333333"
BREAK_GLASS = "IdcAccountInstanceBreakGlass"
PROVISIONER = "IdcBreakGlassProvisioner"

UNPINNED_BREAK_GLASS: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyIdentityCenterAccountInstancesExceptBreakGlass",
            "Effect": "Deny",
            "Action": "sso:CreateInstance",
            "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": [f"arn:aws:iam::*:role/{BREAK_GLASS}"]}},
        }
    ],
}

# Every IAM call that creates, deletes or changes a role, its policies, tags,
# trust policy or permissions boundary.
ROLE_CHANGING_ACTIONS = (
    "CreateRole",
    "DeleteRole",
    "UpdateRole",
    "UpdateRoleDescription",
    "UpdateAssumeRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "TagRole",
    "UntagRole",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
)


def load(name: str) -> dict[str, Any]:
    return json.loads((SCP_DIR / name).read_text(encoding="utf-8"))


def role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def create_instance(principal: str) -> Request:
    return Request("sso:CreateInstance", principal)


def change_role(action: str, principal: str, account: str, name: str = BREAK_GLASS) -> Request:
    return Request(f"iam:{action}", principal, role(account, name))


MEMBER_ADMIN = role(MEMBER, "Admin")
PINNED_ADMIN = role(PINNED, "Admin")

# ----------------------------------------------------------------- CreateInstance, every file

# Who calls sso:CreateInstance, and which variants let them.
CALLERS = {
    "member admin": MEMBER_ADMIN,
    "member root": f"arn:aws:iam::{MEMBER}:root",
    "break-glass role name in a member account": role(MEMBER, BREAK_GLASS),
    "admin of the pinned account": PINNED_ADMIN,
    "pinned break-glass role": role(PINNED, BREAK_GLASS),
    "break-glass name, other case": role(PINNED, BREAK_GLASS.lower()),
    "break-glass name under a path": role(PINNED, f"team/{BREAK_GLASS}"),
    "provisioner of the pinned account": role(PINNED, PROVISIONER),
    "second listed account": role(LISTED[1], "Sandbox"),
}
PERMITTED_CALLERS = {
    "deny-create-instance.json": set(),
    "deny-create-instance-allow-accounts.json": {
        "admin of the pinned account",
        "pinned break-glass role",
        "break-glass name, other case",
        "break-glass name under a path",
        "provisioner of the pinned account",
        "second listed account",
    },
    "deny-create-instance-break-glass.json": {"pinned break-glass role"},
}


def test_every_variant_has_expectations():
    assert {p.name for p in SCPS} == set(PERMITTED_CALLERS)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", SCPS, ids=[p.name for p in SCPS])
def test_create_instance_is_denied_to_all_but_the_exempted(path, caller):
    request = create_instance(CALLERS[caller])
    expected = ALLOWED if caller in PERMITTED_CALLERS[path.name] else EXPLICIT_DENY
    assert evaluate([FULL_AWS_ACCESS, load(path.name)], request) == expected


# What the guardrail itself and everyday administration need: no variant may
# touch it (the remediation role must keep DeleteInstance).
UNRELATED = [
    Request("sso:DeleteInstance", role(MEMBER, "IdcGuardrailRemediation")),
    Request("sso:ListInstances", MEMBER_ADMIN),
    Request("sso:DescribeInstance", MEMBER_ADMIN),
    Request("s3:ListAllMyBuckets", MEMBER_ADMIN),
    change_role("CreateRole", MEMBER_ADMIN, MEMBER, "AppRole"),
    change_role("UpdateAssumeRolePolicy", MEMBER_ADMIN, MEMBER, "IdcGuardrailRemediation"),
    change_role("AttachRolePolicy", PINNED_ADMIN, PINNED, f"{BREAK_GLASS}Readers"),
]


@pytest.mark.parametrize("request_", UNRELATED, ids=[f"{r.action} {r.resource}" for r in UNRELATED])
@pytest.mark.parametrize("path", SCPS, ids=[p.name for p in SCPS])
def test_unrelated_actions_are_unaffected(path, request_):
    assert permits(load(path.name), request_)


# ----------------------------------------------------------------- the break-glass bypass

BREAK_GLASS_SCP = "deny-create-instance-break-glass.json"


@pytest.mark.parametrize("action", ROLE_CHANGING_ACTIONS)
def test_member_admin_cannot_create_or_change_a_break_glass_role(action):
    request = change_role(action, MEMBER_ADMIN, MEMBER)
    assert permits(UNPINNED_BREAK_GLASS, request), "the old text did not stop this"
    assert evaluate([FULL_AWS_ACCESS, load(BREAK_GLASS_SCP)], request) == EXPLICIT_DENY


def test_the_bypass_is_closed_end_to_end():
    """Create the role, then call CreateInstance as that role, in a member account."""
    steps = [change_role("CreateRole", MEMBER_ADMIN, MEMBER), create_instance(role(MEMBER, BREAK_GLASS))]
    assert all(permits(UNPINNED_BREAK_GLASS, s) for s in steps), "the old text let the whole bypass through"
    assert not any(permits(load(BREAK_GLASS_SCP), s) for s in steps)


@pytest.mark.parametrize("action", ROLE_CHANGING_ACTIONS)
def test_only_the_pinned_provisioner_may_create_or_change_the_role(action):
    scp = load(BREAK_GLASS_SCP)
    assert permits(scp, change_role(action, role(PINNED, PROVISIONER), PINNED))
    # Not the other administrators of the pinned account (they could rewrite
    # the trust policy and become break-glass) ...
    assert not permits(scp, change_role(action, PINNED_ADMIN, PINNED))
    # ... nor a role named like the provisioner in another account.
    assert not permits(scp, change_role(action, role(MEMBER, PROVISIONER), MEMBER))


def test_the_exemptions_name_their_accounts():
    """Every aws:PrincipalArn exemption is a full ARN with a 12-digit account:
    a role name alone can be created by any member administrator."""
    arns = [
        arn
        for s in load(BREAK_GLASS_SCP)["Statement"]
        for op in s.get("Condition", {}).values()
        for key, values in op.items()
        if key.lower() == "aws:principalarn"
        for arn in (values if isinstance(values, list) else [values])
    ]
    assert len(arns) >= 2
    for arn in arns:
        account = arn.split(":")[4]
        assert account.isdigit() and len(account) == 12, arn


def test_the_unpinned_text_fails_the_pin_check():
    """The pin check above would have caught the old text."""
    (statement,) = UNPINNED_BREAK_GLASS["Statement"]
    (arn,) = statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert not arn.split(":")[4].isdigit()


# ----------------------------------------------------------------- the evaluator itself


def deny(**statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Resource": "*", **statement}]}


def test_explicit_deny_wins_over_allow():
    scp = deny(Action="sso:*")
    assert evaluate([FULL_AWS_ACCESS, scp], create_instance(MEMBER_ADMIN)) == EXPLICIT_DENY
    assert evaluate([scp, FULL_AWS_ACCESS], create_instance(MEMBER_ADMIN)) == EXPLICIT_DENY


def test_without_an_allow_everything_is_implicitly_denied():
    assert evaluate([deny(Action="sso:CreateInstance")], Request("s3:ListAllMyBuckets", MEMBER_ADMIN)) == IMPLICIT_DENY
    assert evaluate([FULL_AWS_ACCESS], Request("s3:ListAllMyBuckets", MEMBER_ADMIN)) == ALLOWED


def test_actions_match_case_insensitively_with_wildcards():
    scp = deny(Action=["sso:Create*", "iam:?ag*"])
    assert not permits(scp, Request("SSO:createinstance", MEMBER_ADMIN))
    assert not permits(scp, Request("iam:TagRole", MEMBER_ADMIN))
    assert permits(scp, Request("sso:DeleteInstance", MEMBER_ADMIN))
    assert permits(scp, Request("iam:UntagRole", MEMBER_ADMIN))


def test_not_action_denies_everything_else():
    scp = deny(NotAction="sso:*")
    assert not permits(scp, Request("s3:ListAllMyBuckets", MEMBER_ADMIN))
    assert permits(scp, create_instance(MEMBER_ADMIN))


def test_resources_match_arn_part_by_part():
    scp = deny(Action="iam:*")
    scp["Statement"][0]["Resource"] = f"arn:aws:iam::*:role/{BREAK_GLASS}"
    assert not permits(scp, change_role("CreateRole", MEMBER_ADMIN, MEMBER))
    assert permits(scp, change_role("CreateRole", MEMBER_ADMIN, MEMBER, f"{BREAK_GLASS}2"))
    assert permits(scp, change_role("CreateRole", MEMBER_ADMIN, MEMBER, BREAK_GLASS.upper()))
    assert permits(scp, Request("iam:CreateRole", MEMBER_ADMIN, f"arn:aws:iam::{MEMBER}:user/{BREAK_GLASS}"))


@pytest.mark.parametrize(
    ("operator", "values", "permitted"),
    [
        # Negated operators with several values: true when none matches.
        ("StringNotEquals", list(LISTED), {LISTED[0], LISTED[1]}),
        ("StringEquals", [MEMBER], {LISTED[0], LISTED[1]}),
        ("StringNotLike", ["1111111111??", "2*"], {LISTED[0], LISTED[1]}),
        ("StringLike", ["3*"], {LISTED[0], LISTED[1]}),
    ],
)
def test_string_operators_on_the_principal_account(operator, values, permitted):
    scp = deny(Action="sso:CreateInstance", Condition={operator: {"aws:PrincipalAccount": values}})
    for account in (*LISTED, MEMBER):
        assert permits(scp, create_instance(role(account, "Admin"))) == (account in permitted), account


@pytest.mark.parametrize("operator", ["ArnNotLike", "ArnNotEquals"])
def test_arn_operators_on_the_principal_arn(operator):
    scp = deny(
        Action="sso:CreateInstance",
        Condition={operator: {"aws:PrincipalArn": [role(PINNED, "A*"), "arn:aws:iam::*:role/B?"]}},
    )
    assert permits(scp, create_instance(role(PINNED, "Admin")))
    assert permits(scp, create_instance(role(MEMBER, "B1")))
    assert not permits(scp, create_instance(role(MEMBER, "Admin")))
    assert not permits(scp, create_instance(role(MEMBER, "B12")))
    # The six parts are compared one by one: a wildcard does not reach across
    # a colon, and a pattern of fewer parts matches nothing.
    scp["Statement"][0]["Condition"][operator]["aws:PrincipalArn"] = ["arn:aws:iam::*:role/Admin", "arn:aws:*"]
    assert permits(scp, create_instance(role(PINNED, "Admin")))
    assert not permits(scp, create_instance(f"arn:aws:iam::{PINNED}:{MEMBER}:role/Admin"))
    assert not permits(scp, create_instance(role(PINNED, "Other")))


def test_all_conditions_must_hold():
    scp = deny(
        Action="sso:CreateInstance",
        Condition={
            "StringEquals": {"aws:PrincipalAccount": MEMBER},
            "ArnLike": {"aws:PrincipalArn": role(MEMBER, "Dev*")},
        },
    )
    assert not permits(scp, create_instance(role(MEMBER, "Developer")))
    assert permits(scp, create_instance(role(MEMBER, "Admin")))
    assert permits(scp, create_instance(role(PINNED, "Developer")))


UNSUPPORTED = {
    "NotResource": {"Action": "sso:*", "NotResource": "arn:aws:iam::*:role/x"},
    "Principal": {"Action": "sso:*", "Principal": "*"},
    "Bool": {"Action": "sso:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    "IfExists": {"Action": "sso:*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": MEMBER}}},
    "ForAnyValue": {"Action": "sso:*", "Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalAccount": MEMBER}}},
    "other key": {"Action": "sso:*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}},
    "policy variable": {"Action": "sso:*", "Condition": {"ArnLike": {"aws:PrincipalArn": "${aws:PrincipalArn}"}}},
    "no action": {},
    "no resource": {"Action": "sso:*", "Resource": None},
}


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_unsupported_elements_raise_even_when_the_action_does_not_match(name):
    statement = {k: v for k, v in {"Resource": "*", **UNSUPPORTED[name]}.items() if v is not None}
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", **statement}]}
    with pytest.raises(UnsupportedPolicy):
        evaluate([FULL_AWS_ACCESS, policy], Request("s3:ListAllMyBuckets", MEMBER_ADMIN))


def test_an_old_policy_version_raises():
    with pytest.raises(UnsupportedPolicy):
        evaluate([{**FULL_AWS_ACCESS, "Version": "2008-10-17"}], create_instance(MEMBER_ADMIN))
