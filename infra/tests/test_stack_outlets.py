"""Both stacks: the outlets, Security Hub and chat off the delete path. The findings topic copies
every finding (raw) to the outlets queue, which the outlets function consumes in batches; what
fails 5 times waits in the outlets dead-letter queue. All of it exists only when SecurityHub is
true or ChatTopicArn is set (HasOutlets); SAM and CDK alike."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from cfn_conditions import holds, implies
from cfn_templates import (
    OUTLETS,
    SAM_TEMPLATE,
    as_list,
    function_role_id,
    functions,
    load_cfn,
    nested_location,
    normalized_statements,
    ref_id,
    render,
    resources,
)
from stack_expectations import STACKS, function_props, mapping_of, outlets_queue_id

HAS_OUTLETS = {
    "Fn::Or": [
        {"Fn::Equals": ["${SecurityHub}", "true"]},
        {"Fn::Not": [{"Fn::Equals": ["${ChatTopicArn}", ""]}]},
    ]
}
CHAT = "arn:aws:sns:eu-west-1:111111111111:chat"
# (SecurityHub, ChatTopicArn) -> whether the outlets exist.
SWITCHES = {("false", ""): False, ("true", ""): True, ("false", CHAT): True, ("true", CHAT): True}
FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")


def outlets_parts(template: dict[str, Any]) -> dict[str, str]:
    """What the outlets are made of, found from the function: logical id -> what it is."""
    res = resources(template)
    fid = functions(template)[OUTLETS]
    queue = outlets_queue_id(template)
    dlq = ref_id(res[queue]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
    role = function_role_id(template, fid)
    parts = {
        fid: "function",
        role: "role",
        queue: "queue",
        dlq: "dead-letter queue",
        ref_id(function_props(template, OUTLETS)["LoggingConfig"]["LogGroup"]): "log group",
    }
    for lid, r in res.items():
        props = r.get("Properties", {})
        if r["Type"] == "AWS::Lambda::EventSourceMapping" and ref_id(props["FunctionName"]) == fid:
            parts[lid] = "event source mapping"
        elif r["Type"] == "AWS::SQS::QueuePolicy" and queue in {ref_id(q) for q in props["Queues"]}:
            parts[lid] = "queue policy"
        elif r["Type"] == "AWS::SNS::Subscription" and ref_id(props["Endpoint"]) == queue:
            parts[lid] = "subscription"
        elif r["Type"] == "AWS::IAM::Policy" and [ref_id(x) for x in props["Roles"]] == [role]:
            parts[lid] = "policy " + props["PolicyName"]
        elif r["Type"] == "AWS::CloudWatch::Alarm" and {ref_id(d["Value"]) for d in props["Dimensions"]} & {fid, dlq}:
            parts[lid] = "alarm " + render(props["AlarmName"], template)
    return parts


@pytest.mark.parametrize("stack", STACKS)
def test_the_outlets_are_all_their_parts(stack, request):
    template = request.getfixturevalue(stack)
    assert sorted(outlets_parts(template).values()) == sorted([
        "function", "role", "queue", "dead-letter queue", "log group", "event source mapping",
        "queue policy", "subscription", "policy idc-guardrail-outlets", "policy idc-guardrail-security-hub",
        "policy idc-guardrail-chat", "alarm ${AWS::StackName}-dead-letters-outlets",
        "alarm ${AWS::StackName}-errors-outlets",
    ])


def _params(template: dict[str, Any], security_hub: str, chat: str) -> dict[str, Any]:
    params = {p: spec.get("Default", "") for p, spec in template["Parameters"].items()}
    return {**params, "SecurityHub": security_hub, "ChatTopicArn": chat}


def _exists(template: dict[str, Any], lid: str, params: dict[str, Any]) -> bool:
    when = template["Resources"][lid].get("Condition")
    return when is None or holds(when, template["Conditions"], params)


def _references(value: Any, template: dict[str, Any], params: dict[str, Any]) -> set[str]:
    """The resources a value names, following only the taken branch of each Fn::If."""
    res = template["Resources"]
    if isinstance(value, list):
        return set().union(*(_references(v, template, params) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    if set(value) == {"Fn::If"}:
        when, yes, no = value["Fn::If"]
        return _references(yes if holds(when, template["Conditions"], params) else no, template, params)
    if set(value) in ({"Ref"}, {"Fn::GetAtt"}):
        lid = ref_id(value)
        return {lid} if lid in res else set()
    if set(value) == {"Fn::Sub"}:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        named = {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)} & set(res)
        return named | _references(value["Fn::Sub"][1:] if isinstance(value["Fn::Sub"], list) else [], template, params)
    return set().union(*(_references(v, template, params) for v in value.values())) if value else set()


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("switch", sorted(SWITCHES), ids=lambda s: f"SecurityHub={s[0]},Chat={bool(s[1])}")
def test_the_outlets_exist_only_with_security_hub_or_chat(stack, switch, request):
    """Without Security Hub and chat no part of the outlets exists; with either, all of them do;
    nothing else depends on the switch. Whatever exists names only what exists."""
    template = request.getfixturevalue(stack)
    params = _params(template, *switch)
    parts = outlets_parts(template)
    for lid in parts:
        when = template["Resources"][lid].get("Condition")
        assert when, f"{parts[lid]} {lid} is unconditional"
    policies = {p.split(" ", 1)[1]: lid for lid, p in parts.items() if p.startswith("policy ")}
    expected = {lid: SWITCHES[switch] for lid in parts}
    expected[policies["idc-guardrail-security-hub"]] = switch[0] == "true"
    expected[policies["idc-guardrail-chat"]] = switch[1] != ""
    assert {lid: _exists(template, lid, params) for lid in parts} == expected
    off = _params(template, "false", "")
    for lid in set(template["Resources"]) - set(parts):
        assert _exists(template, lid, params) == _exists(template, lid, off), f"{lid} depends on Security Hub or chat"
    for lid, r in template["Resources"].items():
        if not _exists(template, lid, params):
            continue
        named = _references(r.get("Properties", {}), template, params) | set(as_list(r.get("DependsOn", [])))
        missing = {n for n in named if n in template["Resources"] and not _exists(template, n, params)}
        assert not missing, f"{lid} names {sorted(missing)}, which do not exist here"
    for name, output in template["Outputs"].items():
        if output.get("Condition") and not holds(output["Condition"], template["Conditions"], params):
            continue
        missing = {n for n in _references(output["Value"], template, params) if not _exists(template, n, params)}
        assert not missing, f"output {name} names {sorted(missing)}, which do not exist here"
    # The outlets' key statements exist exactly with them.
    (key,) = resources(template, "AWS::KMS::Key").values()
    sids = {s.get("Sid") for s in _taken(key["Properties"]["KeyPolicy"]["Statement"], template, params)}
    for_outlets = {"OutletsUseKeyViaSqs", "FindingsTopicDeliversToOutletsQueue"}
    assert for_outlets & sids == (for_outlets if SWITCHES[switch] else set())


def _taken(items: list[Any], template: dict[str, Any], params: dict[str, Any]) -> list[Any]:
    out = []
    for item in items:
        if isinstance(item, dict) and set(item) == {"Fn::If"}:
            when, yes, no = item["Fn::If"]
            item = yes if holds(when, template["Conditions"], params) else no
            if item == {"Ref": "AWS::NoValue"}:
                continue
        out.append(item)
    return out


@pytest.mark.parametrize("stack", STACKS)
def test_every_part_is_under_has_outlets(stack, request):
    """One condition (SecurityHub true, or ChatTopicArn set) for all parts but the destination
    policies, whose conditions imply it."""
    template = request.getfixturevalue(stack)
    parts = outlets_parts(template)
    for lid, what in parts.items():
        when = template["Resources"][lid]["Condition"]
        if what in ("policy idc-guardrail-security-hub", "policy idc-guardrail-chat"):
            has = [c for c, e in template["Conditions"].items() if render(e, template) == HAS_OUTLETS]
            assert has and implies(when, has[0], template["Conditions"]), what
        else:
            assert render(template["Conditions"][when], template) == HAS_OUTLETS, what


def test_sam_reads_conditional_nested_outputs_only_under_their_condition():
    """A nested stack's conditional output does not exist when its condition is false: the top
    template reads one only inside `!If [C, ...]`, or in an output or resource of condition C, C
    implying the output's condition."""
    top = load_cfn(SAM_TEMPLATE)
    conditional: dict[tuple[str, str], str] = {}
    for lid, res in top["Resources"].items():
        location = nested_location(res)
        if location:
            child = load_cfn(SAM_TEMPLATE.parent / location)
            for name, out in child.get("Outputs", {}).items():
                if "Condition" in out:
                    # The same name means the same thing in every file (checked by the flattening).
                    conditional[(lid, name)] = out["Condition"]
    assert conditional, "no conditional nested output"
    seen = set()

    def walk(value: Any, under: str | None, where: str) -> None:
        if isinstance(value, list):
            for v in value:
                walk(v, under, where)
        elif isinstance(value, dict):
            if set(value) == {"Fn::If"}:
                when, yes, no = value["Fn::If"]
                walk(yes, when, where)
                walk(no, under, where)
                return
            if set(value) == {"Fn::GetAtt"}:
                lid, attr = value["Fn::GetAtt"] if isinstance(value["Fn::GetAtt"], list) else value["Fn::GetAtt"].split(".", 1)
                key = (lid, attr.removeprefix("Outputs."))
                if key in conditional:
                    seen.add(key)
                    assert under and implies(under, conditional[key], top["Conditions"]), (
                        f"{where} reads {lid}.{attr} outside its condition {conditional[key]}"
                    )
                return
            for v in value.values():
                walk(v, under, where)

    for lid, res in top["Resources"].items():
        walk(res.get("Properties", {}), res.get("Condition"), lid)
    for name, out in top["Outputs"].items():
        walk(out["Value"], out.get("Condition"), f"output {name}")
    # Every one is read somewhere (none is left over).
    assert seen == set(conditional)


@pytest.mark.parametrize("stack", STACKS)
def test_the_outlets_queue(stack, request):
    """Encrypted with the guardrail key; visibility 6 x the function's timeout (AWS guidance for
    event source mappings); 5 receives, then its own dead-letter queue, encrypted and kept 14 days
    (longer than the queue keeps a finding: a dead letter keeps its first enqueue time)."""
    template = request.getfixturevalue(stack)
    res = resources(template)
    queue = res[outlets_queue_id(template)]["Properties"]
    assert render(queue["KmsMasterKeyId"], template) == "${AWS::KMS::Key.Arn}"
    assert function_props(template, OUTLETS)["Timeout"] == 60
    assert queue["VisibilityTimeout"] == 6 * 60
    assert queue["MessageRetentionPeriod"] == 4 * 86400
    assert not queue.get("FifoQueue")
    redrive = queue["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 5
    dlq_id = ref_id(redrive["deadLetterTargetArn"])
    assert dlq_id != outlets_queue_id(template)
    dlq = res[dlq_id]
    assert render(dlq["Properties"]["KmsMasterKeyId"], template) == "${AWS::KMS::Key.Arn}"
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 86400 > queue["MessageRetentionPeriod"]
    assert (dlq.get("DeletionPolicy"), dlq.get("UpdateReplacePolicy")) == ("Retain", "Retain")
    # Its dead letters are its own, used by no one else.
    for lid, q in resources(template, "AWS::SQS::Queue").items():
        if lid != outlets_queue_id(template):
            assert ref_id(q["Properties"].get("RedrivePolicy", {}).get("deadLetterTargetArn")) != dlq_id


def _subscriptions(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [s["Properties"] for s in resources(template, "AWS::SNS::Subscription").values() if s["Properties"]["Protocol"] == "sqs"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_findings_topic_copies_findings_raw_to_the_outlets_queue(stack, request):
    template = request.getfixturevalue(stack)
    (sub,) = _subscriptions(template)
    assert render(sub["TopicArn"], template) == "${AWS::SNS::Topic}"
    assert ref_id(sub["TopicArn"]) == ref_id(function_props(template, OUTLETS)["Environment"]["Variables"]["TOPIC_ARN"])
    assert ref_id(sub["Endpoint"]) == outlets_queue_id(template)
    assert render(sub["Endpoint"], template) == "${AWS::SQS::Queue.Arn}"
    # Raw: each message's body is the finding as published, which the function parses.
    assert sub["RawMessageDelivery"] in (True, "true")
    # Findings only (message attribute message_type), not sweep summaries or other notices.
    assert sub["FilterPolicyScope"] == "MessageAttributes"
    policy = sub["FilterPolicy"]
    assert (json.loads(policy) if isinstance(policy, str) else policy) == {"message_type": ["finding"]}
    # Not before the queue policy lets SNS send.
    (lid,) = [k for k, s in resources(template, "AWS::SNS::Subscription").items() if s["Properties"] is sub]
    depends = as_list(template["Resources"][lid].get("DependsOn", []))
    assert [resources(template)[d]["Type"] for d in depends] == ["AWS::SQS::QueuePolicy"]


def _queue_policy(template: dict[str, Any]) -> dict[str, Any]:
    queue = outlets_queue_id(template)
    (policy,) = [
        p["Properties"]
        for p in resources(template, "AWS::SQS::QueuePolicy").values()
        if queue in {ref_id(q) for q in as_list(p["Properties"]["Queues"])}
    ]
    assert [ref_id(q) for q in as_list(policy["Queues"])] == [queue]
    return policy


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_findings_topic_may_send_to_the_outlets_queue(stack, request):
    template = request.getfixturevalue(stack)
    policy = _queue_policy(template)
    (s,) = as_list(policy["PolicyDocument"]["Statement"])
    assert s["Effect"] == "Allow"
    assert s["Principal"] == {"Service": "sns.amazonaws.com"}
    assert as_list(s["Action"]) == ["sqs:SendMessage"]
    assert ref_id(s["Resource"]) == outlets_queue_id(template)
    (sub,) = _subscriptions(template)
    assert s["Condition"] == {"ArnEquals": {"aws:SourceArn": sub["TopicArn"]}}


def test_sam_and_cdk_outlets_queue_policy_and_subscription_match(sam, cdk):
    def shape(template: dict[str, Any]) -> Any:
        (sub,) = _subscriptions(template)
        return (
            normalized_statements([_queue_policy(template)["PolicyDocument"]], template),
            render({**sub, "RawMessageDelivery": str(sub["RawMessageDelivery"]).lower()}, template),
        )

    assert shape(sam) == shape(cdk)


@pytest.mark.parametrize("stack", STACKS)
def test_the_outlets_event_source_mapping(stack, request):
    """Batches of up to 100 (BatchImportFindings' limit), gathered for at most 2 s, partial batch
    failures, at most 2 concurrent invocations (Security Hub's ~10 requests per second)."""
    template = request.getfixturevalue(stack)
    props = mapping_of(template, OUTLETS)["Properties"]
    assert ref_id(props["EventSourceArn"]) == outlets_queue_id(template)
    assert props["BatchSize"] == 100
    assert props["MaximumBatchingWindowInSeconds"] == 2
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert "FilterCriteria" not in props
    assert props.get("Enabled", True) is True


@pytest.mark.parametrize("stack", STACKS)
def test_the_outlets_function(stack, request):
    """Its own role (no other function's), its own retained log group, no function dead-letter
    queue and no asynchronous retries (SQS retries), and the settings it reads."""
    template = request.getfixturevalue(stack)
    props = function_props(template, OUTLETS)
    env = props["Environment"]["Variables"]
    assert render(env["TOPIC_ARN"], template) == "${AWS::SNS::Topic}"
    assert {k: env[k] for k in ("GUARDRAIL_NAME", "SECURITY_HUB", "CHAT_TOPIC_ARN", "CHAT_MIN_SEVERITY")} == {
        "GUARDRAIL_NAME": {"Ref": "AWS::StackName"},
        "SECURITY_HUB": {"Ref": "SecurityHub"},
        "CHAT_TOPIC_ARN": {"Ref": "ChatTopicArn"},
        "CHAT_MIN_SEVERITY": {"Ref": "ChatMinSeverity"},
    }
    role = function_role_id(template, functions(template)[OUTLETS])
    others = {function_role_id(template, lid) for name, lid in functions(template).items() if name != OUTLETS}
    assert role not in others
    assert not props.get("DeadLetterQueue") and not props.get("DeadLetterConfig")
    assert "EventInvokeConfig" not in props
    fid = functions(template)[OUTLETS]
    for r in resources(template, "AWS::Lambda::EventInvokeConfig").values():
        assert ref_id(r["Properties"]["FunctionName"]) != fid
    group = template["Resources"][ref_id(props["LoggingConfig"]["LogGroup"])]
    assert render(group["Properties"]["LogGroupName"], template) == "/idc-guardrail/${AWS::StackName}/outlets"
    assert (group.get("DeletionPolicy"), group.get("UpdateReplacePolicy")) == ("Retain", "Retain")
    # Nothing may invoke it but its event source mapping.
    for p in resources(template, "AWS::Lambda::Permission").values():
        assert ref_id(p["Properties"]["FunctionName"]) != fid
