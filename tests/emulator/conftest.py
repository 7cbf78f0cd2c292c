"""Tests of the emulator: boto3 against moto server started by launch.py, with the extension.

Accounts are real multi-account: the management account (moto's default credentials) creates an
organization and member accounts, and tests act as a member through STS AssumeRole keys.
"""

import os
import signal
import tempfile

import pytest

from emulator_client import MGMT, launch, post, Aws


@pytest.fixture(scope="session")
def url():
    with tempfile.TemporaryDirectory() as tmp:
        proc, endpoint = launch(os.path.join(tmp, "port"))
        yield endpoint
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def reset(url):
    assert post(url, "/moto-api/reset")[0] == 200


@pytest.fixture
def aws(url):
    return Aws(url)


@pytest.fixture
def org(aws):
    """An organization with three members; returns their account ids."""
    orgs = aws.orgs()
    orgs.create_organization(FeatureSet="ALL")
    members = []
    for i in range(3):
        status = orgs.create_account(AccountName=f"m{i}", Email=f"m{i}@example.com")["CreateAccountStatus"]
        members.append(orgs.describe_create_account_status(
            CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"])
    assert len(set(members)) == 3 and MGMT not in members
    return members
