"""Emulator: QuickSight CreateAccountSubscription / DescribeAccountSubscription (restJson1) for an
account bound to an IAM Identity Center instance."""

import json
from functools import partial

import pytest

from emulator_client import MGMT, R1, R2, post, refused, seed_org_instance


def subscribe(qs, account, **extra):
    body = {"AwsAccountId": account, "AccountName": f"acme-{account}", "NotificationEmail": "bi@example.com",
            "AuthenticationMethod": "IAM_IDENTITY_CENTER", "AdminGroup": ["bi-admins"], "Edition": "ENTERPRISE"}
    return qs.create_account_subscription(**{**body, **extra})


def info(qs, account):
    return qs.describe_account_subscription(AwsAccountId=account)["AccountInfo"]


def test_subscribe_with_the_account_instance_and_read_it_back(aws, org):
    instance = aws.sso(org[0]).create_instance()["InstanceArn"]
    qs, raw = aws.client("quicksight", org[0]), []
    qs.meta.events.register("after-call.quicksight.*", lambda http_response, **_: raw.append(http_response))
    error = refused(qs.describe_account_subscription, AwsAccountId=org[0])
    assert error[:2] == ("ResourceNotFoundException", 404) and org[0] in error[2]
    answer = subscribe(qs, org[0], IAMIdentityCenterInstanceArn=instance)
    assert answer["Status"] == 200 and answer["SignupResponse"]["accountName"] == f"acme-{org[0]}"
    assert info(qs, org[0]) == {
        "AccountName": f"acme-{org[0]}", "Edition": "ENTERPRISE", "NotificationEmail": "bi@example.com",
        "AuthenticationType": "IAM_IDENTITY_CENTER", "AccountSubscriptionStatus": "ACCOUNT_CREATED",
        "IAMIdentityCenterInstanceArn": instance}
    assert "null" not in raw[-1].text
    # The subscription is the account's: answered in another Region too, and nowhere else.
    assert info(aws.client("quicksight", org[0], R2), org[0])["IAMIdentityCenterInstanceArn"] == instance
    assert refused(aws.client("quicksight", org[1]).describe_account_subscription, AwsAccountId=org[1])[:2] == (
        "ResourceNotFoundException", 404)


def test_other_methods_have_no_instance(aws, org):
    qs = aws.client("quicksight", org[0])
    subscribe(qs, org[0], AuthenticationMethod="IAM_AND_QUICKSIGHT", AdminGroup=[], Edition="STANDARD")
    got = info(qs, org[0])
    assert got["AuthenticationType"] == "IAM_AND_QUICKSIGHT" and got["Edition"] == "STANDARD"
    assert "IAMIdentityCenterInstanceArn" not in got


def test_a_member_may_use_its_organization_instance(aws, org):
    org_instance = seed_org_instance(aws)
    qs = aws.client("quicksight", org[2])
    subscribe(qs, org[2], IAMIdentityCenterInstanceArn=org_instance)
    assert info(qs, org[2])["IAMIdentityCenterInstanceArn"] == org_instance


def test_only_for_the_caller_s_own_account(aws, org):
    qs = aws.client("quicksight", org[0])
    for call in (lambda: qs.describe_account_subscription(AwsAccountId=org[1]), lambda: subscribe(qs, org[1])):
        with pytest.raises(qs.exceptions.AccessDeniedException) as err:
            call()
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert refused(aws.client("quicksight", org[1]).describe_account_subscription, AwsAccountId=org[1])[0] == (
        "ResourceNotFoundException")


def test_one_subscription_per_account_and_names_unique_across_aws(aws, org):
    qs = aws.client("quicksight", org[0])
    subscribe(qs, org[0])
    assert refused(partial(subscribe, aws.client("quicksight", org[0], R2), org[0]), AccountName="another")[:2] == (
        "ResourceExistsException", 409)
    assert refused(partial(subscribe, aws.client("quicksight", org[1]), org[1]), AccountName=f"acme-{org[0]}")[:2] == (
        "ResourceExistsException", 409)
    assert info(qs, org[0])["AccountName"] == f"acme-{org[0]}"
    assert post(aws.url, "/moto-api/reset")[0] == 200
    assert refused(aws.client("quicksight", MGMT).describe_account_subscription, AwsAccountId=MGMT)[0] == (
        "ResourceNotFoundException")


@pytest.mark.parametrize("extra, why", [
    ({"AdminGroup": []}, "IAM_IDENTITY_CENTER needs AdminGroup or AdminProGroup"),
    ({"Edition": "STANDARD"}, "IAM_IDENTITY_CENTER is ENTERPRISE or ENTERPRISE_AND_Q only"),
    ({"Edition": "ENTERPRISE_AND_Q", "FirstName": "A"}, "ENTERPRISE_AND_Q needs the author's details"),
    ({"AccountName": "d-1234567890"}, "the documented AccountName pattern"),
    ({"AccountName": "a" * 63}, "AccountName is at most 62 characters"),
    ({"AccountName": "has space"}, "the documented AccountName pattern"),
    ({"IAMIdentityCenterInstanceArn": "arn:aws:sso:::instance/ssoins-0000000000000000"}, "no such instance"),
    ({"IAMIdentityCenterInstanceArn": "OTHER"}, "another account's instance"),
    ({"IAMIdentityCenterInstanceArn": "OWN", "AuthenticationMethod": "IAM_ONLY"}, "an instance only with IdC"),
])
def test_invalid_subscriptions_are_refused(aws, org, extra, why):
    own = aws.sso(org[0]).create_instance()["InstanceArn"]
    other = aws.sso(org[1]).create_instance()["InstanceArn"]
    arn = {"OWN": own, "OTHER": other}.get(extra.get("IAMIdentityCenterInstanceArn"))
    extra = {**extra, **({"IAMIdentityCenterInstanceArn": arn} if arn else {})}
    qs = aws.client("quicksight", org[0], R1, parameter_validation=False)
    assert refused(partial(subscribe, qs, org[0]), **extra)[:2] == ("InvalidParameterValueException", 400), why
    assert refused(qs.describe_account_subscription, AwsAccountId=org[0])[0] == "ResourceNotFoundException", why


def test_errors_are_rest_json(aws, org):
    qs, raw = aws.client("quicksight", org[0]), []
    qs.meta.events.register("after-call.quicksight.*", lambda http_response, **_: raw.append(http_response))
    refused(qs.describe_account_subscription, AwsAccountId=org[0])
    assert raw[-1].status_code == 404 and raw[-1].headers["content-type"] == "application/json"
    assert raw[-1].headers["x-amzn-errortype"] == "ResourceNotFoundException"
    assert json.loads(raw[-1].text) == {"__type": "ResourceNotFoundException",
                                        "Message": f"Account {org[0]} has no QuickSight subscription."}
