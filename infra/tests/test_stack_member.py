"""The member StackSet template: the remediation role and the forwarding rules."""

from __future__ import annotations

from cfn_templates import (
    allowed_actions,
    as_list,
    render,
    resources,
    role_policy_documents,
    statements,
)
from stack_expectations import REMEDIATION_ACTIONS


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


def test_member_role_arns_are_needed_only_where_a_role_is_created(member):
    """The management account's stack (RoleRegion=none) runs without CentralRoleArns; every
    other stack is refused without them, before a role with no trusted principal fails."""
    assert member["Parameters"]["CentralRoleArns"]["Default"] == ""
    (rule,) = member["Rules"].values()
    assert rule["RuleCondition"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "RoleRegion"}, "none"]}]}
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::EachMemberEquals": [{"Ref": "CentralRoleArns"}, ""]}]}
