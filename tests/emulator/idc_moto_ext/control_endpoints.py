"""The test-only /idc-guardrail/... endpoints (listed in the package docstring) and the reset
that clears their switches."""

import json
import re
import unicodedata
from datetime import datetime

from moto.moto_api._internal import urls as moto_api_urls
from moto.moto_api._internal.models import MotoAPIBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.organizations.models import organizations_backends
from moto.ssoadmin.models import Instance, ssoadmin_backends

from .errors import AwsError
from . import providers
from .instances import all_instances, find_instance
from .org_facts import mgmt_of
from .state import LOCK, STATE, STATUSES, reset_state
from .validation import violations


def _endpoint(fn):
    def handler(request, full_url, headers):
        try:
            body = json.loads(request.get_data() or b"{}")
            with LOCK:
                return 200, {"Content-Type": "application/json"}, json.dumps(fn(body))
        except (AwsError, KeyError, ValueError) as err:
            msg = err.message if isinstance(err, AwsError) else f"bad request: {err!r}"
            body = {"__type": "ValidationException", "Message": msg}
            return 400, {"Content-Type": "application/json"}, json.dumps(body)
    handler.__name__ = f"idc_{fn.__name__}"
    return handler


def seed_org_instance(body):
    account, region = body["account_id"], body["region"]
    if body.get("name") is not None and violations("Name", body["name"]):
        raise AwsError("ValidationException", "; ".join(violations("Name", body["name"])))
    if mgmt_of(account) != account:
        raise AwsError("ValidationException", f"{account} is not an organization's management account.")
    if any(i.org_instance and i.account_id == account for _, i in all_instances()):
        raise AwsError("ConflictException", "The organization already has an instance.")
    inst = Instance(account, region)
    inst.org_instance, inst.name = True, body.get("name")
    ssoadmin_backends[account][region].instances.append(inst)
    return inst.to_json()


def _active_after_reads(body):
    """The optional countdown: a whole number >= 1, and only for CREATE_IN_PROGRESS."""
    n = body.get("active_after_reads")
    if n is not None and (body["status"] != "CREATE_IN_PROGRESS" or isinstance(n, bool)
                          or not isinstance(n, int) or n < 1):
        raise AwsError("ValidationException",
                       "active_after_reads: a whole number >= 1, only with status CREATE_IN_PROGRESS")
    return n


def _status_reason(body):
    """The optional StatusReason: a string of the documented class [\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*
    (no control characters); absent or empty: none."""
    reason = body.get("status_reason")
    if reason is not None and (not isinstance(reason, str)
                               or any(unicodedata.category(c)[0] == "C" for c in reason)):
        raise AwsError("ValidationException", "status_reason: a string without control characters")
    return reason or None


def instance_status(body):
    inst = find_instance(body["instance_arn"])[1]
    if inst is None or body["status"] not in STATUSES:
        raise AwsError("ValidationException", "unknown instance_arn or status")
    inst.reads_left, inst.status_reason = _active_after_reads(body), _status_reason(body)
    inst.status, inst.reads_until_gone = body["status"], None
    return inst.to_json()


def create_instance_status(body):
    if body["status"] not in ("ACTIVE", "CREATE_IN_PROGRESS", "CREATE_FAILED"):
        raise AwsError("ValidationException", "status must be ACTIVE, CREATE_IN_PROGRESS or CREATE_FAILED")
    STATE["create_active_after_reads"] = _active_after_reads(body)
    STATE["create_status_reason"] = _status_reason(body)
    STATE["create_status"] = body["status"]
    return dict(STATE)


def delete_conflicts(body):
    STATE["delete_conflicts"] = int(body["count"])
    return dict(STATE)


def delete_in_progress_reads(body):
    # AWS deletes asynchronously; 0 (the default) deletes at once, as the emulator always did.
    n = body["reads"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise AwsError("ValidationException", "reads: a whole number >= 0")
    STATE["delete_in_progress_reads"] = n
    return dict(STATE)


def instance_created_date(body):
    # The sweep's IDC005 needs an instance past its trial window; CreateInstance stamps "now".
    inst, when = find_instance(body["instance_arn"])[1], body["created_date"]
    if inst is None:
        raise AwsError("ValidationException", "unknown instance_arn")
    if isinstance(when, str):
        when = datetime.fromisoformat(when)  # ValueError -> 400
        if when.tzinfo is None:
            raise AwsError("ValidationException", "created_date needs a UTC offset (RFC 3339)")
        when = when.timestamp()
    elif isinstance(when, bool) or not isinstance(when, (int, float)):
        raise AwsError("ValidationException", "created_date: epoch seconds or an RFC 3339 string")
    inst.created_date = when
    return inst.to_json()


def deny_assume_role(body):
    arn = body["role_arn"]
    if not isinstance(arn, str) or not re.fullmatch(r"arn:aws[a-z-]*:iam::\d{12}:role/\S+", arn):
        raise AwsError("ValidationException", "role_arn must be arn:aws:iam::ACCOUNT:role/NAME")
    deny = body.get("deny", True)
    if not isinstance(deny, bool):
        raise AwsError("ValidationException", "deny must be true or false")
    denied = set(STATE["denied_role_arns"]) - {arn}
    if deny:
        denied.add(arn)
    STATE["denied_role_arns"] = sorted(denied)
    return {"denied_role_arns": STATE["denied_role_arns"]}


def application_provider(body):
    # An AWS-managed provider whose ARN is opaque: what DescribeApplicationProvider shall answer.
    return providers.register(body)


def state(_body):
    return {"instances": [dict(i.to_json(), Region=i.region, OrgInstance=i.org_instance,
                               Applications=len(i.applications), ReadsUntilActive=i.reads_left,
                               ReadsUntilGone=i.reads_until_gone)
                          for _, i in all_instances()], **STATE}


_orig_get_application = DomainDispatcherApplication.get_application


def _get_application(self, environ):
    # Route /idc-guardrail/* to the moto-api app, which holds the routes above.
    if environ.get("PATH_INFO", "").startswith("/idc-guardrail/"):
        environ = dict(environ, PATH_INFO="/moto-api/")
    return _orig_get_application(self, environ)


_orig_reset = MotoAPIBackend.reset


def _reset(self):
    _orig_reset(self)  # clears every backend, hence every instance, application and tag
    reset_state()
    organizations_backends.master_accounts.clear()  # stock reset keeps member->management links




def install():
    for fn in (seed_org_instance, instance_status, create_instance_status, delete_conflicts,
               delete_in_progress_reads, instance_created_date, deny_assume_role, application_provider, state):
        moto_api_urls.url_paths["{0}/idc-guardrail/" + fn.__name__.replace("_", "-")] = _endpoint(fn)
    DomainDispatcherApplication.get_application = _get_application
    MotoAPIBackend.reset = _reset
