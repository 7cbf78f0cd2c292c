"""sso-admin input constraints, checked first on every sso-admin action (stock moto's included)."""

import functools
import json
import re

from .errors import AwsError


# ---------------------------------------------------------------- sso-admin input constraints
# As the IAM Identity Center API reference documents them (length limits and pattern; AWS matches
# the pattern against the whole value): InstanceArn on every operation that takes one,
# ResourceArn (TaggableResourceArn) on the tag operations, the instance Name (NameType) of
# CreateInstance/UpdateInstance. Older pages show the partition as
# (aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b); today's, and the SDK model, aws(-[a-z]{1,5}){0,3}.
# `\w` is ASCII only, as in the Java regular expressions AWS validates with.
_CONSTRAINTS = {
    "InstanceArn": (10, 1224, r"arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}"),
    "ResourceArn": (10, 2048, r"arn:aws(-[a-z]{1,5}){0,3}:sso::((:instance/(sso)?ins-[a-zA-Z0-9-.]{16})"
                    r"|(:permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16})"
                    r"|(\d{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16})"
                    r"|(\d{12}:trustedTokenIssuer/(sso)?ins-[a-zA-Z0-9-.]{16}/tti-[a-f0-9]{8}-[a-f0-9]{4}"
                    r"-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}))"),
    "Name": (0, 255, r"[\w+=,.@-]+"),
}
_TAG_OPS = {"TagResource", "UntagResource", "ListTagsForResource"}  # InstanceArn optional there
_NO_INSTANCE_ARN = {"CreateInstance", "ListInstances"}


def violations(member: str, value) -> list[str]:
    """AWS's wording, one entry per failed constraint of `member` (absent: none)."""
    lo, hi, pattern = _CONSTRAINTS[member]
    at, text = f"Value '{value}' at '{member[0].lower()}{member[1:]}'", str(value)
    out = [f"{at} failed to satisfy constraint: Member must have length greater than or equal to {lo}"
           ] if len(text) < lo else []
    if len(text) > hi:
        out.append(f"{at} failed to satisfy constraint: Member must have length less than or equal to {hi}")
    if not isinstance(value, str) or not re.fullmatch(pattern, value, re.ASCII):
        out.append(f"{at} failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}")
    return out


def _validate(action: str, p: dict) -> None:
    """ValidationException (HTTP 400) listing every violated constraint, as AWS words it."""
    members = {} if action in _NO_INSTANCE_ARN else {"InstanceArn": action not in _TAG_OPS}  # -> required
    if action in _TAG_OPS:
        members["ResourceArn"] = True
    if action in ("CreateInstance", "UpdateInstance"):
        members["Name"] = False
    errors = []
    for member, required in members.items():
        if p.get(member) is not None:
            errors += violations(member, p[member])
        elif required:
            errors.append(f"Value null at '{member[0].lower()}{member[1:]}' failed to satisfy "
                          "constraint: Member must not be null")
    if errors:
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
        raise AwsError("ValidationException", f"{count}: {'; '.join(errors)}")


def validated(method):
    """Every sso-admin action, stock or ours, checks its input before anything else (as AWS)."""
    @functools.wraps(method)
    def action(self):
        _validate(self._get_action(), request_params(self))
        return method(self)
    return action


def request_params(self) -> dict:
    return json.loads(self.body or "{}")
