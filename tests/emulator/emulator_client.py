"""Shared by the emulator tests: constants, the launcher, raw endpoint calls, boto3 clients for
any account (STS AssumeRole from the management account), error helpers and seeding."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
MGMT = "123456789012"  # moto's account for credentials it did not issue
STANDALONE = "555555555555"  # not in any organization
SSO = "sso.amazonaws.com"
R1, R2 = "us-east-1", "eu-west-1"
PROVIDER = "arn:aws:sso::aws:applicationProvider/custom"
os.environ["NO_PROXY"] = "127.0.0.1"  # the emulator is local: never through a proxy
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The oracle for documented constraints: the service models the pinned SDK ships (the API
# reference is generated from them), independent of the extension's own copy.
_MODELS = botocore.session.get_session()


def documented(shape, service="sso-admin"):
    """(min length, max length, pattern or None) of a string shape, as the service model documents it."""
    meta = _MODELS.get_service_model(service).shape_for(shape).metadata
    return meta["min"], meta["max"], meta.get("pattern")


def documented_enum(shape, service="sso-admin"):
    """The values of an enum shape, as the service model documents them."""
    return _MODELS.get_service_model(service).shape_for(shape).enum


def pattern_violation(member, value, shape):
    return (f"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular "
            f"expression pattern: {documented(shape)[2]}")


def launch(port_file):
    env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "launch.py"), "--port-file", port_file],
                            stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()  # printed once the server answers
    assert line.startswith("IDC_EMULATOR_URL=http://127.0.0.1:"), line
    return proc, line.split("=", 1)[1]


def post(url, path, body=None, method="POST"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    try:
        with DIRECT.open(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


class Aws:
    """boto3 clients for any account, through STS AssumeRole from the management account."""

    def __init__(self, url):
        self.url, self.keys = url, {}

    def client(self, service, account=MGMT, region=R1, **config):
        if account not in self.keys:
            self.keys[account] = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
            if account != MGMT:
                creds = self.client("sts").assume_role(
                    RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                    RoleSessionName="idc-guardrail-test")["Credentials"]
                self.keys[account] = {"aws_access_key_id": creds["AccessKeyId"],
                                      "aws_secret_access_key": creds["SecretAccessKey"],
                                      "aws_session_token": creds["SessionToken"]}
        return boto3.client(service, region_name=region, endpoint_url=self.url,
                            config=Config(retries={"max_attempts": 1}, **config), **self.keys[account])

    def sso(self, account=MGMT, region=R1, **config):
        return self.client("sso-admin", account, region, **config)

    def orgs(self, account=MGMT):
        return self.client("organizations", account)


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def refused(call, **kwargs):
    """(code, HTTP status, message) of a call that must fail."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Message"]


def status_of(aws, arn):
    return next(i for i in post(aws.url, "/idc-guardrail/state", method="GET")[1]["instances"]
                if i["InstanceArn"] == arn)


def seed_org_instance(aws, region=R1):
    status, body = post(aws.url, "/idc-guardrail/seed-org-instance", {"account_id": MGMT, "region": region})
    assert status == 200, body
    return body["InstanceArn"]


def register_sso_admin(aws, account):
    aws.orgs().register_delegated_administrator(AccountId=account, ServicePrincipal=SSO)


def enabled_hub(aws, account=MGMT, region=R1, **config):
    """A Security Hub client of `account` in `region`, after EnableSecurityHub there: as in AWS, the
    emulator refuses every other Security Hub call before it."""
    hub = aws.client("securityhub", account, region, **config)
    hub.enable_security_hub()
    return hub


def switch(aws, name, body):
    """POST a test-only switch (`/idc-guardrail/<name>`); it must be accepted. Answers its JSON."""
    status, answer = post(aws.url, f"/idc-guardrail/{name}", body)
    assert status == 200, (name, answer)
    return answer


def create_status(aws, status, **extra):
    """The status new CreateInstance instances get (`active_after_reads`, `status_reason` in extra)."""
    return switch(aws, "create-instance-status", {"status": status, **extra})


def delete_in_progress_reads(aws, reads):
    """From now on DeleteInstance leaves an instance DELETE_IN_PROGRESS for `reads` reads (0: gone at once)."""
    return switch(aws, "delete-in-progress-reads", {"reads": reads})

