"""The SAM template, the synthesized CDK stack and the member StackSet template:
least-privilege IAM, encryption, dead letters, and SAM/CDK parity."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from cfn_templates import (
    ASYNC_FUNCTIONS,
    FUNCTIONS,
    allowed_actions,
    as_list,
    event_source_mappings,
    function_role_id,
    functions,
    normalized_statements,
    ref_id,
    render,
    resources,
    role_policy_documents,
    schedule_rules,
    statements,
)

# Exactly these, nothing more: what every function needs (assume the member
# role, publish findings, read the organization) plus its logs ...
COMMON_ACTIONS = {
    "sts:AssumeRole",
    "sns:Publish",
    "kms:GenerateDataKey",
    "kms:Decrypt",
    "organizations:DescribeOrganization",
    "organizations:ListDelegatedAdministrators",
    "organizations:DescribeAccount",
    "organizations:ListAccounts",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
}
WORKER_QUEUE_CONSUMER_ACTIONS = {
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
}
# ... and what it does with SQS: send its own dead letters (the asynchronously
# invoked ones), send work items to the worker queue (sweep), consume the worker
# queue (sweep-worker, whose dead letters SQS moves itself).
FUNCTION_ACTIONS = {
    "on-create-instance": COMMON_ACTIONS | {"sqs:SendMessage"},
    "on-org-event": COMMON_ACTIONS | {"sqs:SendMessage"},
    "sweep": COMMON_ACTIONS | {"sqs:SendMessage"},
    "sweep-worker": COMMON_ACTIONS | WORKER_QUEUE_CONSUMER_ACTIONS,
}

REMEDIATION_ACTIONS = {
    "sso:ListInstances",
    "sso:DescribeInstance",
    "sso:DeleteInstance",
    "sso:ListApplications",
    "sso:ListTagsForResource",
    "identitystore:DeleteIdentityStore",
}

COMMON_ENV_VARS = {
    "TOPIC_ARN",
    "AUTO_REMEDIATE",
    "DRY_RUN",
    "EXEMPT_ACCOUNTS",
    "EXEMPT_TAG",
    "TRIAL_DAYS",
    "FORCE_DELETE_IN_USE",
    "MEMBER_ROLE_NAME",
    "MANAGEMENT_ACCOUNT_ID",
    "REGIONS",
    "RUST_LOG",
}
ENV_VARS = {
    "on-create-instance": COMMON_ENV_VARS | {"OUTSIDE_REGIONS"},
    "on-org-event": COMMON_ENV_VARS,
    "sweep": COMMON_ENV_VARS | {"SWEEP_CONCURRENCY", "FANOUT_THRESHOLD", "WORKER_QUEUE_URL"},
    "sweep-worker": COMMON_ENV_VARS | {"SWEEP_CONCURRENCY"},
}
# Environment variable -> the parameter it is set from.
ENV_PARAMETERS = {
    "REGIONS": "Regions",
    "OUTSIDE_REGIONS": "OutsideRegions",
    "SWEEP_CONCURRENCY": "SweepConcurrency",
    "FANOUT_THRESHOLD": "FanoutThreshold",
}

SAM_PARAMETERS = {
    "AutoRemediate",
    "DryRun",
    "ExemptAccounts",
    "ExemptTag",
    "TrialDays",
    "MemberRoleName",
    "OrganizationId",
    "AlertEmail",
    "Architecture",
    "SweepSchedule",
    "Regions",
    "SweepConcurrency",
    "FanoutThreshold",
    "SubscriptionProtocols",
    "SubscriberPrincipals",
}


def function_props(template: dict[str, Any], name: str) -> dict[str, Any]:
    return resources(template)[functions(template)[name]]["Properties"]


def function_docs(template: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return role_policy_documents(template, function_role_id(template, functions(template)[name]))


STACKS = ["sam", "cdk"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_function_exists(stack, request):
    assert set(functions(request.getfixturevalue(stack))) == set(FUNCTIONS)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_iam_actions_are_exactly_the_listed_ones(stack, name, request):
    template = request.getfixturevalue(stack)
    docs = function_docs(template, name)
    assert allowed_actions(docs) == FUNCTION_ACTIONS[name]
    for s in statements(docs):
        assert "*" not in str(s["Action"]), f"wildcard action in {s}"


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_assume_role_only_member_role_inside_the_org(stack, name, request):
    template = request.getfixturevalue(stack)
    st = normalized_statements(function_docs(template, name), template)
    assume = [s for s in st.values() if "sts:AssumeRole" in s["Action"]]
    assert len(assume) == 1
    assert assume[0]["Action"] == ["sts:AssumeRole"]
    assert assume[0]["Resource"] == ["arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"]
    assert assume[0]["Condition"] == {"StringEquals": {"aws:ResourceOrgID": ["${OrganizationId}"]}}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_publish_only_to_the_topic_and_key(stack, name, request):
    template = request.getfixturevalue(stack)
    st = normalized_statements(function_docs(template, name), template)
    for s in st.values():
        if "sns:Publish" in s["Action"]:
            assert s["Resource"] == ["${AWS::SNS::Topic}"]
        if any(a.startswith("kms:") for a in s["Action"]):
            assert s["Resource"] == ["${AWS::KMS::Key.Arn}"]
        if s["Resource"] == ["*"]:
            assert all(a.startswith("organizations:List") or a == "organizations:DescribeOrganization"
                       for a in s["Action"]), s


@pytest.mark.parametrize("name", FUNCTIONS)
def test_sam_and_cdk_function_policies_are_identical(sam, cdk, name):
    assert normalized_statements(function_docs(sam, name), sam) == normalized_statements(
        function_docs(cdk, name), cdk
    )


def dead_letter_target(props: dict[str, Any]) -> Any:
    """A function's dead-letter queue: SAM's DeadLetterQueue or CloudFormation's DeadLetterConfig."""
    dlq = props.get("DeadLetterQueue") or props.get("DeadLetterConfig")
    return dlq and dlq["TargetArn"]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_settings(stack, name, request):
    template = request.getfixturevalue(stack)
    props = function_props(template, name)
    assert props["Runtime"] == "provided.al2023"
    assert props["Handler"] == "bootstrap"
    assert render(props["Architectures"], template) == ["${Architecture}"]
    env = props["Environment"]["Variables"]
    assert set(env) == ENV_VARS[name]
    for var, param in ENV_PARAMETERS.items():
        if var in env:
            assert env[var] == {"Ref": param}, (name, var)
    if name in ASYNC_FUNCTIONS:
        assert dead_letter_target(props), f"{name} needs a dead-letter queue"
    else:
        assert not dead_letter_target(props), f"{name} is invoked synchronously: no function DLQ"
    assert props["LoggingConfig"]["LogGroup"]


@pytest.mark.parametrize("stack", STACKS)
def test_function_sizes(stack, request):
    template = request.getfixturevalue(stack)
    sizes = {
        name: (function_props(template, name)["MemorySize"], function_props(template, name)["Timeout"])
        for name in FUNCTIONS
    }
    assert sizes == {
        "on-create-instance": (256, 60),
        "on-org-event": (256, 300),
        "sweep": (512, 900),
        "sweep-worker": (256, 300),
    }


def test_sam_and_cdk_function_settings_match(sam, cdk):
    keys = ("Runtime", "Handler", "MemorySize", "Timeout", "Architectures", "Environment", "Description")
    for name in FUNCTIONS:
        s, c = function_props(sam, name), function_props(cdk, name)
        for key in keys:
            assert render(s[key], sam) == render(c[key], cdk), (name, key)
    # Asynchronous invocation retries: SAM's EventInvokeConfig, CDK's resource.
    cdk_invoke = {
        ref_id(r["Properties"]["FunctionName"]): r["Properties"]
        for r in resources(cdk, "AWS::Lambda::EventInvokeConfig").values()
    }
    cdk_ids = functions(cdk)
    assert set(cdk_invoke) == {cdk_ids[n] for n in ASYNC_FUNCTIONS}
    for name in FUNCTIONS:
        sam_cfg = function_props(sam, name).get("EventInvokeConfig")
        assert (sam_cfg is not None) == (name in ASYNC_FUNCTIONS), name
        if sam_cfg:
            cfg = cdk_invoke[cdk_ids[name]]
            assert cfg["MaximumRetryAttempts"] == sam_cfg["MaximumRetryAttempts"] == 2
            assert cfg["MaximumEventAgeInSeconds"] == sam_cfg["MaximumEventAgeInSeconds"]


def test_sam_parameters_and_cdk_parameters(sam, cdk):
    assert SAM_PARAMETERS <= set(sam["Parameters"])
    assert sam["Parameters"]["AutoRemediate"]["Default"] == "false"
    assert sam["Parameters"]["Architecture"]["Default"] == "arm64"
    assert sorted(sam["Parameters"]["Architecture"]["AllowedValues"]) == ["arm64", "x86_64"]
    cdk_params = set(cdk["Parameters"]) - {"BootstrapVersion"}
    assert cdk_params == set(sam["Parameters"])
    for name, spec in sam["Parameters"].items():
        for key in ("Type", "Default", "AllowedPattern", "AllowedValues", "MinValue", "MaxValue"):
            # CloudFormation takes numbers and numeric strings alike: compare as text.
            def text(v: Any) -> Any:
                return [str(x) for x in v] if isinstance(v, list) else str(v)

            assert text(spec.get(key)) == text(cdk["Parameters"][name].get(key)), (name, key)
    assert sam["Parameters"]["Regions"]["Default"] == ""
    assert sam["Parameters"]["SweepConcurrency"]["Default"] == 32
    assert sam["Parameters"]["FanoutThreshold"]["Default"] == 100


REGIONS_OK = ["", "eu-west-1", "us-east-1,eu-central-2,ap-southeast-5", "us-gov-west-1,cn-north-1"]
REGIONS_BAD = ["eu-west-1,", "eu-west-1, us-east-1", "Ireland", "eu-west", "EU-WEST-1"]


@pytest.mark.parametrize("value", REGIONS_OK + REGIONS_BAD)
def test_regions_parameter_pattern(sam, value):
    """The pattern accepts what the functions accept as REGIONS, minus blanks."""
    import re

    pattern = sam["Parameters"]["Regions"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) == (value in REGIONS_OK)


def test_sweep_parameters_match_what_the_functions_accept(sam):
    """Defaults and bounds of the sweep parameters are the ones the functions apply (defaults in
    functions/core/src/settings.rs, parsing in functions/lambda/src/env.rs): a value the
    template admits must not fail the functions' cold start."""
    import re

    from cfn_templates import REPO

    settings = (REPO / "functions" / "core" / "src" / "settings.rs").read_text() + (
        REPO / "functions" / "lambda" / "src" / "env.rs"
    ).read_text()
    for var, param in (("SWEEP_CONCURRENCY", "SweepConcurrency"), ("FANOUT_THRESHOLD", "FanoutThreshold")):
        m = re.search(
            rf'number\(\s*"{var}",\s*get\("{var}"\),\s*DEFAULT_{var},\s*([0-9_]+)\.\.=([0-9_]+),?\s*\)',
            settings,
        )
        assert m, f"env.rs no longer reads {var} as number(..): update this test"
        low, high = (int(x.replace("_", "")) for x in m.groups())
        default = re.search(rf"pub const DEFAULT_{var}: usize = ([0-9_]+);", settings)
        assert default, f"DEFAULT_{var} not found in settings.rs"
        spec = sam["Parameters"][param]
        assert spec["Default"] == int(default.group(1).replace("_", "")), param
        assert low <= spec["MinValue"] and spec["MaxValue"] <= high, (param, low, high)
    # The Regions description promises the 17 default Regions built into the code.
    regions = re.search(r"pub const DEFAULT_REGIONS: \[&str; ([0-9]+)\]", settings)
    assert regions and regions.group(1) == "17"
    assert "17 Regions" in sam["Parameters"]["Regions"]["Description"]


def test_every_parameter_is_in_a_parameter_group(sam):
    groups = sam["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    grouped = [p for g in groups for p in g["Parameters"]]
    assert sorted(grouped) == sorted(sam["Parameters"])


def test_same_outputs(sam, cdk):
    assert set(sam["Outputs"]) == set(cdk["Outputs"])
    assert {"EventBusArn", "FindingsTopicArn", "FunctionRoleArns"} <= set(sam["Outputs"])


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
    # One dead-letter queue per function, the rules' dead-letter queue, the worker queue.
    assert len(queues) == len(FUNCTIONS) + 2
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
    assert users["Principal"] == {"AWS": ["${AWS::IAM::Role.Arn}"] * len(FUNCTIONS)}
    assert users["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    for s in st.values():
        assert s["Principal"] not in ({"AWS": ["*"]}, "*"), s


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
    # Nothing else on the topic is granted to anyone.
    assert [sid for sid, s in st.items() if s["Effect"] == "Allow"] == ["ListedSubscribersMaySubscribe"]


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
    assert template_rules(request.getfixturevalue(stack)) == [
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


# ----------------------------------------------------------------- sweep fan-out


def worker_queue_id(template: dict[str, Any]) -> str:
    (mapping,) = event_source_mappings(template).values()
    qid = ref_id(mapping["Properties"]["EventSourceArn"])
    assert resources(template)[qid]["Type"] == "AWS::SQS::Queue"
    return qid


@pytest.mark.parametrize("stack", STACKS)
def test_worker_event_source_mapping(stack, request):
    template = request.getfixturevalue(stack)
    (mapping,) = event_source_mappings(template).values()
    props = mapping["Properties"]
    assert ref_id(props["FunctionName"]) == functions(template)["sweep-worker"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BatchSize"] == 10
    assert 0 < props["MaximumBatchingWindowInSeconds"] <= 10
    assert 2 <= props["ScalingConfig"]["MaximumConcurrency"] <= 50
    assert props.get("Enabled", True) is True


def test_sam_and_cdk_event_source_mappings_match(sam, cdk):
    def settings(template: dict[str, Any]) -> dict[str, Any]:
        (mapping,) = event_source_mappings(template).values()
        return render(mapping["Properties"], template)

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
    assert _sqs_grants(template, "on-create-instance") == {"sqs:SendMessage": {own_dlq["on-create-instance"]}}
    assert _sqs_grants(template, "on-org-event") == {"sqs:SendMessage": {own_dlq["on-org-event"]}}
    assert _sqs_grants(template, "sweep") == {"sqs:SendMessage": {own_dlq["sweep"], worker_queue}}
    assert _sqs_grants(template, "sweep-worker") == {a: {worker_queue} for a in WORKER_QUEUE_CONSUMER_ACTIONS}


@pytest.mark.parametrize("stack", STACKS)
def test_sweep_knows_the_worker_queue(stack, request):
    template = request.getfixturevalue(stack)
    env = function_props(template, "sweep")["Environment"]["Variables"]
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
    (queue_policy,) = resources(template, "AWS::SQS::QueuePolicy").values()
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


def test_sam_and_cdk_checkov_skips_match(sam, cdk):
    def skips(template: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
        return {
            name: sorted(
                (s["id"], s["comment"])
                for s in template["Resources"][lid].get("Metadata", {}).get("checkov", {}).get("skip", [])
            )
            for name, lid in functions(template).items()
        }

    assert skips(sam) == skips(cdk)


def test_sam_and_cdk_queues_match(sam, cdk):
    def queues(template: dict[str, Any]) -> list[str]:
        return sorted(
            json.dumps(render(q["Properties"], template), sort_keys=True)
            for q in resources(template, "AWS::SQS::Queue").values()
        )

    assert queues(sam) == queues(cdk)


def test_function_role_arns_output_names_every_role(sam, cdk):
    for template in (sam, cdk):
        value = template["Outputs"]["FunctionRoleArns"]["Value"]["Fn::Join"]
        assert value[0] == ","
        roles = {ref_id(v) for v in value[1]}
        assert roles == {function_role_id(template, lid) for lid in functions(template).values()}


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


def test_sam_builds_each_binary_from_the_workspace(sam):
    """sam build: rust-cargolambda, one binary per function, CodeUri = the workspace root."""
    from cfn_templates import REPO, SAM_TEMPLATE

    for name, lid in functions(sam).items():
        res = sam["Resources"][lid]
        assert res["Type"] == "AWS::Serverless::Function"
        assert res["Metadata"]["BuildMethod"] == "rust-cargolambda"
        assert res["Metadata"]["BuildProperties"] == {"Binary": name}
        code_dir = (SAM_TEMPLATE.parent / res["Properties"]["CodeUri"]).resolve()
        assert code_dir == REPO.resolve()
        assert (code_dir / "Cargo.toml").is_file()


def test_readme_documents_every_parameter(sam):
    from cfn_templates import INFRA

    text = (INFRA / "README.md").read_text()
    table = [line for line in text.splitlines() if line.startswith("| `")]
    for name in sam["Parameters"]:
        assert any(f"`{name}`" in line for line in table), f"infra/README.md has no table row for {name}"
