r"""idc-guardrail extension of moto 5.2.5 (server mode) for IAM Identity Center account instances.

Import this module before the moto server starts (``launch.py`` does). It patches moto's own
backends and response classes; it is not an HTTP fake of AWS. What it adds, and why:

* sso-admin (awsJson1_1, target ``SWBExternalService``). Stock moto gives every account and Region
  an ACTIVE instance on ``ListInstances`` (real AWS: none) and lacks ``CreateInstance``,
  ``DescribeInstance``, ``DeleteInstance`` (HTTP 500 HTML), applications and tags. Added, after the
  IAM Identity Center API reference:
    - CreateInstance: caller's account owns it; one instance per account across all Regions
      (ConflictException); rejected in an organization's management account with
      ValidationException "Organization management account is not allowed to perform the
      operation." (HTTP 400; the text AWS returns; ValidationException is our choice of code
      since the reference lists no dedicated one); Name, Tags, ClientToken idempotency.
      Generated ids match the documented patterns: arn:PARTITION:sso:::instance/ssoins-<16 hex>
      (the Region's partition), identity store d-<10 hex>.
    - Input constraints (the reference's length limits and patterns, matched against the whole
      value), checked first on every sso-admin action, stock moto's included: InstanceArn
      (10-1224, arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}; required
      except on the tag operations), ResourceArn of the tag operations (TaggableResourceArn,
      10-2048), Name of CreateInstance/UpdateInstance (0-255, [\w+=,.@-]+, ASCII \w). A violation
      is HTTP 400 ValidationException worded as AWS words it: "1 validation error detected: Value
      'X' at 'instanceArn' failed to satisfy constraint: Member must satisfy regular expression
      pattern: P" (every violated constraint, "; "-separated; "Value null ... Member must not be
      null" when a required one is absent). A well-formed ARN that names nothing keeps its answer
      (AccessDeniedException for DescribeInstance/DeleteInstance).
    - CREATE_IN_PROGRESS: the reference allows only DescribeInstance and DeleteInstance then and
      names no error for the rest. ListApplications, CreateApplication, TagResource, UntagResource,
      ListTagsForResource (instance or application ARN) and UpdateInstance answer
      ValidationException (our choice: the one code all of them declare; ConflictException is not
      declared by ListApplications or ListTagsForResource); the access check comes first.
      DescribeInstance answers normally and ListInstances lists it. DeleteInstance may be called
      then, the reference says, without saying what it answers: here ConflictException (declared
      by DeleteInstance; our choice, so that a caller must wait and retry).
    - DescribeInstance / DeleteInstance: the owner, in the instance's Region (DescribeInstance also
      the Identity Center delegated administrator for the org instance it administers); anyone
      else, and any instance already deleted, gets AccessDeniedException -- DeleteInstance lists no
      ResourceNotFoundException. Deleting an instance with applications succeeds and takes them
      with it: the API has no "in use" error, so a caller must count applications first.
    - ListInstances (MaxResults/NextToken): in the caller's Region, the caller's own instance,
      plus the organization instance when the caller is the registered sso.amazonaws.com
      delegated administrator (the "two instances in one Region" trap). Fields that are absent
      are omitted rather than sent as null.
    - CreateApplication / ListApplications (by InstanceArn, paginated); TagResource /
      UntagResource / ListTagsForResource on instance and application ARNs.
* organizations: ``sso.amazonaws.com`` accepted by Register/DeregisterDelegatedAdministrator
  (stock rejects it and leaves a half-registered entry) and by ListDelegatedAdministrators; a
  failed registration leaves nothing behind. DescribeAccount, ListAccounts,
  ListDelegatedAdministrators and ListDelegatedServicesForAccount from a member answer
  AccessDeniedException unless the member is a delegated administrator (then they read the
  organization), and AWSOrganizationsNotInUseException from a standalone account.
* sns: an SQS subscription delivers into the queue's own account (stock: the topic's account,
  NonExistentQueue); a queue owner's subscription to another account's topic receives its messages.
* sts: stock AssumeRole succeeds for any role ARN (the role need not exist). A role ARN put on the
  deny list (endpoint below) answers what AWS answers for a missing or untrusting role: HTTP 403,
  awsQuery ``<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>...``, "User: CALLER
  is not authorized to perform: sts:AssumeRole on resource: ROLE_ARN".

TEST-ONLY endpoints (no AWS counterpart; the org instance has no creation API), in the style of
``/moto-api/``, all ``POST`` with a JSON body, answering JSON:
  /idc-guardrail/seed-org-instance      {"account_id": MGMT, "region": R, "name"?: N}
  /idc-guardrail/instance-status        {"instance_arn": ARN, "status": S, "active_after_reads"?: N}
  /idc-guardrail/create-instance-status {"status": "ACTIVE" | "CREATE_IN_PROGRESS",
                                         "active_after_reads"?: N}
                                        status of new instances; with N (whole, >= 1; only with
                                        CREATE_IN_PROGRESS) an instance reports CREATE_IN_PROGRESS
                                        to its next N reads (DescribeInstance, or a ListInstances
                                        page that includes it), then is ACTIVE. Without N it stays
                                        CREATE_IN_PROGRESS until set otherwise. No clock involved.
  /idc-guardrail/delete-conflicts       {"count": N}  next N DeleteInstance -> ConflictException
  /idc-guardrail/instance-created-date  {"instance_arn": ARN, "created_date": EPOCH_SECONDS | RFC3339}
                                        the CreatedDate ListInstances/DescribeInstance report
  /idc-guardrail/deny-assume-role       {"role_arn": ROLE_ARN, "deny"?: true | false}  AssumeRole of
                                        exactly that ARN -> 403 AccessDenied (false: allowed again)
  /idc-guardrail/state                  (GET) every instance (with ReadsUntilActive) and the
                                        switches, for debugging
``POST /moto-api/reset`` clears all of it.
"""

import functools
import inspect
import json
import re
import threading
from datetime import datetime

from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random as rnd
from moto.moto_api._internal import urls as moto_api_urls
from moto.moto_api._internal.models import MotoAPIBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.organizations import models as org_models
from moto.organizations.models import organizations_backends
from moto.organizations.responses import OrganizationsResponse
from moto.sns.models import SNSBackend, Subscription, sns_backends
from moto.ssoadmin.models import Instance, SSOAdminBackend, ssoadmin_backends
from moto.ssoadmin.responses import SSOAdminResponse
from moto.sts.responses import TokenResponse
from moto.utilities.utils import get_partition
from werkzeug.exceptions import HTTPException
from xmltodict import unparse

SSO = "sso.amazonaws.com"
STATUSES = ("ACTIVE", "CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS")
_LOCK = threading.RLock()
_STATE = {"create_status": "ACTIVE", "create_active_after_reads": None, "delete_conflicts": 0,
          "denied_role_arns": []}


class AwsError(JsonRESTError):
    """awsJson error: HTTP 400, {"__type": CODE, "Message": TEXT} (what the AWS SDKs parse)."""

    code = 400

    def __init__(self, error_type: str, message: str):
        super().__init__(error_type, message)
        self.description = json.dumps({"__type": error_type, "Message": message})


def _denied() -> AwsError:
    return AwsError("AccessDeniedException", "You do not have sufficient access to perform this action.")


# ---------------------------------------------------------------- organization facts
def _mgmt_of(account: str) -> str | None:
    """Management account of `account`'s organization (itself if it is one), None if standalone."""
    if account in organizations_backends.master_accounts:
        return organizations_backends.master_accounts[account][0]
    org = organizations_backends[account]["aws"].org
    return account if org is not None else None


def _delegated(mgmt: str, service: str | None = SSO) -> set[str]:
    admins = organizations_backends[mgmt]["aws"].admins
    return {a.account.id for a in admins if service is None or service in a.services}


def _is_sso_admin(account: str) -> bool:
    mgmt = _mgmt_of(account)
    return bool(mgmt) and mgmt != account and account in _delegated(mgmt)


# ---------------------------------------------------------------- sso-admin model
# Real AWS: no instance exists until one is created (stock moto auto-created one per Region).
_orig_backend_init = SSOAdminBackend.__init__


def _backend_init(self, region_name, account_id):
    _orig_backend_init(self, region_name, account_id)
    self.instances = []
    self.client_tokens = {}


SSOAdminBackend.__init__ = _backend_init


def _instance_init(self, account_id, region):
    Instance.__orig_init__(self, account_id, region)
    # ARN: ssoins- + 16 hex (the form AWS issues; the InstanceArn pattern allows [a-zA-Z0-9-.]{16}),
    # in the Region's partition; identity store: d- + 10 hex (the identitystore IdentityStoreId pattern).
    self.instance_arn = f"arn:{get_partition(region)}:sso:::instance/ssoins-{rnd.get_random_hex(16)}"
    self.identity_store_id = f"d-{rnd.get_random_hex(10)}"
    self.region, self.org_instance, self.tags, self.applications = region, False, {}, []
    self.reads_left = None  # CREATE_IN_PROGRESS -> ACTIVE after this many reads (None: stays)


def _instance_json(self):
    out = {"CreatedDate": self.created_date, "IdentityStoreId": self.identity_store_id,
           "InstanceArn": self.instance_arn, "OwnerAccountId": self.account_id, "Status": self.status}
    if self.name:  # absent, not null
        out["Name"] = self.name
    return out


Instance.__orig_init__ = Instance.__init__
Instance.__init__ = _instance_init
Instance.to_json = _instance_json


def _all_instances():
    for per_region in list(ssoadmin_backends.values()):
        for backend in list(per_region.values()):
            for inst in list(backend.instances):
                yield backend, inst


def _find(arn: str):
    return next(((b, i) for b, i in _all_instances() if i.instance_arn == arn), (None, None))


def _usable(caller: str, region: str, arn: str, while_creating: bool = False):
    """The instance if the caller may operate it here: the owner, or the sso delegated admin for
    the org instance, and only in the instance's Region. Else AccessDenied (also once deleted).
    Unless `while_creating` (DescribeInstance, DeleteInstance), an instance still
    CREATE_IN_PROGRESS refuses the call (after the access check: a stranger learns nothing)."""
    backend, inst = _find(arn)
    if inst is None or inst.region != region:
        raise _denied()
    if inst.account_id != caller and not (inst.org_instance and _is_sso_admin(caller)):
        raise _denied()
    if inst.status == "CREATE_IN_PROGRESS" and not while_creating:
        # The reference: "While the instance is in the CREATE_IN_PROGRESS state, you can call only
        # DescribeInstance and DeleteInstance operations" -- it names no error for the others. Our
        # choice: ValidationException, the one code among ConflictException/ValidationException
        # that every such operation declares (ListApplications and ListTagsForResource declare no
        # ConflictException); AWS is reported to answer ValidationException for an operation an
        # instance does not support (permission sets on an account instance). Not AccessDenied: that reads as "deleted".
        raise AwsError("ValidationException",
                       f"The instance {inst.instance_arn} is CREATE_IN_PROGRESS: only DescribeInstance "
                       "and DeleteInstance can be called until it is ACTIVE.")
    return backend, inst


def _read(inst) -> dict:
    """The instance as a read (DescribeInstance, a ListInstances page) reports it. A countdown set
    by `active_after_reads` ticks once per read: after N reads the instance is ACTIVE."""
    out = inst.to_json()
    if inst.status == "CREATE_IN_PROGRESS" and inst.reads_left:
        inst.reads_left -= 1
        if inst.reads_left == 0:
            inst.status, inst.reads_left = "ACTIVE", None
    return out


def _page(items: list, params: dict):
    token, size = params.get("NextToken") or "0", int(params.get("MaxResults") or 100)
    if not token.isdigit() or not 1 <= size <= 100:
        raise AwsError("ValidationException", "Invalid NextToken or MaxResults.")
    start = int(token)
    nxt = {"NextToken": str(start + size)} if start + size < len(items) else {}
    return items[start:start + size], nxt


def _tags_in(tags) -> dict:
    return {t["Key"]: t.get("Value", "") for t in tags or []}


# ---------------------------------------------------------------- sso-admin input constraints
# As the IAM Identity Center API reference documents them (length limits and pattern; AWS matches
# the pattern against the whole value): InstanceArn on every operation that takes one,
# ResourceArn (TaggableResourceArn) on the tag operations, the instance Name (NameType) of
# CreateInstance/UpdateInstance. Older pages show the partition as
# (aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b); today's, and the SDK model, aws(-[a-z]{1,5}){0,3}.
# `\w` is ASCII only, as in the Java regular expressions AWS validates with.
_CONSTRAINTS = {
    "InstanceArn": (10, 1224, r"arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}"),
    "ResourceArn": (10, 2048, r"arn:aws(-[a-z]{1,5}){0,3}:sso::((:instance/(sso)?ins-[a-zA-Z0-9-.]{16})"
                    r"|(:permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16})"
                    r"|(\d{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16})"
                    r"|(\d{12}:trustedTokenIssuer/(sso)?ins-[a-zA-Z0-9-.]{16}/tti-[a-f0-9]{8}-[a-f0-9]{4}"
                    r"-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}))"),
    "Name": (0, 255, r"[\w+=,.@-]+"),
}
_TAG_OPS = {"TagResource", "UntagResource", "ListTagsForResource"}  # InstanceArn optional there
_NO_INSTANCE_ARN = {"CreateInstance", "ListInstances"}


def _violations(member: str, value) -> list[str]:
    """AWS's wording, one entry per failed constraint of `member` (absent: none)."""
    lo, hi, pattern = _CONSTRAINTS[member]
    at, text = f"Value '{value}' at '{member[0].lower()}{member[1:]}'", str(value)
    out = [f"{at} failed to satisfy constraint: Member must have length greater than or equal to {lo}"
           ] if len(text) < lo else []
    if len(text) > hi:
        out.append(f"{at} failed to satisfy constraint: Member must have length less than or equal to {hi}")
    if not isinstance(value, str) or not re.fullmatch(pattern, value, re.ASCII):
        out.append(f"{at} failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}")
    return out


def _validate(action: str, p: dict) -> None:
    """ValidationException (HTTP 400) listing every violated constraint, as AWS words it."""
    members = {} if action in _NO_INSTANCE_ARN else {"InstanceArn": action not in _TAG_OPS}  # -> required
    if action in _TAG_OPS:
        members["ResourceArn"] = True
    if action in ("CreateInstance", "UpdateInstance"):
        members["Name"] = False
    errors = []
    for member, required in members.items():
        if p.get(member) is not None:
            errors += _violations(member, p[member])
        elif required:
            errors.append(f"Value null at '{member[0].lower()}{member[1:]}' failed to satisfy "
                          "constraint: Member must not be null")
    if errors:
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
        raise AwsError("ValidationException", f"{count}: {'; '.join(errors)}")


def _validated(method):
    """Every sso-admin action, stock or ours, checks its input before anything else (as AWS)."""
    @functools.wraps(method)
    def action(self):
        _validate(self._get_action(), _params(self))
        return method(self)
    return action


# ---------------------------------------------------------------- sso-admin API
def _params(self) -> dict:
    return json.loads(self.body or "{}")


def create_instance(self):
    p, caller, region = _params(self), self.current_account, self.region
    with _LOCK:
        backend = ssoadmin_backends[caller][region]
        token = p.get("ClientToken")
        if token and token in backend.client_tokens:  # idempotent retry, same parameters
            arn, same = backend.client_tokens[token]
            if same != (p.get("Name"), p.get("Tags")):
                raise AwsError("ValidationException",
                               "IdempotentParameterMismatch: ClientToken reused with other parameters.")
            if _find(arn)[1] is not None:
                return json.dumps({"InstanceArn": arn})
        if _mgmt_of(caller) == caller:
            raise AwsError("ValidationException",
                           "Organization management account is not allowed to perform the operation.")
        if any(i.account_id == caller for _, i in _all_instances()):  # one per account, all Regions
            raise AwsError("ConflictException", "An instance of IAM Identity Center already exists in this account.")
        inst = Instance(caller, region)
        inst.name, inst.tags, inst.status = p.get("Name"), _tags_in(p.get("Tags")), _STATE["create_status"]
        inst.reads_left = _STATE["create_active_after_reads"]
        backend.instances.append(inst)
        if token:
            backend.client_tokens[token] = (inst.instance_arn, (p.get("Name"), p.get("Tags")))
    return json.dumps({"InstanceArn": inst.instance_arn})


def describe_instance(self):
    with _LOCK:
        _, inst = _usable(self.current_account, self.region, _params(self).get("InstanceArn"), True)
        return json.dumps(_read(inst))


def delete_instance(self):
    arn = _params(self).get("InstanceArn")
    with _LOCK:
        backend, inst = _usable(self.current_account, self.region, arn, True)
        if inst.account_id != self.current_account:  # only the owning account deletes
            raise _denied()
        if _STATE["delete_conflicts"] > 0 or inst.status == "CREATE_IN_PROGRESS":
            _STATE["delete_conflicts"] = max(0, _STATE["delete_conflicts"] - 1)
            raise AwsError("ConflictException",
                           "Operation could not be completed because of a conflict. Retry with backoff.")
        backend.instances.remove(inst)  # its applications go with it
    return "{}"


def list_instances(self):
    caller, region = self.current_account, self.region
    with _LOCK:
        visible = list(ssoadmin_backends[caller][region].instances)
        if _is_sso_admin(caller):  # the trap: the org instance shows up beside the account's own
            visible += [i for i in ssoadmin_backends[_mgmt_of(caller)][region].instances if i.org_instance]
        page, nxt = _page(visible, _params(self))
        return json.dumps({"Instances": [_read(i) for i in page], **nxt})  # only this page is read


def create_application(self):
    p = _params(self)
    with _LOCK:
        _, inst = _usable(self.current_account, self.region, p.get("InstanceArn"))
        app_id = f"{inst.instance_arn.split('/')[-1]}/apl-{rnd.get_random_hex(16)}"
        app = {"ApplicationAccount": self.current_account,
               "ApplicationArn": f"arn:{get_partition(self.region)}:sso::{self.current_account}:application/{app_id}",
               "ApplicationProviderArn": p["ApplicationProviderArn"], "CreatedDate": unix_time(),
               "InstanceArn": inst.instance_arn, "Name": p["Name"], "Status": p.get("Status") or "ENABLED"}
        app.update({k: p[k] for k in ("Description", "PortalOptions") if p.get(k)})
        app["_tags"] = _tags_in(p.get("Tags"))
        inst.applications.append(app)
    return json.dumps({"ApplicationArn": app["ApplicationArn"]})


def list_applications(self):
    p = _params(self)
    _, inst = _usable(self.current_account, self.region, p.get("InstanceArn"))
    f = p.get("Filter") or {}
    apps = [a for a in inst.applications
            if f.get("ApplicationAccount", a["ApplicationAccount"]) == a["ApplicationAccount"]
            and f.get("ApplicationProvider", a["ApplicationProviderArn"]) == a["ApplicationProviderArn"]]
    page, nxt = _page(apps, p)
    return json.dumps({"Applications": [{k: v for k, v in a.items() if k != "_tags"} for a in page], **nxt})


def _tag_holder(self, p):
    """(dict of tags) for an instance ARN or an application ARN the caller may operate."""
    arn = p.get("ResourceArn", "")
    if ":application/" in arn:
        inst_id = arn.split("/")[1]
        for _, inst in _all_instances():
            if inst.instance_arn.endswith(inst_id):
                _usable(self.current_account, self.region, inst.instance_arn)
                for app in inst.applications:
                    if app["ApplicationArn"] == arn:
                        return app["_tags"]
        raise AwsError("ResourceNotFoundException", "The specified resource doesn't exist.")
    return _usable(self.current_account, self.region, arn)[1].tags


def tag_resource(self):
    p = _params(self)
    with _LOCK:
        tags = _tag_holder(self, p)
        if len({**tags, **_tags_in(p.get("Tags"))}) > 75:  # AWS: at most 75 tags per resource
            raise AwsError("ServiceQuotaExceededException", "Too many tags.")
        tags.update(_tags_in(p.get("Tags")))
    return "{}"


def untag_resource(self):
    p = _params(self)
    with _LOCK:
        tags = _tag_holder(self, p)
        for key in p.get("TagKeys") or []:
            tags.pop(key, None)
    return "{}"


def list_tags_for_resource(self):
    p = _params(self)
    page, nxt = _page([{"Key": k, "Value": v} for k, v in _tag_holder(self, p).items()], p)
    return json.dumps({"Tags": page, **nxt})


_stock_update_instance = SSOAdminResponse.update_instance


def update_instance(self):
    # Stock renames any ARN of the caller's Region, silently; here: who may, and only once ACTIVE.
    with _LOCK:
        _usable(self.current_account, self.region, _params(self).get("InstanceArn"))
        return _stock_update_instance(self)


for _fn in (create_instance, describe_instance, delete_instance, list_instances, create_application,
            list_applications, tag_resource, untag_resource, list_tags_for_resource, update_instance):
    setattr(SSOAdminResponse, _fn.__name__, _fn)
for _name, _fn in list(vars(SSOAdminResponse).items()):
    if inspect.isfunction(_fn) and not _name.startswith("_"):
        setattr(SSOAdminResponse, _name, _validated(_fn))


# ---------------------------------------------------------------- organizations
# AWS lists sso.amazonaws.com among services that support a delegated administrator.
org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(SSO)
_orig_register = org_models.OrganizationsBackend.register_delegated_administrator


def _register(self, **kwargs):
    # A rejected registration must leave no trace (stock kept an admin entry without services).
    try:
        return _orig_register(self, **kwargs)
    except Exception:
        self.admins = [a for a in self.admins if a.services]
        raise


org_models.OrganizationsBackend.register_delegated_administrator = _register
# AWS: these "can be called only from the management account or by a member account that is a
# delegated administrator for an AWS service"; a standalone account has no organization.
_ORG_READS = {"DescribeAccount", "ListAccounts", "ListDelegatedAdministrators",
              "ListDelegatedServicesForAccount", "ListAccountsForParent"}
_orig_org_backend = OrganizationsResponse.organizations_backend


def _org_backend(self):
    caller = self.current_account
    if self._get_action() in _ORG_READS:
        mgmt = _mgmt_of(caller)
        if mgmt is None:
            raise AwsError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
        if mgmt != caller:
            if caller not in _delegated(mgmt, None):
                raise AwsError("AccessDeniedException", "You don't have permissions to access this resource.")
            return organizations_backends[mgmt]["aws"]
    return _orig_org_backend.fget(self)


OrganizationsResponse.organizations_backend = property(_org_backend)


# ---------------------------------------------------------------- sns -> sqs across accounts
_orig_sub_publish = Subscription.publish


def _sub_publish(self, *args, **kwargs):
    # AWS delivers into the queue named by the endpoint ARN, in that ARN's account.
    if self.protocol != "sqs":
        return _orig_sub_publish(self, *args, **kwargs)
    with _LOCK:
        owner, self.account_id = self.account_id, self.endpoint.split(":")[4]
        try:
            return _orig_sub_publish(self, *args, **kwargs)
        finally:
            self.account_id = owner


Subscription.publish = _sub_publish
_orig_subscribe = SNSBackend.subscribe


def _subscribe(self, topic_arn, endpoint, protocol):
    # A subscription made by another account (e.g. the queue owner) belongs to the topic too.
    sub = _orig_subscribe(self, topic_arn, endpoint, protocol)
    topic_account = topic_arn.split(":")[4]
    if topic_account != self.account_id:
        sns_backends[topic_account][topic_arn.split(":")[3]].subscriptions[sub.arn] = sub
    return sub


SNSBackend.subscribe = _subscribe


# ---------------------------------------------------------------- sts: a member role that is missing
# Stock AssumeRole hands out keys for any role ARN. The organization-wide sweep must report an
# account whose member role is missing (or does not trust the caller) as unreachable, so a test can
# deny exactly one role ARN; AWS answers both cases alike.
class StsAccessDenied(HTTPException):
    """STS (awsQuery) AccessDenied as AWS sends it: HTTP 403, text/xml, Error directly under
    ErrorResponse (moto's own XML errors add an ``Errors`` wrapper, and its serializer would answer
    400 for a code the STS model does not declare)."""

    code = 403

    def __init__(self, message: str):
        super().__init__()
        self.description = unparse({"ErrorResponse": {
            "@xmlns": "https://sts.amazonaws.com/doc/2011-06-15/",
            "Error": {"Type": "Sender", "Code": "AccessDenied", "Message": message},
            "RequestId": "-"}}, full_document=False)  # moto fills in the request id

    def get_headers(self, *args, **kwargs):
        return [("Content-Type", "text/xml")]


_orig_assume_role = TokenResponse.assume_role


def _assume_role(self):
    role_arn = self._get_param("RoleArn")
    if role_arn in _STATE["denied_role_arns"]:
        caller_arn = self.backend.get_caller_identity(self.get_access_key(), self.region)[1]
        raise StsAccessDenied(f"User: {caller_arn} is not authorized to perform: sts:AssumeRole "
                              f"on resource: {role_arn}")
    return _orig_assume_role(self)


TokenResponse.assume_role = _assume_role


# ---------------------------------------------------------------- test-only endpoints
def _endpoint(fn):
    def handler(request, full_url, headers):
        try:
            body = json.loads(request.get_data() or b"{}")
            with _LOCK:
                return 200, {"Content-Type": "application/json"}, json.dumps(fn(body))
        except (AwsError, KeyError, ValueError) as err:
            msg = err.message if isinstance(err, AwsError) else f"bad request: {err!r}"
            body = {"__type": "ValidationException", "Message": msg}
            return 400, {"Content-Type": "application/json"}, json.dumps(body)
    handler.__name__ = f"idc_{fn.__name__}"
    return handler


def seed_org_instance(body):
    account, region = body["account_id"], body["region"]
    if body.get("name") is not None and _violations("Name", body["name"]):
        raise AwsError("ValidationException", "; ".join(_violations("Name", body["name"])))
    if _mgmt_of(account) != account:
        raise AwsError("ValidationException", f"{account} is not an organization's management account.")
    if any(i.org_instance and i.account_id == account for _, i in _all_instances()):
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


def instance_status(body):
    inst = _find(body["instance_arn"])[1]
    if inst is None or body["status"] not in STATUSES:
        raise AwsError("ValidationException", "unknown instance_arn or status")
    inst.reads_left = _active_after_reads(body)
    inst.status = body["status"]
    return inst.to_json()


def create_instance_status(body):
    if body["status"] not in STATUSES[:2]:
        raise AwsError("ValidationException", "status must be ACTIVE or CREATE_IN_PROGRESS")
    _STATE["create_active_after_reads"] = _active_after_reads(body)
    _STATE["create_status"] = body["status"]
    return dict(_STATE)


def delete_conflicts(body):
    _STATE["delete_conflicts"] = int(body["count"])
    return dict(_STATE)


def instance_created_date(body):
    # The sweep's IDC005 needs an instance past its trial window; CreateInstance stamps "now".
    inst, when = _find(body["instance_arn"])[1], body["created_date"]
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
    denied = set(_STATE["denied_role_arns"]) - {arn}
    if deny:
        denied.add(arn)
    _STATE["denied_role_arns"] = sorted(denied)
    return {"denied_role_arns": _STATE["denied_role_arns"]}


def state(_body):
    return {"instances": [dict(i.to_json(), Region=i.region, OrgInstance=i.org_instance,
                               Applications=len(i.applications), ReadsUntilActive=i.reads_left)
                          for _, i in _all_instances()], **_STATE}


for _fn in (seed_org_instance, instance_status, create_instance_status, delete_conflicts,
            instance_created_date, deny_assume_role, state):
    moto_api_urls.url_paths["{0}/idc-guardrail/" + _fn.__name__.replace("_", "-")] = _endpoint(_fn)

_orig_get_application = DomainDispatcherApplication.get_application


def _get_application(self, environ):
    # Route /idc-guardrail/* to the moto-api app, which holds the routes above.
    if environ.get("PATH_INFO", "").startswith("/idc-guardrail/"):
        environ = dict(environ, PATH_INFO="/moto-api/")
    return _orig_get_application(self, environ)


DomainDispatcherApplication.get_application = _get_application
_orig_reset = MotoAPIBackend.reset


def _reset(self):
    _orig_reset(self)  # clears every backend, hence every instance, application and tag
    _STATE.update(create_status="ACTIVE", create_active_after_reads=None, delete_conflicts=0,
                  denied_role_arns=[])
    organizations_backends.master_accounts.clear()  # stock reset keeps member->management links


MotoAPIBackend.reset = _reset
