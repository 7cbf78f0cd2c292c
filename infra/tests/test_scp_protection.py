"""What protect-guardrail.json lets through, by the evaluator in scp_evaluator.py.

The member account's administrator has every IAM right in its own account and
is bound only by the SCPs (DESIGN.md, "Who the guardrail stands against"). This
policy, attached next to the default FullAWSAccess, denies them every change to
the guardrail's parts in their account: the remediation role, the forwarding
roles and rules, the member stack, and the role `IdcGuardrailExemptions` that
protect-exempt-tag.json exempts by name. Only the deployers may change them: the
roles StackSets acts through in a member account (`stacksets-exec-*` for a
service-managed StackSet, `AWSCloudFormationStackSetExecutionRole` for a
self-managed one) and the named provisioner `IdcGuardrailProvisioner`.

An exemption by role name is only as good as the name's protection: a member
administrator who could create a role called `IdcGuardrailProvisioner` would be
a deployer. So every exempt name is also a protected role (as Control Tower's
GRIAMROLEPOLICY protects `stacksets-exec-*` and its own roles): nobody but a
deployer can create, change or delete it. UNPROTECTED_NAMES is the policy
without that protection; the bypass tests show it let the bypass through.

333333333333 is the member account, `Admin` its administrator's role.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cfn_templates import INFRA, MEMBER_TEMPLATE, SCP_DIR, load_cfn
from guide_commands import commands
from scp_evaluator import ALLOWED, EXPLICIT_DENY, FULL_AWS_ACCESS, Request, evaluate, permits

SCP: dict[str, Any] = json.loads((SCP_DIR / "protect-guardrail.json").read_text(encoding="utf-8"))
MEMBER = "333333333333"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
STACKSETS_EXEC = "stacksets-exec-0123456789abcdef0123456789abcdef"
STACKSETS_SLR = (
    "aws-service-role/member.org.stacksets.cloudformation.amazonaws.com/"
    "AWSServiceRoleForCloudFormationStackSetsOrgMember"
)
RULE_NAMES = (
    "idc-guardrail-forward-create-instance",
    "idc-guardrail-forward-delegated-admin",
    "idc-guardrail-forward-account-joined",
)
STACK_SET = "idc-guardrail-member"

# Every call that creates, deletes or changes a role, its policies, tags, trust
# policy or permissions boundary; and the deletion of the StackSets member role.
ROLE_ACTIONS = (
    "AttachRolePolicy",
    "CreateRole",
    "DeleteRole",
    "DeleteRolePermissionsBoundary",
    "DeleteRolePolicy",
    "DeleteServiceLinkedRole",
    "DetachRolePolicy",
    "PutRolePermissionsBoundary",
    "PutRolePolicy",
    "TagRole",
    "UntagRole",
    "UpdateAssumeRolePolicy",
    "UpdateRole",
    "UpdateRoleDescription",
)
# Every call that deletes, disables, retargets or rewrites a rule (PutRule
# changes its pattern or state); EnableRule is left alone, it only restores.
RULE_ACTIONS = ("DeleteRule", "DisableRule", "PutRule", "PutTargets", "RemoveTargets", "TagResource", "UntagResource")
# Every write the service authorization reference authorizes on the stack
# resource, but DeleteChangeSet, SignalResource and RecordHandlerProgress (none
# changes what the stack deployed) and the drift and read calls.
STACK_ACTIONS = (
    "CancelUpdateStack",
    "ContinueUpdateRollback",
    "CreateChangeSet",
    "CreateStack",
    "CreateStackRefactor",
    "DeleteStack",
    "ExecuteChangeSet",
    "ExecuteStackRefactor",
    "RollbackStack",
    "SetStackPolicy",
    "TagResource",
    "UntagResource",
    "UpdateStack",
    "UpdateTerminationProtection",
)


def role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def rule(region: str, name: str, account: str = MEMBER) -> str:
    return f"arn:aws:events:{region}:{account}:rule/{name}"


def stack(region: str, name: str = f"StackSet-{STACK_SET}-6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f") -> str:
    return f"arn:aws:cloudformation:{region}:{MEMBER}:stack/{name}/0c1d2e3f-4a5b-11ef-9a8b-0a1b2c3d4e5f"


MEMBER_ADMIN = role(MEMBER, "Admin")
MEMBERS = {"member admin": MEMBER_ADMIN, "member root user": f"arn:aws:iam::{MEMBER}:root"}
DEPLOYERS = {
    "service-managed StackSet": role(MEMBER, STACKSETS_EXEC),
    "self-managed StackSet": role(MEMBER, "AWSCloudFormationStackSetExecutionRole"),
    "provisioner": role(MEMBER, "IdcGuardrailProvisioner"),
}

GUARDRAIL_ROLES = [role(MEMBER, "IdcGuardrailRemediation")] + [role(MEMBER, f"idc-guardrail-forward-{r}") for r in REGIONS]
# The deployers' own roles, and the StackSets member role (which IAM alone protects
# from everything but deletion: it is service-linked).
DEPLOYER_ROLES = [*DEPLOYERS.values(), role(MEMBER, STACKSETS_SLR)]
# The role protect-exempt-tag.json exempts by name in every account: the security
# team provisions it through a deployer (test_scp_exempt_tag.py evaluates both files).
EXEMPTIONS_ROLES = [role(MEMBER, "IdcGuardrailExemptions")]
PROTECTED = (
    [(f"iam:{a}", arn) for a in ROLE_ACTIONS for arn in GUARDRAIL_ROLES + DEPLOYER_ROLES + EXEMPTIONS_ROLES]
    + [(f"events:{a}", rule(r, n)) for a in RULE_ACTIONS for r in REGIONS for n in RULE_NAMES]
    + [(f"cloudformation:{a}", stack(r)) for a in STACK_ACTIONS for r in REGIONS]
)


def statement(sid: str, scp: dict[str, Any] = SCP) -> dict[str, Any]:
    (found,) = [s for s in scp["Statement"] if s["Sid"] == sid]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def outcome(request: Request, scp: dict[str, Any] = SCP) -> str:
    return evaluate([FULL_AWS_ACCESS, scp], request)


# ----------------------------------------------------------------- what is denied, to whom


@pytest.mark.parametrize(
    ("sid", "service", "actions"),
    [
        ("ProtectIdcGuardrailRoles", "iam", ROLE_ACTIONS),
        ("ProtectIdcGuardrailForwardingRules", "events", RULE_ACTIONS),
        ("ProtectIdcGuardrailMemberStacks", "cloudformation", STACK_ACTIONS),
    ],
)
def test_each_statement_denies_exactly_these_actions(sid, service, actions):
    s = statement(sid)
    assert s["Effect"] == "Deny"
    assert sorted(as_list(s["Action"])) == sorted(f"{service}:{a}" for a in actions)


@pytest.mark.parametrize(("action", "resource"), PROTECTED, ids=[f"{a} {r}" for a, r in PROTECTED])
def test_every_change_is_denied_to_the_member_and_left_to_the_deployers(action, resource):
    for who, principal in MEMBERS.items():
        assert outcome(Request(action, principal, resource)) == EXPLICIT_DENY, who
    for who, principal in DEPLOYERS.items():
        assert outcome(Request(action, principal, resource)) == ALLOWED, who


def test_no_member_account_leaves_the_organization():
    """Leaving takes the account out of every SCP and out of the sweep: denied to
    everyone in the member accounts, the deployers too. The management account
    removes an account with RemoveAccountFromOrganization, which no SCP governs."""
    (s,) = [s for s in SCP["Statement"] if "organizations:LeaveOrganization" in as_list(s["Action"])]
    assert "Condition" not in s and s["Resource"] == "*"
    for principal in [*MEMBERS.values(), *DEPLOYERS.values()]:
        assert outcome(Request("organizations:LeaveOrganization", principal)) == EXPLICIT_DENY, principal


def test_every_region_is_covered():
    """The rule and stack patterns name no Region: opt-in and future Regions too."""
    for region in ("af-south-1", "il-central-1", "xx-future-9"):
        for name in RULE_NAMES:
            assert outcome(Request("events:DisableRule", MEMBER_ADMIN, rule(region, name))) == EXPLICIT_DENY
        assert outcome(Request("cloudformation:DeleteStack", MEMBER_ADMIN, stack(region))) == EXPLICIT_DENY
        assert outcome(Request("iam:DeleteRole", MEMBER_ADMIN, role(MEMBER, f"idc-guardrail-forward-{region}"))) == EXPLICIT_DENY


# ----------------------------------------------------------------- the exempt names


def exemptions(scp: dict[str, Any] = SCP) -> list[list[str]]:
    return [as_list(s["Condition"]["ArnNotLike"]["aws:PrincipalArn"]) for s in scp["Statement"] if "Condition" in s]


def test_every_statement_exempts_the_same_deployers():
    lists = exemptions()
    assert len(lists) == 3 and all(sorted(x) == sorted(lists[0]) for x in lists)
    assert sorted(lists[0]) == sorted(
        role("*", name) for name in ("stacksets-exec-*", "AWSCloudFormationStackSetExecutionRole", "IdcGuardrailProvisioner")
    )


def test_every_exempt_name_is_a_protected_role():
    """The proof that no member can become a deployer, whatever it names a role:
    a role's ARN that matches an exemption pattern also matches a protected
    resource of the same pattern, so creating it (or rewriting its trust policy)
    is denied to every principal that is not already a deployer."""
    resources = as_list(statement("ProtectIdcGuardrailRoles")["Resource"])
    for pattern in exemptions()[0]:
        assert pattern in resources, pattern


# Roles a member administrator would create (or take over) to become a deployer.
LOOKALIKES = [
    role(MEMBER, "IdcGuardrailProvisioner"),
    role(MEMBER, "AWSCloudFormationStackSetExecutionRole"),
    role(MEMBER, "stacksets-exec-mine"),
    # A path puts the name anywhere after `role/`: this ARN matches the exemption
    # `role/stacksets-exec-*`, and for the same reason the protected resource.
    role(MEMBER, "stacksets-exec-team/Admin"),
]


@pytest.mark.parametrize("arn", LOOKALIKES)
@pytest.mark.parametrize("action", ["CreateRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "AttachRolePolicy", "DeleteRole"])
def test_a_member_cannot_make_itself_a_deployer(action, arn):
    for who, principal in MEMBERS.items():
        assert outcome(Request(f"iam:{action}", principal, arn)) == EXPLICIT_DENY, who


UNPROTECTED_NAMES = copy.deepcopy(SCP)
statement("ProtectIdcGuardrailRoles", UNPROTECTED_NAMES)["Resource"] = [
    role("*", "IdcGuardrailRemediation"),
    role("*", "idc-guardrail-forward-*"),
]


@pytest.mark.parametrize("name", ["IdcGuardrailProvisioner", "AWSCloudFormationStackSetExecutionRole", "stacksets-exec-mine"])
def test_the_bypass_is_closed_end_to_end(name):
    """Create a role of an exempt name, then delete the guardrail's parts as it."""
    steps = [
        Request("iam:CreateRole", MEMBER_ADMIN, role(MEMBER, name)),
        Request("iam:DeleteRole", role(MEMBER, name), role(MEMBER, "IdcGuardrailRemediation")),
        Request("events:DeleteRule", role(MEMBER, name), rule("eu-west-1", RULE_NAMES[0])),
        Request("cloudformation:DeleteStack", role(MEMBER, name), stack("eu-west-1")),
    ]
    assert all(permits(UNPROTECTED_NAMES, s) for s in steps), "without the name protection, the bypass goes through"
    assert outcome(steps[0]) == EXPLICIT_DENY


# ----------------------------------------------------------------- look-alikes that are other resources


def test_a_role_of_the_same_name_under_a_path_is_another_role():
    """`role/x/IdcGuardrailRemediation` is the role `IdcGuardrailRemediation` with
    the path `/x/`: another role, which the guardrail never assumes (it assumes
    `role/<MemberRoleName>`, path `/`, and the member template gives its roles no
    path). The member may have it; the guardrail's role stays protected."""
    for action in ("iam:CreateRole", "iam:DeleteRole", "iam:UpdateAssumeRolePolicy"):
        assert permits(SCP, Request(action, MEMBER_ADMIN, role(MEMBER, "x/IdcGuardrailRemediation")))
        assert outcome(Request(action, MEMBER_ADMIN, role(MEMBER, "IdcGuardrailRemediation"))) == EXPLICIT_DENY
    # Acting as it exempts nothing: the exemption names the path too.
    as_pathed = Request("iam:DeleteRole", role(MEMBER, "x/IdcGuardrailProvisioner"), role(MEMBER, "IdcGuardrailRemediation"))
    assert outcome(as_pathed) == EXPLICIT_DENY


def test_names_in_another_case_are_other_resources_and_exempt_nobody():
    """ARN patterns compare case-sensitively. IAM role names are unique without
    regard to case, so a member can hold `idcguardrailprovisioner` only where no
    `IdcGuardrailProvisioner` exists; acting as it, its ARN matches no exemption."""
    other_case = role(MEMBER, "idcguardrailprovisioner")
    assert permits(SCP, Request("iam:CreateRole", MEMBER_ADMIN, other_case))
    assert outcome(Request("iam:DeleteRole", other_case, role(MEMBER, "IdcGuardrailRemediation"))) == EXPLICIT_DENY
    assert outcome(Request("events:DeleteRule", other_case, rule("us-east-1", RULE_NAMES[0]))) == EXPLICIT_DENY
    assert permits(SCP, Request("events:PutRule", MEMBER_ADMIN, rule("us-east-1", RULE_NAMES[0].upper())))
    assert permits(SCP, Request("cloudformation:CreateStack", MEMBER_ADMIN, stack("us-east-1", "stackset-idc-guardrail-member-x")))


def test_rules_of_the_same_name_on_another_bus_are_not_the_guardrails():
    """A rule on a custom bus has the ARN `rule/<bus>/<name>`. The guardrail's
    forwarding rules are on the default bus (`rule/<name>`): CloudTrail delivers
    the events it forwards to the default bus only. A member's rule of the same
    name on its own bus forwards nothing of the guardrail's, and stays the
    member's."""
    for action in ("events:PutRule", "events:DeleteRule", "events:PutTargets"):
        for name in RULE_NAMES:
            assert permits(SCP, Request(action, MEMBER_ADMIN, rule("eu-west-1", f"custom-bus/{name}")))
            assert outcome(Request(action, MEMBER_ADMIN, rule("eu-west-1", name))) == EXPLICIT_DENY


UNRELATED = [
    Request("iam:CreateRole", MEMBER_ADMIN, role(MEMBER, "AppRole")),
    Request("iam:DeleteRole", MEMBER_ADMIN, role(MEMBER, "idc-guardrail-notes")),
    Request("iam:PutRolePolicy", MEMBER_ADMIN, role(MEMBER, "stacksets-execution")),
    Request("iam:CreateServiceLinkedRole", MEMBER_ADMIN, role(MEMBER, "aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS")),
    Request("iam:DeleteServiceLinkedRole", MEMBER_ADMIN, role(MEMBER, "aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS")),
    Request("events:PutRule", MEMBER_ADMIN, rule("eu-west-1", "my-app-rule")),
    Request("events:DeleteRule", MEMBER_ADMIN, rule("eu-west-1", "idc-guardrail-reports")),
    # Harmless on the guardrail's rules: re-enabling, and reading.
    Request("events:EnableRule", MEMBER_ADMIN, rule("eu-west-1", RULE_NAMES[0])),
    Request("events:DescribeRule", MEMBER_ADMIN, rule("eu-west-1", RULE_NAMES[0])),
    # The default bus's resource policy: the forwarding rules need none.
    Request("events:PutPermission", MEMBER_ADMIN, f"arn:aws:events:eu-west-1:{MEMBER}:event-bus/default"),
    Request("events:RemovePermission", MEMBER_ADMIN, f"arn:aws:events:eu-west-1:{MEMBER}:event-bus/default"),
    Request("cloudformation:CreateStack", MEMBER_ADMIN, stack("eu-west-1", "my-app")),
    Request("cloudformation:DeleteStack", MEMBER_ADMIN, stack("eu-west-1", "StackSet-other-member-1234")),
    Request("cloudformation:DescribeStacks", MEMBER_ADMIN, stack("eu-west-1")),
    Request("cloudformation:DetectStackDrift", MEMBER_ADMIN, stack("eu-west-1")),
    Request("sso:DeleteInstance", role(MEMBER, "IdcGuardrailRemediation")),
    Request("sso:CreateInstance", MEMBER_ADMIN),  # the deny-create-instance SCPs' business
]


@pytest.mark.parametrize("request_", UNRELATED, ids=[f"{r.action} {r.resource}" for r in UNRELATED])
def test_unrelated_member_work_is_unaffected(request_):
    assert permits(SCP, request_)


# ----------------------------------------------------------------- the names the deployment uses


def _sub(value: Any, region: str, account: str = MEMBER) -> str:
    if isinstance(value, dict) and "Fn::Sub" in value:
        return value["Fn::Sub"].replace("${AWS::Region}", region).replace("${AWS::AccountId}", account)
    if isinstance(value, dict) and value.get("Ref") == "MemberRoleName":
        return MEMBER_TEMPLATE_DOC["Parameters"]["MemberRoleName"]["Default"]
    assert isinstance(value, str), value
    return value


MEMBER_TEMPLATE_DOC = load_cfn(MEMBER_TEMPLATE)


def _resources(kind: str) -> dict[str, dict[str, Any]]:
    return {k: r.get("Properties", {}) for k, r in MEMBER_TEMPLATE_DOC["Resources"].items() if r["Type"] == kind}


def test_the_member_template_creates_only_protected_roles():
    """Every role of the member stack is named, on the path `/`, with inline
    policies only (so AttachRolePolicy is the only way to add a managed policy,
    and it is denied), and every change to it is denied to the member."""
    roles = _resources("AWS::IAM::Role")
    assert roles
    for logical_id, props in roles.items():
        assert props.get("Path", "/") == "/", logical_id
        assert "ManagedPolicyArns" not in props and "PermissionsBoundary" not in props, logical_id
        for region in REGIONS:
            arn = role(MEMBER, _sub(props["RoleName"], region))
            for action in ROLE_ACTIONS:
                assert outcome(Request(f"iam:{action}", MEMBER_ADMIN, arn)) == EXPLICIT_DENY, (logical_id, action)


def test_the_member_template_creates_only_protected_rules():
    rules = _resources("AWS::Events::Rule")
    assert len(rules) == len(RULE_NAMES)
    for logical_id, props in rules.items():
        assert props.get("EventBusName", "default") == "default", logical_id
        assert props["Name"] in RULE_NAMES, logical_id
        for region in REGIONS:
            for action in RULE_ACTIONS:
                request = Request(f"events:{action}", MEMBER_ADMIN, rule(region, props["Name"]))
                assert outcome(request) == EXPLICIT_DENY, (logical_id, action)


def test_the_guide_names_the_stack_set_whose_stacks_are_protected():
    """A stack instance of a StackSet is the stack `StackSet-<StackSet name>-<id>`."""
    names = [
        c.argv[c.argv.index("--stack-set-name") + 1]
        for c in commands(INFRA / "README.md")
        if c.argv[:3] == ("aws", "cloudformation", "create-stack-set")
    ]
    assert names == [STACK_SET]
    assert as_list(statement("ProtectIdcGuardrailMemberStacks")["Resource"]) == [
        f"arn:aws:cloudformation:*:*:stack/StackSet-{STACK_SET}-*/*"
    ]
