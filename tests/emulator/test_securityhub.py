"""Emulator: Security Hub findings of a custom product, imported, re-imported, read with filters and
resolved; subscription (EnableSecurityHub / DisableSecurityHub): as in AWS, every call but
EnableSecurityHub is refused until the account enables Security Hub in that Region."""

import json
from datetime import datetime

import pytest
from botocore.exceptions import ParamValidationError

from emulator_client import MGMT, R1, R2, enabled_hub, post, refused

PRODUCT = f"arn:aws:securityhub:{R1}:{MGMT}:product/{MGMT}/default"
PARTNER = f"arn:aws:securityhub:{R1}::product/acme/scanner"  # not the default product


def product(account, region=R1):
    return f"arn:aws:securityhub:{region}:{account}:product/{account}/default"


def finding(**over):
    f = {"SchemaVersion": "2018-10-08", "Id": "idc001-x", "ProductArn": PRODUCT, "GeneratorId": "g",
         "AwsAccountId": MGMT, "Types": ["Software and Configuration Checks"],
         "CreatedAt": "2026-11-20T10:00:00Z", "UpdatedAt": "2026-11-20T10:00:00Z",
         "Severity": {"Label": "HIGH"}, "Title": "t", "Description": "d",
         "Resources": [{"Type": "Other", "Id": "arn:aws:sso:::instance/ssoins-1"}],
         "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"}
    f.update(over)
    return {k: v for k, v in f.items() if v is not None}


@pytest.fixture
def hub(aws):
    """The management account's Security Hub in R1, enabled first (AWS refuses everything else before)."""
    return enabled_hub(aws)


def test_reimport_keeps_workflow_and_batch_update_resolves(hub):
    assert hub.batch_import_findings(Findings=[finding()])["FailedCount"] == 0
    again = finding(RecordState="ARCHIVED", Compliance={"Status": "PASSED"}, Workflow={"Status": "RESOLVED"})
    assert hub.batch_import_findings(Findings=[again])["FailedCount"] == 0
    [stored] = hub.get_findings()["Findings"]
    assert stored["RecordState"] == "ARCHIVED" and stored["Compliance"]["Status"] == "PASSED"
    assert stored["Workflow"]["Status"] == "NEW", "BatchImportFindings cannot change Workflow"
    out = hub.batch_update_findings(FindingIdentifiers=[{"Id": "idc001-x", "ProductArn": PRODUCT}],
                                    Workflow={"Status": "RESOLVED"})
    assert out["ProcessedFindings"] == [{"Id": "idc001-x", "ProductArn": PRODUCT}]
    assert out["UnprocessedFindings"] == []
    assert hub.get_findings()["Findings"][0]["Workflow"]["Status"] == "RESOLVED"


def test_unknown_findings_are_unprocessed(hub):
    out = hub.batch_update_findings(FindingIdentifiers=[{"Id": "nope", "ProductArn": PRODUCT}],
                                    Workflow={"Status": "RESOLVED"})
    assert out["UnprocessedFindings"] == [{"FindingIdentifier": {"Id": "nope", "ProductArn": PRODUCT},
                                           "ErrorCode": "FindingNotFound", "ErrorMessage": "Finding Not Found"}]


def test_default_product_findings_only_from_the_account_they_name(hub):
    out = hub.batch_import_findings(Findings=[finding(AwsAccountId="222222222222")])
    assert out["FailedCount"] == 1
    assert out["FailedFindings"][0]["ErrorCode"] == "AccessDeniedException"
    assert hub.get_findings()["Findings"] == []


def test_new_findings_default_to_workflow_new_and_record_state_active(hub):
    hub.batch_import_findings(Findings=[finding(Id="bare", Workflow=None, RecordState=None),
                                        finding(Id="notified", Workflow={"Status": "NOTIFIED"})])
    stored = {f["Id"]: f for f in hub.get_findings()["Findings"]}
    assert (stored["bare"]["Workflow"], stored["bare"]["RecordState"]) == ({"Status": "NEW"}, "ACTIVE")
    assert stored["notified"]["Workflow"]["Status"] == "NOTIFIED"  # given at creation: kept
    hub.batch_import_findings(Findings=[finding(Id="bare", Workflow=None, RecordState="ARCHIVED")])
    hub.batch_import_findings(Findings=[finding(Id="bare", Workflow=None, RecordState=None, Title="t2")])
    [bare] = [f for f in hub.get_findings()["Findings"] if f["Id"] == "bare"]
    assert (bare["RecordState"], bare["Title"], bare["Workflow"]) == ("ARCHIVED", "t2", {"Status": "NEW"})


def test_batch_update_keeps_note_and_reimport_cannot_change_it(aws, hub):
    hub.batch_import_findings(Findings=[finding()])
    ident = [{"Id": "idc001-x", "ProductArn": PRODUCT}]
    out = hub.batch_update_findings(FindingIdentifiers=ident, Note={"Text": "owner asked", "UpdatedBy": "alice"})
    assert out["ProcessedFindings"] == ident
    [stored] = hub.get_findings()["Findings"]
    note = stored["Note"]
    assert (note["Text"], note["UpdatedBy"]) == ("owner asked", "alice")
    assert datetime.fromisoformat(note["UpdatedAt"].replace("Z", "+00:00")).year >= 2025
    assert stored["UpdatedAt"] == "2026-11-20T10:00:00Z"  # BatchUpdateFindings leaves UpdatedAt alone
    assert stored["Workflow"]["Status"] == "NEW"  # not named in the update: unchanged
    hub.batch_import_findings(Findings=[finding(Note={"Text": "provider", "UpdatedBy": "p",
                                                      "UpdatedAt": "2026-11-21T00:00:00Z"})])
    assert hub.get_findings()["Findings"][0]["Note"] == note
    with pytest.raises(ParamValidationError):  # boto3 itself refuses a Note without UpdatedBy
        hub.batch_update_findings(FindingIdentifiers=ident, Note={"Text": "x"})
    raw = aws.client("securityhub", MGMT, parameter_validation=False)
    assert refused(raw.batch_update_findings, FindingIdentifiers=ident, Note={"Text": " ", "UpdatedBy": "a"})[:2] == (
        "InvalidInputException", 400)


# ------------------------------------------------------------------ GetFindings Filters
def _seed(hub):
    hub.batch_import_findings(Findings=[
        finding(Id="idc001-a", GeneratorId="idc-guardrail/IDC001"),
        finding(Id="idc001-b", GeneratorId="idc-guardrail/IDC001", RecordState="ARCHIVED",
                Compliance={"Status": "PASSED"}),
        finding(Id="idc002-c", GeneratorId="idc-guardrail/IDC002", Compliance={"Status": "FAILED"}),
        finding(Id="other-d", GeneratorId="other/X", ProductArn=PARTNER, AwsAccountId="222222222222")])
    hub.batch_update_findings(FindingIdentifiers=[{"Id": "idc001-b", "ProductArn": PRODUCT}],
                              Workflow={"Status": "RESOLVED"})


def test_get_findings_honours_string_filters(hub):
    _seed(hub)
    ids = lambda **filters: sorted(f["Id"] for f in hub.get_findings(Filters=filters)["Findings"])  # noqa: E731
    eq = lambda *values, cmp="EQUALS": [{"Value": v, "Comparison": cmp} for v in values]  # noqa: E731
    assert ids() == ["idc001-a", "idc001-b", "idc002-c", "other-d"]
    assert ids(Id=eq("idc001-a")) == ["idc001-a"]
    assert ids(Id=eq("idc001-a", "idc002-c")) == ["idc001-a", "idc002-c"]  # EQUALS joined by OR
    assert ids(GeneratorId=eq("idc-guardrail/", cmp="PREFIX")) == ["idc001-a", "idc001-b", "idc002-c"]
    assert ids(ProductArn=eq(PRODUCT), AwsAccountId=eq(MGMT)) == ["idc001-a", "idc001-b", "idc002-c"]
    assert ids(AwsAccountId=eq(MGMT, cmp="NOT_EQUALS")) == ["other-d"]
    assert ids(WorkflowStatus=eq("RESOLVED")) == ["idc001-b"]
    assert ids(WorkflowStatus=eq("RESOLVED", "SUPPRESSED", cmp="NOT_EQUALS")) == ["idc001-a", "idc002-c", "other-d"]
    assert ids(RecordState=eq("ACTIVE"), GeneratorId=eq("idc-guardrail/", cmp="PREFIX")) == ["idc001-a", "idc002-c"]
    assert ids(ComplianceStatus=eq("FAILED")) == ["idc002-c"]  # no Compliance: no match
    assert ids(ComplianceStatus=eq("PASSED", cmp="NOT_EQUALS")) == ["idc001-a", "idc002-c", "other-d"]
    assert ids(GeneratorId=eq("idc-guardrail/", cmp="PREFIX") + eq("idc-guardrail/IDC002", cmp="NOT_EQUALS")
               ) == ["idc001-a", "idc001-b"]  # PREFIX, then NOT_EQUALS (the reference's example)
    assert ids(Id=eq("idc", cmp="PREFIX_NOT_EQUALS")) == ["other-d"]
    assert ids(Id=eq("IDC001-A")) == []  # case sensitive
    assert ids(Id=[]) == ["idc001-a", "idc001-b", "idc002-c", "other-d"]
    # Pages of the filtered list.
    pages = list(hub.get_paginator("get_findings").paginate(
        Filters={"GeneratorId": eq("idc-guardrail/", cmp="PREFIX")}, PaginationConfig={"PageSize": 1}))
    assert sorted(f["Id"] for p in pages for f in p["Findings"]) == ["idc001-a", "idc001-b", "idc002-c"]


def test_get_findings_refuses_what_it_cannot_answer(hub):
    _seed(hub)
    for filters, words in (
            ({"Id": [{"Value": "a", "Comparison": "EQUALS"}, {"Value": "b", "Comparison": "NOT_EQUALS"}]}, "EQUALS"),
            ({"Id": [{"Value": "a", "Comparison": "CONTAINS"}, {"Value": "b", "Comparison": "PREFIX"}]}, "CONTAINS"),
            ({"Title": [{"Value": "t", "Comparison": "CONTAINS_WORD"}]}, "GetFindingsV2"),
            ({"CreatedAt": [{"DateRange": {"Value": 1, "Unit": "DAYS"}}]}, "does not model"),
            ({"ProductFields": [{"Key": "k", "Value": "v", "Comparison": "EQUALS"}]}, "does not model")):
        error, http, message = refused(hub.get_findings, Filters=filters)
        assert (error, http) == ("InvalidInputException", 400) and words in message, filters
    contains = {"Title": [{"Value": "t", "Comparison": "CONTAINS"}]}
    assert len(hub.get_findings(Filters=contains)["Findings"]) == 4


# ------------------------------------------------------------------ subscription
def test_enable_twice_is_a_conflict_and_disable_unsubscribes(aws):
    hub, raw = aws.client("securityhub", MGMT), []
    hub.meta.events.register("after-call.securityhub.*", lambda http_response, **_: raw.append(http_response))
    not_subscribed = ("InvalidAccessException", 401, f"Account {MGMT} is not subscribed to AWS Security Hub")
    assert refused(hub.describe_hub) == not_subscribed
    assert refused(hub.disable_security_hub) == not_subscribed
    assert raw[-1].headers["Content-Type"].startswith("application/json")  # restJson1's error body
    assert json.loads(raw[-1].content)["__type"] == "InvalidAccessException"
    hub.enable_security_hub()
    assert refused(hub.enable_security_hub) == (
        "ResourceConflictException", 409, "Account is already subscribed to Security Hub")
    assert hub.describe_hub()["HubArn"] == f"arn:aws:securityhub:{R1}:{MGMT}:hub/default"
    hub.disable_security_hub()
    assert refused(hub.describe_hub) == not_subscribed
    hub.enable_security_hub()  # again, after a disable


def test_every_call_but_enable_refused_until_enabled_per_account_and_region(aws, org):
    member, other = org[0], org[1]
    hub = aws.client("securityhub", member)
    mine = finding(ProductArn=product(member), AwsAccountId=member)
    not_subscribed = ("InvalidAccessException", 401, f"Account {member} is not subscribed to AWS Security Hub")
    ident = [{"Id": mine["Id"], "ProductArn": mine["ProductArn"]}]
    calls = ((hub.batch_import_findings, {"Findings": [mine]}), (hub.get_findings, {}),
             (hub.batch_update_findings, {"FindingIdentifiers": ident, "Workflow": {"Status": "NOTIFIED"}}),
             (hub.describe_hub, {}), (hub.disable_security_hub, {}), (hub.list_members, {}),
             (hub.get_administrator_account, {}))
    for call, kwargs in calls:  # before EnableSecurityHub, as AWS answers
        assert refused(call, **kwargs) == not_subscribed, call
    theirs = enabled_hub(aws, other)  # another account's subscription is not this one's
    assert theirs.batch_import_findings(Findings=[finding(ProductArn=product(other), AwsAccountId=other)])[
        "FailedCount"] == 0
    assert refused(hub.get_findings) == not_subscribed
    hub.enable_security_hub()
    assert hub.batch_import_findings(Findings=[mine])["FailedCount"] == 0
    assert hub.batch_update_findings(FindingIdentifiers=ident, Workflow={"Status": "NOTIFIED"})["ProcessedFindings"]
    assert [f["Id"] for f in hub.get_findings()["Findings"]] == [mine["Id"]]
    elsewhere = aws.client("securityhub", member, R2)  # subscription is per Region
    assert refused(elsewhere.get_findings) == not_subscribed
    assert refused(elsewhere.batch_import_findings, Findings=[finding(
        ProductArn=product(member, R2), AwsAccountId=member)]) == not_subscribed
    hub.disable_security_hub()
    for call, kwargs in calls:  # and again after DisableSecurityHub
        assert refused(call, **kwargs) == not_subscribed, call
    hub.enable_security_hub()
    assert hub.get_findings()["Findings"] == []  # disabling dropped them (stock moto: at once)
    assert post(aws.url, "/moto-api/reset")[0] == 200  # the reset forgets every subscription
    assert refused(aws.client("securityhub", MGMT).get_findings) == (
        "InvalidAccessException", 401, f"Account {MGMT} is not subscribed to AWS Security Hub")
