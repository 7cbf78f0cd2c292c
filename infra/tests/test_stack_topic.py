"""Both stacks: who may subscribe to the findings topic, over which protocols, and who may put
events on the bus."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cfn_templates import normalized_statements, render, resources
from stack_expectations import STACKS


# ----------------------------------------------------------------- findings topic subscribers

OWN_ACCOUNT = "arn:${AWS::Partition}:iam::${AWS::AccountId}:*"


# aws:PrincipalArn of the subscribers: this account, then SubscriberPrincipals.
SUBSCRIBERS = [
    {
        "Fn::If": [
            {"Fn::Not": [{"Fn::Equals": ["${SubscriberPrincipals}", ""]}]},
            {"Fn::Split": [",", OWN_ACCOUNT + ",${SubscriberPrincipals}"]},
            [OWN_ACCOUNT],
        ]
    }
]


def topic_statements(template: dict[str, Any]) -> dict[str, Any]:
    (policy,) = resources(template, "AWS::SNS::TopicPolicy").values()
    return normalized_statements([policy["Properties"]["PolicyDocument"]], template)


@pytest.mark.parametrize("stack", STACKS)
def test_topic_admits_only_listed_subscribers_over_listed_protocols(stack, request):
    st = topic_statements(request.getfixturevalue(stack))
    subscribe = {sid: s for sid, s in st.items() if "sns:Subscribe" in s["Action"]}
    assert set(subscribe) == {
        "ListedSubscribersMaySubscribe",
        "DenySubscribeByOtherPrincipals",
        "DenySubscribeOverOtherProtocols",
    }
    for s in subscribe.values():
        assert s["Action"] == ["sns:Subscribe"]
        assert s["Resource"] == ["${AWS::SNS::Topic}"]
        assert s["Principal"] == {"AWS": ["*"]}
    allow = subscribe["ListedSubscribersMaySubscribe"]
    assert allow["Effect"] == "Allow"
    assert allow["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": ["${OrganizationId}"]},
        "ArnLike": {"aws:PrincipalArn": SUBSCRIBERS},
    }
    others = subscribe["DenySubscribeByOtherPrincipals"]
    assert others["Effect"] == "Deny"
    assert others["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": SUBSCRIBERS}}
    protocols = subscribe["DenySubscribeOverOtherProtocols"]
    assert protocols["Effect"] == "Deny"
    assert protocols["Condition"] == {"StringNotEquals": {"sns:Protocol": ["${SubscriptionProtocols}"]}}
    # Nothing else on the topic is granted to anyone but the guardrail's own alarms.
    allowed = sorted(sid for sid, s in st.items() if s["Effect"] == "Allow")
    assert allowed == ["GuardrailAlarmsMayPublish", "ListedSubscribersMaySubscribe"]
    alarms = st["GuardrailAlarmsMayPublish"]
    assert alarms["Principal"] == {"Service": ["cloudwatch.amazonaws.com"]}
    assert alarms["Action"] == ["sns:Publish"]
    assert alarms["Resource"] == ["${AWS::SNS::Topic}"]
    assert alarms["Condition"] == {
        "ArnLike": {"aws:SourceArn": ["arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${AWS::StackName}-*"]},
        "StringEquals": {"aws:SourceAccount": ["${AWS::AccountId}"]},
    }


def test_subscription_parameters(sam):
    protocols = sam["Parameters"]["SubscriptionProtocols"]
    assert protocols["Type"] == "CommaDelimitedList"
    assert protocols["Default"].split(",") == ["sqs", "lambda", "https", "email"]
    # Plain http only when asked for; no SMS or mobile push for JSON findings.
    assert "http" in protocols["AllowedValues"]
    assert not {"sms", "application"} & set(protocols["AllowedValues"])
    assert set(protocols["Default"].split(",")) <= set(protocols["AllowedValues"])
    assert sam["Parameters"]["SubscriberPrincipals"]["Default"] == ""


SUBSCRIBERS_OK = [
    "",
    "arn:aws:iam::222222222222:role/SecOpsAlerts",
    "arn:aws:iam::222222222222:*",
    "arn:aws:iam::222222222222:role/team/*,arn:aws-us-gov:iam::333333333333:root",
]


SUBSCRIBERS_BAD = [
    # A role name in any account: any member administrator could create it.
    "arn:aws:iam::*:role/SecOpsAlerts",
    "222222222222",
    "arn:aws:iam::222222222222:role/a, arn:aws:iam::333333333333:role/b",
    "arn:aws:iam::222222222222:role/a,",
    "arn:aws:sts::222222222222:assumed-role/SecOpsAlerts/session",
    "arn:aws:iam::22222222222:role/SecOpsAlerts",
]


@pytest.mark.parametrize("value", SUBSCRIBERS_OK + SUBSCRIBERS_BAD)
def test_subscriber_principals_parameter_pattern(sam, value):
    import re

    pattern = sam["Parameters"]["SubscriberPrincipals"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) == (value in SUBSCRIBERS_OK)


def template_rules(template: dict[str, Any]) -> list[Any]:
    """The template's Rules, without CDK's bootstrap version check."""
    return sorted(
        (render(r, template) for lid, r in template.get("Rules", {}).items() if lid != "CheckBootstrapVersion"),
        key=lambda r: json.dumps(r, sort_keys=True),
    )


@pytest.mark.parametrize("stack", STACKS)
def test_alert_email_needs_the_email_protocol(stack, request):
    """The stack's own e-mail subscription is bound by the topic policy too."""
    rules = template_rules(request.getfixturevalue(stack))
    assert [r for r in rules if "${AlertEmail}" in json.dumps(r.get("RuleCondition"))] == [
        {
            "RuleCondition": {"Fn::Not": [{"Fn::Equals": ["${AlertEmail}", ""]}]},
            "Assertions": [
                {
                    "Assert": {"Fn::Contains": ["${SubscriptionProtocols}", "email"]},
                    "AssertDescription": "AlertEmail subscribes an e-mail address, so SubscriptionProtocols must include email.",
                }
            ],
        }
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_bus_admits_only_the_organization(stack, request):
    template = request.getfixturevalue(stack)
    (policy,) = resources(template, "AWS::Events::EventBusPolicy").values()
    (s,) = normalized_statements([{"Statement": policy["Properties"]["Statement"]}], template).values()
    assert s["Action"] == ["events:PutEvents"]
    assert s["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ["${OrganizationId}"]}}


@pytest.mark.parametrize("stack", STACKS)
def test_the_outlets_need_the_sqs_protocol(stack, request):
    """With Security Hub or chat the stack subscribes the outlets queue to the findings topic,
    over sqs, which DenySubscribeOverOtherProtocols would deny: the stack is refused up front.
    These are the only rules with a condition besides the alert e-mail's."""
    rules = template_rules(request.getfixturevalue(stack))
    assert [r for r in rules if "RuleCondition" in r and "${AlertEmail}" not in json.dumps(r["RuleCondition"])] == [
        {
            "RuleCondition": {
                "Fn::Or": [
                    {"Fn::Equals": ["${SecurityHub}", "true"]},
                    {"Fn::Not": [{"Fn::Equals": ["${ChatTopicArn}", ""]}]},
                ]
            },
            "Assertions": [
                {
                    "Assert": {"Fn::Contains": ["${SubscriptionProtocols}", "sqs"]},
                    "AssertDescription": "SecurityHub or ChatTopicArn subscribes the outlets queue to the findings topic, "
                    "so SubscriptionProtocols must include sqs.",
                }
            ],
        }
    ]
