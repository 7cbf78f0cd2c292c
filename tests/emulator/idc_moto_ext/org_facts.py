"""Organization facts the patches ask: management account, delegated administrators."""

from moto.organizations.models import organizations_backends

SSO = "sso.amazonaws.com"


def mgmt_of(account: str) -> str | None:
    """Management account of `account`'s organization (itself if it is one), None if standalone."""
    if account in organizations_backends.master_accounts:
        return organizations_backends.master_accounts[account][0]
    org = organizations_backends[account]["aws"].org
    return account if org is not None else None


def delegated(mgmt: str, service: str | None = SSO) -> set[str]:
    admins = organizations_backends[mgmt]["aws"].admins
    return {a.account.id for a in admins if service is None or service in a.services}


def is_sso_admin(account: str) -> bool:
    mgmt = mgmt_of(account)
    return bool(mgmt) and mgmt != account and account in delegated(mgmt)
