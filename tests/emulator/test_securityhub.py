"""Emulator: Security Hub findings of a custom product, imported, re-imported and resolved."""

from emulator_client import MGMT, R1

PRODUCT = f"arn:aws:securityhub:{R1}:{MGMT}:product/{MGMT}/default"


def finding(**over):
    f = {"SchemaVersion": "2018-10-08", "Id": "idc001-x", "ProductArn": PRODUCT, "GeneratorId": "g",
         "AwsAccountId": MGMT, "Types": ["Software and Configuration Checks"],
         "CreatedAt": "2026-11-20T10:00:00Z", "UpdatedAt": "2026-11-20T10:00:00Z",
         "Severity": {"Label": "HIGH"}, "Title": "t", "Description": "d",
         "Resources": [{"Type": "Other", "Id": "arn:aws:sso:::instance/ssoins-1"}],
         "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"}
    f.update(over)
    return f


def test_reimport_keeps_workflow_and_batch_update_resolves(aws):
    hub = aws.client("securityhub", MGMT)
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


def test_unknown_findings_are_unprocessed(aws):
    hub = aws.client("securityhub", MGMT)
    out = hub.batch_update_findings(FindingIdentifiers=[{"Id": "nope", "ProductArn": PRODUCT}],
                                    Workflow={"Status": "RESOLVED"})
    assert out["UnprocessedFindings"][0]["ErrorCode"] == "FindingNotFound"


def test_default_product_findings_only_from_the_account_they_name(aws):
    hub = aws.client("securityhub", MGMT)
    out = hub.batch_import_findings(Findings=[finding(AwsAccountId="222222222222")])
    assert out["FailedCount"] == 1
    assert out["FailedFindings"][0]["ErrorCode"] == "AccessDeniedException"
    assert hub.get_findings()["Findings"] == []
