"""sso-admin model: instances as AWS has them (none until created), who may use one, reads
that count down CREATE_IN_PROGRESS (to ACTIVE) and DELETE_IN_PROGRESS (to gone), pagination and
tags."""

from moto.moto_api._internal import mock_random as rnd
from moto.ssoadmin.models import Instance, SSOAdminBackend, ssoadmin_backends
from moto.utilities.utils import get_partition

from .errors import AwsError, denied
from .org_facts import is_sso_admin

# Real AWS: no instance exists until one is created (stock moto auto-created one per Region).
_orig_backend_init = SSOAdminBackend.__init__


def _backend_init(self, region_name, account_id):
    _orig_backend_init(self, region_name, account_id)
    self.instances = []
    self.client_tokens = {}




def _instance_init(self, account_id, region):
    Instance.__orig_init__(self, account_id, region)
    # ARN: ssoins- + 16 hex (the form AWS issues; the InstanceArn pattern allows [a-zA-Z0-9-.]{16}),
    # in the Region's partition; identity store: d- + 10 hex (the identitystore IdentityStoreId pattern).
    self.instance_arn = f"arn:{get_partition(region)}:sso:::instance/ssoins-{rnd.get_random_hex(16)}"
    self.identity_store_id = f"d-{rnd.get_random_hex(10)}"
    self.region, self.org_instance, self.tags, self.applications = region, False, {}, []
    self.reads_left = None  # CREATE_IN_PROGRESS -> ACTIVE after this many reads (None: stays)
    self.reads_until_gone = None  # DELETE_IN_PROGRESS -> deleted after this many reads (None: stays)
    self.status_reason = None  # StatusReason, e.g. why it is CREATE_FAILED


def _instance_json(self):
    out = {"CreatedDate": self.created_date, "IdentityStoreId": self.identity_store_id,
           "InstanceArn": self.instance_arn, "OwnerAccountId": self.account_id, "Status": self.status}
    if self.name:  # absent, not null
        out["Name"] = self.name
    if self.status_reason:
        out["StatusReason"] = self.status_reason
    return out




def all_instances():
    for per_region in list(ssoadmin_backends.values()):
        for backend in list(per_region.values()):
            for inst in list(backend.instances):
                yield backend, inst


def find_instance(arn: str):
    return next(((b, i) for b, i in all_instances() if i.instance_arn == arn), (None, None))


def usable(caller: str, region: str, arn: str, while_creating: bool = False):
    """The instance if the caller may operate it here: the owner, or the sso delegated admin for
    the org instance, and only in the instance's Region. Else AccessDenied (also once deleted).
    Unless `while_creating` (DescribeInstance, DeleteInstance), an instance still
    CREATE_IN_PROGRESS, or CREATE_FAILED, refuses the call (after the access check: a stranger
    learns nothing)."""
    backend, inst = find_instance(arn)
    if inst is None or inst.region != region:
        raise denied()
    if inst.account_id != caller and not (inst.org_instance and is_sso_admin(caller)):
        raise denied()
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
    if inst.status == "CREATE_FAILED" and not while_creating:
        # Undocumented too; the same choice: a failed instance can only be described and deleted.
        raise AwsError("ValidationException",
                       f"The instance {inst.instance_arn} is CREATE_FAILED: only DescribeInstance "
                       "and DeleteInstance can be called.")
    return backend, inst


def read_instance(inst) -> dict:
    """The instance as a read (DescribeInstance, a ListInstances page) reports it. A countdown set
    by `active_after_reads` ticks once per read: after N reads the instance is ACTIVE. One set by
    `/idc-guardrail/delete-in-progress-reads` likewise: after N reads the instance is gone."""
    out = inst.to_json()
    if inst.status == "CREATE_IN_PROGRESS" and inst.reads_left:
        inst.reads_left -= 1
        if inst.reads_left == 0:
            inst.status, inst.reads_left = "ACTIVE", None
    if inst.status == "DELETE_IN_PROGRESS" and inst.reads_until_gone:
        inst.reads_until_gone -= 1
        if inst.reads_until_gone == 0:
            backend = find_instance(inst.instance_arn)[0]
            backend.instances.remove(inst)  # its applications go with it
    return out


def paginate(items: list, params: dict):
    token, size = params.get("NextToken") or "0", params.get("MaxResults")
    size = 100 if size is None else size  # MaxResults: 1-100 (0 is refused, not the default)
    if not isinstance(token, str) or not token.isdigit() or type(size) is not int or not 1 <= size <= 100:
        raise AwsError("ValidationException", "Invalid NextToken or MaxResults.")
    start = int(token)
    nxt = {"NextToken": str(start + size)} if start + size < len(items) else {}
    return items[start:start + size], nxt


def tags_in(tags) -> dict:
    return {t["Key"]: t.get("Value", "") for t in tags or []}



def install():
    SSOAdminBackend.__init__ = _backend_init
    Instance.__orig_init__ = Instance.__init__
    Instance.__init__ = _instance_init
    Instance.to_json = _instance_json
