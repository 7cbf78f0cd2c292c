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

from cfn_templates import SCP_DIR

SCP_LIMIT_BYTES = 5120
SCPS = sorted(SCP_DIR.glob("*.json"))
EXPECTED = {
    "deny-create-instance.json": None,
    "deny-create-instance-allow-accounts.json": ("StringNotEquals", "aws:PrincipalAccount"),
    "deny-create-instance-break-glass.json": ("ArnNotLike", "aws:PrincipalArn"),
}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_all_variants_present():
    assert {p.name for p in SCPS} == set(EXPECTED)


@pytest.mark.parametrize("path", SCPS, ids=[p.name for p in SCPS])
def test_scp_fits_the_size_limit(path):
    raw = path.read_bytes()
    minified = json.dumps(load(path), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert len(raw) <= SCP_LIMIT_BYTES, f"{path.name}: {len(raw)} bytes as stored"
    assert len(minified) <= SCP_LIMIT_BYTES, f"{path.name}: {len(minified)} bytes minified"


@pytest.mark.parametrize("path", SCPS, ids=[p.name for p in SCPS])
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
    """Every account id and role name a file carries is a placeholder the README
    tells the reader to replace."""
    import re

    text = (SCP_DIR / "README.md").read_text()
    for path in SCPS:
        raw = path.read_text()
        placeholders = set(re.findall(r"\b[0-9]{12}\b", raw)) | set(re.findall(r":role/([A-Za-z0-9+=,.@_-]+)", raw))
        for placeholder in placeholders:
            assert f"`{placeholder}`" in text, (path.name, placeholder)
