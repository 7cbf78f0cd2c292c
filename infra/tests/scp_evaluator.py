"""A deliberately small evaluator of service control policies, for the SCP tests.

The local AWS emulator checks no IAM permissions, so the SCPs in infra/scp are
tested against this evaluator instead. It implements exactly the policy
features those files use, following the documented evaluation logic of SCPs
(AWS Organizations user guide, "SCP evaluation"; IAM user guide, "Policy
evaluation logic" and "IAM JSON policy elements: Condition operators"):

- The SCPs that apply to an account (e.g. the default ``FullAWSAccess`` and a
  guardrail SCP, attached at the same level) are evaluated together. An
  explicit ``Deny`` in any of them wins; otherwise the request is permitted only
  if some ``Allow`` statement matches; otherwise it is implicitly denied.
  "Permitted" means the SCPs do not stand in the way: the principal's own
  policies must still allow the call.
- A statement matches a request when its ``Action`` (or ``NotAction``), its
  ``Resource`` and all of its ``Condition`` entries match.
- ``Action``/``NotAction``: ``service:Name`` patterns with ``*`` and ``?``,
  matched case-insensitively.
- ``Resource``: ``*``, or an ARN pattern matched like ``ArnLike``.
- ``Condition``: every operator, and every key under it, must hold (AND). Values
  listed for one key are ORed for the positive operators; the negated operators
  (``StringNotEquals``, ``StringNotLike``, ``ArnNotEquals``, ``ArnNotLike``) hold
  when the context value matches none of them.
- ``StringEquals``: exact, case-sensitive. ``StringLike``: case-sensitive with
  ``*`` (any run of characters) and ``?`` (one character).
- ``ArnEquals``/``ArnLike`` (the IAM guide gives both the same semantics): the
  six colon-separated parts of the ARN are compared one by one, case-sensitive,
  each with ``*`` and ``?``; a value that is not an ARN matches nothing.
- Condition keys: ``aws:PrincipalArn`` (for a role session, the role's ARN) and
  ``aws:PrincipalAccount`` (the principal's account), single-valued and always
  present for the IAM principals of these tests; and ``aws:TagKeys``,
  multivalued: the tag keys of the request (the tags that ``CreateInstance`` or
  ``TagResource`` sets, the keys that ``UntagResource`` removes), absent when
  the request carries none. Condition key names are case-insensitive.
- ``ForAnyValue:StringEquals`` / ``ForAnyValue:StringLike`` (IAM user guide,
  "Set operators for multivalued context keys"): true when at least one value
  of the request's set matches at least one value of the policy; false when
  the key is absent or its set is empty. A set operator applies only to a
  multivalued key, and a multivalued key only under a set operator (the guide
  warns against the other combinations; here they raise).

Anything else (``NotResource``, ``Principal``, other operators such as ``Bool``,
the ``...IfExists`` and ``ForAllValues:`` forms, ``ForAnyValue:`` with a
negated or ARN operator, other condition keys such as ``aws:RequestTag/...``,
policy variables, unknown statement elements) raises ``UnsupportedPolicy``: a
policy this evaluator cannot read must never look permitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

SUPPORTED_STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "Condition"}
SINGLE_VALUED_KEYS = {"aws:principalarn", "aws:principalaccount"}
MULTIVALUED_KEYS = {"aws:tagkeys"}
SUPPORTED_CONDITION_KEYS = SINGLE_VALUED_KEYS | MULTIVALUED_KEYS
SET_OPERATOR = "ForAnyValue:"
# The operators a set operator may qualify: the positive string operators.
SET_OPERANDS = {"StringEquals", "StringLike"}

ALLOWED = "allowed"
EXPLICIT_DENY = "explicit deny"
IMPLICIT_DENY = "implicit deny"

FULL_AWS_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
"""The AWS managed SCP attached to every root, OU and account by default."""


class UnsupportedPolicy(ValueError):
    """The policy uses something this evaluator does not implement."""


@dataclass(frozen=True)
class Request:
    """One API call by an IAM principal of a member account."""

    action: str
    principal_arn: str
    resource: str = "*"
    tag_keys: tuple[str, ...] = ()
    """``aws:TagKeys``: the tag keys the request sets or removes; empty = absent."""

    @property
    def principal_account(self) -> str:
        return _arn_parts(self.principal_arn)[4]

    def context(self, key: str) -> str:
        key = key.lower()
        if key == "aws:principalarn":
            return self.principal_arn
        if key == "aws:principalaccount":
            return self.principal_account
        raise UnsupportedPolicy(f"condition key {key}")

    def context_set(self, key: str) -> tuple[str, ...]:
        """The values of a multivalued key; empty when the request has none."""
        if key.lower() == "aws:tagkeys":
            return self.tag_keys
        raise UnsupportedPolicy(f"multivalued condition key {key}")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _arn_parts(arn: str) -> list[str]:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn}")
    return parts


def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL
    return re.fullmatch(regex, value, flags) is not None


def _arn_like(pattern: str, value: str) -> bool:
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6 or value_parts[0] != "arn":
        return False
    return all(_glob(p, v) for p, v in zip(pattern_parts, value_parts))


def _string_equals(pattern: str, value: str) -> bool:
    return pattern == value


# Operator -> (matcher of one policy value against the context value, negated).
OPERATORS = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringLike": (_glob, False),
    "StringNotLike": (_glob, True),
    "ArnEquals": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnLike": (_arn_like, False),
    "ArnNotLike": (_arn_like, True),
}


def _validate(statement: dict[str, Any]) -> None:
    """Raise UnsupportedPolicy unless every element is one this module implements."""
    unknown = set(statement) - SUPPORTED_STATEMENT_KEYS
    if unknown:
        raise UnsupportedPolicy(f"statement element(s) {sorted(unknown)}")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise UnsupportedPolicy(f"effect {statement.get('Effect')!r}")
    if ("Action" in statement) == ("NotAction" in statement):
        raise UnsupportedPolicy("a statement needs exactly one of Action and NotAction")
    if "Resource" not in statement:
        raise UnsupportedPolicy("a statement needs a Resource")
    patterns = _as_list(statement.get("Action", statement.get("NotAction"))) + _as_list(statement["Resource"])
    condition = statement.get("Condition", {})
    if not isinstance(condition, dict):
        raise UnsupportedPolicy("Condition must be a map of operators")
    for operator, entries in condition.items():
        set_operator, base = _split_operator(operator)
        if not isinstance(entries, dict) or not entries:
            raise UnsupportedPolicy(f"{operator}: expected a map of condition keys")
        for key, values in entries.items():
            if key.lower() not in SUPPORTED_CONDITION_KEYS:
                raise UnsupportedPolicy(f"condition key {key}")
            if set_operator and key.lower() not in MULTIVALUED_KEYS:
                raise UnsupportedPolicy(f"{operator} on the single-valued key {key}")
            if not set_operator and key.lower() in MULTIVALUED_KEYS:
                raise UnsupportedPolicy(f"{base} on the multivalued key {key} without a set operator")
            values = _as_list(values)
            if not values:
                raise UnsupportedPolicy(f"{operator} {key}: no values")
            patterns += values
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern:
            raise UnsupportedPolicy(f"expected a non-empty string, got {pattern!r}")
        if "${" in pattern:
            raise UnsupportedPolicy(f"policy variable in {pattern!r}")


def _split_operator(operator: str) -> tuple[bool, str]:
    """(qualified by ForAnyValue:, the base operator); raises for anything unsupported."""
    set_operator = operator.startswith(SET_OPERATOR)
    base = operator[len(SET_OPERATOR):] if set_operator else operator
    if base not in OPERATORS or (set_operator and base not in SET_OPERANDS):
        raise UnsupportedPolicy(f"condition operator {operator}")
    return set_operator, base


def _conditions_hold(condition: dict[str, Any], request: Request) -> bool:
    for operator, entries in condition.items():
        set_operator, base = _split_operator(operator)
        matches, negated = OPERATORS[base]
        for key, values in entries.items():
            if set_operator:
                # ForAnyValue: some value of the request matches some value of the
                # policy; an absent key or an empty set matches nothing.
                context_set = request.context_set(key)
                if not any(matches(v, c) for c in context_set for v in _as_list(values)):
                    return False
                continue
            context = request.context(key)
            if any(matches(v, context) for v in _as_list(values)) == negated:
                return False
    return True


def _statement_matches(statement: dict[str, Any], request: Request) -> bool:
    if "Action" in statement:
        if not any(_glob(a, request.action, ignore_case=True) for a in _as_list(statement["Action"])):
            return False
    elif any(_glob(a, request.action, ignore_case=True) for a in _as_list(statement["NotAction"])):
        return False
    if not any(r == "*" or _arn_like(r, request.resource) for r in _as_list(statement["Resource"])):
        return False
    return _conditions_hold(statement.get("Condition", {}), request)


def _statements(policy: dict[str, Any]) -> Iterable[dict[str, Any]]:
    unknown = set(policy) - {"Version", "Statement", "Id"}
    if unknown:
        raise UnsupportedPolicy(f"policy element(s) {sorted(unknown)}")
    if policy.get("Version") != "2012-10-17":
        raise UnsupportedPolicy(f"policy version {policy.get('Version')!r}")
    for statement in _as_list(policy["Statement"]):
        if not isinstance(statement, dict):
            raise UnsupportedPolicy(f"statement {statement!r}")
        _validate(statement)
        yield statement


def evaluate(policies: list[dict[str, Any]], request: Request) -> str:
    """ALLOWED, EXPLICIT_DENY or IMPLICIT_DENY for the request under these SCPs.

    Every statement of every policy is checked before it is matched, even after
    an earlier match: an unsupported element anywhere raises, never skipped.
    """
    denied = allowed = False
    for policy in policies:
        for statement in _statements(policy):
            if _statement_matches(statement, request):
                if statement["Effect"] == "Deny":
                    denied = True
                else:
                    allowed = True
    if denied:
        return EXPLICIT_DENY
    return ALLOWED if allowed else IMPLICIT_DENY


def permits(scp: dict[str, Any], request: Request) -> bool:
    """Whether ``scp``, attached next to ``FullAWSAccess``, lets the request through."""
    return evaluate([FULL_AWS_ACCESS, scp], request) == ALLOWED
