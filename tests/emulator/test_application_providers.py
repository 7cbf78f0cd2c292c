"""Emulator: sso-admin DescribeApplicationProvider / ListApplicationProviders and the test-only
/idc-guardrail/application-provider endpoint."""

import json

import pytest

from emulator_client import MGMT, R1, documented, documented_enum, pattern_violation, post, refused

QUICKSIGHT = "arn:aws:sso::aws:applicationProvider/quicksight"
Q_DEVELOPER = "arn:aws:sso::aws:applicationProvider/codewhisperer"
CUSTOM = "arn:aws:sso::aws:applicationProvider/custom"
OPAQUE = "arn:aws:sso::aws:applicationProvider/app-fe1c614acd2b4858/WIP"


def register(aws, **body):
    return post(aws.url, "/idc-guardrail/application-provider", body)


def test_describe_answers_the_catalogued_providers(aws, org):
    sso, raw = aws.sso(org[0]), []
    sso.meta.events.register("after-call.sso-admin.*", lambda http_response, **_: raw.append(http_response))
    expected = {QUICKSIGHT: ("Amazon QuickSight", None), Q_DEVELOPER: ("Amazon Q Developer", "OAUTH"),
                CUSTOM: ("Custom application", "OAUTH")}
    for arn, (name, protocol) in expected.items():
        answer = sso.describe_application_provider(ApplicationProviderArn=arn)
        assert answer["ApplicationProviderArn"] == arn
        assert answer["DisplayData"] == {"DisplayName": name}
        assert answer.get("FederationProtocol") == protocol
        assert "null" not in raw[-1].text  # an unknown protocol is absent, never null
        if protocol:
            assert protocol in documented_enum("FederationProtocol")
    # Any account may ask, the management account and one without an instance alike.
    assert aws.sso(MGMT).describe_application_provider(ApplicationProviderArn=QUICKSIGHT)["DisplayData"] == {
        "DisplayName": "Amazon QuickSight"}


def test_an_unknown_provider_is_not_found(aws, org):
    sso = aws.sso(org[0])
    for arn in ("arn:aws:sso::aws:applicationProvider/nope", "arn:aws:sso::aws:applicationProvider/quicksight/x",
                "arn:aws-cn:sso::aws:applicationProvider/quicksight"):  # another partition than us-east-1's
        code, status, message = refused(sso.describe_application_provider, ApplicationProviderArn=arn)
        assert (code, status) == ("ResourceNotFoundException", 400) and arn in message, arn


def test_the_catalogue_follows_the_region_partition(aws, org):
    gov = aws.sso(org[0], "us-gov-west-1")
    arn = "arn:aws-us-gov:sso::aws:applicationProvider/quicksight"
    assert gov.describe_application_provider(ApplicationProviderArn=arn)["ApplicationProviderArn"] == arn
    listed = [p["ApplicationProviderArn"] for p in gov.list_application_providers()["ApplicationProviders"]]
    assert arn in listed and all(a.startswith("arn:aws-us-gov:") for a in listed)


def test_a_malformed_provider_arn_is_a_validation_exception(aws, org):
    sso = aws.sso(org[0], parameter_validation=False)
    low = documented("ApplicationProviderArn")[0]
    for bad in ("arn:aws:sso::123456789012:applicationProvider/quicksight", "arn:aws:sso::aws:applicationProvider/",
                "arn:aws:sso::aws:applicationProvider/qs_x", QUICKSIGHT + " "):
        assert refused(sso.describe_application_provider, ApplicationProviderArn=bad) == (
            "ValidationException", 400, "1 validation error detected: "
            + pattern_violation("applicationProviderArn", bad, "ApplicationProviderArn")), bad
    short = "arn:aws"
    assert refused(sso.describe_application_provider, ApplicationProviderArn=short)[2].startswith(
        f"2 validation errors detected: Value '{short}' at 'applicationProviderArn' failed to satisfy constraint: "
        f"Member must have length greater than or equal to {low}")
    assert refused(sso.describe_application_provider) == ("ValidationException", 400, (
        "1 validation error detected: Value null at 'applicationProviderArn' failed to satisfy constraint: "
        "Member must not be null"))
    # CreateApplication checks its ApplicationProviderArn the same way.
    arn = sso.create_instance()["InstanceArn"]
    assert refused(sso.create_application, InstanceArn=arn, Name="a", ApplicationProviderArn="quicksight")[2] == (
        "1 validation error detected: " + pattern_violation("applicationProviderArn", "quicksight",
                                                            "ApplicationProviderArn"))


def test_list_is_paginated_and_includes_registered_providers(aws, org):
    assert register(aws, application_provider_arn=OPAQUE, display_name="Amazon Athena")[0] == 200
    sso = aws.sso(org[0])
    pages = list(sso.get_paginator("list_application_providers").paginate(PaginationConfig={"PageSize": 2}))
    listed = [p for page in pages for p in page["ApplicationProviders"]]
    assert len(pages) == (len(listed) + 1) // 2 and len(listed) >= 4
    by_arn = {p["ApplicationProviderArn"]: p for p in listed}
    assert len(by_arn) == len(listed)
    assert by_arn[OPAQUE] == {"ApplicationProviderArn": OPAQUE, "DisplayData": {"DisplayName": "Amazon Athena"}}
    described = sso.describe_application_provider(ApplicationProviderArn=QUICKSIGHT)
    assert by_arn[QUICKSIGHT] == {k: v for k, v in described.items() if k != "ResponseMetadata"}
    assert refused(sso.list_application_providers, NextToken="not-a-token")[0] == "ValidationException"


def test_register_an_opaque_provider(aws, org):
    status, body = register(aws, application_provider_arn=OPAQUE, display_name="Amazon Athena",
                            description="SQL queries on S3", icon_url="https://example.com/athena.png",
                            federation_protocol="OAUTH")
    assert status == 200
    sso = aws.sso(org[1])
    answer = {k: v for k, v in sso.describe_application_provider(ApplicationProviderArn=OPAQUE).items()
              if k != "ResponseMetadata"}
    assert answer == body == {
        "ApplicationProviderArn": OPAQUE, "FederationProtocol": "OAUTH",
        "DisplayData": {"DisplayName": "Amazon Athena", "Description": "SQL queries on S3",
                        "IconUrl": "https://example.com/athena.png"}}
    assert register(aws, application_provider_arn=OPAQUE, display_name="Athena")[0] == 200  # replaces it
    assert sso.describe_application_provider(ApplicationProviderArn=OPAQUE)["DisplayData"] == {"DisplayName": "Athena"}
    assert post(aws.url, "/moto-api/reset")[0] == 200
    assert refused(aws.sso(MGMT).describe_application_provider, ApplicationProviderArn=OPAQUE)[0] == (
        "ResourceNotFoundException")


@pytest.mark.parametrize("body", [
    {"display_name": "x"},  # no ARN
    {"application_provider_arn": OPAQUE},  # no display name
    {"application_provider_arn": "arn:aws:sso::aws:applicationProvider/", "display_name": "x"},
    {"application_provider_arn": OPAQUE, "display_name": ""},
    {"application_provider_arn": OPAQUE, "display_name": "x" * (documented("Name")[1] + 1)},
    {"application_provider_arn": OPAQUE, "display_name": 7},
    {"application_provider_arn": OPAQUE, "display_name": "x", "description": "d" * (documented("Description")[1] + 1)},
    {"application_provider_arn": OPAQUE, "display_name": "x", "icon_url": "ftp://example.com/i.png"},
    {"application_provider_arn": OPAQUE, "display_name": "x", "federation_protocol": "OIDC"},
    {"application_provider_arn": QUICKSIGHT, "display_name": "Not QuickSight"},  # catalogued
])
def test_register_refuses_what_the_reference_would(aws, body):
    status, answer = register(aws, **body)
    assert status == 400 and answer["__type"] == "ValidationException", answer
    assert json.dumps(post(aws.url, "/idc-guardrail/state", method="GET")[1]["application_providers"]) == "{}"
    assert aws.sso(MGMT, R1).describe_application_provider(ApplicationProviderArn=QUICKSIGHT)["DisplayData"] == {
        "DisplayName": "Amazon QuickSight"}
