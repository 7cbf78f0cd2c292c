"""Emulator: sso-admin input constraints, against the service models the SDK ships."""

import re

import pytest

from emulator_client import MGMT, R1, PROVIDER, documented, pattern_violation, post, refused


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
