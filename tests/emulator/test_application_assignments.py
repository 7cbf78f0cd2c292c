"""Emulator: sso-admin application assignments (Create/List/Describe/DeleteApplicationAssignment)."""

import uuid

from emulator_client import (MGMT, R2, PROVIDER, documented, documented_enum, pattern_violation, refused,
                             register_sso_admin, seed_org_instance, switch)


def principal():
    """A principal id of the documented form (identity store user and group ids are UUIDs)."""
    return str(uuid.uuid4())


def instance_with_app(sso, name="qs"):
    arn = sso.create_instance()["InstanceArn"]
    return arn, sso.create_application(InstanceArn=arn, ApplicationProviderArn=PROVIDER, Name=name)["ApplicationArn"]


def listed(sso, app, **config):
    pages = sso.get_paginator("list_application_assignments").paginate(ApplicationArn=app, PaginationConfig=config)
    return [a for page in pages for a in page["ApplicationAssignments"]]


def test_assign_list_describe_and_delete(aws, org):
    sso = aws.sso(org[0])
    instance, app = instance_with_app(sso)
    _, other_app = instance_with_app(aws.sso(org[1]), "other")
    users, groups = [principal() for _ in range(3)], [principal() for _ in range(2)]
    for p in users:
        sso.create_application_assignment(ApplicationArn=app, PrincipalId=p, PrincipalType="USER")
    for p in groups:
        sso.create_application_assignment(ApplicationArn=app, PrincipalId=p, PrincipalType="GROUP")
    sso.create_application_assignment(ApplicationArn=app, PrincipalId=users[0], PrincipalType="USER")  # again
    pages = list(sso.get_paginator("list_application_assignments").paginate(
        ApplicationArn=app, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert [a for page in pages for a in page["ApplicationAssignments"]] == (
        [{"ApplicationArn": app, "PrincipalId": p, "PrincipalType": "USER"} for p in users]
        + [{"ApplicationArn": app, "PrincipalId": p, "PrincipalType": "GROUP"} for p in groups])
    described = sso.describe_application_assignment(ApplicationArn=app, PrincipalId=groups[1], PrincipalType="GROUP")
    assert {k: v for k, v in described.items() if k != "ResponseMetadata"} == {
        "ApplicationArn": app, "PrincipalId": groups[1], "PrincipalType": "GROUP"}
    # A user id assigned as a GROUP is another assignment, which does not exist.
    assert refused(sso.describe_application_assignment, ApplicationArn=app, PrincipalId=users[1],
                   PrincipalType="GROUP")[:2] == ("ResourceNotFoundException", 400)
    sso.delete_application_assignment(ApplicationArn=app, PrincipalId=users[1], PrincipalType="USER")
    assert refused(sso.delete_application_assignment, ApplicationArn=app, PrincipalId=users[1],
                   PrincipalType="USER")[:2] == ("ResourceNotFoundException", 400)
    assert [a["PrincipalId"] for a in listed(sso, app)] == [users[0], users[2], *groups]
    assert aws.sso(org[1]).list_application_assignments(ApplicationArn=other_app)["ApplicationAssignments"] == []
    # The application's own fields stay as they were: assignments are not application fields.
    (listed_app,) = sso.list_applications(InstanceArn=instance)["Applications"]
    assert set(listed_app) == {"ApplicationAccount", "ApplicationArn", "ApplicationProviderArn", "CreatedDate",
                               "InstanceArn", "Name", "Status"}


def test_only_who_may_use_the_instance(aws, org):
    owner, stranger = aws.sso(org[0]), aws.sso(org[1])
    instance, app = instance_with_app(owner)
    user = principal()
    owner.create_application_assignment(ApplicationArn=app, PrincipalId=user, PrincipalType="USER")
    calls = [(stranger.create_application_assignment, {"PrincipalId": principal(), "PrincipalType": "USER"}),
             (stranger.list_application_assignments, {}),
             (stranger.describe_application_assignment, {"PrincipalId": user, "PrincipalType": "USER"}),
             (stranger.delete_application_assignment, {"PrincipalId": user, "PrincipalType": "USER"}),
             (aws.sso(org[0], R2).list_application_assignments, {}),  # the owner, in another Region
             (aws.sso(MGMT).list_application_assignments, {})]  # the management account is no one special
    for call, kwargs in calls:
        assert refused(call, ApplicationArn=app, **kwargs)[:2] == ("AccessDeniedException", 400), call
    assert [a["PrincipalId"] for a in listed(owner, app)] == [user]
    # A well-formed ARN: of no application in a usable instance -> not found; of no instance -> denied.
    missing_app = app[:-16] + "0" * 16
    missing_instance = app.replace(instance.split("/")[-1], "ssoins-" + "0" * 16)
    assert refused(owner.list_application_assignments, ApplicationArn=missing_app)[0] == "ResourceNotFoundException"
    assert refused(owner.list_application_assignments, ApplicationArn=missing_instance)[0] == "AccessDeniedException"
    owner.delete_instance(InstanceArn=instance)  # assignments go with the instance and its applications
    assert refused(owner.list_application_assignments, ApplicationArn=app)[0] == "AccessDeniedException"


def test_delegated_admin_assigns_on_the_organization_instance(aws, org):
    org_instance = seed_org_instance(aws)
    app = aws.sso(MGMT).create_application(InstanceArn=org_instance, ApplicationProviderArn=PROVIDER,
                                           Name="org-app")["ApplicationArn"]
    group = principal()
    assert refused(aws.sso(org[0]).create_application_assignment, ApplicationArn=app, PrincipalId=group,
                   PrincipalType="GROUP")[0] == "AccessDeniedException"  # not yet the delegated administrator
    register_sso_admin(aws, org[0])
    aws.sso(org[0]).create_application_assignment(ApplicationArn=app, PrincipalId=group, PrincipalType="GROUP")
    assert listed(aws.sso(MGMT), app) == [{"ApplicationArn": app, "PrincipalId": group, "PrincipalType": "GROUP"}]
    assert refused(aws.sso(org[1]).list_application_assignments, ApplicationArn=app)[0] == "AccessDeniedException"


def test_an_instance_being_created_refuses_them(aws, org):
    sso = aws.sso(org[0])
    instance, app = instance_with_app(sso)
    switch(aws, "instance-status", {"instance_arn": instance, "status": "CREATE_IN_PROGRESS"})
    code, _, message = refused(sso.list_application_assignments, ApplicationArn=app)
    assert code == "ValidationException" and "CREATE_IN_PROGRESS" in message
    switch(aws, "instance-status", {"instance_arn": instance, "status": "ACTIVE"})
    assert sso.list_application_assignments(ApplicationArn=app)["ApplicationAssignments"] == []


def test_inputs_follow_the_documented_constraints(aws, org):
    sso = aws.sso(org[0], parameter_validation=False)  # boto3 would refuse these before sending
    _, app = instance_with_app(sso)
    id_low, id_high, _ = documented("PrincipalId")
    enum = documented_enum("PrincipalType")
    one = lambda clause: ("ValidationException", 400, "1 validation error detected: " + clause)  # noqa: E731
    for call in (sso.create_application_assignment, sso.delete_application_assignment,
                 sso.describe_application_assignment):
        for bad in ("not-a-uuid", "ABCDEFABCD-" + principal(), principal() + "0"):
            assert refused(call, ApplicationArn=app, PrincipalId=bad, PrincipalType="USER") == one(
                pattern_violation("principalId", bad, "PrincipalId")), (call, bad)
        assert refused(call, ApplicationArn=app, PrincipalId=principal(), PrincipalType="ROBOT") == one(
            f"Value 'ROBOT' at 'principalType' failed to satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(enum)}]")
        long_id = "0" * (id_high + 1)
        assert refused(call, ApplicationArn=app, PrincipalId=long_id, PrincipalType="GROUP")[2] == (
            f"2 validation errors detected: Value '{long_id}' at 'principalId' failed to satisfy constraint: "
            f"Member must have length less than or equal to {id_high}; "
            + pattern_violation("principalId", long_id, "PrincipalId"))
        assert refused(call) == ("ValidationException", 400, "3 validation errors detected: " + "; ".join(
            f"Value null at '{m}' failed to satisfy constraint: Member must not be null"
            for m in ("applicationArn", "principalId", "principalType")))
    assert id_low == 1
    for bad in (app.replace("apl-", "apl-x"), app.replace(f"::{org[0]}:", ":::"), app + "/x"):
        assert refused(sso.list_application_assignments, ApplicationArn=bad) == one(
            pattern_violation("applicationArn", bad, "ApplicationArn")), bad
    assert refused(sso.list_application_assignments, ApplicationArn=app, MaxResults=0)[0] == "ValidationException"
    assert sso.list_application_assignments(ApplicationArn=app)["ApplicationAssignments"] == []  # nothing created
