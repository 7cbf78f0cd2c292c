"""Emulator: asynchronous deletion (DELETE_IN_PROGRESS for a number of reads) and CREATE_FAILED
with its StatusReason."""

import json

from emulator_client import (MGMT, R2, PROVIDER, create_status, delete_in_progress_reads, post, refused, status_of,
                             seed_org_instance, register_sso_admin, switch)


def state(aws):
    return post(aws.url, "/idc-guardrail/state", method="GET")[1]


# ------------------------------------------------------------------ DELETE_IN_PROGRESS
def test_deletion_is_immediate_by_default(aws, org):
    assert state(aws)["delete_in_progress_reads"] == 0
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    sso.delete_instance(InstanceArn=arn)
    assert sso.list_instances()["Instances"] == []
    assert refused(sso.describe_instance, InstanceArn=arn)[0] == "AccessDeniedException"


def test_delete_in_progress_for_n_reads_then_gone(aws, org):
    assert delete_in_progress_reads(aws, 3)["delete_in_progress_reads"] == 3
    sso, stranger = aws.sso(org[0]), aws.sso(org[1])
    arn = sso.create_instance()["InstanceArn"]
    app = sso.create_application(InstanceArn=arn, ApplicationProviderArn=PROVIDER, Name="qs")["ApplicationArn"]
    assert sso.delete_instance(InstanceArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (status_of(aws, arn)["Status"], status_of(aws, arn)["ReadsUntilGone"]) == ("DELETE_IN_PROGRESS", 3)
    # Not reads: a second DeleteInstance (ConflictException), a stranger, a listing without it.
    assert refused(sso.delete_instance, InstanceArn=arn)[:2] == ("ConflictException", 400)
    assert refused(stranger.describe_instance, InstanceArn=arn)[0] == "AccessDeniedException"
    assert aws.sso(org[0], R2).list_instances()["Instances"] == []
    assert refused(sso.create_instance)[0] == "ConflictException"  # still the account's one instance
    # Not modelled (AWS does not say): other calls answer as for an ACTIVE instance meanwhile.
    assert [a["ApplicationArn"] for a in sso.list_applications(InstanceArn=arn)["Applications"]] == [app]
    assert status_of(aws, arn)["ReadsUntilGone"] == 3
    assert sso.describe_instance(InstanceArn=arn)["Status"] == "DELETE_IN_PROGRESS"  # read 1
    assert [i["Status"] for i in sso.list_instances()["Instances"]] == ["DELETE_IN_PROGRESS"]  # read 2
    assert sso.describe_instance(InstanceArn=arn)["Status"] == "DELETE_IN_PROGRESS"  # read 3 ...
    assert refused(sso.describe_instance, InstanceArn=arn)[0] == "AccessDeniedException"  # ... then gone
    assert sso.list_instances()["Instances"] == []
    assert refused(sso.delete_instance, InstanceArn=arn)[0] == "AccessDeniedException"
    assert refused(sso.list_tags_for_resource, ResourceArn=app)[0] == "ResourceNotFoundException"  # apps went too
    arn2 = sso.create_instance()["InstanceArn"]  # the account may create one again
    delete_in_progress_reads(aws, 0)  # back to immediate
    sso.delete_instance(InstanceArn=arn2)
    assert sso.list_instances()["Instances"] == []


def test_delete_in_progress_reads_of_the_org_instance_by_its_delegated_admin(aws, org):
    org_arn = seed_org_instance(aws)
    register_sso_admin(aws, org[0])
    delete_in_progress_reads(aws, 1)
    aws.sso(MGMT).delete_instance(InstanceArn=org_arn)
    assert [i["Status"] for i in aws.sso(org[0]).list_instances()["Instances"]] == ["DELETE_IN_PROGRESS"]
    assert aws.sso(org[0]).list_instances()["Instances"] == []
    assert refused(aws.sso(MGMT).describe_instance, InstanceArn=org_arn)[0] == "AccessDeniedException"


def test_delete_in_progress_switch_is_checked_and_reset(aws):
    for bad in (-1, True, "2", 1.5, None):
        status, body = post(aws.url, "/idc-guardrail/delete-in-progress-reads", {"reads": bad})
        assert status == 400 and body["__type"] == "ValidationException", bad
    assert post(aws.url, "/idc-guardrail/delete-in-progress-reads", {})[0] == 400
    assert state(aws)["delete_in_progress_reads"] == 0
    delete_in_progress_reads(aws, 2)
    assert post(aws.url, "/moto-api/reset")[0] == 200
    assert state(aws)["delete_in_progress_reads"] == 0


def test_instance_status_delete_in_progress_stays_and_refuses_a_second_delete(aws, org):
    # DELETE_IN_PROGRESS set by /idc-guardrail/instance-status has no countdown: it stays.
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    switch(aws, "instance-status", {"instance_arn": arn, "status": "DELETE_IN_PROGRESS"})
    for _ in range(3):
        assert sso.describe_instance(InstanceArn=arn)["Status"] == "DELETE_IN_PROGRESS"
        assert refused(sso.delete_instance, InstanceArn=arn)[0] == "ConflictException"
    assert status_of(aws, arn)["ReadsUntilGone"] is None


# ------------------------------------------------------------------ CREATE_FAILED
def test_create_failed_with_its_status_reason(aws, org):
    reason = "The KMS key arn:aws:kms:us-east-1:111122223333:key/x is not accessible (AccessDenied)."
    assert create_status(aws, "CREATE_FAILED", status_reason=reason)["create_status_reason"] == reason
    sso, raw = aws.sso(org[0]), []
    sso.meta.events.register("after-call.sso-admin.*", lambda http_response, **_: raw.append(http_response))
    arn = sso.create_instance(Name="trial")["InstanceArn"]
    described = sso.describe_instance(InstanceArn=arn)
    assert (described["Status"], described["StatusReason"], described["Name"]) == ("CREATE_FAILED", reason, "trial")
    [listed] = sso.list_instances()["Instances"]
    assert (listed["InstanceArn"], listed["Status"], listed["StatusReason"]) == (arn, "CREATE_FAILED", reason)
    assert json.loads(raw[-1].content)["Instances"][0]["StatusReason"] == reason  # on the wire (InstanceMetadata)
    # Only DescribeInstance and DeleteInstance (our choice, as for CREATE_IN_PROGRESS).
    error, http, message = refused(sso.list_applications, InstanceArn=arn)
    assert (error, http) == ("ValidationException", 400) and "CREATE_FAILED" in message and arn in message
    assert refused(sso.tag_resource, ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])[0] == "ValidationException"
    assert refused(aws.sso(org[1]).list_applications, InstanceArn=arn)[0] == "AccessDeniedException"
    assert refused(sso.create_instance)[0] == "ConflictException"  # it is still the account's instance
    sso.delete_instance(InstanceArn=arn)  # deletable (no conflict), at once by default
    assert sso.list_instances()["Instances"] == []
    # Without a reason: no StatusReason at all (absent, not null).
    create_status(aws, "CREATE_FAILED")
    arn = aws.sso(org[1]).create_instance()["InstanceArn"]
    assert "StatusReason" not in aws.sso(org[1]).describe_instance(InstanceArn=arn)


def test_status_reason_through_instance_status_and_switch_checks(aws, org):
    sso = aws.sso(org[0])
    arn = sso.create_instance()["InstanceArn"]
    assert "StatusReason" not in sso.describe_instance(InstanceArn=arn)  # ACTIVE: none
    body = switch(aws, "instance-status", {"instance_arn": arn, "status": "CREATE_FAILED", "status_reason": "quota"})
    assert (body["Status"], body["StatusReason"]) == ("CREATE_FAILED", "quota")
    assert sso.describe_instance(InstanceArn=arn)["StatusReason"] == "quota"
    switch(aws, "instance-status", {"instance_arn": arn, "status": "ACTIVE"})  # a new status drops the reason
    assert "StatusReason" not in sso.describe_instance(InstanceArn=arn)
    for path, extra in (("create-instance-status", {}), ("instance-status", {"instance_arn": arn})):
        for bad in ({"status": "CREATE_FAILED", "status_reason": 5},
                    {"status": "CREATE_FAILED", "status_reason": "bell\u0007"},  # a control character
                    {"status": "CREATE_FAILED", "active_after_reads": 2},  # a countdown only while creating
                    {"status": "BOGUS"}):
            status, answer = post(aws.url, f"/idc-guardrail/{path}", {**extra, **bad})
            assert status == 400 and answer["__type"] == "ValidationException", (path, bad)
    status, _ = post(aws.url, "/idc-guardrail/create-instance-status", {"status": "DELETE_IN_PROGRESS"})
    assert status == 400  # new instances are not born being deleted
    assert (state(aws)["create_status"], state(aws)["create_status_reason"]) == ("ACTIVE", None)
    assert "StatusReason" not in sso.describe_instance(InstanceArn=arn)
