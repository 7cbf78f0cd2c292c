"""Every checkov check skipped in a template is explained where it is skipped."""

from __future__ import annotations

import re

import pytest

from cfn_templates import CDK_TEMPLATE, MEMBER_TEMPLATE, load_cfn, sam_template_files

CHECK_ID = re.compile(r"^CKV2?_AWS_\d+$")


@pytest.mark.parametrize(
    "path", [*sam_template_files(), MEMBER_TEMPLATE, CDK_TEMPLATE], ids=lambda p: p.name
)
def test_skips_carry_a_reason(path):
    if not path.is_file():
        pytest.fail(f"{path} is missing")
    template = load_cfn(path)
    for lid, res in template["Resources"].items():
        skips = (res.get("Metadata") or {}).get("checkov", {}).get("skip", [])
        for skip in skips:
            assert CHECK_ID.match(skip.get("id", "")), f"{lid}: bad check id {skip}"
            assert len(skip.get("comment", "").strip()) >= 20, f"{lid}: {skip['id']} needs a reason"
