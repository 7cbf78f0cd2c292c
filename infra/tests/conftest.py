"""Fixtures of the infrastructure checks: the three templates, loaded once."""

from __future__ import annotations

from typing import Any

import pytest

from cfn_templates import CDK_TEMPLATE, MEMBER_TEMPLATE, SAM_TEMPLATE, load_cfn, load_deployment


@pytest.fixture(scope="session")
def sam() -> dict[str, Any]:
    return load_deployment(SAM_TEMPLATE)


@pytest.fixture(scope="session")
def member() -> dict[str, Any]:
    return load_cfn(MEMBER_TEMPLATE)


@pytest.fixture(scope="session")
def cdk() -> dict[str, Any]:
    if not CDK_TEMPLATE.is_file():
        pytest.fail(
            f"{CDK_TEMPLATE} is missing: synthesize the CDK app first "
            "(infra/test.sh does; or set IDC_CDK_TEMPLATE)"
        )
    return load_cfn(CDK_TEMPLATE)
