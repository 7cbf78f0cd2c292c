"""identitystore: the identity store of an IAM Identity Center instance, where the instance is.

Stock moto 5.2.5 already serves CreateUser, CreateGroup, ListUsers and ListGroups (paginated) for
any IdentityStoreId, keeping one store per id in each account and Region, created on first use.
So a store answered for ids that name no instance, another account reading an account instance's
store id got an empty store of its own instead of a refusal, and the delegated administrator saw
an empty store instead of the organization instance's. Here the store is the instance's
(``CreateInstance`` / the seeded organization instance make its ``IdentityStoreId``):

* the instance's owner, or the Identity Center delegated administrator for the organization
  instance, in the instance's Region, use the one store (its users and groups go with the instance
  when it is deleted);
* another account: AccessDeniedException (awsJson, the documented message);
* an id that names no instance, or an instance in another Region: ResourceNotFoundException with
  ``ResourceType`` IDENTITY_STORE and ``ResourceId`` (members the identitystore error declares);
* ``IdentityStoreId`` may be the store's ARN (``arn:aws:identitystore::ACCOUNT:identitystore/d-...``),
  as the documented pattern allows.

Absent members are omitted from answers (stock sends ``null`` for every unset field and a final
``"NextToken": null``). Not modelled: the instance's status (a store answers while its instance is
CREATE_IN_PROGRESS or DELETE_IN_PROGRESS).
"""

import functools
import json
import re

import botocore.session
from moto.core.utils import camelcase_to_underscores
from moto.identitystore.models import IdentityStoreBackend, IdentityStoreData
from moto.identitystore.responses import IdentityStoreResponse

from .errors import AwsError, denied
from .instances import all_instances
from .org_facts import is_sso_admin
from .state import LOCK

_STORE_ARN = re.compile(r"arn:aws[a-z-]*:identitystore::\d{12}:identitystore/")
_orig_store = IdentityStoreBackend._IdentityStoreBackend__get_identity_store


def _not_found(store_id: str) -> AwsError:
    err = AwsError("ResourceNotFoundException", f"Identity store {store_id} does not exist.")
    err.description = json.dumps({"__type": err.error_type, "Message": err.message,
                                  "ResourceType": "IDENTITY_STORE", "ResourceId": store_id})
    return err


def _store(self, store_id: str) -> IdentityStoreData:
    if not store_id:
        return _orig_store(self, store_id)  # stock's refusal of an empty id
    wanted = _STORE_ARN.sub("", store_id, count=1)
    inst = next((i for _, i in all_instances() if i.identity_store_id == wanted), None)
    if inst is None or inst.region != self.region_name:
        raise _not_found(wanted)
    if inst.account_id != self.account_id and not (inst.org_instance and is_sso_admin(self.account_id)):
        raise denied()
    if getattr(inst, "identity_store", None) is None:
        inst.identity_store = IdentityStoreData()
    return inst.identity_store


def _pruned(value):
    """`value` without the members that are None (AWS omits absent members)."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _omitting_nulls(method):
    @functools.wraps(method)
    def action(self):
        with LOCK:
            answer = method(self)
        return json.dumps(_pruned(json.loads(answer))) if isinstance(answer, str) and answer else answer
    return action


def install():
    IdentityStoreBackend._IdentityStoreBackend__get_identity_store = _store
    operations = botocore.session.get_session().get_service_model("identitystore").operation_names
    for name in map(camelcase_to_underscores, operations):
        if callable(getattr(IdentityStoreResponse, name, None)):
            setattr(IdentityStoreResponse, name, _omitting_nulls(getattr(IdentityStoreResponse, name)))
