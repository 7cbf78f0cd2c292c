"""The service control policies in infra/scp.

AWS Organizations limits an SCP to 5,120 bytes (not characters). The console
strips white space outside quoted strings before counting; the CLI and SDKs
store the document exactly as sent (`aws organizations create-policy --content
file://...` sends the pretty file). So both the file as it is and its minified
form must fit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cfn_templates import REPO, SCP_DIR

SCP_LIMIT_BYTES = 5120
SCPS = sorted(SCP_DIR.glob("*.json"))
# The variants that stop new account instances: (operator, key) of their exemption.
CREATE_INSTANCE_SCPS = sorted(SCP_DIR.glob("deny-create-instance*.json"))
EXPECTED = {
    "deny-create-instance.json": None,
    "deny-create-instance-allow-accounts.json": ("StringNotEquals", "aws:PrincipalAccount"),
    "deny-create-instance-break-glass.json": ("ArnNotLike", "aws:PrincipalArn"),
}
# The policies that protect the guardrail itself (test_scp_protection.py,
# test_scp_exempt_tag.py evaluate them).
PROTECTION = {"protect-guardrail.json", "protect-exempt-tag.json"}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_all_variants_present():
    assert {p.name for p in CREATE_INSTANCE_SCPS} == set(EXPECTED)
    assert {p.name for p in SCPS} == set(EXPECTED) | PROTECTION


@pytest.mark.parametrize("path", SCPS, ids=[p.name for p in SCPS])
def test_scp_is_a_plain_document(path):
    doc = load(path)
    assert set(doc) == {"Version", "Statement"}
    assert doc["Version"] == "2012-10-17"
    sids = [s.get("Sid") for s in doc["Statement"]]
    assert all(sids) and len(set(sids)) == len(sids), "every statement has its own Sid"
    for s in doc["Statement"]:
        assert "Principal" not in s and "NotPrincipal" not in s, "SCPs take no Principal"


@pytest.mark.parametrize("path", SCPS, ids=[p.name for p in SCPS])
def test_scp_fits_the_size_limit(path):
    raw = path.read_bytes()
    minified = json.dumps(load(path), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert len(raw) <= SCP_LIMIT_BYTES, f"{path.name}: {len(raw)} bytes as stored"
    assert len(minified) <= SCP_LIMIT_BYTES, f"{path.name}: {len(minified)} bytes minified"


@pytest.mark.parametrize("path", CREATE_INSTANCE_SCPS, ids=[p.name for p in CREATE_INSTANCE_SCPS])
def test_scp_is_a_valid_deny_of_create_instance(path):
    doc = load(path)
    assert set(doc) == {"Version", "Statement"}
    assert doc["Version"] == "2012-10-17"
    statements = doc["Statement"]
    assert isinstance(statements, list) and statements
    denies = []
    for s in statements:
        assert "Principal" not in s and "NotPrincipal" not in s, "SCPs take no Principal"
        assert s["Effect"] in ("Allow", "Deny")
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        if s["Effect"] == "Deny" and "sso:CreateInstance" in actions:
            denies.append(s)
    assert len(denies) == 1
    (deny,) = denies
    assert deny["Resource"] == "*"
    expected = EXPECTED[path.name]
    if expected is None:
        assert "Condition" not in deny, "the plain variant denies everyone"
    else:
        operator, key = expected
        assert list(deny["Condition"]) == [operator]
        assert list(deny["Condition"][operator]) == [key]


def test_scp_readme_documents_limits():
    text = (SCP_DIR / "README.md").read_text().lower()
    for needle in ("5,120", "existing", "standalone", "management account"):
        assert needle in text, needle


def test_scp_readme_names_every_placeholder():
    """Every account id, role, rule and stack name and tag key a file carries is
    named in the README (a placeholder to replace, or a name it explains)."""
    import re

    text = (SCP_DIR / "README.md").read_text()
    for path in SCPS:
        raw = path.read_text()
        doc = load(path)
        tag_keys = [
            key
            for s in doc["Statement"]
            for op in s.get("Condition", {}).values()
            for name, values in op.items()
            if name.lower() == "aws:tagkeys"
            for key in (values if isinstance(values, list) else [values])
        ]
        placeholders = (
            set(re.findall(r"\b[0-9]{12}\b", raw))
            | set(re.findall(r":(?:role|rule|stack)/([A-Za-z0-9+=,.@_/*-]+)", raw))
            | set(tag_keys)
        )
        for placeholder in placeholders:
            assert f"`{placeholder}`" in text, (path.name, placeholder)


def _sed_edits_of_the_guides():
    from cfn_templates import INFRA
    from guide_commands import commands

    for guide in (INFRA / "README.md", SCP_DIR / "README.md"):
        for c in commands(guide):
            if c.argv[0] == "sed" and c.argv[-1].startswith("infra/scp/"):
                yield c


SED_EDITS = list(_sed_edits_of_the_guides())


@pytest.mark.parametrize("command", SED_EDITS, ids=[c.source for c in SED_EDITS])
def test_every_placeholder_the_guides_replace_is_in_the_file(command):
    """A `sed` of the guides that replaces text no longer in the policy would
    silently leave the policy as shipped."""
    text = (REPO / command.argv[-1]).read_text()
    scripts = [command.argv[i + 1] for i, a in enumerate(command.argv) if a == "-e"]
    assert scripts, command
    for script in scripts:
        assert script.startswith("s"), script
        delimiter = script[1]
        pattern = script.split(delimiter)[1]
        assert pattern in text, f"{command.source}: `{pattern}` is not in {command.argv[-1]}"


def test_the_guides_edit_every_policy_with_placeholders():
    assert len(SED_EDITS) >= 3
