"""Tests of the emulator: boto3 against moto server started by launch.py, with the extension.

Accounts are real multi-account: the management account (moto's default credentials) creates an
organization and member accounts, and tests act as a member through STS AssumeRole keys.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
MGMT = "123456789012"  # moto's account for credentials it did not issue
STANDALONE = "555555555555"  # not in any organization
SSO = "sso.amazonaws.com"
R1, R2 = "us-east-1", "eu-west-1"
PROVIDER = "arn:aws:sso::aws:applicationProvider/custom"
os.environ["NO_PROXY"] = "127.0.0.1"  # the emulator is local: never through a proxy
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The oracle for documented constraints: the service models the pinned SDK ships (the API
# reference is generated from them), independent of the extension's own copy.
_MODELS = botocore.session.get_session()


def documented(shape, service="sso-admin"):
    """(min length, max length, pattern) of a string shape, as the service model documents it."""
    meta = _MODELS.get_service_model(service).shape_for(shape).metadata
    return meta["min"], meta["max"], meta["pattern"]


def pattern_violation(member, value, shape):
    return (f"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular "
            f"expression pattern: {documented(shape)[2]}")


def _launch(port_file):
    env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "launch.py"), "--port-file", port_file],
                            stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()  # printed once the server answers
    assert line.startswith("IDC_EMULATOR_URL=http://127.0.0.1:"), line
    return proc, line.split("=", 1)[1]


@pytest.fixture(scope="session")
def url():
    with tempfile.TemporaryDirectory() as tmp:
        proc, endpoint = _launch(os.path.join(tmp, "port"))
        yield endpoint
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def post(url, path, body=None, method="POST"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    try:
        with DIRECT.open(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@pytest.fixture(autouse=True)
def reset(url):
    assert post(url, "/moto-api/reset")[0] == 200


class Aws:
    """boto3 clients for any account, through STS AssumeRole from the management account."""

    def __init__(self, url):
        self.url, self.keys = url, {}

    def client(self, service, account=MGMT, region=R1, **config):
        if account not in self.keys:
            self.keys[account] = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
            if account != MGMT:
                creds = self.client("sts").assume_role(
                    RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                    RoleSessionName="idc-guardrail-test")["Credentials"]
                self.keys[account] = {"aws_access_key_id": creds["AccessKeyId"],
                                      "aws_secret_access_key": creds["SecretAccessKey"],
                                      "aws_session_token": creds["SessionToken"]}
        return boto3.client(service, region_name=region, endpoint_url=self.url,
                            config=Config(retries={"max_attempts": 1}, **config), **self.keys[account])

    def sso(self, account=MGMT, region=R1, **config):
        return self.client("sso-admin", account, region, **config)

    def orgs(self, account=MGMT):
        return self.client("organizations", account)


@pytest.fixture
def aws(url):
    return Aws(url)


@pytest.fixture
def org(aws):
    """An organization with three members; returns their account ids."""
    orgs = aws.orgs()
    orgs.create_organization(FeatureSet="ALL")
    members = []
    for i in range(3):
        status = orgs.create_account(AccountName=f"m{i}", Email=f"m{i}@example.com")["CreateAccountStatus"]
        members.append(orgs.describe_create_account_status(
            CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"])
    assert len(set(members)) == 3 and MGMT not in members
    return members


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def refused(call, **kwargs):
    """(code, HTTP status, message) of a call that must fail."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Message"]


def status_of(aws, arn):
    return next(i for i in post(aws.url, "/idc-guardrail/state", method="GET")[1]["instances"]
                if i["InstanceArn"] == arn)


def seed_org_instance(aws, region=R1):
    status, body = post(aws.url, "/idc-guardrail/seed-org-instance", {"account_id": MGMT, "region": region})
    assert status == 200, body
    return body["InstanceArn"]


def register_sso_admin(aws, account):
    aws.orgs().register_delegated_administrator(AccountId=account, ServicePrincipal=SSO)


# ------------------------------------------------------------------ instances
def test_no_instance_exists_until_created(aws, org):
    for account in [MGMT, *org]:
        for region in (R1, R2):
            assert aws.sso(account, region).list_instances()["Instances"] == []


def test_create_instance_in_member_account(aws, org):
    sso = aws.sso(org[0])
    arn = sso.create_instance(Name="trial")["InstanceArn"]
    assert re.fullmatch(r"arn:aws:sso:::instance/ssoins-[0-9a-f]{16}", arn)
    inst = sso.describe_instance(InstanceArn=arn)
    assert inst["OwnerAccountId"] == org[0] and inst["Status"] == "ACTIVE" and inst["Name"] == "trial"
    assert re.fullmatch(r"d-[0-9a-f]{10}", inst["IdentityStoreId"])
    assert isinstance(inst["CreatedDate"], datetime)
    assert [i["InstanceArn"] for i in sso.list_instances()["Instances"]] == [arn]


def test_wire_shape_omits_absent_fields_and_uses_epoch_seconds(aws, org):
    sso, raw = aws.sso(org[0]), []
    sso.meta.events.register("after-call.sso-admin.*", lambda http_response, **_: raw.append(http_response))
    sso.create_instance()
    sso.list_instances()
    body = json.loads(raw[-1].content)
    inst = body["Instances"][0]
    assert "Name" not in inst and None not in inst.values() and "NextToken" not in body
    assert isinstance(inst["CreatedDate"], (int, float))
    assert set(inst) == {"CreatedDate", "IdentityStoreId", "InstanceArn", "OwnerAccountId", "Status"}


def test_error_wire_shape(aws, org):
    sso, raw = aws.sso(org[0]), []
    sso.meta.events.register("after-call.sso-admin.*", lambda http_response, **_: raw.append(http_response))
    with pytest.raises(ClientError):
        sso.describe_instance(InstanceArn="arn:aws:sso:::instance/ssoins-0000000000000000")
    assert raw[-1].status_code == 400
    body = json.loads(raw[-1].content)
    assert body["__type"] == "AccessDeniedException" and body["Message"]


def test_one_instance_per_account_across_regions(aws, org):
    arn = aws.sso(org[0], R1).create_instance()["InstanceArn"]
    for region in (R1, R2):
        with pytest.raises(ClientError) as e:
            aws.sso(org[0], region).create_instance()
        assert code(e) == "ConflictException"
    aws.sso(org[1], R2).create_instance()  # other accounts are unaffected
    aws.sso(org[0], R1).delete_instance(InstanceArn=arn)
    aws.sso(org[0], R2).create_instance()  # free again once deleted


def test_create_rejected_in_management_account(aws, org):
    with pytest.raises(ClientError) as e:
        aws.sso(MGMT).create_instance()
    assert code(e) == "ValidationException"
    assert "management account" in e.value.response["Error"]["Message"]
    assert aws.sso(MGMT).list_instances()["Instances"] == []


def test_standalone_account_can_create(aws):
    arn = aws.sso(STANDALONE).create_instance()["InstanceArn"]
    assert aws.sso(STANDALONE).describe_instance(InstanceArn=arn)["OwnerAccountId"] == STANDALONE


def test_client_token_is_idempotent(aws, org):
    sso = aws.sso(org[0])
    first = sso.create_instance(Name="a", ClientToken="tok-1")["InstanceArn"]
    assert sso.create_instance(Name="a", ClientToken="tok-1")["InstanceArn"] == first
    assert len(sso.list_instances()["Instances"]) == 1
    with pytest.raises(ClientError) as e:
        sso.create_instance(Name="b", ClientToken="tok-1")
    assert code(e) == "ValidationException"


def test_describe_and_delete_are_owner_only_in_own_region(aws, org):
    arn = aws.sso(org[0]).create_instance()["InstanceArn"]
    for account, region in ((org[1], R1), (MGMT, R1), (org[0], R2)):
        for call in ("describe_instance", "delete_instance"):
            with pytest.raises(ClientError) as e:
                getattr(aws.sso(account, region), call)(InstanceArn=arn)
            assert code(e) == "AccessDeniedException", (account, region, call)
    aws.sso(org[0]).delete_instance(InstanceArn=arn)


def test_describe_and_delete_answer_access_denied_after_delete(aws, org):
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    assert sso.delete_instance(InstanceArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    for call in (sso.describe_instance, sso.delete_instance):
        with pytest.raises(ClientError) as e:
            call(InstanceArn=arn)
        assert code(e) == "AccessDeniedException"
    assert sso.list_instances()["Instances"] == []


def test_list_visibility_and_the_delegated_admin_trap(aws, org):
    org_arn = seed_org_instance(aws, R1)
    own = {a: aws.sso(a).create_instance()["InstanceArn"] for a in org[:2]}
    owners = lambda account, region=R1: sorted(  # noqa: E731
        (i["OwnerAccountId"], i["InstanceArn"]) for i in aws.sso(account, region).list_instances()["Instances"])
    assert owners(MGMT) == [(MGMT, org_arn)]  # management sees the org instance
    assert owners(org[0]) == [(org[0], own[org[0]])]  # a member sees only its own
    register_sso_admin(aws, org[0])
    assert owners(org[0]) == sorted([(org[0], own[org[0]]), (MGMT, org_arn)])  # two in one Region
    assert owners(org[0], R2) == []  # both are regional
    assert owners(org[1]) == [(org[1], own[org[1]])]
    # The other order: delegated administrator first, then CreateInstance in that account.
    register_sso_admin(aws, org[2])  # only one sso admin in AWS; the emulator does not care
    assert owners(org[2]) == [(MGMT, org_arn)]
    mine = aws.sso(org[2]).create_instance()["InstanceArn"]
    assert owners(org[2]) == sorted([(org[2], mine), (MGMT, org_arn)])


def test_delegated_admin_may_describe_but_not_delete_the_org_instance(aws, org):
    org_arn = seed_org_instance(aws)
    register_sso_admin(aws, org[0])
    assert aws.sso(org[0]).describe_instance(InstanceArn=org_arn)["OwnerAccountId"] == MGMT
    with pytest.raises(ClientError) as e:
        aws.sso(org[0]).delete_instance(InstanceArn=org_arn)
    assert code(e) == "AccessDeniedException"
    with pytest.raises(ClientError) as e:
        aws.sso(org[1]).describe_instance(InstanceArn=org_arn)
    assert code(e) == "AccessDeniedException"


def test_org_instance_seed_rules(aws, org):
    status, body = post(aws.url, "/idc-guardrail/seed-org-instance", {"account_id": org[0], "region": R1})
    assert status == 400 and body["__type"] == "ValidationException"
    seed_org_instance(aws, R1)
    status, body = post(aws.url, "/idc-guardrail/seed-org-instance", {"account_id": MGMT, "region": R2})
    assert status == 400 and "already" in body["Message"]
    assert len(post(aws.url, "/idc-guardrail/state", method="GET")[1]["instances"]) == 1


def test_list_instances_pagination(aws, org):
    seed_org_instance(aws)
    register_sso_admin(aws, org[0])
    sso = aws.sso(org[0])
    sso.create_instance()
    first = sso.list_instances(MaxResults=1)
    assert len(first["Instances"]) == 1 and first["NextToken"]
    second = sso.list_instances(MaxResults=1, NextToken=first["NextToken"])
    assert len(second["Instances"]) == 1 and "NextToken" not in second
    assert first["Instances"][0]["InstanceArn"] != second["Instances"][0]["InstanceArn"]
    pages = list(sso.get_paginator("list_instances").paginate(PaginationConfig={"PageSize": 1}))
    assert sum(len(p["Instances"]) for p in pages) == 2
    with pytest.raises(ClientError) as e:
        sso.list_instances(NextToken="not-a-token")
    assert code(e) == "ValidationException"


def test_update_instance_still_works(aws, org):
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    sso.update_instance(InstanceArn=arn, Name="renamed")
    assert sso.describe_instance(InstanceArn=arn)["Name"] == "renamed"


# ------------------------------------------------------------------ applications
def test_applications_counted_per_instance_and_deleted_with_it(aws, org):
    a, b = aws.sso(org[0]), aws.sso(org[1])
    arn_a, arn_b = a.create_instance()["InstanceArn"], b.create_instance()["InstanceArn"]
    apps = [a.create_application(InstanceArn=arn_a, ApplicationProviderArn=PROVIDER, Name=f"app{i}")
            ["ApplicationArn"] for i in range(5)]
    b.create_application(InstanceArn=arn_b, ApplicationProviderArn=PROVIDER, Name="other")
    assert all(re.fullmatch(rf"arn:aws:sso::{org[0]}:application/ssoins-[0-9a-f]{{16}}/apl-[0-9a-f]{{16}}", x)
               for x in apps)
    pages = list(a.get_paginator("list_applications").paginate(
        InstanceArn=arn_a, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    listed = [x for p in pages for x in p["Applications"]]
    assert sorted(x["ApplicationArn"] for x in listed) == sorted(apps)
    assert {x["InstanceArn"] for x in listed} == {arn_a} and listed[0]["Status"] == "ENABLED"
    a.create_application(InstanceArn=arn_a, ApplicationProviderArn=PROVIDER + "-qs", Name="quicksight")
    qs = a.list_applications(InstanceArn=arn_a, Filter={"ApplicationProvider": PROVIDER + "-qs"})
    assert [x["Name"] for x in qs["Applications"]] == ["quicksight"]
    with pytest.raises(ClientError) as e:  # another account cannot read them
        b.list_applications(InstanceArn=arn_a)
    assert code(e) == "AccessDeniedException"
    a.delete_instance(InstanceArn=arn_a)  # AWS has no "in use" refusal: apps go with it
    new = aws.sso(org[0], R2).create_instance()["InstanceArn"]
    assert aws.sso(org[0], R2).list_applications(InstanceArn=new)["Applications"] == []
    assert len(b.list_applications(InstanceArn=arn_b)["Applications"]) == 1


# ------------------------------------------------------------------ tags
def test_tags_on_instances_and_applications(aws, org):
    sso = aws.sso(org[0])
    arn = sso.create_instance(Tags=[{"Key": "idc-guardrail:exempt", "Value": "trial"}])["InstanceArn"]
    tags = lambda r: {t["Key"]: t["Value"] for t in sso.list_tags_for_resource(ResourceArn=r)["Tags"]}  # noqa: E731
    assert tags(arn) == {"idc-guardrail:exempt": "trial"}
    sso.tag_resource(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "team-a"}])
    sso.untag_resource(ResourceArn=arn, TagKeys=["idc-guardrail:exempt"])
    assert tags(arn) == {"owner": "team-a"}
    sso.tag_resource(InstanceArn=arn, ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert tags(arn) == {"owner": "team-a", "k": "v"}
    app = sso.create_application(InstanceArn=arn, ApplicationProviderArn=PROVIDER, Name="qs",
                                 Tags=[{"Key": "app", "Value": "1"}])["ApplicationArn"]
    assert sso.list_tags_for_resource(InstanceArn=arn, ResourceArn=app)["Tags"] == [{"Key": "app", "Value": "1"}]
    with pytest.raises(ClientError) as e:
        aws.sso(org[1]).list_tags_for_resource(ResourceArn=arn)
    assert code(e) == "AccessDeniedException"
    with pytest.raises(ClientError) as e:
        sso.tag_resource(ResourceArn=arn, Tags=[{"Key": f"t{i}", "Value": ""} for i in range(74)])
    assert code(e) == "ServiceQuotaExceededException"


# ------------------------------------------------------------------ organizations
def test_delegated_administrator_for_sso(aws, org):
    orgs = aws.orgs()
    register_sso_admin(aws, org[0])
    admins = orgs.list_delegated_administrators(ServicePrincipal=SSO)["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [org[0]]
    services = orgs.list_delegated_services_for_account(AccountId=org[0])["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == [SSO]
    with pytest.raises(ClientError) as e:
        register_sso_admin(aws, org[0])
    assert code(e) == "AccountAlreadyRegisteredException"
    orgs.deregister_delegated_administrator(AccountId=org[0], ServicePrincipal=SSO)
    assert orgs.list_delegated_administrators(ServicePrincipal=SSO)["DelegatedAdministrators"] == []


def test_rejected_registration_leaves_nothing(aws, org):
    with pytest.raises(ClientError) as e:
        aws.orgs().register_delegated_administrator(AccountId=org[0], ServicePrincipal="nope.amazonaws.com")
    assert code(e) == "InvalidInputException"
    assert aws.orgs().list_delegated_administrators()["DelegatedAdministrators"] == []


def test_organization_reads_from_members(aws, org):
    for call, kwargs in (("list_accounts", {}), ("describe_account", {"AccountId": org[1]}),
                         ("list_delegated_administrators", {})):
        with pytest.raises(ClientError) as e:
            getattr(aws.orgs(org[0]), call)(**kwargs)
        assert code(e) == "AccessDeniedException", call
    assert aws.orgs(org[0]).describe_organization()["Organization"]["MasterAccountId"] == MGMT
    register_sso_admin(aws, org[0])
    admin = aws.orgs(org[0])
    assert len(admin.list_accounts()["Accounts"]) == 4
    assert admin.describe_account(AccountId=org[1])["Account"]["Id"] == org[1]
    assert [a["Id"] for a in admin.list_delegated_administrators(ServicePrincipal=SSO)
            ["DelegatedAdministrators"]] == [org[0]]
    with pytest.raises(ClientError) as e:
        aws.orgs(STANDALONE).list_accounts()
    assert code(e) == "AWSOrganizationsNotInUseException"


# ------------------------------------------------------------------ sns -> sqs
@pytest.mark.parametrize("subscriber", ["topic-owner", "queue-owner"])
def test_sns_to_sqs_across_accounts_with_attributes(aws, org, subscriber):
    sns, sqs = aws.client("sns", org[0]), aws.client("sqs", org[1])
    topic = sns.create_topic(Name="findings")["TopicArn"]
    queues = {}
    for raw in (True, False):
        q = sqs.create_queue(QueueName=f"sub-{raw}")["QueueUrl"]
        q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert q_arn.split(":")[4] == org[1]
        who = sns if subscriber == "topic-owner" else aws.client("sns", org[1])
        who.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_arn,
                      Attributes={"RawMessageDelivery": str(raw).lower()})
        queues[raw] = q
    attrs = {"severity": {"DataType": "String", "StringValue": "CRITICAL"},
             "rule": {"DataType": "String", "StringValue": "IDC002"}}
    sns.publish(TopicArn=topic, Message='{"rule": "IDC002"}', Subject="[CRITICAL] IDC002", MessageAttributes=attrs)
    raw_msgs = sqs.receive_message(QueueUrl=queues[True], MessageAttributeNames=["All"])["Messages"]
    assert raw_msgs[0]["Body"] == '{"rule": "IDC002"}'
    assert raw_msgs[0]["MessageAttributes"]["severity"] == {"StringValue": "CRITICAL", "DataType": "String"}
    envelope = json.loads(sqs.receive_message(QueueUrl=queues[False])["Messages"][0]["Body"])
    assert envelope["TopicArn"] == topic and envelope["Subject"] == "[CRITICAL] IDC002"
    assert envelope["MessageAttributes"]["rule"] == {"Type": "String", "Value": "IDC002"}


# ------------------------------------------------------------------ test-only switches
def test_delete_conflict_injection(aws, org):
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    assert post(aws.url, "/idc-guardrail/delete-conflicts", {"count": 2})[0] == 200
    for _ in range(2):
        with pytest.raises(ClientError) as e:
            sso.delete_instance(InstanceArn=arn)
        assert code(e) == "ConflictException"
    sso.delete_instance(InstanceArn=arn)
    assert sso.list_instances()["Instances"] == []


def test_create_in_progress_switch_and_status_endpoint(aws, org):
    assert post(aws.url, "/idc-guardrail/create-instance-status", {"status": "CREATE_IN_PROGRESS"})[0] == 200
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    assert sso.describe_instance(InstanceArn=arn)["Status"] == "CREATE_IN_PROGRESS"
    with pytest.raises(ClientError) as e:
        sso.delete_instance(InstanceArn=arn)
    assert code(e) == "ConflictException"
    assert post(aws.url, "/idc-guardrail/instance-status", {"instance_arn": arn, "status": "ACTIVE"})[0] == 200
    assert sso.list_instances()["Instances"][0]["Status"] == "ACTIVE"
    sso.delete_instance(InstanceArn=arn)
    assert post(aws.url, "/idc-guardrail/instance-status", {"instance_arn": arn, "status": "ACTIVE"})[0] == 400
    assert post(aws.url, "/idc-guardrail/create-instance-status", {"status": "BOGUS"})[0] == 400


def test_instance_created_date(aws, org):
    sso, raw = aws.sso(org[0]), []
    sso.meta.events.register("after-call.sso-admin.*", lambda http_response, **_: raw.append(http_response))
    arn = sso.create_instance()["InstanceArn"]
    other = aws.sso(org[1]).create_instance()["InstanceArn"]
    org_arn = seed_org_instance(aws)
    set_date = lambda a, d: post(aws.url, "/idc-guardrail/instance-created-date",  # noqa: E731
                                 {"instance_arn": a, "created_date": d})
    status, body = set_date(arn, 1700000000)
    assert status == 200 and body["InstanceArn"] == arn and body["CreatedDate"] == 1700000000
    old = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    assert sso.describe_instance(InstanceArn=arn)["CreatedDate"] == old
    assert [i["CreatedDate"] for i in sso.list_instances()["Instances"]] == [old]
    assert json.loads(raw[-1].content)["Instances"][0]["CreatedDate"] == 1700000000  # epoch on the wire
    assert aws.sso(org[1]).describe_instance(InstanceArn=other)["CreatedDate"].year >= 2025  # untouched
    for text, expected in (("2024-01-31T12:00:00Z", datetime(2024, 1, 31, 12, tzinfo=timezone.utc)),
                           ("2024-01-31T14:30:00+02:00", datetime(2024, 1, 31, 12, 30, tzinfo=timezone.utc))):
        assert set_date(arn, text)[0] == 200
        assert sso.describe_instance(InstanceArn=arn)["CreatedDate"] == expected
    assert set_date(org_arn, 1600000000.5)[0] == 200  # the seeded organization instance too
    assert aws.sso(MGMT).list_instances()["Instances"][0]["CreatedDate"].timestamp() == 1600000000.5
    for bad_arn, bad_date in ((arn, "2024-01-31T12:00:00"), (arn, "last year"), (arn, True), (arn, None),
                              ("arn:aws:sso:::instance/ssoins-0000000000000000", 1700000000)):
        status, body = set_date(bad_arn, bad_date)
        assert status == 400 and body["__type"] == "ValidationException", (bad_arn, bad_date)
    assert sso.describe_instance(InstanceArn=arn)["CreatedDate"] == datetime(2024, 1, 31, 12, 30, tzinfo=timezone.utc)


def test_deny_assume_role_is_exact_to_the_role_arn(aws):
    member, elsewhere = "111111111111", "222222222222"
    denied = f"arn:aws:iam::{member}:role/IdcGuardrailMemberRole"
    status, body = post(aws.url, "/idc-guardrail/deny-assume-role", {"role_arn": denied})
    assert (status, body) == (200, {"denied_role_arns": [denied]})
    sts, raw = aws.client("sts"), []
    sts.meta.events.register("after-call.sts.*", lambda http_response, **_: raw.append(http_response))
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleArn=denied, RoleSessionName="sweep")
    assert code(e) == "AccessDenied" and e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # The awsQuery error body the AWS SDKs parse: Error directly under ErrorResponse.
    assert raw[-1].status_code == 403 and raw[-1].headers["Content-Type"].startswith("text/xml")
    ns = {"s": "https://sts.amazonaws.com/doc/2011-06-15/"}
    root = ET.fromstring(raw[-1].content)
    assert root.tag == "{%s}ErrorResponse" % ns["s"]
    assert [c.tag.split("}")[1] for c in root] == ["Error", "RequestId"]
    assert root.findtext("s:Error/s:Type", namespaces=ns) == "Sender"
    assert root.findtext("s:Error/s:Code", namespaces=ns) == "AccessDenied"
    assert root.findtext("s:Error/s:Message", namespaces=ns) == (
        f"User: arn:aws:sts::{MGMT}:user/moto is not authorized to perform: sts:AssumeRole "
        f"on resource: {denied}")
    assert root.findtext("s:RequestId", namespaces=ns) not in (None, "", "-")
    # Exact to the ARN: another role in that account, the same name elsewhere, still work.
    for ok in (f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
               f"arn:aws:iam::{elsewhere}:role/IdcGuardrailMemberRole"):
        creds = sts.assume_role(RoleArn=ok, RoleSessionName="sweep")["Credentials"]
        who = boto3.client("sts", region_name=R1, endpoint_url=aws.url, aws_access_key_id=creds["AccessKeyId"],
                           aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
        assert who.get_caller_identity()["Account"] == ok.split(":")[4]
    with pytest.raises(ClientError) as e:  # the caller is named as it is: here an assumed role
        aws.client("sts", elsewhere).assume_role(RoleArn=denied, RoleSessionName="sweep")
    assert e.value.response["Error"]["Message"].startswith(
        f"User: arn:aws:sts::{elsewhere}:assumed-role/OrganizationAccountAccessRole/idc-guardrail-test is not")
    # Undo.
    status, body = post(aws.url, "/idc-guardrail/deny-assume-role", {"role_arn": denied, "deny": False})
    assert (status, body) == (200, {"denied_role_arns": []})
    assert sts.assume_role(RoleArn=denied, RoleSessionName="sweep")["Credentials"]["AccessKeyId"]
    for bad in ({"role_arn": "IdcGuardrailMemberRole"}, {"role_arn": f"arn:aws:iam::{member}:user/x"},
                {"role_arn": denied, "deny": "no"}, {}):
        status, body = post(aws.url, "/idc-guardrail/deny-assume-role", bad)
        assert status == 400 and body["__type"] == "ValidationException", bad
    assert post(aws.url, "/idc-guardrail/state", method="GET")[1]["denied_role_arns"] == []


def test_reset_clears_extension_state(aws, org):
    aws.sso(org[0]).create_instance()
    seed_org_instance(aws)
    register_sso_admin(aws, org[0])
    post(aws.url, "/idc-guardrail/delete-conflicts", {"count": 5})
    post(aws.url, "/idc-guardrail/create-instance-status", {"status": "CREATE_IN_PROGRESS", "active_after_reads": 3})
    denied = f"arn:aws:iam::{org[0]}:role/OrganizationAccountAccessRole"
    assert post(aws.url, "/idc-guardrail/deny-assume-role", {"role_arn": denied})[0] == 200
    assert post(aws.url, "/moto-api/reset")[0] == 200
    state = post(aws.url, "/idc-guardrail/state", method="GET")[1]
    assert state == {"instances": [], "create_status": "ACTIVE", "create_active_after_reads": None,
                     "delete_conflicts": 0, "denied_role_arns": []}
    aws = Aws(aws.url)  # reset also forgets the STS keys issued before it: assume roles anew
    assert aws.client("sts", org[0]).get_caller_identity()["Account"] == org[0]
    assert aws.sso(org[0]).list_instances()["Instances"] == []
    with pytest.raises(ClientError) as e:  # the former member is in no organization any more
        aws.orgs(org[0]).describe_organization()
    assert code(e) == "AWSOrganizationsNotInUseException"
    arn = aws.sso(org[0]).create_instance()["InstanceArn"]  # and is a standalone account now
    assert aws.sso(org[0]).describe_instance(InstanceArn=arn)["OwnerAccountId"] == org[0]


# ------------------------------------------------------------------ CREATE_IN_PROGRESS
def test_create_in_progress_becomes_active_after_n_reads(aws, org):
    status, body = post(aws.url, "/idc-guardrail/create-instance-status",
                        {"status": "CREATE_IN_PROGRESS", "active_after_reads": 3})
    assert status == 200 and body["create_active_after_reads"] == 3
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    other = aws.sso(org[1]).create_instance()["InstanceArn"]  # its own countdown
    assert refused(sso.delete_instance, InstanceArn=arn)[0] == "ConflictException"  # not a read
    assert refused(sso.list_applications, InstanceArn=arn)[0] == "ValidationException"  # not a read
    assert refused(aws.sso(org[1]).describe_instance, InstanceArn=arn)[0] == "AccessDeniedException"  # nor this
    assert aws.sso(org[0], R2).list_instances()["Instances"] == []  # nor a listing without it
    assert sso.describe_instance(InstanceArn=arn)["Status"] == "CREATE_IN_PROGRESS"  # read 1
    assert [i["Status"] for i in sso.list_instances()["Instances"]] == ["CREATE_IN_PROGRESS"]  # read 2
    assert status_of(aws, arn)["ReadsUntilActive"] == 1
    assert sso.describe_instance(InstanceArn=arn)["Status"] == "CREATE_IN_PROGRESS"  # read 3 ...
    assert sso.describe_instance(InstanceArn=arn)["Status"] == "ACTIVE"  # ... after which it is ACTIVE
    assert sso.list_instances()["Instances"][0]["Status"] == "ACTIVE"
    assert status_of(aws, arn)["ReadsUntilActive"] is None
    assert sso.list_applications(InstanceArn=arn)["Applications"] == []  # usable now
    assert status_of(aws, other)["Status"] == "CREATE_IN_PROGRESS" and status_of(aws, other)["ReadsUntilActive"] == 3
    sso.delete_instance(InstanceArn=arn)
    assert sso.list_instances()["Instances"] == []


def test_countdown_ticks_only_on_list_pages_that_include_the_instance(aws, org):
    org_arn = seed_org_instance(aws)
    register_sso_admin(aws, org[0])
    own = aws.sso(org[0]).create_instance()["InstanceArn"]
    status, body = post(aws.url, "/idc-guardrail/instance-status",
                        {"instance_arn": org_arn, "status": "CREATE_IN_PROGRESS", "active_after_reads": 2})
    assert status == 200 and body["Status"] == "CREATE_IN_PROGRESS"
    sso = aws.sso(org[0])
    for _ in range(3):  # first pages hold only the admin's own instance: no read of the org instance
        first = sso.list_instances(MaxResults=1)
        assert [i["InstanceArn"] for i in first["Instances"]] == [own]
    second = sso.list_instances(MaxResults=1, NextToken=first["NextToken"])  # read 1
    assert [(i["InstanceArn"], i["Status"]) for i in second["Instances"]] == [(org_arn, "CREATE_IN_PROGRESS")]
    assert aws.sso(MGMT).describe_instance(InstanceArn=org_arn)["Status"] == "CREATE_IN_PROGRESS"  # read 2
    assert {i["InstanceArn"]: i["Status"] for i in sso.list_instances()["Instances"]} == {
        own: "ACTIVE", org_arn: "ACTIVE"}


def test_create_in_progress_without_countdown_stays_and_switches_are_checked(aws, org):
    assert post(aws.url, "/idc-guardrail/create-instance-status", {"status": "CREATE_IN_PROGRESS"})[0] == 200
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    for _ in range(5):
        assert sso.describe_instance(InstanceArn=arn)["Status"] == "CREATE_IN_PROGRESS"
    for bad in (0, -1, True, "2", 1.5):
        for path, body in (("create-instance-status", {}), ("instance-status", {"instance_arn": arn})):
            status, answer = post(aws.url, f"/idc-guardrail/{path}",
                                  dict(body, status="CREATE_IN_PROGRESS", active_after_reads=bad))
            assert status == 400 and answer["__type"] == "ValidationException", (path, bad)
    for path, body in (("create-instance-status", {}), ("instance-status", {"instance_arn": arn})):
        status, _ = post(aws.url, f"/idc-guardrail/{path}", dict(body, status="ACTIVE", active_after_reads=1))
        assert status == 400, path  # a countdown only makes sense while creating
    state = post(aws.url, "/idc-guardrail/state", method="GET")[1]  # refused switches changed nothing
    assert (state["create_status"], state["create_active_after_reads"]) == ("CREATE_IN_PROGRESS", None)
    assert (status_of(aws, arn)["Status"], status_of(aws, arn)["ReadsUntilActive"]) == ("CREATE_IN_PROGRESS", None)
    # Setting a status again replaces the countdown.
    post(aws.url, "/idc-guardrail/instance-status", {"instance_arn": arn, "status": "CREATE_IN_PROGRESS",
                                                      "active_after_reads": 1})
    post(aws.url, "/idc-guardrail/instance-status", {"instance_arn": arn, "status": "CREATE_IN_PROGRESS"})
    for _ in range(3):
        assert sso.describe_instance(InstanceArn=arn)["Status"] == "CREATE_IN_PROGRESS"


def test_only_describe_and_delete_while_create_in_progress(aws, org):
    sso, stranger = aws.sso(org[0]), aws.sso(org[1])
    arn = sso.create_instance(Name="trial", Tags=[{"Key": "k", "Value": "v"}])["InstanceArn"]
    app = sso.create_application(InstanceArn=arn, ApplicationProviderArn=PROVIDER, Name="qs")["ApplicationArn"]
    status, _ = post(aws.url, "/idc-guardrail/instance-status", {"instance_arn": arn, "status": "CREATE_IN_PROGRESS"})
    assert status == 200
    calls = [("list_applications", {"InstanceArn": arn}),
             ("create_application", {"InstanceArn": arn, "ApplicationProviderArn": PROVIDER, "Name": "late"}),
             ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "k2", "Value": "v"}]}),
             ("untag_resource", {"ResourceArn": arn, "TagKeys": ["k"]}),
             ("list_tags_for_resource", {"ResourceArn": arn}),
             ("tag_resource", {"ResourceArn": app, "Tags": [{"Key": "k2", "Value": "v"}]}),
             ("list_tags_for_resource", {"ResourceArn": app}),
             ("update_instance", {"InstanceArn": arn, "Name": "renamed"})]
    for call, kwargs in calls:
        error, http, message = refused(getattr(sso, call), **kwargs)
        assert (error, http) == ("ValidationException", 400), call
        assert "CREATE_IN_PROGRESS" in message and arn in message, call
        assert refused(getattr(stranger, call), **kwargs)[0] == "AccessDeniedException", call  # tells nothing
    assert sso.describe_instance(InstanceArn=arn)["Status"] == "CREATE_IN_PROGRESS"
    post(aws.url, "/idc-guardrail/instance-status", {"instance_arn": arn, "status": "ACTIVE"})
    # Nothing the refused calls asked for happened.
    assert sso.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    assert [a["ApplicationArn"] for a in sso.list_applications(InstanceArn=arn)["Applications"]] == [app]
    assert sso.describe_instance(InstanceArn=arn)["Name"] == "trial"
    for call, kwargs in calls:  # and once ACTIVE, every one of them works
        getattr(sso, call)(**kwargs)
    assert sso.describe_instance(InstanceArn=arn)["Name"] == "renamed"


# ------------------------------------------------------------------ documented input constraints
MALFORMED_INSTANCE_ARNS = [
    "arn:aws:sso:::instance/ssoins-123",  # id too short
    "arn:aws:sso:::instance/ssoins-00000000000000000",  # id too long
    "arn:aws:sso:::instance/ssoins-0000000000000000/x",  # trailing text: the whole value must match
    " arn:aws:sso:::instance/ssoins-0000000000000000",
    "arn:aws:sso::123456789012:instance/ssoins-0000000000000000",  # instance ARNs carry no account
    "arn:aws-a-b-c-d:sso:::instance/ssoins-0000000000000000",  # not a partition
    "arn:aws:iam:::instance/ssoins-0000000000000000",
    "arn:aws:sso:::instance/ssoins-000000000000000_",
    "ssoins-0000000000000000",
]
WELL_FORMED_UNKNOWN = [
    "arn:aws:sso:::instance/ssoins-0000000000000000",
    "arn:aws:sso:::instance/ins-0000000000000000",
    "arn:aws-us-gov:sso:::instance/ssoins-a.b-C.d-00000000",
    "arn:aws-iso-b:sso:::instance/ssoins-ZZZZZZZZZZZZZZZZ",
]


def test_malformed_instance_arn_is_a_validation_exception(aws, org):
    sso = aws.sso(org[0])
    own = sso.create_instance()["InstanceArn"]
    calls = [("describe_instance", {}), ("delete_instance", {}), ("list_applications", {}),
             ("create_application", {"ApplicationProviderArn": PROVIDER, "Name": "a"}),
             ("update_instance", {"Name": "n"}), ("create_permission_set", {"Name": "ps"}),  # stock moto's too
             ("list_tags_for_resource", {"ResourceArn": own})]
    for bad in MALFORMED_INSTANCE_ARNS:
        for call, kwargs in calls:
            assert refused(getattr(sso, call), InstanceArn=bad, **kwargs) == (
                "ValidationException", 400,
                "1 validation error detected: " + pattern_violation("instanceArn", bad, "InstanceArn")), (bad, call)
    for arn in WELL_FORMED_UNKNOWN:  # well-formed but unknown: as before
        for call in ("describe_instance", "delete_instance", "list_applications"):
            assert refused(getattr(sso, call), InstanceArn=arn)[0] == "AccessDeniedException", (arn, call)
    assert sso.describe_instance(InstanceArn=own)["Status"] == "ACTIVE"  # untouched by all of that


def test_instance_arn_length_limits_and_absence(aws, org):
    sso = aws.sso(org[0], parameter_validation=False)  # boto3 would refuse these before sending
    low, high, _ = documented("InstanceArn")
    short, long_ = "arn:aws", "arn:aws:sso:::instance/ssoins-" + "0" * high
    assert len(short) < low and len(long_) > high
    at = "failed to satisfy constraint: Member must have length"
    for call in ("describe_instance", "delete_instance", "list_applications"):
        assert refused(getattr(sso, call), InstanceArn=short) == ("ValidationException", 400, (
            f"2 validation errors detected: Value '{short}' at 'instanceArn' {at} greater than or equal to {low}; "
            + pattern_violation("instanceArn", short, "InstanceArn")))
        assert refused(getattr(sso, call), InstanceArn=long_) == ("ValidationException", 400, (
            f"2 validation errors detected: Value '{long_}' at 'instanceArn' {at} less than or equal to {high}; "
            + pattern_violation("instanceArn", long_, "InstanceArn")))
        assert refused(getattr(sso, call)) == ("ValidationException", 400, (
            "1 validation error detected: Value null at 'instanceArn' failed to satisfy constraint: "
            "Member must not be null"))


def test_malformed_resource_arn_on_tag_operations(aws, org):
    sso = aws.sso(org[0], parameter_validation=False)
    arn = sso.create_instance()["InstanceArn"]
    app = sso.create_application(InstanceArn=arn, ApplicationProviderArn=PROVIDER, Name="qs")["ApplicationArn"]
    bad_resources = MALFORMED_INSTANCE_ARNS + [
        app.replace("apl-", "apl-x"),  # application id too long
        app.replace(f"::{org[0]}:", ":::"),  # application ARNs carry the account
        "arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-123"]
    calls = [("tag_resource", {"Tags": [{"Key": "a", "Value": "b"}]}), ("untag_resource", {"TagKeys": ["k"]}),
             ("list_tags_for_resource", {})]
    for bad in bad_resources:
        for call, kwargs in calls:
            assert refused(getattr(sso, call), ResourceArn=bad, **kwargs) == (
                "ValidationException", 400,
                "1 validation error detected: " + pattern_violation("resourceArn", bad, "TaggableResourceArn")
            ), (bad, call)
    both = MALFORMED_INSTANCE_ARNS[0]
    assert refused(sso.list_tags_for_resource, ResourceArn=both, InstanceArn=both)[2] == (
        "2 validation errors detected: " + pattern_violation("instanceArn", both, "InstanceArn") + "; "
        + pattern_violation("resourceArn", both, "TaggableResourceArn"))
    assert refused(sso.list_tags_for_resource)[2].endswith("at 'resourceArn' failed to satisfy constraint: "
                                                           "Member must not be null")
    # Well-formed: today's answers.
    ps = "arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-0000000000000000"
    assert refused(sso.list_tags_for_resource, ResourceArn=ps)[0] == "AccessDeniedException"
    gone = app.replace(app[-16:], "0" * 16)
    assert refused(sso.list_tags_for_resource, ResourceArn=gone)[0] == "ResourceNotFoundException"
    assert sso.list_tags_for_resource(ResourceArn=app)["Tags"] == []


def test_instance_name_follows_the_documented_pattern(aws, org):
    sso = aws.sso(org[0], parameter_validation=False)
    high = documented("NameType")[1]
    too_long = lambda v: (f"Value '{v}' at 'name' failed to satisfy constraint: "  # noqa: E731
                          f"Member must have length less than or equal to {high}")
    for bad in ("has space", "", "naïve", "a/b", "tab\t"):
        assert refused(sso.create_instance, Name=bad) == (
            "ValidationException", 400, "1 validation error detected: " + pattern_violation("name", bad, "NameType"))
    bad = "x" * (high + 1)
    assert refused(sso.create_instance, Name=bad)[2] == "1 validation error detected: " + too_long(bad)
    bad = "x y" * high
    assert refused(sso.create_instance, Name=bad)[2] == (
        f"2 validation errors detected: {too_long(bad)}; {pattern_violation('name', bad, 'NameType')}")
    assert sso.list_instances()["Instances"] == []  # nothing was created
    names = {org[0]: "a+b=c,d.e@f-g_H1", org[1]: "x" * high}
    arns = {a: aws.sso(a).create_instance(Name=n)["InstanceArn"] for a, n in names.items()}
    assert {a: aws.sso(a).describe_instance(InstanceArn=arns[a])["Name"] for a in names} == names
    error, _, message = refused(sso.update_instance, InstanceArn=arns[org[0]], Name="no spaces please")
    assert error == "ValidationException" and "at 'name'" in message
    assert sso.describe_instance(InstanceArn=arns[org[0]])["Name"] == names[org[0]]
    seed = lambda name: post(aws.url, "/idc-guardrail/seed-org-instance",  # noqa: E731
                             {"account_id": MGMT, "region": R1, "name": name})
    status, body = seed("my org")
    assert status == 400 and body["__type"] == "ValidationException"
    assert aws.sso(MGMT).list_instances()["Instances"] == []
    status, body = seed("my-org")
    assert status == 200 and body["Name"] == "my-org"


@pytest.mark.parametrize("region, partition", [(R1, "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")])
def test_generated_ids_match_the_documented_patterns(aws, org, region, partition):
    patterns = {shape: re.compile(documented(shape)[2]) for shape in ("InstanceArn", "ApplicationArn", "Id")}
    store_id = re.compile(documented("IdentityStoreId", "identitystore")[2])
    seeded = post(aws.url, "/idc-guardrail/seed-org-instance", {"account_id": MGMT, "region": region})[1]
    created = [aws.sso(a, region).describe_instance(InstanceArn=aws.sso(a, region).create_instance()["InstanceArn"])
               for a in [*org, *(f"5555555555{i:02d}" for i in range(5))]]
    arns = set()
    for inst in [seeded, *created]:
        arn = inst["InstanceArn"]
        assert patterns["InstanceArn"].fullmatch(arn) and arn.split(":")[1] == partition, arn
        assert documented("InstanceArn")[0] <= len(arn) <= documented("InstanceArn")[1]
        assert store_id.fullmatch(inst["IdentityStoreId"]) and patterns["Id"].fullmatch(inst["IdentityStoreId"])
        arns.add(arn)
    assert len(arns) == len(created) + 1
    sso = aws.sso(org[0], region)
    app = sso.create_application(InstanceArn=created[0]["InstanceArn"], ApplicationProviderArn=PROVIDER,
                                 Name="qs")["ApplicationArn"]
    assert patterns["ApplicationArn"].fullmatch(app) and app.split(":")[1] == partition, app
    assert sso.list_tags_for_resource(ResourceArn=app)["Tags"] == []  # a valid ResourceArn too
    assert sso.list_tags_for_resource(ResourceArn=created[0]["InstanceArn"])["Tags"] == []


# ------------------------------------------------------------------ launcher
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_launcher_port_file_and_clean_stop(sig):
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        proc, endpoint = _launch(port_file)
        try:
            with open(port_file) as f:
                assert f.read().strip() == endpoint
            assert post(endpoint, "/moto-api/reset")[0] == 200
        finally:
            proc.send_signal(sig)
            start = time.monotonic()
            assert proc.wait(timeout=10) == 0
        assert time.monotonic() - start < 10 and not os.path.exists(port_file)
