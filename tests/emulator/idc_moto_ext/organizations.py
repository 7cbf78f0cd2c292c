"""organizations: sso.amazonaws.com as a delegated-administrator service, and who may read the
organization."""

from moto.organizations import models as org_models
from moto.organizations.models import organizations_backends
from moto.organizations.responses import OrganizationsResponse

from .errors import AwsError
from .org_facts import SSO, delegated, mgmt_of

# AWS lists sso.amazonaws.com among services that support a delegated administrator.
_orig_register = org_models.OrganizationsBackend.register_delegated_administrator


def _register(self, **kwargs):
    # A rejected registration must leave no trace (stock kept an admin entry without services).
    try:
        return _orig_register(self, **kwargs)
    except Exception:
        self.admins = [a for a in self.admins if a.services]
        raise


# AWS: these "can be called only from the management account or by a member account that is a
# delegated administrator for an AWS service"; a standalone account has no organization.
_ORG_READS = {"DescribeAccount", "ListAccounts", "ListDelegatedAdministrators",
              "ListDelegatedServicesForAccount", "ListAccountsForParent"}
_orig_org_backend = OrganizationsResponse.organizations_backend


def _org_backend(self):
    caller = self.current_account
    if self._get_action() in _ORG_READS:
        mgmt = mgmt_of(caller)
        if mgmt is None:
            raise AwsError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
        if mgmt != caller:
            if caller not in delegated(mgmt, None):
                raise AwsError("AccessDeniedException", "You don't have permissions to access this resource.")
            return organizations_backends[mgmt]["aws"]
    return _orig_org_backend.fget(self)




def install():
    # AWS lists sso.amazonaws.com among services that support a delegated administrator.
    org_models.FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(SSO)
    org_models.OrganizationsBackend.register_delegated_administrator = _register
    OrganizationsResponse.organizations_backend = property(_org_backend)
