"""Emulator: instances in CREATE_IN_PROGRESS and their countdown to ACTIVE."""

from emulator_client import MGMT, R2, PROVIDER, post, refused, status_of, seed_org_instance, register_sso_admin


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
