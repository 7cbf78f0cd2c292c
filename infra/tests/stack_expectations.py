"""What the stack tests expect: each function's IAM actions and environment, the parameters, and
functions to read a function's properties and policies from either stack."""

from __future__ import annotations

from typing import Any

from cfn_templates import (
    ASYNC_FUNCTIONS,
    OUTLETS,
    event_source_mappings,
    function_role_id,
    functions,
    ref_id,
    resources,
    role_policy_documents,
)

# Exactly these, nothing more: what every function that judges needs (assume the member
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
    # Whether ExemptTagPolicyId is an SCP attached to the root (read only).
    "organizations:DescribePolicy",
    "organizations:ListTargetsForPolicy",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
}
WORKER_QUEUE_CONSUMER_ACTIONS = {
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
}
# ... and what it does with SQS: every function sends the delayed confirmation of each delete
# it announces to the worker queue; the asynchronously invoked ones send their own dead letters,
# the sweep its work items to the worker queue, and the worker consumes that queue (its dead
# letters SQS moves itself).
FUNCTION_ACTIONS = {
    "on-create-instance": COMMON_ACTIONS | {"sqs:SendMessage"},
    "on-org-event": COMMON_ACTIONS | {"sqs:SendMessage"},
    "sweep": COMMON_ACTIONS | {"sqs:SendMessage"},
    "sweep-worker": COMMON_ACTIONS | WORKER_QUEUE_CONSUMER_ACTIONS | {"sqs:SendMessage"},
    # Off the delete path: consume the outlets queue (decrypting through SQS), import into
    # Security Hub (only with SecurityHub=true), publish to the chat topic (only with
    # ChatTopicArn), write its logs. No member role, no Organizations, no findings topic.
    OUTLETS: WORKER_QUEUE_CONSUMER_ACTIONS
    | {
        "kms:Decrypt",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "securityhub:BatchImportFindings",
        "securityhub:BatchUpdateFindings",
        "sns:Publish",
    },
}
# The statement that lets a function queue its confirmations (the sweep's FanOutToSweepWorkers,
# on the same queue, covers its confirmations too).
CONFIRMATION_SIDS = {
    "on-create-instance": "QueueConfirmations",
    "on-org-event": "QueueConfirmations",
    "sweep": "FanOutToSweepWorkers",
    "sweep-worker": "QueueConfirmations",
}

# The migration plan of an account instance that still has applications reads, through the member
# role, what they use (statement ReadWhatAppsUse; read only) -> the resources each may be used on,
# by the resource types the Service Authorization Reference gives the action (all required).
MIGRATION_PLAN_RESOURCES = {
    # The provider's display name; providers belong to AWS (account "aws").
    "sso:DescribeApplicationProvider": ["arn:${AWS::Partition}:sso::aws:applicationProvider/*"],
    # Users and groups assigned to each application (type Application, this account's).
    "sso:ListApplicationAssignments": ["arn:${AWS::Partition}:sso::${AWS::AccountId}:application/*"],
    # The size of the identity store, and names with --details (types Identitystore and
    # AllUsers / AllGroups).
    "identitystore:ListUsers": [
        "arn:${AWS::Partition}:identitystore::${AWS::AccountId}:identitystore/*",
        "arn:${AWS::Partition}:identitystore:::user/*",
    ],
    "identitystore:ListGroups": [
        "arn:${AWS::Partition}:identitystore::${AWS::AccountId}:identitystore/*",
        "arn:${AWS::Partition}:identitystore:::group/*",
    ],
    # QuickSight's authentication type and Identity Center instance (type account, any Region).
    "quicksight:DescribeAccountSubscription": ["arn:${AWS::Partition}:quicksight:*:${AWS::AccountId}:account/*"],
}
MIGRATION_PLAN_ACTIONS = set(MIGRATION_PLAN_RESOURCES)
# The only writes the member role may make in Identity Center, its identity store or QuickSight.
MEMBER_ROLE_WRITES = {"sso:DeleteInstance", "identitystore:DeleteIdentityStore"}

REMEDIATION_ACTIONS = {
    "sso:ListInstances",
    "sso:DescribeInstance",
    "sso:DeleteInstance",
    "sso:ListApplications",
    "sso:ListTagsForResource",
    "identitystore:DeleteIdentityStore",
    # The central sweep checks the forwarding rules (read only).
    "events:DescribeRule",
} | MIGRATION_PLAN_ACTIONS

# The member stack's forwarding parts carry fixed names, so that an SCP can protect them and the
# central sweep can check them: rule logical id -> rule name; the forwarding role is named
# <prefix><Region> (one per stack instance, IAM being global).
MEMBER_FORWARD_PREFIX = "idc-guardrail-forward-"
MEMBER_FORWARD_RULES = {
    "ForwardCreateInstanceRule": "idc-guardrail-forward-create-instance",
    "ForwardDelegatedAdminRule": "idc-guardrail-forward-delegated-admin",
    "ForwardAccountJoinedRule": "idc-guardrail-forward-account-joined",
}
MEMBER_FORWARD_ROLE_NAME = "idc-guardrail-forward-${AWS::Region}"

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
    # Every function that judges publishes findings (to the topic only: not to Security Hub, not
    # to chat), and metrics whose Guardrail dimension is GUARDRAIL_NAME.
    "GUARDRAIL_NAME",
    # Central exemptions (a JSON list, each with an expiry) and the SCP that protects EXEMPT_TAG.
    "EXEMPTIONS",
    "EXEMPT_TAG_POLICY_ID",
    # The worker queue: every function queues there the delayed confirmation of each delete it
    # announces (the sweep its fan-out's work items too).
    "WORKER_QUEUE_URL",
}
ENV_VARS = {
    "on-create-instance": COMMON_ENV_VARS | {"OUTSIDE_REGIONS"},
    "on-org-event": COMMON_ENV_VARS,
    "sweep": COMMON_ENV_VARS | {"SWEEP_CONCURRENCY", "FANOUT_THRESHOLD"},
    "sweep-worker": COMMON_ENV_VARS | {"SWEEP_CONCURRENCY"},
    # The findings topic (its ARN names the partition, account and Region of the Security Hub
    # product), the metrics' dimension, and the outlets' settings; nothing else.
    OUTLETS: {"TOPIC_ARN", "GUARDRAIL_NAME", "SECURITY_HUB", "CHAT_TOPIC_ARN", "CHAT_MIN_SEVERITY"},
}
# What only the outlets know: no function that judges has any of them.
OUTLETS_ENV_VARS = {"SECURITY_HUB", "CHAT_TOPIC_ARN", "CHAT_MIN_SEVERITY"}
# Environment variable -> the parameter it is set from.
ENV_PARAMETERS = {
    "REGIONS": "Regions",
    "OUTSIDE_REGIONS": "OutsideRegions",
    "SWEEP_CONCURRENCY": "SweepConcurrency",
    "FANOUT_THRESHOLD": "FanoutThreshold",
    "GUARDRAIL_NAME": "AWS::StackName",
    "SECURITY_HUB": "SecurityHub",
    "CHAT_TOPIC_ARN": "ChatTopicArn",
    "CHAT_MIN_SEVERITY": "ChatMinSeverity",
    "EXEMPT_ACCOUNTS": "ExemptAccounts",
    "EXEMPT_TAG": "ExemptTag",
    "EXEMPTIONS": "Exemptions",
    "EXEMPT_TAG_POLICY_ID": "ExemptTagPolicyId",
}

# Lambda's log levels (LoggingConfig): the application's, which the functions read as
# AWS_LAMBDA_LOG_LEVEL (JSON log format only); the platform's own lines from WARN.
APPLICATION_LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
SYSTEM_LOG_LEVEL = "WARN"

SAM_PARAMETERS = {
    "AutoRemediate",
    "DryRun",
    "ExemptAccounts",
    "ExemptTag",
    "Exemptions",
    "ExemptTagPolicyId",
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
    "SecurityHub",
    "ChatTopicArn",
    "ChatMinSeverity",
    "OperationsTopicArn",
    "SweepPeriodSeconds",
}


def mapping_of(template: dict[str, Any], name: str) -> dict[str, Any]:
    """The (only) event source mapping that invokes the function `name`."""
    fid = functions(template)[name]
    (mapping,) = [
        m for m in event_source_mappings(template).values() if ref_id(m["Properties"]["FunctionName"]) == fid
    ]
    return mapping


def queue_of(template: dict[str, Any], name: str) -> str:
    """The queue the function `name` consumes: the source of its event source mapping."""
    qid = ref_id(mapping_of(template, name)["Properties"]["EventSourceArn"])
    assert resources(template)[qid]["Type"] == "AWS::SQS::Queue"
    return qid


def worker_queue_id(template: dict[str, Any]) -> str:
    return queue_of(template, "sweep-worker")


def outlets_queue_id(template: dict[str, Any]) -> str:
    return queue_of(template, OUTLETS)


def function_props(template: dict[str, Any], name: str) -> dict[str, Any]:
    return resources(template)[functions(template)[name]]["Properties"]


def function_docs(template: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return role_policy_documents(template, function_role_id(template, functions(template)[name]))


STACKS = ["sam", "cdk"]


def dead_letter_target(props: dict[str, Any]) -> Any:
    """A function's dead-letter queue: SAM's DeadLetterQueue or CloudFormation's DeadLetterConfig."""
    dlq = props.get("DeadLetterQueue") or props.get("DeadLetterConfig")
    return dlq and dlq["TargetArn"]


def dead_letter_queues(template: dict[str, Any]) -> set[str]:
    """Every dead-letter queue: the functions', the rules', and the redrive targets of the worker
    queue and of the outlets queue."""
    out = {ref_id(dead_letter_target(function_props(template, n))) for n in ASYNC_FUNCTIONS}
    for rule in resources(template, "AWS::Events::Rule").values():
        for target in rule["Properties"]["Targets"]:
            out.add(ref_id(target["DeadLetterConfig"]["Arn"]))
    for mapping in event_source_mappings(template).values():
        queue = resources(template)[ref_id(mapping["Properties"]["EventSourceArn"])]
        out.add(ref_id(queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]))
    return out
