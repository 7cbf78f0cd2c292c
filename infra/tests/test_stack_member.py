"""The member StackSet template: the remediation role and the forwarding rules."""

from __future__ import annotations

import fnmatch
import re

from cfn_templates import (
    allowed_actions,
    as_list,
    render,
    resources,
    role_policy_documents,
    statements,
)
from stack_expectations import (
    MEMBER_FORWARD_PREFIX,
    MEMBER_FORWARD_ROLE_NAME,
    MEMBER_FORWARD_RULES,
    MEMBER_ROLE_WRITES,
    MIGRATION_PLAN_ACTIONS,
    MIGRATION_PLAN_RESOURCES,
    REMEDIATION_ACTIONS,
)

# Action names that only read (the Service Authorization Reference's List and Read levels).
READ_VERBS = ("Describe", "List", "Get")
# The services whose writes the member role must not have, beyond MEMBER_ROLE_WRITES.
GUARDED_SERVICES = {"sso", "identitystore", "quicksight"}
ACCOUNT = "111111111111"


def _arn_fields(arn: str) -> list[str]:
    """partition, service, Region, account, resource of a rendered ARN (pseudo parameters carry
    colons: they are replaced first)."""
    text = arn.replace("${AWS::Partition}", "aws").replace("${AWS::AccountId}", ACCOUNT)
    return text.split(":", 5)[1:]


# ----------------------------------------------------------------- member template


def _remediation_role_id(member) -> str:
    (lid,) = [
        k
        for k, r in resources(member, "AWS::IAM::Role").items()
        if render(r["Properties"].get("RoleName"), member) == "${MemberRoleName}"
    ]
    return lid


def test_member_remediation_role(member):
    lid = _remediation_role_id(member)
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


def test_member_forwarding_parts_have_fixed_names(member):
    """Fixed names: an SCP protects them by name, the central sweep looks them up."""
    rules = resources(member, "AWS::Events::Rule")
    assert {lid: r["Properties"].get("Name") for lid, r in rules.items()} == MEMBER_FORWARD_RULES
    forwarders = {
        target["RoleArn"]["Fn::GetAtt"][0] for r in rules.values() for target in r["Properties"]["Targets"]
    }
    (forwarder,) = forwarders
    name = render(member["Resources"][forwarder]["Properties"]["RoleName"], member)
    # One role per Region (one per stack instance): IAM is global.
    assert name == MEMBER_FORWARD_ROLE_NAME
    for text in (name, *MEMBER_FORWARD_RULES.values()):
        assert text.startswith(MEMBER_FORWARD_PREFIX), text
    # IAM role names are at most 64 characters; the longest Region names have 14.
    assert len(name.replace("${AWS::Region}", "x" * 20)) <= 64
    # EventBridge rule names: at most 64 of [.-_A-Za-z0-9].
    for rule_name in MEMBER_FORWARD_RULES.values():
        assert re.fullmatch(r"[.\-_A-Za-z0-9]{1,64}", rule_name), rule_name


def test_the_remediation_role_may_see_the_forwarding_rules_only(member):
    """The sweep checks, through the remediation role, that the forwarding rule exists and is
    ENABLED in every Region: events:DescribeRule, read only, on the guardrail's rules only."""
    docs = role_policy_documents(member, _remediation_role_id(member))
    (see,) = [s for s in statements(docs) if s.get("Sid") == "SeeForwardingRules"]
    assert see["Effect"] == "Allow"
    assert as_list(see["Action"]) == ["events:DescribeRule"]
    resource = render(see["Resource"], member)
    assert resource == (
        "arn:${AWS::Partition}:events:*:${AWS::AccountId}:rule/" + MEMBER_FORWARD_PREFIX + "*"
    )
    # Nothing else of EventBridge: no write, no other rule.
    events = [s for s in statements(docs) if any(a.startswith("events:") for a in as_list(s["Action"]))]
    assert events == [see]
    # Every forwarding rule is covered by that resource (rules on the default bus: rule/<name>).
    pattern = resource.rsplit(":rule/", 1)[1]
    for rule_name in MEMBER_FORWARD_RULES.values():
        assert fnmatch.fnmatchcase(rule_name, pattern), rule_name


def test_the_member_role_reads_what_apps_use_for_the_migration_plan(member):
    """The migration plan of an account instance that still has applications reads what they use
    through the member role: one statement, read only, each action on the resource types the
    Service Authorization Reference gives it, in this account (AWS's own for application
    providers), unconditionally; no other statement grants these actions."""
    docs = role_policy_documents(member, _remediation_role_id(member))
    (read,) = [s for s in statements(docs) if s.get("Sid") == "ReadWhatAppsUse"]
    assert read["Effect"] == "Allow"
    assert "Condition" not in read and "NotAction" not in read and "NotResource" not in read
    actions = as_list(read["Action"])
    assert sorted(actions) == sorted(MIGRATION_PLAN_ACTIONS)
    for action in actions:
        assert action.split(":", 1)[1].startswith(READ_VERBS), f"{action} is not a read"
    resources_ = render(as_list(read["Resource"]), member)
    wanted = {r for rs in MIGRATION_PLAN_RESOURCES.values() for r in rs}
    assert sorted(resources_) == sorted(wanted), "exactly the resources the actions need"
    for resource in resources_:
        assert resource != "*" and resource.startswith("arn:${AWS::Partition}:"), resource
        # This account's resources; application providers belong to AWS, and the identity store's
        # users and groups carry no account (the Identitystore resource holds them to this one).
        assert _arn_fields(resource)[3] in (ACCOUNT, "aws", ""), resource
    # Each resource serves an action of its own service.
    for action, arns in MIGRATION_PLAN_RESOURCES.items():
        for arn in arns:
            assert _arn_fields(arn)[1] == action.split(":")[0], (action, arn)
    others = [s for s in statements(docs) if s is not read]
    for s in others:
        assert not set(as_list(s["Action"])) & MIGRATION_PLAN_ACTIONS, s


def test_the_member_role_writes_nothing_in_identity_center_but_the_delete(member):
    """Of IAM Identity Center, its identity store and QuickSight, the member role may only read,
    and delete the account instance (with its identity store): no other write, no wildcard action,
    no NotAction; each delete alone in its statement, on its resource type, never on "*"."""
    docs = role_policy_documents(member, _remediation_role_id(member))
    actions = allowed_actions(docs)
    for action in actions:
        assert "*" not in action, f"wildcard action {action}"
        service, name = action.split(":", 1)
        if service in GUARDED_SERVICES and not name.startswith(READ_VERBS):
            assert action in MEMBER_ROLE_WRITES, f"{action} writes"
    assert MEMBER_ROLE_WRITES <= actions
    for s in statements(docs):
        assert "NotAction" not in s and "NotResource" not in s, s
        writes = set(as_list(s["Action"])) & MEMBER_ROLE_WRITES
        if writes:
            assert len(as_list(s["Action"])) == 1, f"a delete shares its statement: {s}"
            assert "*" not in as_list(render(s["Resource"], member)), s


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


def test_member_role_arns_are_needed_only_where_a_role_is_created(member):
    """The management account's stack (RoleRegion=none) runs without CentralRoleArns; every
    other stack is refused without them, before a role with no trusted principal fails."""
    assert member["Parameters"]["CentralRoleArns"]["Default"] == ""
    (rule,) = member["Rules"].values()
    assert rule["RuleCondition"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "RoleRegion"}, "none"]}]}
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::EachMemberEquals": [{"Ref": "CentralRoleArns"}, ""]}]}


def test_the_guide_deploys_the_member_template_with_named_iam(member):
    """Named IAM roles (the remediation role, the forwarding roles) need CAPABILITY_NAMED_IAM:
    CAPABILITY_IAM alone is refused. Every command of the guide that deploys the member template
    passes it (the StackSet and the management account's plain stack alike)."""
    from cfn_templates import INFRA
    from guide_commands import commands

    named = [lid for lid, r in resources(member, "AWS::IAM::Role").items() if "RoleName" in r["Properties"]]
    assert len(named) == 2
    deploys = [
        c for c in commands(INFRA / "README.md")
        if c.argv[:2] == ("aws", "cloudformation") and any("member-stackset.yaml" in a for a in c.argv)
    ]
    assert len(deploys) >= 2, "the StackSet and the management account's stack"
    for c in deploys:
        argv = list(c.argv)
        assert "--capabilities" in argv, str(c)
        start = argv.index("--capabilities") + 1
        capabilities = []
        for arg in argv[start:]:
            if arg.startswith("--"):
                break
            capabilities.append(arg)
        assert "CAPABILITY_NAMED_IAM" in capabilities, str(c)
