"""Both stacks: the sweep's fan-out to its worker queue, the queues and the sweep rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cfn_templates import (
    ASYNC_FUNCTIONS,
    OUTLETS,
    REMEDIATION_FUNCTIONS,
    as_list,
    event_source_mappings,
    functions,
    normalized_statements,
    ref_id,
    render,
    resources,
    schedule_rules,
    statements,
)
from stack_expectations import (
    STACKS,
    WORKER_QUEUE_CONSUMER_ACTIONS,
    dead_letter_target,
    function_docs,
    function_props,
    mapping_of,
    outlets_queue_id,
    worker_queue_id,
)


# ----------------------------------------------------------------- sweep fan-out


@pytest.mark.parametrize("stack", STACKS)
def test_worker_event_source_mapping(stack, request):
    template = request.getfixturevalue(stack)
    props = mapping_of(template, "sweep-worker")["Properties"]
    assert ref_id(props["FunctionName"]) == functions(template)["sweep-worker"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BatchSize"] == 10
    assert 0 < props["MaximumBatchingWindowInSeconds"] <= 10
    assert 2 <= props["ScalingConfig"]["MaximumConcurrency"] <= 50
    assert props.get("Enabled", True) is True


def test_sam_and_cdk_event_source_mappings_match(sam, cdk):
    def settings(template: dict[str, Any]) -> dict[str, Any]:
        # One per consumer: the sweep worker's and the outlets'.
        assert len(event_source_mappings(template)) == 2
        out = {}
        for name in ("sweep-worker", OUTLETS):
            mapping = mapping_of(template, name)
            when = mapping.get("Condition")
            out[name] = (
                render(mapping["Properties"], template),
                render(template["Conditions"][when], template) if when else None,
            )
        return out

    assert settings(sam) == settings(cdk)


@pytest.mark.parametrize("stack", STACKS)
def test_worker_queue_encrypted_with_redrive_and_long_enough_visibility(stack, request):
    template = request.getfixturevalue(stack)
    res = resources(template)
    queue = res[worker_queue_id(template)]["Properties"]
    assert render(queue["KmsMasterKeyId"], template) == "${AWS::KMS::Key.Arn}"
    worker_timeout = function_props(template, "sweep-worker")["Timeout"]
    assert queue["VisibilityTimeout"] >= 6 * worker_timeout, "AWS guidance: 6 x the function timeout"
    redrive = queue["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 3
    dlq_id = ref_id(redrive["deadLetterTargetArn"])
    dlq = res[dlq_id]["Properties"]
    assert render(dlq["KmsMasterKeyId"], template) == "${AWS::KMS::Key.Arn}"
    # A dead letter keeps its first enqueue time: the DLQ must retain longer.
    assert dlq["MessageRetentionPeriod"] > queue.get("MessageRetentionPeriod", 345600)
    assert "RedrivePolicy" not in dlq
    # The worker's dead letters are its own, used by no one else.
    for name in ASYNC_FUNCTIONS:
        assert ref_id(dead_letter_target(function_props(template, name))) != dlq_id
    for rule in resources(template, "AWS::Events::Rule").values():
        for target in rule["Properties"].get("Targets", []):
            assert ref_id(target.get("DeadLetterConfig", {}).get("Arn")) != dlq_id


@pytest.mark.parametrize("stack", STACKS)
def test_worker_queue_carries_delayed_confirmations(stack, request):
    """Every function queues a confirmation before each DeleteInstance, delayed per message by up
    to 900 s: SQS allows that on a standard queue only. The worker must see every message (a
    filter would delete confirmations unread), and a confirmation must outlive its delay and its
    receives before the redrive moves it to the dead-letter queue."""
    template = request.getfixturevalue(stack)
    mapping = mapping_of(template, "sweep-worker")
    assert "FilterCriteria" not in mapping["Properties"]
    queue = resources(template)[worker_queue_id(template)]["Properties"]
    assert not queue.get("FifoQueue"), "a per-message DelaySeconds needs a standard queue"
    assert queue.get("DelaySeconds", 0) == 0, "the functions delay each confirmation themselves"
    assert "MaximumMessageSize" not in queue, "a confirmation carries a whole finding: keep the default"
    redrive = queue["RedrivePolicy"]
    longest_delay = 900
    assert queue["MessageRetentionPeriod"] > longest_delay + redrive["maxReceiveCount"] * queue["VisibilityTimeout"]


def _sqs_grants(template: dict[str, Any], name: str) -> dict[str, set[str]]:
    """SQS action -> logical ids of the queues it is allowed on."""
    out: dict[str, set[str]] = {}
    for s in statements(function_docs(template, name)):
        for action in as_list(s["Action"]):
            if action.startswith("sqs:"):
                for r in as_list(s["Resource"]):
                    out.setdefault(action, set()).add(ref_id(r))
    return out


@pytest.mark.parametrize("stack", STACKS)
def test_sqs_permissions_name_their_queues(stack, request):
    template = request.getfixturevalue(stack)
    worker_queue = worker_queue_id(template)
    own_dlq = {
        name: ref_id(dead_letter_target(function_props(template, name))) for name in ASYNC_FUNCTIONS
    }
    # Every function sends its delete confirmations to the worker queue; the asynchronous ones
    # their dead letters to their own dead-letter queue, nowhere else.
    assert _sqs_grants(template, "on-create-instance") == {
        "sqs:SendMessage": {own_dlq["on-create-instance"], worker_queue}
    }
    assert _sqs_grants(template, "on-org-event") == {"sqs:SendMessage": {own_dlq["on-org-event"], worker_queue}}
    assert _sqs_grants(template, "sweep") == {"sqs:SendMessage": {own_dlq["sweep"], worker_queue}}
    assert _sqs_grants(template, "sweep-worker") == {
        a: {worker_queue} for a in WORKER_QUEUE_CONSUMER_ACTIONS | {"sqs:SendMessage"}
    }
    # The outlets consume their own queue and send nowhere (SQS moves their dead letters).
    assert _sqs_grants(template, OUTLETS) == {a: {outlets_queue_id(template)} for a in WORKER_QUEUE_CONSUMER_ACTIONS}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", REMEDIATION_FUNCTIONS)
def test_every_function_knows_the_worker_queue(stack, name, request):
    """The sweep fans out to it; every function (the worker included) queues there the delayed
    confirmation of each delete it announces."""
    template = request.getfixturevalue(stack)
    env = function_props(template, name)["Environment"]["Variables"]
    assert env["WORKER_QUEUE_URL"] == {"Ref": worker_queue_id(template)}  # Ref of a queue = its URL


@pytest.mark.parametrize("stack", STACKS)
def test_sweep_rule_may_invoke_the_sweep_and_use_the_dead_letters(stack, request):
    template = request.getfixturevalue(stack)
    (rule_id,) = schedule_rules(template)
    sweep_id = functions(template)["sweep"]
    permissions = [
        p["Properties"]
        for p in resources(template, "AWS::Lambda::Permission").values()
        if ref_id(p["Properties"]["SourceArn"]) == rule_id
    ]
    assert len(permissions) == 1
    assert ref_id(permissions[0]["FunctionName"]) == sweep_id
    assert permissions[0]["Action"] == "lambda:InvokeFunction"
    assert permissions[0]["Principal"] == "events.amazonaws.com"
    # Every rule with a dead-letter queue may send to it (queue policy) ...
    (event_target_dlq,) = {
        ref_id(t["DeadLetterConfig"]["Arn"])
        for r in resources(template, "AWS::Events::Rule").values()
        for t in r["Properties"]["Targets"]
    }
    (queue_policy,) = [
        p
        for p in resources(template, "AWS::SQS::QueuePolicy").values()
        if event_target_dlq in {ref_id(q) for q in as_list(p["Properties"]["Queues"])}
    ]
    sources = {
        ref_id(arn)
        for s in statements([queue_policy["Properties"]["PolicyDocument"]])
        for arn in as_list(s["Condition"]["ArnEquals"]["aws:SourceArn"])
    }
    assert sources == set(resources(template, "AWS::Events::Rule"))
    # ... and encrypt with the key: the central bus's rules and the named sweep rule.
    (key,) = resources(template, "AWS::KMS::Key").values()
    st = normalized_statements([key["Properties"]["KeyPolicy"]], template)
    prefix = "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"
    assert st["GuardrailRulesUseKeyForDeadLetters"]["Condition"] == {
        "ArnLike": {"aws:SourceArn": [prefix + "${EventBusName}-sweep", prefix + "${EventBusName}/*"]}
    }


def test_sam_and_cdk_queues_match(sam, cdk):
    def queues(template: dict[str, Any]) -> list[str]:
        return sorted(
            json.dumps(render(q["Properties"], template), sort_keys=True)
            for q in resources(template, "AWS::SQS::Queue").values()
        )

    assert queues(sam) == queues(cdk)
