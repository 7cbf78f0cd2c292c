"""sso-admin application assignments (missing in stock moto): CreateApplicationAssignment,
ListApplicationAssignments, DescribeApplicationAssignment, DeleteApplicationAssignment.

Who may: as ListApplications, the owner of the application's instance, or the Identity Center
delegated administrator for the organization instance, in the instance's Region (``usable``); an
instance still being created or that failed answers as there. An application ARN whose instance
the caller may not use (or that no longer exists) answers AccessDeniedException; a usable
instance without that application, or an assignment that does not exist, ResourceNotFoundException.
Assigning a principal twice keeps one assignment and succeeds (our choice: the reference does not
say). The principal is not looked up in the identity store (not modelled).
"""

import json

from moto.ssoadmin.responses import SSOAdminResponse

from .errors import AwsError, denied
from .instances import all_instances, paginate, usable
from .state import LOCK
from .validation import request_params, validated


def application(caller: str, region: str, arn: str) -> dict:
    """The application `arn` names (validated first), if the caller may use its instance."""
    instance_id = arn.split("/")[1]  # arn:...:application/<instance id>/apl-<id>
    inst = next((i for _, i in all_instances() if i.instance_arn.split("/")[-1] == instance_id), None)
    if inst is None:
        raise denied()
    usable(caller, region, inst.instance_arn)
    app = next((a for a in inst.applications if a["ApplicationArn"] == arn), None)
    if app is None:
        raise AwsError("ResourceNotFoundException", f"Application {arn} does not exist.")
    return app


def _assignment(p: dict) -> dict:
    return {"ApplicationArn": p["ApplicationArn"], "PrincipalId": p["PrincipalId"],
            "PrincipalType": p["PrincipalType"]}


def _existing(app: dict, wanted: dict) -> dict:
    found = next((a for a in app.setdefault("_assignments", []) if a == wanted), None)
    if found is None:
        raise AwsError("ResourceNotFoundException",
                       f"The {wanted['PrincipalType']} {wanted['PrincipalId']} is not assigned to "
                       f"application {wanted['ApplicationArn']}.")
    return found


def create_application_assignment(self):
    p = request_params(self)
    with LOCK:
        app = application(self.current_account, self.region, p["ApplicationArn"])
        assignments = app.setdefault("_assignments", [])
        if _assignment(p) not in assignments:
            assignments.append(_assignment(p))
    return "{}"


def list_application_assignments(self):
    p = request_params(self)
    with LOCK:
        app = application(self.current_account, self.region, p["ApplicationArn"])
        page, nxt = paginate(list(app.get("_assignments", [])), p)
    return json.dumps({"ApplicationAssignments": page, **nxt})


def describe_application_assignment(self):
    p = request_params(self)
    with LOCK:
        found = _existing(application(self.current_account, self.region, p["ApplicationArn"]), _assignment(p))
    return json.dumps(found)


def delete_application_assignment(self):
    p = request_params(self)
    with LOCK:
        app = application(self.current_account, self.region, p["ApplicationArn"])
        app["_assignments"].remove(_existing(app, _assignment(p)))
    return "{}"


def install():
    for fn in (create_application_assignment, list_application_assignments, describe_application_assignment,
               delete_application_assignment):
        setattr(SSOAdminResponse, fn.__name__, validated(fn))
