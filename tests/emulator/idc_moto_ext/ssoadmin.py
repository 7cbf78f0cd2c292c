"""sso-admin API: CreateInstance, DescribeInstance, DeleteInstance, ListInstances, UpdateInstance,
applications and tags, installed on moto's SSOAdminResponse, every action validated first."""

import inspect
import json

from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random as rnd
from moto.ssoadmin.models import Instance, ssoadmin_backends
from moto.ssoadmin.responses import SSOAdminResponse
from moto.utilities.utils import get_partition

from .errors import AwsError, denied
from .instances import all_instances, find_instance, paginate, read_instance, tags_in, usable
from .org_facts import is_sso_admin, mgmt_of
from .state import LOCK, STATE
from .validation import request_params, validated


def create_instance(self):
    p, caller, region = request_params(self), self.current_account, self.region
    with LOCK:
        backend = ssoadmin_backends[caller][region]
        token = p.get("ClientToken")
        if token and token in backend.client_tokens:  # idempotent retry, same parameters
            arn, same = backend.client_tokens[token]
            if same != (p.get("Name"), p.get("Tags")):
                raise AwsError("ValidationException",
                               "IdempotentParameterMismatch: ClientToken reused with other parameters.")
            if find_instance(arn)[1] is not None:
                return json.dumps({"InstanceArn": arn})
        if mgmt_of(caller) == caller:
            raise AwsError("ValidationException",
                           "Organization management account is not allowed to perform the operation.")
        if any(i.account_id == caller for _, i in all_instances()):  # one per account, all Regions
            raise AwsError("ConflictException", "An instance of IAM Identity Center already exists in this account.")
        inst = Instance(caller, region)
        inst.name, inst.tags, inst.status = p.get("Name"), tags_in(p.get("Tags")), STATE["create_status"]
        inst.reads_left, inst.status_reason = STATE["create_active_after_reads"], STATE["create_status_reason"]
        backend.instances.append(inst)
        if token:
            backend.client_tokens[token] = (inst.instance_arn, (p.get("Name"), p.get("Tags")))
    return json.dumps({"InstanceArn": inst.instance_arn})


def describe_instance(self):
    with LOCK:
        _, inst = usable(self.current_account, self.region, request_params(self).get("InstanceArn"), True)
        return json.dumps(read_instance(inst))


def delete_instance(self):
    arn = request_params(self).get("InstanceArn")
    with LOCK:
        backend, inst = usable(self.current_account, self.region, arn, True)
        if inst.account_id != self.current_account:  # only the owning account deletes
            raise denied()
        # Still being created, or already being deleted (a second DeleteInstance meets the first
        # one's DELETE_IN_PROGRESS): ConflictException, the one conflict code DeleteInstance declares.
        if STATE["delete_conflicts"] > 0 or inst.status in ("CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS"):
            STATE["delete_conflicts"] = max(0, STATE["delete_conflicts"] - 1)
            raise AwsError("ConflictException",
                           "Operation could not be completed because of a conflict. Retry with backoff.")
        if STATE["delete_in_progress_reads"]:  # AWS deletes asynchronously: DELETE_IN_PROGRESS first
            inst.status, inst.reads_left = "DELETE_IN_PROGRESS", None
            inst.reads_until_gone, inst.status_reason = STATE["delete_in_progress_reads"], None
        else:
            backend.instances.remove(inst)  # its applications go with it
    return "{}"


def list_instances(self):
    caller, region, p = self.current_account, self.region, request_params(self)
    with LOCK:
        # RegionScope (validated first): CURRENT_REGION, the default, or ALL_REGIONS.
        here = (lambda i: True) if p.get("RegionScope") == "ALL_REGIONS" else (lambda i: i.region == region)
        visible = [i for _, i in all_instances() if i.account_id == caller and here(i)]
        if is_sso_admin(caller):  # the trap: the org instance shows up beside the account's own
            mgmt = mgmt_of(caller)
            visible += [i for _, i in all_instances() if i.org_instance and i.account_id == mgmt and here(i)]
        page, nxt = paginate(visible, p)
        return json.dumps({"Instances": [read_instance(i) for i in page], **nxt})  # only this page is read


def create_application(self):
    p = request_params(self)
    with LOCK:
        _, inst = usable(self.current_account, self.region, p.get("InstanceArn"))
        app_id = f"{inst.instance_arn.split('/')[-1]}/apl-{rnd.get_random_hex(16)}"
        app = {"ApplicationAccount": self.current_account,
               "ApplicationArn": f"arn:{get_partition(self.region)}:sso::{self.current_account}:application/{app_id}",
               "ApplicationProviderArn": p["ApplicationProviderArn"], "CreatedDate": unix_time(),
               "InstanceArn": inst.instance_arn, "Name": p["Name"], "Status": p.get("Status") or "ENABLED"}
        app.update({k: p[k] for k in ("Description", "PortalOptions") if p.get(k)})
        app["_tags"] = tags_in(p.get("Tags"))
        inst.applications.append(app)
    return json.dumps({"ApplicationArn": app["ApplicationArn"]})


def list_applications(self):
    p = request_params(self)
    _, inst = usable(self.current_account, self.region, p.get("InstanceArn"))
    f = p.get("Filter") or {}
    apps = [a for a in inst.applications
            if f.get("ApplicationAccount", a["ApplicationAccount"]) == a["ApplicationAccount"]
            and f.get("ApplicationProvider", a["ApplicationProviderArn"]) == a["ApplicationProviderArn"]]
    page, nxt = paginate(apps, p)
    # "_tags", "_assignments": the emulator's own, not the application's fields
    return json.dumps({"Applications": [{k: v for k, v in a.items() if not k.startswith("_")} for a in page], **nxt})


def _tag_holder(self, p):
    """(dict of tags) for an instance ARN or an application ARN the caller may operate."""
    arn = p.get("ResourceArn", "")
    if ":application/" in arn:
        inst_id = arn.split("/")[1]
        for _, inst in all_instances():
            if inst.instance_arn.endswith(inst_id):
                usable(self.current_account, self.region, inst.instance_arn)
                for app in inst.applications:
                    if app["ApplicationArn"] == arn:
                        return app["_tags"]
        raise AwsError("ResourceNotFoundException", "The specified resource doesn't exist.")
    return usable(self.current_account, self.region, arn)[1].tags


def tag_resource(self):
    p = request_params(self)
    with LOCK:
        tags = _tag_holder(self, p)
        if len({**tags, **tags_in(p.get("Tags"))}) > 75:  # AWS: at most 75 tags per resource
            raise AwsError("ServiceQuotaExceededException", "Too many tags.")
        tags.update(tags_in(p.get("Tags")))
    return "{}"


def untag_resource(self):
    p = request_params(self)
    with LOCK:
        tags = _tag_holder(self, p)
        for key in p.get("TagKeys") or []:
            tags.pop(key, None)
    return "{}"


def list_tags_for_resource(self):
    p = request_params(self)
    page, nxt = paginate([{"Key": k, "Value": v} for k, v in _tag_holder(self, p).items()], p)
    return json.dumps({"Tags": page, **nxt})


_stock_update_instance = SSOAdminResponse.update_instance


def update_instance(self):
    # Stock renames any ARN of the caller's Region, silently; here: who may, and only once ACTIVE.
    with LOCK:
        usable(self.current_account, self.region, request_params(self).get("InstanceArn"))
        return _stock_update_instance(self)



def install():
    for fn in (create_instance, describe_instance, delete_instance, list_instances, create_application,
                list_applications, tag_resource, untag_resource, list_tags_for_resource, update_instance):
        setattr(SSOAdminResponse, fn.__name__, fn)
    for name, fn in list(vars(SSOAdminResponse).items()):
        if inspect.isfunction(fn) and not name.startswith("_"):
            setattr(SSOAdminResponse, name, validated(fn))
