"""The evaluator's multivalued condition keys: `aws:TagKeys` under `ForAnyValue:`.

IAM user guide, "Set operators for multivalued context keys": `ForAnyValue:`
holds when at least one value of the request's set matches at least one value
of the policy; it is false when the key is absent from the request or its set
is empty. A multivalued key is only read under a set operator, a set operator
only over a multivalued key: the evaluator raises for the other combinations
instead of guessing.
"""

from __future__ import annotations

from typing import Any

import pytest

from scp_evaluator import EXPLICIT_DENY, FULL_AWS_ACCESS, Request, UnsupportedPolicy, evaluate, permits

ADMIN = "arn:aws:iam::333333333333:role/Admin"
SECURITY = "arn:aws:iam::111111111111:role/Security"
KEY = "idc-guardrail-exempt"


def deny(condition: dict[str, Any], action: str = "sso:TagResource") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*", "Condition": condition}],
    }


def tag(*keys: str, principal: str = ADMIN) -> Request:
    return Request("sso:TagResource", principal, tag_keys=keys)


ANY_KEY = deny({"ForAnyValue:StringEquals": {"aws:TagKeys": [KEY, "other"]}})


@pytest.mark.parametrize(
    ("keys", "denied"),
    [
        ((KEY,), True),
        (("other",), True),
        (("team", KEY, "cost"), True),  # one match among several is enough
        (("team", "cost"), False),
        ((), False),  # no tag keys in the request: the key is absent, ForAnyValue is false
    ],
    ids=["the key", "another listed key", "the key among others", "no listed key", "no keys"],
)
def test_for_any_value_holds_when_some_request_value_matches(keys, denied):
    assert permits(ANY_KEY, tag(*keys)) is not denied


def test_string_equals_on_tag_keys_is_case_sensitive():
    """`StringEquals` compares exactly: a key in another case is another key."""
    assert not permits(ANY_KEY, tag(KEY))
    assert permits(ANY_KEY, tag(KEY.upper()))
    assert permits(ANY_KEY, tag("Idc-Guardrail-Exempt"))
    assert permits(ANY_KEY, tag(f"{KEY}-2"))


def test_for_any_value_string_like_takes_wildcards():
    scp = deny({"ForAnyValue:StringLike": {"aws:TagKeys": ["idc-*"]}})
    assert not permits(scp, tag("team", "idc-trial"))
    assert permits(scp, tag("team", "IDC-trial"))
    assert permits(scp, tag())


def test_condition_key_names_are_case_insensitive():
    scp = deny({"ForAnyValue:StringEquals": {"AWS:TagKeys": KEY}})
    assert not permits(scp, tag(KEY))
    assert permits(scp, tag("team"))


def test_the_set_operator_and_the_principal_condition_must_both_hold():
    scp = deny(
        {
            "ForAnyValue:StringEquals": {"aws:TagKeys": [KEY]},
            "ArnNotLike": {"aws:PrincipalArn": [SECURITY]},
        }
    )
    assert evaluate([FULL_AWS_ACCESS, scp], tag(KEY)) == EXPLICIT_DENY
    assert permits(scp, tag(KEY, principal=SECURITY))
    assert permits(scp, tag("team"))


def test_requests_without_tags_have_no_tag_keys():
    assert Request("sso:CreateInstance", ADMIN).context_set("aws:TagKeys") == ()
    assert Request("sso:UntagResource", ADMIN, tag_keys=(KEY,)).context_set("AWS:TAGKEYS") == (KEY,)


UNSUPPORTED = {
    "ForAllValues": {"ForAllValues:StringEquals": {"aws:TagKeys": [KEY]}},
    "ForAnyValue with a negated operator": {"ForAnyValue:StringNotEquals": {"aws:TagKeys": [KEY]}},
    "ForAnyValue with an ARN operator": {"ForAnyValue:ArnLike": {"aws:TagKeys": [KEY]}},
    "ForAnyValue of an unknown operator": {"ForAnyValue:Bool": {"aws:TagKeys": ["true"]}},
    "ForAnyValue on a single-valued key": {"ForAnyValue:StringEquals": {"aws:PrincipalArn": [ADMIN]}},
    "a multivalued key without a set operator": {"StringEquals": {"aws:TagKeys": [KEY]}},
    "aws:RequestTag": {"StringEquals": {f"aws:RequestTag/{KEY}": "yes"}},
    "aws:ResourceTag": {"StringEquals": {f"aws:ResourceTag/{KEY}": "yes"}},
    "IfExists": {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": [KEY]}},
}


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_unsupported_set_conditions_raise_even_when_nothing_else_matches(name):
    """Raised while the policy is read, before any request is matched against it."""
    with pytest.raises(UnsupportedPolicy):
        evaluate([FULL_AWS_ACCESS, deny(UNSUPPORTED[name], action="s3:GetObject")], tag(KEY))
