#!/usr/bin/env bash
# Offline checks of infra/: cfn-lint, checkov, cdk synth, pytest, jest.
#
# Needs: cfn-lint, checkov, the AWS CLI (v1), pytest and moto (pip install -r infra/requirements.txt,
# found on PATH or in $VENV/bin, default <repo>/.venv), node 20 and npm. No AWS
# account, no credentials, no network other than the npm registry for `npm ci`
# when infra/cdk/node_modules is missing.
set -euo pipefail

INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$INFRA")"
VENV="${VENV:-$REPO/.venv}"
if [ -d "$VENV/bin" ]; then
  PATH="$VENV/bin:$PATH"
fi
PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"

for tool in cfn-lint checkov aws node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "infra/test.sh: '$tool' not found (python tools: pip install -r infra/requirements.txt into $VENV)" >&2
    exit 1
  fi
done

# Nothing here talks to AWS; dummy values keep every tool away from real credentials.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_PROFILE
export CDK_DEFAULT_ACCOUNT=111111111111 CDK_DEFAULT_REGION=us-east-1
export CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=true
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step() {
  local name="$1"
  shift
  local start=$SECONDS
  echo "== $name"
  "$@"
  echo "   ($name: $((SECONDS - start)) s)"
}

cdk_synth() {
  cd "$INFRA/cdk"
  # Install when node_modules is missing or older than the lock file.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  # Placeholder binaries: the checks are about the template, not the code.
  for fn in on-create-instance on-org-event sweep sweep-worker outlets; do
    mkdir -p "$WORK/code/$fn"
    printf '#!/bin/sh\nexit 0\n' >"$WORK/code/$fn/bootstrap"
  done
  rm -rf cdk.out
  npx --no-install cdk synth --no-notices --no-version-reporting --quiet \
    -c codeRoot="$WORK/code" -o cdk.out >/dev/null
  test -s cdk.out/IdcGuardrail.template.json
  cd "$REPO"
}

# Errors and warnings both fail. The CDK template alone may keep W3005: CDK adds
# an explicit DependsOn on a function's role next to the GetAtt.
cfn_lint() {
  # The SAM template and the templates it nests (stacks/), each on its own.
  cfn-lint "$INFRA/template.yaml" "$INFRA"/stacks/*.yaml "$INFRA/member-stackset.yaml"
  cfn-lint --ignore-checks W3005 -- "$INFRA/cdk/cdk.out/IdcGuardrail.template.json"
}

# checkov exits 0 when it cannot parse a template (and then checks nothing), so
# read its JSON report: every file must have been checked, with no failure.
run_checkov() {
  local files=("$INFRA/template.yaml" "$INFRA"/stacks/*.yaml "$INFRA/member-stackset.yaml" "$INFRA/cdk/cdk.out/IdcGuardrail.template.json")
  local f
  for f in "${files[@]}"; do
    checkov --file "$f" --framework cloudformation --skip-download --compact --quiet \
      --output json >"$WORK/checkov.json" || true
    "$PYTHON" - "$f" "$WORK/checkov.json" <<'EOF'
import json, sys
path, report = sys.argv[1], sys.argv[2]
data = json.load(open(report))
reports = data if isinstance(data, list) else [data]
summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
failed = []
for r in reports:
    # With no check to run, checkov prints its summary alone.
    counts = r.get("summary", r if "passed" in r else {})
    for k in summary:
        summary[k] += counts.get(k, 0)
    for c in r.get("results", {}).get("failed_checks", []):
        failed.append(f"{c['check_id']} {c['resource']} ({c['check_name']})")
name = path.rsplit("/", 1)[-1]
print(f"   checkov {name}: {summary['passed']} passed, {summary['failed']} failed, "
      f"{summary['skipped']} skipped (each with a reason in Metadata)")
for line in failed:
    print("     FAILED", line)
# checkov has no check for CloudWatch alarms: a template of alarms only passes nothing.
# That is accepted for such a template alone, read here to know what it holds.
from cfnlint.decode import cfn_yaml
types = {r["Type"] for r in cfn_yaml.load(path)["Resources"].values()}
unchecked = types <= {"AWS::CloudWatch::Alarm"}
if failed or summary["parsing_errors"] or (summary["passed"] == 0 and not unchecked):
    sys.exit(f"checkov: {name} has failed checks or was not parsed")
EOF
  done
}

run_pytest() {
  "$PYTHON" -m pytest -q -p no:cacheprovider "$INFRA/tests"
}

run_jest() {
  cd "$INFRA/cdk"
  npx --no-install jest --ci
  cd "$REPO"
}

total=$SECONDS
step "cdk synth" cdk_synth
step "cfn-lint" cfn_lint
step "checkov" run_checkov
step "pytest" run_pytest
step "jest" run_jest
echo "infra/test.sh: all checks passed in $((SECONDS - total)) s"
