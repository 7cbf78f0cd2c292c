"""Both stacks: the same outputs and resources, encryption, and the key, topic and bus policies."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from cfn_templates import (
    FUNCTIONS,
    OUTLETS,
    REMEDIATION_FUNCTIONS,
    functions,
    function_role_id,
    normalized_statements,
    ref_id,
    render,
    resources,
    statements,
)
from stack_expectations import STACKS, dead_letter_queues


def test_same_outputs(sam, cdk):
    assert set(sam["Outputs"]) == set(cdk["Outputs"])
    assert {"EventBusArn", "FindingsTopicArn", "FunctionRoleArns"} <= set(sam["Outputs"])

    def when(template: dict[str, Any], name: str) -> Any:
        c = template["Outputs"][name].get("Condition")
        return render(template["Conditions"][c], template) if c else None

    for name in sam["Outputs"]:
        assert when(sam, name) == when(cdk, name), name
    # Only the outlets' outputs are conditional.
    assert {n for n in sam["Outputs"] if when(sam, n)} == set(OUTLETS_OUTPUTS)


# What exists only with the outlets (Security Hub or chat).
OUTLETS_OUTPUTS = ("OutletsDeadLetterQueueArn", "OutletsDeadLetterQueueUrl", "OutletsRoleArn")


# Every dead-letter queue by ARN (a redrive, a policy of one's own) next to its URL.
DEAD_LETTER_QUEUE_OUTPUTS = {
    "EventTargetDeadLetterQueueArn": "EventTargetDeadLetterQueueUrl",
    "OnCreateInstanceDeadLetterQueueArn": "OnCreateInstanceDeadLetterQueueUrl",
    "OnOrgEventDeadLetterQueueArn": "OnOrgEventDeadLetterQueueUrl",
    "SweepDeadLetterQueueArn": "SweepDeadLetterQueueUrl",
    "WorkerDeadLetterQueueArn": "SweepWorkerDeadLetterQueueUrl",
    "OutletsDeadLetterQueueArn": "OutletsDeadLetterQueueUrl",
}


@pytest.mark.parametrize("stack", STACKS)
def test_every_dead_letter_queue_is_an_output_by_arn_and_url(stack, request):
    template = request.getfixturevalue(stack)
    outputs = template["Outputs"]
    queues = set()
    for arn_name, url_name in DEAD_LETTER_QUEUE_OUTPUTS.items():
        arn, url = outputs[arn_name]["Value"], outputs[url_name]["Value"]
        assert render(arn, template) == "${AWS::SQS::Queue.Arn}", arn_name
        assert render(url, template) == "${AWS::SQS::Queue}", url_name
        assert ref_id(arn) == ref_id(url), (arn_name, url_name)
        assert outputs[arn_name].get("Description"), arn_name
        queues.add(ref_id(arn))
    assert queues == dead_letter_queues(template)


def test_sam_and_cdk_describe_the_dead_letter_queue_outputs_alike(sam, cdk):
    for name in DEAD_LETTER_QUEUE_OUTPUTS:
        assert sam["Outputs"][name]["Description"] == cdk["Outputs"][name]["Description"], name


def _types(template: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for res in template["Resources"].values():
        rtype = res["Type"]
        if rtype == "AWS::CDK::Metadata":
            continue
        if rtype == "AWS::Serverless::Function":
            counts["AWS::Lambda::Function"] += 1
            if "EventInvokeConfig" in res["Properties"]:
                counts["AWS::Lambda::EventInvokeConfig"] += 1
            continue
        counts[rtype] += 1
    return counts


def test_same_resources(sam, cdk):
    assert _types(sam) == _types(cdk)


@pytest.mark.parametrize("stack", STACKS)
def test_encryption_on_topic_queues_and_logs(stack, request):
    template = request.getfixturevalue(stack)
    keys = resources(template, "AWS::KMS::Key")
    assert len(keys) == 1
    (key,) = keys.values()
    assert key["Properties"]["EnableKeyRotation"] is True
    for topic in resources(template, "AWS::SNS::Topic").values():
        assert render(topic["Properties"]["KmsMasterKeyId"], template) == "${AWS::KMS::Key.Arn}"
    queues = resources(template, "AWS::SQS::Queue")
    # One dead-letter queue per function, the rules' dead-letter queue, the worker queue, the
    # outlets queue.
    assert len(queues) == len(FUNCTIONS) + 3
    for queue in queues.values():
        assert render(queue["Properties"]["KmsMasterKeyId"], template) == "${AWS::KMS::Key.Arn}"
    for group in resources(template, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["KmsKeyId"]
        assert group["Properties"]["RetentionInDays"]


@pytest.mark.parametrize("stack", STACKS)
def test_key_policy_lets_only_function_roles_use_the_key(stack, request):
    template = request.getfixturevalue(stack)
    (key,) = resources(template, "AWS::KMS::Key").values()
    st = normalized_statements([key["Properties"]["KeyPolicy"]], template)
    admin = st["KeyAdministration"]
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:*"} & set(admin["Action"])
    users = st["FunctionsUseKeyViaSnsAndSqs"]
    assert users["Principal"] == {"AWS": ["${AWS::IAM::Role.Arn}"] * len(REMEDIATION_FUNCTIONS)}
    assert users["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert users["When"] is None
    for s in st.values():
        assert s["Principal"] not in ({"AWS": ["*"]}, "*"), s
    # The functions that judge, not the outlets; the outlets role decrypts through SQS only,
    # and SNS encrypts what it copies to the outlets queue: both only with the outlets.
    raw = {s["Sid"]: s for s in statements([key["Properties"]["KeyPolicy"]])}
    ids = functions(template)
    outlets_role = function_role_id(template, ids[OUTLETS])
    assert {ref_id(p) for p in raw["FunctionsUseKeyViaSnsAndSqs"]["Principal"]["AWS"]} == {
        function_role_id(template, ids[n]) for n in REMEDIATION_FUNCTIONS
    }
    assert ref_id(raw["OutletsUseKeyViaSqs"]["Principal"]["AWS"]) == outlets_role
    has_outlets = {
        "Fn::Or": [
            {"Fn::Equals": ["${SecurityHub}", "true"]},
            {"Fn::Not": [{"Fn::Equals": ["${ChatTopicArn}", ""]}]},
        ]
    }
    assert st["OutletsUseKeyViaSqs"] == {
        "When": has_outlets,
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": ["*"],
        "Principal": {"AWS": ["${AWS::IAM::Role.Arn}"]},
        "Condition": {"StringEquals": {"kms:ViaService": ["sqs.${AWS::Region}.amazonaws.com"]}},
    }
    assert st["FindingsTopicDeliversToOutletsQueue"] == {
        "When": has_outlets,
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": ["*"],
        "Principal": {"Service": ["sns.amazonaws.com"]},
        "Condition": {"ArnLike": {"aws:SourceArn": ["arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:*"]}},
    }
    assert sorted(sid for sid, s in st.items() if s["When"]) == [
        "FindingsTopicDeliversToOutletsQueue",
        "OutletsUseKeyViaSqs",
    ]


def test_sam_and_cdk_key_topic_and_bus_policies_match(sam, cdk):
    def policies(t: dict[str, Any]) -> dict[str, Any]:
        (key,) = resources(t, "AWS::KMS::Key").values()
        (topic_policy,) = resources(t, "AWS::SNS::TopicPolicy").values()
        (bus_policy,) = resources(t, "AWS::Events::EventBusPolicy").values()
        return {
            "key": normalized_statements([key["Properties"]["KeyPolicy"]], t),
            "topic": normalized_statements([topic_policy["Properties"]["PolicyDocument"]], t),
            "bus": normalized_statements([{"Statement": bus_policy["Properties"]["Statement"]}], t),
        }

    assert policies(sam) == policies(cdk)


@pytest.mark.parametrize("stack", STACKS)
def test_dead_letter_queues_and_log_groups_outlive_the_stack(stack, request):
    """What failed and what the guardrail did stay readable after a delete or a replacement
    (infra/OPERATIONS.md says how to remove them): DeletionPolicy and UpdateReplacePolicy Retain
    (CDK RemovalPolicy.RETAIN), as for the key that encrypts them."""
    template = request.getfixturevalue(stack)
    kept = dead_letter_queues(template) | set(resources(template, "AWS::Logs::LogGroup"))
    kept |= set(resources(template, "AWS::KMS::Key"))
    assert len(kept) == len(FUNCTIONS) + 1 + len(FUNCTIONS) + 1
    for lid in sorted(kept):
        res = template["Resources"][lid]
        assert (res.get("DeletionPolicy"), res.get("UpdateReplacePolicy")) == ("Retain", "Retain"), lid
    # Nothing else is kept: the worker queue's messages are stale by the next sweep, the outlets
    # queue's are retried into its dead-letter queue.
    others = {lid for lid, r in template["Resources"].items() if r.get("DeletionPolicy") == "Retain"} - kept
    assert not others, others
