"""Emulator: applications and tags of an instance."""

import re

import pytest
from botocore.exceptions import ClientError

from emulator_client import R2, PROVIDER, code


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
