"""Emulator: the test-only /idc-guardrail/... switches and the reset."""

import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from emulator_client import (MGMT, post, Aws, code, seed_org_instance, register_sso_admin, create_status,
                             delete_in_progress_reads, switch)


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


def test_reset_clears_extension_state(aws, org):
    aws.sso(org[0]).create_instance()
    seed_org_instance(aws)
    register_sso_admin(aws, org[0])
    post(aws.url, "/idc-guardrail/delete-conflicts", {"count": 5})
    post(aws.url, "/idc-guardrail/create-instance-status", {"status": "CREATE_IN_PROGRESS", "active_after_reads": 3})
    denied = f"arn:aws:iam::{org[0]}:role/OrganizationAccountAccessRole"
    assert post(aws.url, "/idc-guardrail/deny-assume-role", {"role_arn": denied})[0] == 200
    delete_in_progress_reads(aws, 4)
    provider = "arn:aws:sso::aws:applicationProvider/app-0123456789abcdef"
    switch(aws, "application-provider", {"application_provider_arn": provider, "display_name": "Opaque"})
    assert post(aws.url, "/idc-guardrail/state", method="GET")[1]["application_providers"][provider] == {
        "ApplicationProviderArn": provider, "DisplayData": {"DisplayName": "Opaque"}}
    assert post(aws.url, "/moto-api/reset")[0] == 200
    state = post(aws.url, "/idc-guardrail/state", method="GET")[1]
    assert state == {"instances": [], "create_status": "ACTIVE", "create_active_after_reads": None,
                     "create_status_reason": None, "delete_conflicts": 0, "delete_in_progress_reads": 0,
                     "denied_role_arns": [], "application_providers": {}}
    create_status(aws, "CREATE_FAILED", status_reason="r")
    assert post(aws.url, "/moto-api/reset")[0] == 200
    assert post(aws.url, "/idc-guardrail/state", method="GET")[1]["create_status_reason"] is None
    aws = Aws(aws.url)  # reset also forgets the STS keys issued before it: assume roles anew
    assert aws.client("sts", org[0]).get_caller_identity()["Account"] == org[0]
    assert aws.sso(org[0]).list_instances()["Instances"] == []
    with pytest.raises(ClientError) as e:  # the former member is in no organization any more
        aws.orgs(org[0]).describe_organization()
    assert code(e) == "AWSOrganizationsNotInUseException"
    arn = aws.sso(org[0]).create_instance()["InstanceArn"]  # and is a standalone account now
    assert aws.sso(org[0]).describe_instance(InstanceArn=arn)["OwnerAccountId"] == org[0]
