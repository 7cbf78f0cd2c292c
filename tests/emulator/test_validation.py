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


# ------------------------------------------------------------------ tags (API_Tag, TagKeyList)
def test_tag_keys_and_values_follow_the_documented_constraints(aws, org):
    sso = aws.sso(org[0], parameter_validation=False)  # boto3 would refuse some before sending
    (k_lo, k_hi, pattern), (v_lo, v_hi, v_pattern) = documented("TagKey"), documented("TagValue")
    assert (k_lo, k_hi, v_lo, v_hi, v_pattern) == (1, 128, 0, 256, pattern)
    long_key, long_value = "k" * (k_hi + 1), "v" * (v_hi + 1)
    length = lambda v, at, rel, n: (f"Value '{v}' at '{at}' failed to satisfy constraint: "  # noqa: E731
                                    f"Member must have length {rel} than or equal to {n}")
    one = lambda clause: ("ValidationException", 400, "1 validation error detected: " + clause)  # noqa: E731
    for call in (sso.create_instance, lambda **kw: sso.create_application(
            InstanceArn=f"arn:aws:sso:::instance/ssoins-{'0' * 16}", ApplicationProviderArn=PROVIDER, Name="a", **kw)):
        assert refused(call, Tags=[{"Key": "bad#key", "Value": "v"}]) == one(
            pattern_violation("tags.1.member.key", "bad#key", "TagKey"))
        assert refused(call, Tags=[{"Key": "ok", "Value": "v"}, {"Key": long_key, "Value": "v"}]) == one(
            length(long_key, "tags.2.member.key", "less", k_hi))
    assert refused(sso.create_instance, Tags=[{"Key": "", "Value": "tab\t"}, {"Value": long_value}]) == (
        "ValidationException", 400, "4 validation errors detected: " + "; ".join([
            length("", "tags.1.member.key", "greater", k_lo),
            pattern_violation("tags.1.member.value", "tab\t", "TagValue"),
            "Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null",
            length(long_value, "tags.2.member.value", "less", v_hi)]))
    assert sso.list_instances()["Instances"] == []  # nothing was created
    # Unicode letters, separators and numbers, the listed symbols, an empty value, the longest.
    good = [{"Key": "Ünïcødé key 1_.:/=+-@", "Value": ""}, {"Key": "k" * k_hi, "Value": "v" * v_hi},
            {"Key": "日本", "Value": "値 ٣"}]
    arn = sso.create_instance(Tags=good)["InstanceArn"]
    assert sorted(sso.list_tags_for_resource(ResourceArn=arn)["Tags"], key=str) == sorted(good, key=str)
    assert refused(sso.tag_resource, ResourceArn=arn, Tags=[{"Key": "bad#key", "Value": "v"}]) == one(
        pattern_violation("tags.1.member.key", "bad#key", "TagKey"))
    assert refused(sso.tag_resource, ResourceArn=arn, Tags=[{"Key": "k", "Value": "bad#value"}]) == one(
        pattern_violation("tags.1.member.value", "bad#value", "TagValue"))
    assert refused(aws.sso(org[1]).tag_resource, ResourceArn=arn, Tags=[{"Key": long_key, "Value": ""}])[0] == (
        "ValidationException")  # the input is checked before who may
    # UntagResource: one clause for the list, naming each constraint some key fails.
    assert refused(sso.untag_resource, ResourceArn=arn, TagKeys=["日本", "bad#key", long_key]) == one(
        f"Value '[日本, bad#key, {long_key}]' at 'tagKeys' failed to satisfy constraint: Member must satisfy "
        f"constraint: [Member must have length less than or equal to {k_hi}, "
        f"Member must satisfy regular expression pattern: {pattern}]")
    assert refused(sso.untag_resource, ResourceArn=arn, TagKeys=[""])[2].endswith(
        f"[Member must have length greater than or equal to {k_lo}]")
    assert sorted(sso.list_tags_for_resource(ResourceArn=arn)["Tags"], key=str) == sorted(good, key=str)
    sso.untag_resource(ResourceArn=arn, TagKeys=["日本", "k" * k_hi])
    assert sso.list_tags_for_resource(ResourceArn=arn)["Tags"] == [good[0]]
