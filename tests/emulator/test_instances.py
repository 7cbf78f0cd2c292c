"""Emulator: IAM Identity Center instances (create, describe, delete, list, update)."""

import json
import re
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from emulator_client import (MGMT, STANDALONE, R1, R2, post, code, seed_org_instance, register_sso_admin,
                             documented_enum)


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


def test_list_instances_region_scope(aws, org):
    assert documented_enum("RegionScope") == ["CURRENT_REGION", "ALL_REGIONS"]  # the SDK's model: the parameter exists
    org_arn = seed_org_instance(aws, R2)
    register_sso_admin(aws, org[0])
    own = aws.sso(org[0], R1).create_instance()["InstanceArn"]
    other = aws.sso(org[1], R2).create_instance()["InstanceArn"]
    arns = lambda account, region, **kw: sorted(  # noqa: E731
        i["InstanceArn"] for i in aws.sso(account, region).list_instances(**kw)["Instances"])
    for region, here in ((R1, [own]), (R2, [org_arn])):  # the default is CURRENT_REGION
        assert arns(org[0], region) == arns(org[0], region, RegionScope="CURRENT_REGION") == here
        assert arns(org[0], region, RegionScope="ALL_REGIONS") == sorted([own, org_arn])  # from either Region
    assert arns(org[1], R1, RegionScope="ALL_REGIONS") == [other]  # nobody else's
    assert arns(MGMT, R1, RegionScope="ALL_REGIONS") == [org_arn] and arns(MGMT, R1) == []
    pages = list(aws.sso(org[0]).get_paginator("list_instances").paginate(
        RegionScope="ALL_REGIONS", PaginationConfig={"PageSize": 1}))
    assert sorted(i["InstanceArn"] for p in pages for i in p["Instances"]) == sorted([own, org_arn])
    with pytest.raises(ClientError) as e:  # not in the enum (boto3 sends it as it is)
        aws.sso(org[0]).list_instances(RegionScope="EVERYWHERE")
    assert code(e) == "ValidationException" and e.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'EVERYWHERE' at 'regionScope' failed to satisfy constraint: "
        "Member must satisfy enum value set: [CURRENT_REGION, ALL_REGIONS]")
