"""What protect-exempt-tag.json lets through, by the evaluator in scp_evaluator.py.

The guardrail honours the exemption tag (EXEMPT_TAG) only while this policy is
attached to the root (EXEMPT_TAG_POLICY_ID): the Rust side reads it from
Organizations and looks for the statement `ProtectIdcGuardrailExemptTag`, a Deny
of sso:CreateInstance, sso:TagResource and sso:UntagResource whose
`ForAnyValue:StringEquals` on `aws:TagKeys` lists the key, and for the statement
`ProtectIdcGuardrailExemptionsRole` that protects the principals it exempts
(functions/core/src/tag_protection.rs). The shape tests below hold the file to
exactly that, and `guardrail_accepts` restates the Rust check.

The service authorization reference for IAM Identity Center lists `aws:TagKeys`
for all three actions (and `aws:RequestTag/${TagKey}` for CreateInstance and
TagResource): the tags CreateInstance and TagResource set, the keys
UntagResource removes.

Who may still set the tag: IAM Identity Center's TagResource and UntagResource
act on the calling account's instances only, so a principal pinned to the
security account could never tag a member's instance. The exempt principal is
therefore a role NAME present in every member account,
`arn:aws:iam::*:role/IdcGuardrailExemptions` (path `/`), as Control Tower exempts
`AWSControlTowerExecution`. The security team provisions it in each member
account (through a deployer) with a trust policy naming its own principal in
the security account. Placeholders as shipped: the key `idc-guardrail-exempt`,
the role name `IdcGuardrailExemptions`.

An exemption by name is only as good as the name's protection, and the
guardrail reads this policy alone: so the file protects the name itself. Its
second statement, `ProtectIdcGuardrailExemptionsRole`, denies creating,
changing, re-trusting or deleting that role to everyone but the deployers
(`stacksets-exec-*`, `AWSCloudFormationStackSetExecutionRole`,
`IdcGuardrailProvisioner`, as in protect-guardrail.json), and protects the
deployers' names as well: otherwise a member administrator, with this file
alone attached, would create `IdcGuardrailProvisioner`, and as that "deployer"
create the exemptions role. The Rust check requires that statement too: a Deny
with that Sid covering iam:CreateRole, UpdateAssumeRolePolicy,
AttachRolePolicy, PutRolePolicy and PutRolePermissionsBoundary (or `iam:*`),
whose Resource lists every principal the tag statement exempts.
protect-guardrail.json still lists the exemptions role too (belt and braces);
the tests below show each file closing the bypass on its own.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cfn_templates import SCP_DIR
from guide_commands import commands
from scp_evaluator import ALLOWED, EXPLICIT_DENY, FULL_AWS_ACCESS, Request, evaluate, permits

SCP: dict[str, Any] = json.loads((SCP_DIR / "protect-exempt-tag.json").read_text(encoding="utf-8"))
PROTECT_GUARDRAIL: dict[str, Any] = json.loads((SCP_DIR / "protect-guardrail.json").read_text(encoding="utf-8"))
DENY_CREATE_INSTANCE: dict[str, Any] = json.loads((SCP_DIR / "deny-create-instance.json").read_text(encoding="utf-8"))
KEY = "idc-guardrail-exempt"
EXEMPTIONS_ROLE = "IdcGuardrailExemptions"
EXEMPT_PATTERN = f"arn:aws:iam::*:role/{EXEMPTIONS_ROLE}"
SECURITY_ACCOUNT = "111111111111"
MEMBER = "333333333333"
INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"


def role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


MEMBER_ADMIN = role(MEMBER, "Admin")
MEMBER_EXEMPTIONS = role(MEMBER, EXEMPTIONS_ROLE)
MEMBERS = {"member admin": MEMBER_ADMIN, "member root user": f"arn:aws:iam::{MEMBER}:root"}
# Not the exemptions role, whatever their name says.
NOT_EXEMPT = {
    **MEMBERS,
    "the name under a path": role(MEMBER, f"team/{EXEMPTIONS_ROLE}"),
    "the name in another case": role(MEMBER, EXEMPTIONS_ROLE.lower()),
    "a longer name": role(MEMBER, f"{EXEMPTIONS_ROLE}2"),
    "the security team's own role in the security account": role(SECURITY_ACCOUNT, "IdcSecurityTeam"),
}
# The role of that name, in whichever account the instance is (it acts on its own account's instances).
EXEMPT = {
    "the exemptions role of the member account": MEMBER_EXEMPTIONS,
    "the exemptions role of another account": role("444444444444", EXEMPTIONS_ROLE),
}
DEPLOYER_NAMES = ("stacksets-exec-*", "AWSCloudFormationStackSetExecutionRole", "IdcGuardrailProvisioner")
DEPLOYERS = {
    "service-managed StackSet": role(MEMBER, "stacksets-exec-0123456789abcdef0123456789abcdef"),
    "self-managed StackSet": role(MEMBER, "AWSCloudFormationStackSetExecutionRole"),
    "provisioner": role(MEMBER, "IdcGuardrailProvisioner"),
}


def create(*keys: str, principal: str = MEMBER_ADMIN) -> Request:
    return Request("sso:CreateInstance", principal, tag_keys=keys)


def tag(*keys: str, principal: str = MEMBER_ADMIN) -> Request:
    return Request("sso:TagResource", principal, INSTANCE, tag_keys=keys)


def untag(*keys: str, principal: str = MEMBER_ADMIN) -> Request:
    return Request("sso:UntagResource", principal, INSTANCE, tag_keys=keys)


TAG_SID = "ProtectIdcGuardrailExemptTag"
ROLE_SID = "ProtectIdcGuardrailExemptionsRole"
DEPLOYER_PATTERNS = [role("*", name) for name in DEPLOYER_NAMES]


def statement(scp: dict[str, Any], sid: str) -> dict[str, Any]:
    (found,) = [s for s in scp["Statement"] if s["Sid"] == sid]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def exempt_principals(scp: dict[str, Any] = SCP) -> list[str]:
    """Who the tag statement lets set the key: its `ArnNotLike` `aws:PrincipalArn`."""
    return as_list(statement(scp, TAG_SID)["Condition"]["ArnNotLike"]["aws:PrincipalArn"])


# What the Rust check (functions/core/src/tag_protection.rs) requires of the role
# statement's actions, matched without regard to case, unless it denies `iam:*`.
REQUIRED_ROLE_ACTIONS = (
    "iam:CreateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:PutRolePermissionsBoundary",
)
REQUIRED_TAG_ACTIONS = ("sso:CreateInstance", "sso:TagResource", "sso:UntagResource")


def guardrail_accepts(scp: dict[str, Any], key: str = KEY) -> bool:
    """The guardrail's check of the policy, restated: a Deny `ProtectIdcGuardrailExemptTag`
    of the three calls on `*` whose `ForAnyValue:StringEquals` `aws:TagKeys` lists
    the key, and a Deny `ProtectIdcGuardrailExemptionsRole` of the role calls whose
    Resource lists every principal the first one exempts (`ArnNotLike` or
    `ArnNotEquals` on `aws:PrincipalArn`)."""

    def deny(sid: str, actions: tuple[str, ...], wildcard: str) -> dict[str, Any] | None:
        found = [s for s in as_list(scp.get("Statement")) if s.get("Sid") == sid]
        if not found or found[0].get("Effect") != "Deny":
            return None
        listed = {a.lower() for a in as_list(found[0].get("Action", []))}
        covered = all(a.lower() in listed or wildcard in listed or "*" in listed for a in actions)
        return found[0] if covered else None

    tag_statement = deny(TAG_SID, REQUIRED_TAG_ACTIONS, "sso:*")
    if tag_statement is None or "*" not in as_list(tag_statement.get("Resource")):
        return False
    condition = tag_statement.get("Condition", {})
    if key not in as_list(condition.get("ForAnyValue:StringEquals", {}).get("aws:TagKeys", [])):
        return False
    allowed = [p for op in ("ArnNotLike", "ArnNotEquals") for p in as_list(condition.get(op, {}).get("aws:PrincipalArn", []))]
    role_statement = deny(ROLE_SID, REQUIRED_ROLE_ACTIONS, "iam:*")
    return role_statement is not None and all(p in as_list(role_statement.get("Resource")) for p in allowed)


def test_the_file_has_the_shape_the_guardrail_checks():
    assert set(SCP) == {"Version", "Statement"}
    assert [s["Sid"] for s in SCP["Statement"]] == [TAG_SID, ROLE_SID]
    assert statement(SCP, TAG_SID) == {
        "Sid": TAG_SID,
        "Effect": "Deny",
        "Action": list(REQUIRED_TAG_ACTIONS),
        "Resource": "*",
        "Condition": {
            "ForAnyValue:StringEquals": {"aws:TagKeys": [KEY]},
            "ArnNotLike": {"aws:PrincipalArn": [EXEMPT_PATTERN]},
        },
    }
    roles = statement(SCP, ROLE_SID)
    assert roles["Effect"] == "Deny"
    listed = {a.lower() for a in as_list(roles["Action"])}
    for action in REQUIRED_ROLE_ACTIONS:
        assert action.lower() in listed, action
    for pattern in exempt_principals():
        assert pattern in as_list(roles["Resource"]), pattern
    assert guardrail_accepts(SCP)


def without(scp: dict[str, Any], sid: str, field: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(scp)
    statement(changed, sid)[field] = value
    return changed


def test_the_guardrail_check_as_restated_refuses_anything_less():
    """So that `guardrail_accepts` passing the shipped file means something."""
    roles = statement(SCP, ROLE_SID)
    refused = {
        "no role statement": {**SCP, "Statement": [statement(SCP, TAG_SID)]},
        "the role statement renamed": {**SCP, "Statement": [statement(SCP, TAG_SID), {**roles, "Sid": "Other"}]},
        "the role statement an Allow": without(SCP, ROLE_SID, "Effect", "Allow"),
        "CreateRole not denied": without(SCP, ROLE_SID, "Action", [a for a in roles["Action"] if a != "iam:CreateRole"]),
        "re-trusting not denied": without(
            SCP, ROLE_SID, "Action", [a for a in roles["Action"] if a != "iam:UpdateAssumeRolePolicy"]
        ),
        "the exempt role not protected": without(SCP, ROLE_SID, "Resource", DEPLOYER_PATTERNS),
        "the exempt role under another name": without(SCP, ROLE_SID, "Resource", [role("*", "Other")]),
    }
    for why, scp in refused.items():
        assert not guardrail_accepts(scp), why
    assert not guardrail_accepts(SCP, key="another-key")
    assert guardrail_accepts(without(SCP, ROLE_SID, "Action", "IAM:*")), "iam:* covers them all, in any case"


def test_the_exempt_principal_is_one_role_name_without_a_path_in_every_account():
    """Identity Center tags only the calling account's instances: the exemption
    must name a role in every member account, hence `*` for the account and a
    name with nothing else, so that no path and no other name matches it."""
    assert exempt_principals() == [EXEMPT_PATTERN]
    assert EXEMPT_PATTERN.split(":", 5)[4] == "*"
    assert "*" not in EXEMPT_PATTERN.split(":", 5)[5] and "?" not in EXEMPT_PATTERN


# Every way to set, change or remove the key: alone, or among other keys.
SETTING_THE_KEY = {
    "CreateInstance with the tag": create(KEY),
    "CreateInstance with the tag among others": create("Name", KEY, "team"),
    "TagResource with the tag (sets or changes its value)": tag(KEY),
    "TagResource with the tag among others": tag("team", KEY, "cost-center"),
    "UntagResource of the tag": untag(KEY),
    "UntagResource of the tag among others": untag("team", KEY),
}


def as_principal(request: Request, principal: str) -> Request:
    return Request(request.action, principal, request.resource, request.tag_keys)


@pytest.mark.parametrize("name", SETTING_THE_KEY)
def test_only_the_exemptions_role_may_set_change_or_remove_the_key(name):
    request = SETTING_THE_KEY[name]
    for who, principal in NOT_EXEMPT.items():
        assert evaluate([FULL_AWS_ACCESS, SCP], as_principal(request, principal)) == EXPLICIT_DENY, who
    for who, principal in EXEMPT.items():
        assert evaluate([FULL_AWS_ACCESS, SCP], as_principal(request, principal)) == ALLOWED, who


@pytest.mark.parametrize("name", SETTING_THE_KEY)
def test_the_deployers_do_not_set_the_key_either(name):
    """The deployers may create the exemptions role, not tag in its stead."""
    for who, principal in DEPLOYERS.items():
        assert evaluate([FULL_AWS_ACCESS, SCP], as_principal(SETTING_THE_KEY[name], principal)) == EXPLICIT_DENY, who


# ----------------------------------------------------------------- the name, protected by this file itself


# Every way a member administrator would make the name theirs: create it, re-trust
# it, give it permissions, or delete it to create it anew.
TAKING_THE_NAME = (
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "PutRolePolicy",
    "AttachRolePolicy",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "DeleteRolePolicy",
    "DetachRolePolicy",
    "UpdateRole",
    "UpdateRoleDescription",
    "TagRole",
    "UntagRole",
    "DeleteRole",
)
# The policies under which the name must be safe: this file alone (all the
# guardrail checks), protect-guardrail.json alone (belt and braces), and both.
ALONE = [FULL_AWS_ACCESS, SCP]
POLICY_SETS = {
    "protect-exempt-tag.json alone": ALONE,
    "protect-guardrail.json alone": [FULL_AWS_ACCESS, PROTECT_GUARDRAIL],
    "both": [FULL_AWS_ACCESS, PROTECT_GUARDRAIL, SCP],
}


def test_the_role_statement_denies_the_role_changes_of_protect_guardrail():
    """The same role calls as protect-guardrail.json's `ProtectIdcGuardrailRoles`,
    but `iam:DeleteServiceLinkedRole`: that one only deletes roles under
    `/aws-service-role/`, and the exemptions role and the deployers have the path
    `/`. The same deployers, exactly, as every statement of protect-guardrail.json."""
    roles = statement(SCP, ROLE_SID)
    guardrail_roles = statement(PROTECT_GUARDRAIL, "ProtectIdcGuardrailRoles")
    assert sorted(as_list(roles["Action"])) == sorted(
        a for a in as_list(guardrail_roles["Action"]) if a != "iam:DeleteServiceLinkedRole"
    )
    assert sorted(as_list(roles["Action"])) == sorted(f"iam:{a}" for a in TAKING_THE_NAME)
    assert roles["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": DEPLOYER_PATTERNS}}
    for s in PROTECT_GUARDRAIL["Statement"]:
        if "Condition" in s:
            assert sorted(as_list(s["Condition"]["ArnNotLike"]["aws:PrincipalArn"])) == sorted(DEPLOYER_PATTERNS), s["Sid"]


def test_every_name_that_may_manage_the_role_is_protected_too():
    """The role statement protects the exempt principals and the deployers' own
    names: with this file alone, no member can become a deployer and then make
    the exemptions role. No exempt principal is a deployer (it changes nothing)."""
    resources = as_list(statement(SCP, ROLE_SID)["Resource"])
    assert resources == [*exempt_principals(), *DEPLOYER_PATTERNS]
    for pattern in exempt_principals():
        assert pattern not in DEPLOYER_PATTERNS, pattern


def test_protect_guardrail_protects_the_name_as_well():
    """Belt and braces: every exemption of this file is a protected role of
    protect-guardrail.json too, and not one of its deployers."""
    roles = statement(PROTECT_GUARDRAIL, "ProtectIdcGuardrailRoles")
    for pattern in exempt_principals():
        assert pattern in as_list(roles["Resource"]), pattern
        for s in PROTECT_GUARDRAIL["Statement"]:
            deployers = as_list(s.get("Condition", {}).get("ArnNotLike", {}).get("aws:PrincipalArn", []))
            assert pattern not in deployers, s["Sid"]


@pytest.mark.parametrize("policies", POLICY_SETS)
@pytest.mark.parametrize("action", TAKING_THE_NAME)
def test_a_member_cannot_create_or_take_over_the_exemptions_role(action, policies):
    scps = POLICY_SETS[policies]
    request = Request(f"iam:{action}", MEMBER_ADMIN, MEMBER_EXEMPTIONS)
    for who, principal in MEMBERS.items():
        assert evaluate(scps, as_principal(request, principal)) == EXPLICIT_DENY, who
    # Nor can the role rewrite itself: its trust policy stays the deployers' business.
    assert evaluate(scps, as_principal(request, MEMBER_EXEMPTIONS)) == EXPLICIT_DENY
    for who, principal in DEPLOYERS.items():
        assert evaluate(scps, as_principal(request, principal)) == ALLOWED, who


# Roles a member administrator would create (or take over) to become a deployer.
DEPLOYER_LOOKALIKES = [
    role(MEMBER, "IdcGuardrailProvisioner"),
    role(MEMBER, "AWSCloudFormationStackSetExecutionRole"),
    role(MEMBER, "stacksets-exec-mine"),
]


@pytest.mark.parametrize("arn", DEPLOYER_LOOKALIKES)
@pytest.mark.parametrize("action", ["CreateRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "AttachRolePolicy", "DeleteRole"])
def test_with_this_file_alone_a_member_cannot_make_itself_a_deployer(action, arn):
    for who, principal in MEMBERS.items():
        assert evaluate(ALONE, Request(f"iam:{action}", principal, arn)) == EXPLICIT_DENY, who
    assert evaluate(ALONE, Request(f"iam:{action}", MEMBER_EXEMPTIONS, arn)) == EXPLICIT_DENY
    for who, principal in DEPLOYERS.items():
        assert evaluate(ALONE, Request(f"iam:{action}", principal, arn)) == ALLOWED, who


def test_the_members_other_roles_stay_theirs():
    for arn in (role(MEMBER, "Admin"), role(MEMBER, "app-lambda"), role(MEMBER, f"team/{EXEMPTIONS_ROLE}")):
        for action in TAKING_THE_NAME:
            assert evaluate(ALONE, Request(f"iam:{action}", MEMBER_ADMIN, arn)) == ALLOWED, (action, arn)
    assert evaluate(ALONE, Request("iam:PassRole", MEMBER_ADMIN, MEMBER_EXEMPTIONS)) == ALLOWED, "changes nothing"


def test_the_name_under_a_path_is_the_members_and_exempts_nothing():
    """`role/team/IdcGuardrailExemptions` is another role: the member may create
    it, and acting as it, the key stays denied."""
    pathed = role(MEMBER, f"team/{EXEMPTIONS_ROLE}")
    for policies, scps in POLICY_SETS.items():
        assert evaluate(scps, Request("iam:CreateRole", MEMBER_ADMIN, pathed)) == ALLOWED, policies
    for request in SETTING_THE_KEY.values():
        for policies in ("protect-exempt-tag.json alone", "both"):
            assert evaluate(POLICY_SETS[policies], as_principal(request, pathed)) == EXPLICIT_DENY, (policies, request.action)


def test_the_exemptions_role_is_no_deployer():
    both = POLICY_SETS["both"]
    for action, resource in [
        ("iam:DeleteRole", role(MEMBER, "IdcGuardrailRemediation")),
        ("iam:CreateRole", role(MEMBER, "IdcGuardrailProvisioner")),
        ("events:DisableRule", f"arn:aws:events:eu-west-1:{MEMBER}:rule/idc-guardrail-forward-create-instance"),
    ]:
        assert evaluate(both, Request(action, MEMBER_EXEMPTIONS, resource)) == EXPLICIT_DENY, action
    assert evaluate(ALONE, Request("iam:CreateRole", MEMBER_EXEMPTIONS, role(MEMBER, "IdcGuardrailProvisioner"))) == EXPLICIT_DENY


# The tag statement alone: the file as it was before it protected its own name.
TAG_STATEMENT_ONLY = {**SCP, "Statement": [statement(SCP, TAG_SID)]}
# The role statement protecting the exempt principals but not the deployers' names.
EXEMPT_NAME_ONLY = without(SCP, ROLE_SID, "Resource", exempt_principals())
UNPROTECTED_NAME = copy.deepcopy(PROTECT_GUARDRAIL)
statement(UNPROTECTED_NAME, "ProtectIdcGuardrailRoles")["Resource"] = [
    r for r in as_list(statement(PROTECT_GUARDRAIL, "ProtectIdcGuardrailRoles")["Resource"]) if r != EXEMPT_PATTERN
]

# Create a role of the exempt name (or take over the existing one), give it the
# right to tag, then tag the account's instance as it.
BYPASS = [
    Request("iam:CreateRole", MEMBER_ADMIN, MEMBER_EXEMPTIONS),
    Request("iam:UpdateAssumeRolePolicy", MEMBER_ADMIN, MEMBER_EXEMPTIONS),
    Request("iam:AttachRolePolicy", MEMBER_ADMIN, MEMBER_EXEMPTIONS),
    Request("iam:PutRolePolicy", MEMBER_ADMIN, MEMBER_EXEMPTIONS),
    tag(KEY, principal=MEMBER_EXEMPTIONS),
]


def test_the_bypass_is_closed_by_this_file_alone():
    """Without the role statement every step goes through; with the file as
    shipped, and nothing but FullAWSAccess next to it, none of the role steps does."""
    assert all(evaluate([FULL_AWS_ACCESS, TAG_STATEMENT_ONLY], s) == ALLOWED for s in BYPASS)
    for step in BYPASS[:-1]:
        assert evaluate(ALONE, step) == EXPLICIT_DENY, step.action
    assert evaluate(ALONE, BYPASS[-1]) == ALLOWED, "the real exemptions role, a deployer's, may tag"


def test_the_bypass_is_closed_by_protect_guardrail_as_well():
    """Belt and braces: protect-guardrail.json next to the tag statement alone
    closes it too; without the name in its list, it does not."""
    assert all(evaluate([FULL_AWS_ACCESS, UNPROTECTED_NAME, TAG_STATEMENT_ONLY], s) == ALLOWED for s in BYPASS)
    for step in BYPASS[:-1]:
        assert evaluate([FULL_AWS_ACCESS, PROTECT_GUARDRAIL, TAG_STATEMENT_ONLY], step) == EXPLICIT_DENY, step.action


@pytest.mark.parametrize("deployer", DEPLOYER_LOOKALIKES)
def test_the_bypass_through_a_deployers_name_is_closed_by_this_file_alone(deployer):
    """Make a role of a deployer's name, then make the exemptions role as it,
    then tag. Protecting the exempt name alone lets this through."""
    steps = [
        Request("iam:CreateRole", MEMBER_ADMIN, deployer),
        Request("iam:CreateRole", deployer, MEMBER_EXEMPTIONS),
        Request("iam:UpdateAssumeRolePolicy", deployer, MEMBER_EXEMPTIONS),
        tag(KEY, principal=MEMBER_EXEMPTIONS),
    ]
    assert all(evaluate([FULL_AWS_ACCESS, EXEMPT_NAME_ONLY], s) == ALLOWED for s in steps)
    assert evaluate(ALONE, steps[0]) == EXPLICIT_DENY
    assert evaluate(ALONE, Request("iam:UpdateAssumeRolePolicy", MEMBER_ADMIN, deployer)) == EXPLICIT_DENY


OTHER_TAGS = {
    "CreateInstance without tags": create(),
    "CreateInstance with other tags": create("Name", "team"),
    "TagResource of other tags": tag("team", "cost-center"),
    "UntagResource of other tags": untag("team"),
    # Tag keys are case-sensitive in IAM Identity Center and StringEquals
    # compares exactly: these are other keys, which the guardrail (comparing
    # keys exactly) never reads as the exemption tag.
    "the key in upper case": tag(KEY.upper()),
    "the key capitalised": tag("Idc-Guardrail-Exempt"),
    "a longer key": tag(f"{KEY}-until"),
    "a prefix of the key": untag("idc-guardrail"),
}


@pytest.mark.parametrize("name", OTHER_TAGS)
def test_other_tags_stay_the_members(name):
    assert permits(SCP, OTHER_TAGS[name])


def test_with_the_create_instance_scp_no_member_creates_an_instance_at_all():
    """This file alone lets an untagged CreateInstance through: stopping new
    account instances is the business of the deny-create-instance SCPs."""
    assert permits(SCP, create())
    assert evaluate([FULL_AWS_ACCESS, SCP, DENY_CREATE_INSTANCE], create()) == EXPLICIT_DENY
    assert evaluate([FULL_AWS_ACCESS, SCP, DENY_CREATE_INSTANCE], tag("team")) == ALLOWED


def test_the_exemptions_stack_set_of_the_readme_has_protected_stacks():
    """scp/README.md deploys the role with a StackSet whose name puts its stacks
    under ProtectIdcGuardrailMemberStacks: the member cannot delete them, the
    StackSet (acting as stacksets-exec-*) can."""
    names = [
        c.argv[c.argv.index("--stack-set-name") + 1]
        for c in commands(SCP_DIR / "README.md")
        if c.argv[:3] == ("aws", "cloudformation", "create-stack-set")
    ]
    assert names == ["idc-guardrail-member-exemptions"]
    stack = (
        f"arn:aws:cloudformation:us-east-1:{MEMBER}:stack/StackSet-{names[0]}-6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
        "/0c1d2e3f-4a5b-11ef-9a8b-0a1b2c3d4e5f"
    )
    for action in ("cloudformation:DeleteStack", "cloudformation:UpdateStack"):
        for who, principal in MEMBERS.items():
            assert evaluate([FULL_AWS_ACCESS, PROTECT_GUARDRAIL], Request(action, principal, stack)) == EXPLICIT_DENY, who
        for who, principal in DEPLOYERS.items():
            assert evaluate([FULL_AWS_ACCESS, PROTECT_GUARDRAIL], Request(action, principal, stack)) == ALLOWED, who
