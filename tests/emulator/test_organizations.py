"""Emulator: organizations, sso.amazonaws.com as a delegated-administrator service."""

import pytest
from botocore.exceptions import ClientError

from emulator_client import MGMT, STANDALONE, SSO, code, register_sso_admin


# ------------------------------------------------------------------ organizations
def test_delegated_administrator_for_sso(aws, org):
    orgs = aws.orgs()
    register_sso_admin(aws, org[0])
    admins = orgs.list_delegated_administrators(ServicePrincipal=SSO)["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [org[0]]
    services = orgs.list_delegated_services_for_account(AccountId=org[0])["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == [SSO]
    with pytest.raises(ClientError) as e:
        register_sso_admin(aws, org[0])
    assert code(e) == "AccountAlreadyRegisteredException"
    orgs.deregister_delegated_administrator(AccountId=org[0], ServicePrincipal=SSO)
    assert orgs.list_delegated_administrators(ServicePrincipal=SSO)["DelegatedAdministrators"] == []


def test_rejected_registration_leaves_nothing(aws, org):
    with pytest.raises(ClientError) as e:
        aws.orgs().register_delegated_administrator(AccountId=org[0], ServicePrincipal="nope.amazonaws.com")
    assert code(e) == "InvalidInputException"
    assert aws.orgs().list_delegated_administrators()["DelegatedAdministrators"] == []


def test_organization_reads_from_members(aws, org):
    for call, kwargs in (("list_accounts", {}), ("describe_account", {"AccountId": org[1]}),
                         ("list_delegated_administrators", {})):
        with pytest.raises(ClientError) as e:
            getattr(aws.orgs(org[0]), call)(**kwargs)
        assert code(e) == "AccessDeniedException", call
    assert aws.orgs(org[0]).describe_organization()["Organization"]["MasterAccountId"] == MGMT
    register_sso_admin(aws, org[0])
    admin = aws.orgs(org[0])
    assert len(admin.list_accounts()["Accounts"]) == 4
    assert admin.describe_account(AccountId=org[1])["Account"]["Id"] == org[1]
    assert [a["Id"] for a in admin.list_delegated_administrators(ServicePrincipal=SSO)
            ["DelegatedAdministrators"]] == [org[0]]
    with pytest.raises(ClientError) as e:
        aws.orgs(STANDALONE).list_accounts()
    assert code(e) == "AWSOrganizationsNotInUseException"
