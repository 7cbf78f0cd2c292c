"""quicksight: CreateAccountSubscription and DescribeAccountSubscription (``/account/{AwsAccountId}``,
missing in stock moto 5.2.5: HTTP 404 HTML), so that a QuickSight account bound to an IAM Identity
Center instance can be set up and read back. restJson1 errors, as moto serializes them from the
service model (status per error: 400, 401, 404, 409).

* CreateAccountSubscription (POST): ``AccountName`` (1-62, the documented pattern),
  ``NotificationEmail`` and ``AuthenticationMethod`` required; ``Edition`` ENTERPRISE when absent.
  With ``IAM_IDENTITY_CENTER`` the reference requires ``AdminGroup`` or ``AdminProGroup`` and offers
  ENTERPRISE or ENTERPRISE_AND_Q only (the latter with FirstName, LastName, EmailAddress,
  ContactNumber). ``IAMIdentityCenterInstanceArn``, when given, must name the caller's own instance
  or its organization's instance, and only with IAM_IDENTITY_CENTER. A violation:
  InvalidParameterValueException. An account already subscribed, or an AccountName another account
  uses ("unique over all of AWS"): ResourceExistsException. The AwsAccountId of another account:
  AccessDeniedException (our choice of code).
* DescribeAccountSubscription (GET): ``AccountInfo`` with AccountName, Edition, NotificationEmail,
  AuthenticationType, AccountSubscriptionStatus and IAMIdentityCenterInstanceArn (when set); no
  subscription: ResourceNotFoundException (404). ``AccountSubscriptionStatus`` is ACCOUNT_CREATED,
  the value AWS is observed to answer once the account exists (undocumented; no sign-up delay is
  modelled). ``AuthenticationType`` repeats the AuthenticationMethod given (an assumption: the
  reference types it as a plain string). The subscription belongs to the account: it is answered
  in every Region.
"""

import json
import re

from moto.core.exceptions import ServiceException
from moto.quicksight import urls
from moto.quicksight.models import quicksight_backends
from moto.quicksight.responses import QuickSightResponse

from .instances import find_instance
from .org_facts import mgmt_of
from .state import LOCK

_ACCOUNT_NAME = re.compile(r"^(?!D-|d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*")  # AccountName, 1-62
_METHODS = ("IAM_AND_QUICKSIGHT", "IAM_ONLY", "ACTIVE_DIRECTORY", "IAM_IDENTITY_CENTER")
_EDITIONS = ("STANDARD", "ENTERPRISE", "ENTERPRISE_AND_Q")


class QuickSightError(ServiceException):
    """Serialized by moto from the quicksight model (this module is not moto's, so the calling
    service's model is the one used): restJson1, the error's documented HTTP status."""


def _invalid(message: str) -> QuickSightError:
    return QuickSightError("InvalidParameterValueException", message)


def _subscriptions(account: str | None = None):
    """(account, subscription) of every account, or of one, in whichever Region it was made."""
    accounts = [account] if account else list(quicksight_backends.keys())
    for acct in accounts:
        for backend in list(quicksight_backends[acct].values()):
            if getattr(backend, "account_subscription", None):
                yield acct, backend.account_subscription


def _own_account(self) -> str:
    account = self._get_param("AwsAccountId")
    if account != self.current_account:
        raise QuickSightError("AccessDeniedException",
                               f"The caller's account {self.current_account} cannot act for account {account}.")
    return account


def _instance_arn(account: str, p: dict) -> str | None:
    arn = p.get("IAMIdentityCenterInstanceArn")
    if arn is None:
        return None
    if p["AuthenticationMethod"] != "IAM_IDENTITY_CENTER":
        raise _invalid("IAMIdentityCenterInstanceArn is only for AuthenticationMethod IAM_IDENTITY_CENTER.")
    inst = find_instance(arn)[1]
    mgmt = mgmt_of(account)
    if inst is None or not (inst.account_id == account or (inst.org_instance and inst.account_id == mgmt)):
        raise _invalid(f"IAMIdentityCenterInstanceArn {arn} is not an instance this account can use.")
    return arn


def _checked(account: str, p: dict) -> dict:
    for member in ("AccountName", "NotificationEmail", "AuthenticationMethod"):
        if not p.get(member):
            raise _invalid(f"{member} is required.")
    name, method, edition = p["AccountName"], p["AuthenticationMethod"], p.get("Edition") or "ENTERPRISE"
    if not (isinstance(name, str) and 1 <= len(name) <= 62 and _ACCOUNT_NAME.fullmatch(name)):
        raise _invalid(f"AccountName {name} does not satisfy the documented constraints.")
    if method not in _METHODS or edition not in _EDITIONS:
        raise _invalid("AuthenticationMethod or Edition is not one of the documented values.")
    if method in ("IAM_IDENTITY_CENTER", "ACTIVE_DIRECTORY") and not (p.get("AdminGroup") or p.get("AdminProGroup")):
        raise _invalid(f"AdminGroup or AdminProGroup is required with AuthenticationMethod {method}.")
    if method == "IAM_IDENTITY_CENTER" and edition == "STANDARD":
        raise _invalid("IAM Identity Center needs Edition ENTERPRISE or ENTERPRISE_AND_Q.")
    if edition == "ENTERPRISE_AND_Q" and not all(p.get(m) for m in ("FirstName", "LastName", "EmailAddress",
                                                                     "ContactNumber")):
        raise _invalid("FirstName, LastName, EmailAddress and ContactNumber are required with ENTERPRISE_AND_Q.")
    info = {"AccountName": name, "Edition": edition, "NotificationEmail": p["NotificationEmail"],
            "AuthenticationType": method, "AccountSubscriptionStatus": "ACCOUNT_CREATED"}
    arn = _instance_arn(account, p)
    if arn:
        info["IAMIdentityCenterInstanceArn"] = arn
    return info


def create_account_subscription(self):
    account, p = _own_account(self), json.loads(self.body or "{}")
    with LOCK:
        info = _checked(account, p)
        if any(True for _ in _subscriptions(account)):
            raise QuickSightError("ResourceExistsException", f"Account {account} already has a QuickSight subscription.")
        if any(s["AccountName"] == info["AccountName"] for _, s in _subscriptions()):
            raise QuickSightError("ResourceExistsException", f"The account name {info['AccountName']} is taken.")
        self.quicksight_backend.account_subscription = info
    return json.dumps({"SignupResponse": {"accountName": info["AccountName"]}, "Status": 200})


def describe_account_subscription(self):
    account = _own_account(self)
    with LOCK:
        found = next((s for _, s in _subscriptions(account)), None)
    if found is None:
        raise QuickSightError("ResourceNotFoundException", f"Account {account} has no QuickSight subscription.")
    return json.dumps({"AccountInfo": found, "Status": 200})


def install():
    QuickSightResponse.create_account_subscription = create_account_subscription
    QuickSightResponse.describe_account_subscription = describe_account_subscription
    urls.url_paths["{0}/account/(?P<account_id>[^/]+)$"] = QuickSightResponse.dispatch
