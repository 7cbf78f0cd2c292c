"""securityhub: what stock moto 5.2.5 lacks for a custom product's findings.

* BatchUpdateFindings (``PATCH /findings/batchupdate``), missing in stock moto: ``Workflow.Status``
  of findings named by ``FindingIdentifiers`` (``Id`` + ``ProductArn``) in the caller's account and
  Region; ``ProcessedFindings`` / ``UnprocessedFindings`` as the API reference shapes them (an
  unknown finding is unprocessed with ``ErrorCode`` ``FindingNotFound``, our choice of code).
* BatchImportFindings, as the API reference says: once a finding exists, ``Workflow`` (and
  ``Note``, ``UserDefinedFields``, ``VerificationState``) cannot be changed by a re-import -- the
  stored values are kept; stock moto overwrites them. A finding for the default product
  (``product/<account>/default``) is accepted only from the account named by its ``AwsAccountId``
  and its product ARN; others are ``FailedFindings`` (``AccessDeniedException``, our choice).
"""

import json

from moto.securityhub import urls
from moto.securityhub.models import SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse

# Fields a finding provider cannot change with BatchImportFindings once the finding exists.
_CUSTOMER_FIELDS = ("Workflow", "Note", "UserDefinedFields", "VerificationState")

_orig_import = SecurityHubBackend.batch_import_findings


def _foreign(backend, finding):
    product = str(finding.get("ProductArn", ""))
    if not product.endswith("/default"):
        return None
    account = product.split(":")[4] if product.count(":") >= 5 else ""
    if finding.get("AwsAccountId") != backend.account_id or account != backend.account_id:
        return {
            "Id": finding.get("Id", ""),
            "ErrorCode": "AccessDeniedException",
            "ErrorMessage": "AwsAccountId and the product's account must be the caller's account",
        }
    return None


def _batch_import_findings(self, findings):
    refused, accepted = [], []
    for finding in findings:
        problem = _foreign(self, finding)
        if problem:
            refused.append(problem)
            continue
        existing = next((f for f in self.findings if f.id == finding.get("Id")), None)
        if existing is not None:
            finding = dict(finding)
            for field in _CUSTOMER_FIELDS:
                finding.pop(field, None)
                if field in existing.data:
                    finding[field] = existing.data[field]
        accepted.append(finding)
    failed, succeeded, failures = _orig_import(self, accepted)
    return failed + len(refused), succeeded, failures + refused


def _batch_update_findings(self, identifiers, workflow):
    processed, unprocessed = [], []
    for ident in identifiers:
        found = next(
            (f for f in self.findings
             if f.id == ident.get("Id") and f.data.get("ProductArn") == ident.get("ProductArn")),
            None,
        )
        if found is None:
            unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound",
                                "ErrorMessage": "Finding not found"})
            continue
        if workflow:
            found.data["Workflow"] = dict(workflow)
        processed.append(ident)
    return processed, unprocessed


def _batch_update_findings_response(self):
    body = json.loads(self.body or "{}")
    processed, unprocessed = self.securityhub_backend.batch_update_findings(
        identifiers=body.get("FindingIdentifiers", []), workflow=body.get("Workflow"))
    return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})


def install():
    SecurityHubBackend.batch_import_findings = _batch_import_findings
    SecurityHubBackend.batch_update_findings = _batch_update_findings
    SecurityHubResponse.batch_update_findings = _batch_update_findings_response
    urls.url_paths["{0}/findings/batchupdate$"] = SecurityHubResponse.dispatch
