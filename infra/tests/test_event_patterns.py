"""The rules' event patterns against the samples in events/.

Matching uses EventBridge pattern semantics as implemented by moto
(moto.events.models.EventPattern), not a matcher of our own. Each sample of
events/manifest.json with a `route` must match the rules of that function and no
other; a sample with route null must match no rule. The member forwarding rules
must forward exactly the samples that have a route.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from cfn_templates import (
    EVENT_FUNCTIONS,
    EVENTS,
    FUNCTIONS,
    all_patterns,
    canonical,
    functions,
    ref_id,
    render,
    rules_by_function,
    schedule_rules,
)

MANIFEST = EVENTS / "manifest.json"


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    return EventPattern.load(json.dumps(pattern)).matches_event(event)


def load_samples() -> list[tuple[str, str | None]]:
    """(event file, route), once per event file; a file must not have two routes."""
    manifest = json.loads(MANIFEST.read_text())
    routes: dict[str, str | None] = {}
    for sample in manifest["samples"]:
        event, route = sample["event"], sample.get("route")
        assert route in (None, *EVENT_FUNCTIONS), f"{event}: unknown route {route!r}"
        assert routes.setdefault(event, route) == route, f"{event} has two routes"
    return sorted(routes.items())


SAMPLES = load_samples()


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def routed(template: dict[str, Any], event: dict[str, Any]) -> set[str]:
    return {
        fn
        for fn, patterns in rules_by_function(template).items()
        if any(matches(p, event) for p in patterns)
    }


def test_manifest_covers_every_route_and_a_negative():
    routes = {r for _, r in SAMPLES}
    assert set(EVENT_FUNCTIONS) | {None} <= routes


@pytest.mark.parametrize("event_file,route", SAMPLES, ids=[s[0] for s in SAMPLES])
@pytest.mark.parametrize("stack", ["sam", "cdk"])
def test_central_rules_route_sample(stack, event_file, route, request):
    template = request.getfixturevalue(stack)
    expected = {route} if route else set()
    assert routed(template, load_event(event_file)) == expected


@pytest.mark.parametrize("event_file,route", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_member_rules_forward_sample(member, event_file, route):
    event = load_event(event_file)
    forwarded = any(matches(p, event) for p in all_patterns(member))
    assert forwarded == (route is not None)


# Near misses derived from the samples: each differs from a routed sample in one
# field the patterns must look at.
def _mutant(name: str, path: list[str], value: Any) -> dict[str, Any]:
    event = copy.deepcopy(load_event(name))
    node = event
    for key in path[:-1]:
        node = node[key]
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return event


MUTANTS = {
    "sso DeleteInstance": ("create-instance-member.json", ["detail", "eventName"], "DeleteInstance"),
    "CreateInstance of another source": ("create-instance-member.json", ["source"], "aws.organizations"),
    "CreateInstance from another event source": (
        "create-instance-member.json",
        ["detail", "eventSource"],
        "sso-directory.amazonaws.com",
    ),
    "CreateInstance as a console sign-in": (
        "create-instance-member.json",
        ["detail-type"],
        "AWS Console Sign In via CloudTrail",
    ),
    "DeregisterDelegatedAdministrator for sso": (
        "register-delegated-admin-sso.json",
        ["detail", "eventName"],
        "DeregisterDelegatedAdministrator",
    ),
    "RegisterDelegatedAdministrator without servicePrincipal": (
        "register-delegated-admin-sso.json",
        ["detail", "requestParameters", "servicePrincipal"],
        None,
    ),
    "RegisterDelegatedAdministrator for sso-directory": (
        "register-delegated-admin-sso.json",
        ["detail", "requestParameters", "servicePrincipal"],
        "sso-directory.amazonaws.com",
    ),
    "AccountJoinedOrganization of another service": (
        "account-joined-organization.json",
        ["detail", "eventSource"],
        "account.amazonaws.com",
    ),
    "AccountDepartedOrganization": (
        "account-joined-organization.json",
        ["detail", "eventName"],
        "AccountDepartedOrganization",
    ),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
@pytest.mark.parametrize("stack", ["sam", "cdk", "member"])
def test_near_misses_match_no_rule(stack, mutant, request):
    template = request.getfixturevalue(stack)
    event = _mutant(*MUTANTS[mutant])
    assert not any(matches(p, event) for p in all_patterns(template))


def test_failed_create_instance_still_matches(sam):
    """IDC004 needs failed calls: an errorCode must not stop the rule."""
    denied = load_event("create-instance-denied-by-scp.json")
    assert denied["detail"].get("errorCode"), "sample is expected to be a failed call"
    assert routed(sam, denied) == {"on-create-instance"}


def test_matcher_is_not_vacuous(sam):
    """The Security Hub registration is excluded by the servicePrincipal clause alone."""
    other = load_event("register-delegated-admin-other-service.json")
    (pattern,) = [
        p
        for p in rules_by_function(sam)["on-org-event"]
        if "RegisterDelegatedAdministrator" in p["detail"]["eventName"]
    ]
    loose = copy.deepcopy(pattern)
    del loose["detail"]["requestParameters"]
    assert not matches(pattern, other)
    assert matches(loose, other)


def test_patterns_are_identical_across_sam_cdk_and_member(sam, cdk, member):
    sam_rules = {fn: sorted(map(canonical, ps)) for fn, ps in rules_by_function(sam).items()}
    cdk_rules = {fn: sorted(map(canonical, ps)) for fn, ps in rules_by_function(cdk).items()}
    assert sam_rules == cdk_rules
    central = sorted(canonical(p) for ps in rules_by_function(sam).values() for p in ps)
    assert sorted(map(canonical, all_patterns(member))) == central


def test_every_event_rule_has_dead_letter_and_retry_policy(sam, cdk):
    for template in (sam, cdk):
        for lid, rule in template["Resources"].items():
            if rule["Type"] != "AWS::Events::Rule" or "EventPattern" not in rule["Properties"]:
                continue
            for target in rule["Properties"]["Targets"]:
                assert "DeadLetterConfig" in target, lid
                assert target["RetryPolicy"] == {
                    "MaximumRetryAttempts": 8,
                    "MaximumEventAgeInSeconds": 3600,
                }, lid


@pytest.mark.parametrize("stack", ["sam", "cdk"])
def test_only_event_functions_have_event_patterns(stack, request):
    """The sweep runs on its schedule and the worker on its queue, never on an event."""
    template = request.getfixturevalue(stack)
    by_function = rules_by_function(template)
    assert set(by_function) == set(FUNCTIONS)
    for name in set(FUNCTIONS) - set(EVENT_FUNCTIONS):
        assert by_function[name] == [], name


@pytest.mark.parametrize("stack", ["sam", "cdk"])
def test_sweep_rule_is_enabled_and_targets_the_sweep(stack, request):
    template = request.getfixturevalue(stack)
    (sweep,) = [r["Properties"] for r in schedule_rules(template).values()]
    assert sweep["State"] == "ENABLED"
    assert sweep["ScheduleExpression"] == {"Ref": "SweepSchedule"}
    assert "EventBusName" not in sweep, "schedules only run on the default bus"
    assert "EventPattern" not in sweep
    (target,) = sweep["Targets"]
    assert ref_id(target["Arn"]) == functions(template)["sweep"]
    assert "DeadLetterConfig" in target
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 3600}


def test_sweep_rule_name_is_the_same_in_sam_and_cdk(sam, cdk):
    """The key policy names the rule, so both stacks must name it alike."""
    for template in (sam, cdk):
        (rule,) = schedule_rules(template).values()
        assert render(rule["Properties"]["Name"], template) == "${EventBusName}-sweep"
