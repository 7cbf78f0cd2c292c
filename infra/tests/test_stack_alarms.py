"""Both stacks: watching the watcher. An alarm on every dead-letter queue, every function's errors
and the sweep's own metrics, all sent to the operations topic; SAM and CDK alike."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cfn_templates import (
    functions,
    ref_id,
    render,
    resources,
)
from stack_expectations import STACKS, dead_letter_queues, function_props

# The metrics the functions emit (CloudWatch Embedded Metric Format): the contract with the code.
NAMESPACE = "IdcGuardrail"
METRICS = {
    "Findings", "Deletions", "Skips", "Failures",
    "SweepCompleted", "SweepUnreachable", "SweepDurationMs", "SweepAccounts",
    "SweepUnknownFacts", "SweepCoverageGaps",
}
# Sweep metric -> the alarm (name without the stack name in front) that fires on any count of it.
SWEEP_COUNT_ALARMS = {
    "SweepUnreachable": "sweep-unreachable",
    "SweepUnknownFacts": "sweep-unknown-facts",
    "SweepCoverageGaps": "sweep-coverage-gaps",
}
ALARM_TOPIC = {
    "Fn::If": [
        {"Fn::Not": [{"Fn::Equals": ["${OperationsTopicArn}", ""]}]},
        "${OperationsTopicArn}",
        "${AWS::SNS::Topic}",
    ]
}


# The outlets' alarms, which exist only with the outlets (Security Hub or chat).
OUTLETS_ALARMS = {"dead-letters-outlets", "errors-outlets"}
HAS_OUTLETS = {
    "Fn::Or": [
        {"Fn::Equals": ["${SecurityHub}", "true"]},
        {"Fn::Not": [{"Fn::Equals": ["${ChatTopicArn}", ""]}]},
    ]
}


def alarm_conditions(template: dict[str, Any]) -> dict[str, Any]:
    """Alarm name (without the stack name in front) -> the condition it exists under, rendered."""
    out = {}
    for alarm in resources(template, "AWS::CloudWatch::Alarm").values():
        name = render(alarm["Properties"]["AlarmName"], template).split("-", 1)[1]
        when = alarm.get("Condition")
        out[name] = render(template["Conditions"][when], template) if when else None
    return out


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Alarm name (without the stack name in front) -> properties."""
    out = {}
    for lid, alarm in resources(template, "AWS::CloudWatch::Alarm").items():
        props = alarm["Properties"]
        name = render(props["AlarmName"], template)
        assert name.startswith("${AWS::StackName}-"), f"{lid}: the topic policy admits <stack>-* alarms only"
        out[name.split("-", 1)[1]] = props
    return out


def dimension(props: dict[str, Any], name: str) -> Any:
    (value,) = [d["Value"] for d in props["Dimensions"] if d["Name"] == name]
    return value


@pytest.mark.parametrize("stack", STACKS)
def test_every_alarm_notifies_the_operations_topic(stack, request):
    template = request.getfixturevalue(stack)
    found = alarms(template)
    # Six dead-letter queues, five functions, four sweep metrics.
    assert len(found) == 6 + 5 + 4
    for name, props in found.items():
        assert render(props["AlarmActions"], template) == [ALARM_TOPIC], name
        assert render(props["OKActions"], template) == [ALARM_TOPIC], name
        assert props["EvaluationPeriods"] == 1, name
        assert props.get("ActionsEnabled", True) is True, name


@pytest.mark.parametrize("stack", STACKS)
def test_any_message_in_any_dead_letter_queue_alarms(stack, request):
    template = request.getfixturevalue(stack)
    dlq_alarms = {n: p for n, p in alarms(template).items() if n.startswith("dead-letters-")}
    watched = {ref_id(dimension(p, "QueueName")) for p in dlq_alarms.values()}
    assert watched == dead_letter_queues(template)
    assert len(dead_letter_queues(template)) == 6
    for name, p in dlq_alarms.items():
        assert render(dimension(p, "QueueName"), template) == "${AWS::SQS::Queue.QueueName}", name
        assert (p["Namespace"], p["MetricName"], p["Statistic"]) == (
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum"
        ), name
        assert (p["ComparisonOperator"], float(p["Threshold"])) == ("GreaterThanThreshold", 0.0), name
        assert p["TreatMissingData"] == "notBreaching", name


@pytest.mark.parametrize("stack", STACKS)
def test_any_error_of_any_function_alarms(stack, request):
    template = request.getfixturevalue(stack)
    error_alarms = {n: p for n, p in alarms(template).items() if n.startswith("errors-")}
    ids = functions(template)
    assert {n.removeprefix("errors-"): ref_id(dimension(p, "FunctionName")) for n, p in error_alarms.items()} == ids
    for name, p in error_alarms.items():
        assert (p["Namespace"], p["MetricName"], p["Statistic"]) == ("AWS/Lambda", "Errors", "Sum"), name
        assert "Ref" in dimension(p, "FunctionName"), "the function's name, not its ARN"
        assert (p["ComparisonOperator"], float(p["Threshold"])) == ("GreaterThanThreshold", 0.0), name


@pytest.mark.parametrize("stack", STACKS)
def test_sweep_alarms_on_the_guardrails_own_metrics(stack, request):
    template = request.getfixturevalue(stack)
    found = alarms(template)
    unreachable, missing = found["sweep-unreachable"], found["sweep-not-completed"]
    for p in (unreachable, missing):
        assert p["Namespace"] == NAMESPACE
        assert p["MetricName"] in METRICS
        assert [d["Name"] for d in p["Dimensions"]] == ["Guardrail"]
        # GUARDRAIL_NAME of the functions, which is the stack's name.
        assert render(dimension(p, "Guardrail"), template) == "${AWS::StackName}"
        assert p["Statistic"] == "Sum"
        assert render(p["Period"], template) == "${SweepPeriodSeconds}"
    assert unreachable["MetricName"] == "SweepUnreachable"
    assert (unreachable["ComparisonOperator"], float(unreachable["Threshold"])) == ("GreaterThanThreshold", 0.0)
    assert unreachable["TreatMissingData"] == "notBreaching"
    # No sweep at all reports nothing: missing data must alarm too.
    assert missing["MetricName"] == "SweepCompleted"
    assert (missing["ComparisonOperator"], float(missing["Threshold"])) == ("LessThanThreshold", 1.0)
    assert missing["TreatMissingData"] == "breaching"


@pytest.mark.parametrize("stack", STACKS)
def test_functions_name_the_metrics_dimension(stack, request):
    template = request.getfixturevalue(stack)
    for name in functions(template):
        env = function_props(template, name)["Environment"]["Variables"]
        assert render(env["GUARDRAIL_NAME"], template) == "${AWS::StackName}", name


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("metric", sorted(SWEEP_COUNT_ALARMS))
def test_any_count_of_a_sweep_problem_alarms(stack, metric, request):
    """SweepUnreachable (an account or Region not listed), SweepUnknownFacts (with deletion on, a
    decision held at dry_run by a fact the guardrail could not learn) and SweepCoverageGaps
    (member accounts where the guardrail can no longer see or act): one is enough, within the
    sweep's period; no sweep, no data, is the business of sweep-not-completed."""
    template = request.getfixturevalue(stack)
    p = alarms(template)[SWEEP_COUNT_ALARMS[metric]]
    assert (p["Namespace"], p["MetricName"], p["Statistic"]) == (NAMESPACE, metric, "Sum")
    assert [d["Name"] for d in p["Dimensions"]] == ["Guardrail"]
    assert render(dimension(p, "Guardrail"), template) == "${AWS::StackName}"
    assert render(p["Period"], template) == "${SweepPeriodSeconds}"
    fires_at = {"GreaterThanThreshold": lambda t: t + 1, "GreaterThanOrEqualToThreshold": lambda t: t}
    assert fires_at[p["ComparisonOperator"]](float(p["Threshold"])) == 1.0, "fires at a count of 1"
    assert p["TreatMissingData"] == "notBreaching"


def test_sam_and_cdk_alarms_match(sam, cdk):
    def rendered(template: dict[str, Any]) -> dict[str, Any]:
        return {n: render(p, template) for n, p in alarms(template).items()}

    assert rendered(sam) == rendered(cdk)
    assert alarm_conditions(sam) == alarm_conditions(cdk)


@pytest.mark.parametrize("stack", STACKS)
def test_the_outlets_alarms_exist_with_the_outlets_only(stack, request):
    """dead-letters-outlets watches the outlets queue's dead letters (findings not imported into
    Security Hub or not posted to chat), errors-outlets the outlets function: both only with
    the outlets, every other alarm always."""
    from cfn_templates import OUTLETS
    from stack_expectations import outlets_queue_id

    template = request.getfixturevalue(stack)
    conditions = alarm_conditions(template)
    assert {n for n, c in conditions.items() if c is not None} == OUTLETS_ALARMS
    for name in OUTLETS_ALARMS:
        assert conditions[name] == HAS_OUTLETS, name
    found = alarms(template)
    queue = resources(template)[outlets_queue_id(template)]["Properties"]
    dlq = ref_id(queue["RedrivePolicy"]["deadLetterTargetArn"])
    assert ref_id(dimension(found["dead-letters-outlets"], "QueueName")) == dlq
    assert ref_id(dimension(found["errors-outlets"], "FunctionName")) == functions(template)[OUTLETS]
    assert "Security Hub" in found["dead-letters-outlets"]["AlarmDescription"]


_UNIT = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def _period_rule(template: dict[str, Any]) -> dict[str, int]:
    """rate() expression -> the period the SweepPeriodMatchesTheSchedule rule requires."""
    out = {}
    for rule in template.get("Rules", {}).values():
        for a in rule.get("Assertions", []):
            text = render(a["Assert"], template)
            if "Fn::Or" not in text:
                continue
            (not_schedule, period) = text["Fn::Or"]
            schedule = not_schedule["Fn::Not"][0]["Fn::Equals"]
            assert schedule[0] == "${SweepSchedule}"
            assert period["Fn::Equals"][0] == "${SweepPeriodSeconds}"
            out[schedule[1]] = int(period["Fn::Equals"][1])
    return out


@pytest.mark.parametrize("stack", STACKS)
def test_the_sweep_period_matches_the_schedule(stack, request):
    template = request.getfixturevalue(stack)
    required = _period_rule(template)
    params = template["Parameters"]
    allowed = {int(v) for v in params["SweepPeriodSeconds"]["AllowedValues"]}
    for expression, seconds in required.items():
        m = re.fullmatch(r"rate\((\d+) (\w+)\)", expression)
        assert m, expression
        assert int(m.group(1)) * _UNIT[m.group(2)] == seconds, expression
        assert seconds in allowed
        assert seconds % 60 == 0  # CloudWatch periods are multiples of 60 s
    assert allowed == set(required.values())
    # The defaults agree.
    assert required[params["SweepSchedule"]["Default"]] == int(params["SweepPeriodSeconds"]["Default"])
    # A period over one day would need a single-period alarm of more than 7 days.
    assert max(allowed) <= 604800


def test_sam_and_cdk_check_the_same_periods(sam, cdk):
    assert _period_rule(sam) == _period_rule(cdk)
    assert len(_period_rule(sam)) == 8
