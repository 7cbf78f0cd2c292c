"""securityhub: what stock moto 5.2.5 lacks for a custom product's findings.

* BatchUpdateFindings (``PATCH /findings/batchupdate``), missing in stock moto: ``Workflow.Status``
  and ``Note`` (``Text``, ``UpdatedBy``; ``UpdatedAt`` stamped now) of findings named by
  ``FindingIdentifiers`` (``Id`` + ``ProductArn``) in the caller's account and Region;
  ``ProcessedFindings`` / ``UnprocessedFindings`` as the API reference shapes them (an unknown
  finding is unprocessed with ``ErrorCode`` ``FindingNotFound``, ``ErrorMessage`` "Finding Not
  Found": the reference's own code and message).
* BatchImportFindings, as the API reference says: once a finding exists, ``Workflow`` (and
  ``Note``, ``UserDefinedFields``, ``VerificationState``) cannot be changed by a re-import -- the
  stored values are kept; stock moto overwrites them. A new finding without them gets
  ``Workflow.Status`` NEW ("the initial state of a finding") and ``RecordState`` ACTIVE. A finding
  for the default product (``product/<account>/default``) is accepted only from the account named
  by its ``AwsAccountId`` and its product ARN; others are ``FailedFindings``
  (``AccessDeniedException``, our choice).
* GetFindings honours ``Filters`` (``securityhub_filters``); stock moto ignores them.
* EnableSecurityHub a second time: ``ResourceConflictException`` (HTTP 409) "Account is already
  subscribed to Security Hub" (stock: a silent success).
* Not subscribed: every call but EnableSecurityHub answers ``InvalidAccessException`` (HTTP 401)
  "Account <id> is not subscribed to AWS Security Hub" until the caller's account enables Security
  Hub in that Region, and again after DisableSecurityHub, as AWS does (stock refuses only
  DescribeHub and DisableSecurityHub).
"""

import functools
import inspect
import json
from datetime import datetime, timezone

from moto.securityhub import urls
from moto.securityhub.exceptions import SecurityHubClientError
from moto.securityhub.models import SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse
from moto.utilities.paginator import paginate

from . import securityhub_filters

# Fields a finding provider cannot change with BatchImportFindings once the finding exists.
_CUSTOMER_FIELDS = ("Workflow", "Note", "UserDefinedFields", "VerificationState")

_orig_import = SecurityHubBackend.batch_import_findings
_orig_get_findings = SecurityHubBackend.get_findings
_orig_enable = SecurityHubBackend.enable_security_hub


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
        finding = dict(finding)
        if existing is not None:
            for field in _CUSTOMER_FIELDS:
                finding.pop(field, None)
                if field in existing.data:
                    finding[field] = existing.data[field]
        else:  # defaults of a new finding
            workflow = finding.get("Workflow") if isinstance(finding.get("Workflow"), dict) else {}
            finding["Workflow"] = {"Status": "NEW", **workflow}
            finding.setdefault("RecordState", "ACTIVE")
        accepted.append(finding)
    failed, succeeded, failures = _orig_import(self, accepted)
    return failed + len(refused), succeeded, failures + refused


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _batch_update_findings(self, identifiers, workflow, note=None):
    processed, unprocessed = [], []
    for ident in identifiers:
        found = next(
            (f for f in self.findings
             if f.id == ident.get("Id") and f.data.get("ProductArn") == ident.get("ProductArn")),
            None,
        )
        if found is None:
            unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound",
                                "ErrorMessage": "Finding Not Found"})
            continue
        if workflow:
            found.data["Workflow"] = dict(workflow)
        if note:
            found.data["Note"] = {"Text": note["Text"], "UpdatedBy": note["UpdatedBy"], "UpdatedAt": _now()}
        processed.append(ident)
    return processed, unprocessed


def _batch_update_findings_response(self):
    body = json.loads(self.body or "{}")
    note = body.get("Note")
    if note is not None and not (isinstance(note, dict) and all(isinstance(note.get(k), str) and note[k].strip()
                                                               for k in ("Text", "UpdatedBy"))):
        raise SecurityHubClientError("InvalidInputException", "Note needs Text and UpdatedBy.")
    processed, unprocessed = self.securityhub_backend.batch_update_findings(
        identifiers=body.get("FindingIdentifiers", []), workflow=body.get("Workflow"), note=note)
    return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})


@paginate(pagination_model=SecurityHubBackend.PAGINATION_MODEL)
def get_findings(self, filters=None, sort_criteria=None, max_results=None):
    """Stock's checks and findings, then the Filters (before the pages are cut)."""
    wanted = securityhub_filters.check(filters)
    every = _orig_get_findings.__wrapped__(self, filters=filters, sort_criteria=sort_criteria,
                                           max_results=max_results)
    return [f for f in every if securityhub_filters.matches(f, wanted)]


def _enable_security_hub(self, *args, **kwargs):
    if self.enabled:
        raise SecurityHubClientError("ResourceConflictException", "Account is already subscribed to Security Hub")
    return _orig_enable(self, *args, **kwargs)


def _subscribed(method):
    """Refuses every call but EnableSecurityHub while the caller's account has not enabled Security
    Hub in this Region (see the module docstring)."""
    if method.__name__ == "enable_security_hub":
        return method

    @functools.wraps(method)
    def action(self):
        if not self.securityhub_backend.enabled:
            raise SecurityHubClientError(
                "InvalidAccessException", f"Account {self.current_account} is not subscribed to AWS Security Hub")
        return method(self)
    return action


def install():
    SecurityHubBackend.batch_import_findings = _batch_import_findings
    SecurityHubBackend.batch_update_findings = _batch_update_findings
    SecurityHubBackend.get_findings = get_findings
    SecurityHubBackend.enable_security_hub = _enable_security_hub
    SecurityHubResponse.batch_update_findings = _batch_update_findings_response
    for name, fn in list(vars(SecurityHubResponse).items()):
        if inspect.isfunction(fn) and not name.startswith("_"):
            setattr(SecurityHubResponse, name, _subscribed(fn))
    urls.url_paths["{0}/findings/batchupdate$"] = SecurityHubResponse.dispatch
