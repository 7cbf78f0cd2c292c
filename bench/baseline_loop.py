"""The loop users write today: a sequential boto3 script that looks for IAM Identity Center
account instances across an organization.

    organizations DescribeOrganization (to skip the management account), ListAccounts (all pages)
    for each active member account: sts AssumeRole of the member role
        for each Region: sso-admin ListInstances (all pages), keeping the account's own instances
            for each account instance: ListApplications and ListTagsForResource (all pages)

It makes the same AWS calls the guardrail's sweep makes, one at a time, and prints one JSON
object on stdout: what it found, how many calls of each kind it made, and how long the loop
took (measured from just before the first client is created, so interpreter start-up and
`import boto3` are left out; `import_seconds` says how long those took).

Usage: python bench/baseline_loop.py --endpoint-url URL --regions us-east-1,eu-west-1
           [--role-name IdcGuardrailRemediation] [--region us-east-1]
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
"""

import argparse
import json
import os
import sys
import time
from collections import Counter

_STARTED = time.perf_counter()


FORWARDING_RULE = "idc-guardrail-forward-create-instance"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", help="send every request here (a local emulator)")
    parser.add_argument("--regions", required=True, help="comma-separated Regions to search")
    parser.add_argument("--role-name", default="IdcGuardrailRemediation", help="member role to assume")
    parser.add_argument("--region", default="us-east-1", help="Region of the organizations and sts clients")
    args = parser.parse_args()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]

    import boto3  # timed apart: a user's script pays it once per run

    import_seconds = time.perf_counter() - _STARTED
    calls: Counter = Counter()
    client_setup = 0.0
    endpoint = {"endpoint_url": args.endpoint_url} if args.endpoint_url else {}

    start = time.perf_counter()
    session = boto3.Session(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        region_name=args.region,
    )
    orgs = session.client("organizations", **endpoint)
    sts = session.client("sts", **endpoint)

    management = orgs.describe_organization()["Organization"]["MasterAccountId"]
    calls["DescribeOrganization"] += 1
    accounts = []
    for page in orgs.get_paginator("list_accounts").paginate():
        calls["ListAccounts"] += 1
        accounts += [a["Id"] for a in page["Accounts"] if a.get("Status") == "ACTIVE"]

    found = []
    for account in accounts:
        if account == management:
            continue  # its instance is the organization instance
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{args.role_name}",
            RoleSessionName="idc-baseline-loop",
        )["Credentials"]
        calls["AssumeRole"] += 1
        for region in regions:
            t = time.perf_counter()
            sso, events = (
                session.client(
                    service,
                    region_name=region,
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                    **endpoint,
                )
                for service in ("sso-admin", "events")
            )
            client_setup += time.perf_counter() - t
            # The same coverage check the sweep makes: the forwarding rule, present and enabled.
            try:
                events.describe_rule(Name=FORWARDING_RULE)
            except events.exceptions.ResourceNotFoundException:
                pass
            calls["DescribeRule"] += 1
            for page in sso.get_paginator("list_instances").paginate():
                calls["ListInstances"] += 1
                for instance in page.get("Instances", []):
                    if instance.get("OwnerAccountId") != account:
                        continue  # the organization instance a delegated admin also sees
                    arn = instance["InstanceArn"]
                    applications = 0
                    for apps in sso.get_paginator("list_applications").paginate(InstanceArn=arn):
                        calls["ListApplications"] += 1
                        applications += len(apps.get("Applications", []))
                    tags = 0
                    for page_tags in sso.get_paginator("list_tags_for_resource").paginate(ResourceArn=arn):
                        calls["ListTagsForResource"] += 1
                        tags += len(page_tags.get("Tags", []))
                    found.append({
                        "account_id": account,
                        "region": region,
                        "instance_arn": arn,
                        "application_count": applications,
                        "tag_count": tags,
                    })
    seconds = time.perf_counter() - start

    json.dump({
        "seconds": seconds,
        "import_seconds": import_seconds,
        "client_setup_seconds": client_setup,
        "accounts": len(accounts),
        "calls": dict(sorted(calls.items())),
        "instances": found,
    }, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
