"""Emulator: the identity store of an IAM Identity Center instance (identitystore CreateUser,
CreateGroup, ListUsers, ListGroups), reached by its IdentityStoreId where the instance is."""

import json

import pytest

from emulator_client import MGMT, R1, R2, refused, register_sso_admin, seed_org_instance


def store_of(aws, account, region=R1):
    sso = aws.sso(account, region)
    arn = sso.create_instance()["InstanceArn"]
    return arn, sso.describe_instance(InstanceArn=arn)["IdentityStoreId"]


def add_user(ids, store, name):
    return ids.create_user(IdentityStoreId=store, UserName=name, DisplayName=name.title(),
                           Name={"GivenName": name.title(), "FamilyName": "Example"},
                           Emails=[{"Value": f"{name}@example.com", "Type": "work", "Primary": True}])["UserId"]


def all_of(ids, operation, key, store, size):
    pages = list(ids.get_paginator(operation).paginate(IdentityStoreId=store, PaginationConfig={"PageSize": size}))
    return pages, [item for page in pages for item in page[key]]


def test_users_and_groups_of_an_account_instance(aws, org):
    _, store = store_of(aws, org[0])
    ids, raw = aws.client("identitystore", org[0]), []
    ids.meta.events.register("after-call.identitystore.*", lambda http_response, **_: raw.append(http_response))
    users = {add_user(ids, store, f"user{i}"): f"user{i}" for i in range(5)}
    groups = {ids.create_group(IdentityStoreId=store, DisplayName=f"group{i}")["GroupId"]: f"group{i}"
              for i in range(3)}
    pages, listed = all_of(ids, "list_users", "Users", store, 2)
    assert len(pages) == 3 and {u["UserId"]: u["UserName"] for u in listed} == users
    first = next(u for u in listed if u["UserName"] == "user0")
    assert first == {"IdentityStoreId": store, "UserId": first["UserId"], "UserName": "user0", "DisplayName": "User0",
                     "Name": {"GivenName": "User0", "FamilyName": "Example"},
                     "Emails": [{"Value": "user0@example.com", "Type": "work", "Primary": True}]}
    pages, listed = all_of(ids, "list_groups", "Groups", store, 2)
    assert len(pages) == 2 and {g["GroupId"]: g["DisplayName"] for g in listed} == groups
    assert all(g["IdentityStoreId"] == store for g in listed)
    assert "null" not in raw[-1].text  # absent members are omitted, the last page has no NextToken
    assert "NextToken" not in json.loads(raw[-1].text)


def test_the_store_is_the_instance_s_own(aws, org):
    instance, store = store_of(aws, org[0])
    _, other = store_of(aws, org[1])
    mine, theirs = aws.client("identitystore", org[0]), aws.client("identitystore", org[1])
    add_user(mine, store, "alice")
    add_user(theirs, other, "bob")
    assert [u["UserName"] for u in mine.list_users(IdentityStoreId=store)["Users"]] == ["alice"]
    assert [u["UserName"] for u in theirs.list_users(IdentityStoreId=other)["Users"]] == ["bob"]
    # Another account, or the management account, may not use it (stock moto gave each an empty store).
    for account in (org[1], MGMT):
        ids = aws.client("identitystore", account)
        for call, kwargs in ((ids.list_users, {}), (ids.list_groups, {}), (ids.create_group, {"DisplayName": "g"})):
            assert refused(call, IdentityStoreId=store, **kwargs) == (
                "AccessDeniedException", 400, "You do not have sufficient access to perform this action."), account
    # The store's ARN names it too, as the documented pattern allows.
    arn = f"arn:aws:identitystore::{org[0]}:identitystore/{store}"
    assert [u["UserName"] for u in mine.list_users(IdentityStoreId=arn)["Users"]] == ["alice"]
    # Its users go with the instance.
    aws.sso(org[0]).delete_instance(InstanceArn=instance)
    assert refused(mine.list_users, IdentityStoreId=store)[0] == "ResourceNotFoundException"


def test_unknown_stores_and_other_regions_are_not_found(aws, org):
    _, store = store_of(aws, org[0])
    ids = aws.client("identitystore", org[0])
    for client, store_id in ((ids, "d-0000000000"), (aws.client("identitystore", org[0], R2), store)):
        for call in (client.list_users, client.list_groups):
            with_error = refused(call, IdentityStoreId=store_id)
            assert with_error[:2] == ("ResourceNotFoundException", 400) and store_id in with_error[2]
    with pytest.raises(ids.exceptions.ResourceNotFoundException) as err:
        ids.list_users(IdentityStoreId="d-0000000000")
    assert (err.value.response["ResourceType"], err.value.response["ResourceId"]) == ("IDENTITY_STORE", "d-0000000000")
    assert ids.list_users(IdentityStoreId=store)["Users"] == []


def test_delegated_admin_uses_the_organization_instance_store(aws, org):
    seed_org_instance(aws)
    (org_instance,) = aws.sso(MGMT).list_instances()["Instances"]
    store = org_instance["IdentityStoreId"]
    add_user(aws.client("identitystore", MGMT), store, "carol")
    assert refused(aws.client("identitystore", org[0]).list_users, IdentityStoreId=store)[0] == "AccessDeniedException"
    register_sso_admin(aws, org[0])
    admin = aws.client("identitystore", org[0])
    assert [u["UserName"] for u in admin.list_users(IdentityStoreId=store)["Users"]] == ["carol"]
    admin.create_group(IdentityStoreId=store, DisplayName="admins")
    assert [g["DisplayName"] for g in aws.client("identitystore", MGMT).list_groups(IdentityStoreId=store)["Groups"]] \
        == ["admins"]
    assert refused(aws.client("identitystore", org[1]).list_groups, IdentityStoreId=store)[0] == "AccessDeniedException"
