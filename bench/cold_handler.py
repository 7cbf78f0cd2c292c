"""The same job as the `on-create-instance` function, written the way a Python Lambda is written
today: boto3, clients at module init, the calls one after another.

For a `CreateInstance` event of a member account it asks Organizations who the management
account and the Identity Center delegated administrators are, assumes the member role in the
account, lists the account's instances in the event's Region, reads each account instance's
applications and tags, judges it (IDC001, or IDC002 in the delegated administrator), decides
(report only unless AUTO_REMEDIATE=true: then announce, delete, confirm by listing) and publishes
each finding to SNS with the subject, message attributes and JSON body of the finding contract
(schema idc-guardrail/finding/v1), so the benchmark can check that both sides published the
same finding. It covers what the benchmark sends (a successful CreateInstance in a member
account), not every case the guardrail handles: exemptions, trials, retries and the other
triggers are left out, which only makes this side lighter.

Environment: TOPIC_ARN, AUTO_REMEDIATE, MEMBER_ROLE_NAME (default IdcGuardrailRemediation) and
the usual AWS variables (AWS_ENDPOINT_URL points boto3 at a local emulator).
"""

import hashlib
import json
import os
import time
from datetime import datetime, timezone

import boto3

# Module init, as the Lambda Python runtime runs it before the first event.
ROLE_NAME = os.environ.get("MEMBER_ROLE_NAME", "IdcGuardrailRemediation")
TOPIC_ARN = os.environ["TOPIC_ARN"]
AUTO_REMEDIATE = os.environ.get("AUTO_REMEDIATE", "false").lower() in ("true", "1", "yes")
SESSION = boto3.Session()
ORGS = SESSION.client("organizations")
STS = SESSION.client("sts")
SNS = SESSION.client("sns")

SCHEMA = "idc-guardrail/finding/v1"
DOC_ACCOUNT_INSTANCES = "https://docs.aws.amazon.com/singlesignon/latest/userguide/account-instances-identity-center.html"
DOC_INSTANCE_TYPES = "https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-instances.html"
DOC_DELEGATED_ADMIN = "https://docs.aws.amazon.com/singlesignon/latest/userguide/delegated-admin.html"
DOC_CONTROL_CREATION = "https://docs.aws.amazon.com/singlesignon/latest/userguide/control-account-instance.html"
DOC_DELETE_INSTANCE = "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DeleteInstance.html"
DOC_LIST_INSTANCES = "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListInstances.html"
LOCK_IN = (
    "Account instances have no permission sets and no multi-account access, cannot be managed by a "
    "delegated administrator, and can never be converted into or merged with the organization "
    "instance. Applications bound to one stay bound: Amazon QuickSight cannot change the "
    "authentication method of an existing account, so a QuickSight bound to an account instance "
    "needs a migration with data moves and downtime to reach the organization instance, and Amazon "
    "Q Developer Pro in the console needs the organization instance's workforce users."
)
RULES = {
    "IDC001": ("HIGH", "Account instance of IAM Identity Center in a member account",
               [DOC_ACCOUNT_INSTANCES, DOC_INSTANCE_TYPES, DOC_CONTROL_CREATION, DOC_DELETE_INSTANCE]),
    "IDC002": ("CRITICAL", "Identity Center delegated administrator owns an account instance",
               [DOC_DELEGATED_ADMIN, DOC_ACCOUNT_INSTANCES, DOC_LIST_INSTANCES, DOC_DELETE_INSTANCE]),
}
_last_sequence = 0


def explanation(rule, account, region, arn):
    if rule == "IDC001":
        return (
            f"Member account {account} has its own account instance of IAM Identity Center ({arn}) in "
            f"{region}, beside the organization instance. {LOCK_IN} If this account is ever registered as "
            "the Identity Center delegated administrator it will see two instances in one Region and the "
            "console will silently operate the wrong one. Delete the account instance (sso-admin "
            f"DeleteInstance, from account {account} in {region}) once nothing depends on it, and deny "
            "sso:CreateInstance with an SCP."
        )
    return (
        f"Account {account} is the IAM Identity Center delegated administrator and owns an account instance "
        f"({arn}) in {region}. In that Region it sees two instances: the console silently operates the "
        "account instance, and organization-only operations fail with \"The operation is not supported for "
        "this Identity Center instance\". ListInstances does not say which is which; only OwnerAccountId "
        f"does (the organization instance is owned by the management account). {LOCK_IN} Delete the account "
        f"instance from account {account} in {region}; the organization instance is never touched."
    )


def rfc3339(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def finding_id(event_id, rule, arn):
    digest = hashlib.sha256(f"event:{event_id}\n{rule}\n{arn}".encode()).hexdigest()
    return f"{rule.lower()}-{digest[:24]}"


def publish(finding):
    global _last_sequence
    _last_sequence = max(_last_sequence + 1, time.time_ns() // 1000)
    finding["sequence"] = _last_sequence
    subject = f"[{finding['severity']}] {finding['rule']} {finding['account_id']} - {finding['title']}"[:99]
    attributes = {
        "message_type": "finding",
        "severity": finding["severity"],
        "rule": finding["rule"],
        "account_id": finding["account_id"],
        "remediation_status": finding["remediation"]["status"],
    }
    SNS.publish(
        TopicArn=TOPIC_ARN,
        Subject=subject,
        Message=json.dumps(finding),
        MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    )


def own_instances(sso, account):
    found = []
    for page in sso.get_paginator("list_instances").paginate():
        found += [i for i in page.get("Instances", []) if i.get("OwnerAccountId") == account]
    return found


def handler(event, context):
    detail = event["detail"]
    account = detail["recipientAccountId"]
    region = detail["awsRegion"]
    trigger = {
        "event_id": detail["eventID"],
        "event_name": detail["eventName"],
        "event_time": rfc3339(datetime.fromisoformat(detail["eventTime"].replace("Z", "+00:00"))),
        "principal_arn": detail.get("userIdentity", {}).get("arn"),
    }
    organization = ORGS.describe_organization()["Organization"]
    admins = []
    for page in ORGS.get_paginator("list_delegated_administrators").paginate(ServicePrincipal="sso.amazonaws.com"):
        admins += [a["Id"] for a in page.get("DelegatedAdministrators", [])]
    if account == organization["MasterAccountId"]:
        return {"findings": [], "notes": ["the management account's instance is the organization instance"]}
    creds = STS.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE_NAME}", RoleSessionName="idc-guardrail"
    )["Credentials"]
    sso = SESSION.client(
        "sso-admin",
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    findings = []
    for instance in own_instances(sso, account):
        arn = instance["InstanceArn"]
        applications = sum(
            len(p.get("Applications", []))
            for p in sso.get_paginator("list_applications").paginate(InstanceArn=arn)
        )
        for _ in sso.get_paginator("list_tags_for_resource").paginate(ResourceArn=arn):
            pass  # the tags matter only with an exemption tag, which this side leaves out
        rule = "IDC002" if account in admins else "IDC001"
        severity, title, references = RULES[rule]
        if applications:
            status, detail_text = "skipped_in_use", (
                f"{applications} application(s) are bound to the instance; migrate them first, "
                "or force the deletion of instances in use")
        elif AUTO_REMEDIATE:
            status, detail_text = "deleting", f"deleting {arn} in {region}; the outcome follows under this id"
        else:
            status, detail_text = "skipped_not_enabled", "report only: automatic remediation is not enabled"
        created = instance.get("CreatedDate")
        finding = {
            "schema": SCHEMA,
            "id": finding_id(trigger["event_id"], rule, arn),
            "rule": rule,
            "severity": severity,
            "title": title,
            "account_id": account,
            "region": region,
            "instance_arn": arn,
            "organization_id": organization["Id"],
            "trigger": trigger,
            "explanation": explanation(rule, account, region, arn),
            "remediation": {"action": "delete", "status": status, "detail": detail_text},
            "references": references,
            "evaluated_at": rfc3339(datetime.now(timezone.utc)),
            "evidence": "inventory",
            "instance": {
                "owner_account_id": instance["OwnerAccountId"],
                "status": instance.get("Status", "ACTIVE"),
                "created_date": rfc3339(created) if created else None,
                "application_count": applications,
            },
        }
        if status == "deleting":
            publish(finding)
            sso.delete_instance(InstanceArn=arn)
            if any(i["InstanceArn"] == arn for i in own_instances(sso, account)):
                status, detail_text = "failed", f"DeleteInstance was accepted but {arn} is still listed"
            else:
                status, detail_text = "deleted", f"deleted {arn} in {region}; confirmed by listing"
            finding["remediation"] = {"action": "delete", "status": status, "detail": detail_text}
        publish(finding)
        findings.append({"id": finding["id"], "rule": rule, "severity": severity, "account_id": account,
                         "region": region, "remediation_status": status})
    return {"findings": findings, "notes": []}
