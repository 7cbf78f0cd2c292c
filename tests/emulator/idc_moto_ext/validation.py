"""sso-admin input constraints, checked first on every sso-admin action (stock moto's included)."""

import functools
import json
import re
import unicodedata

from .errors import AwsError


# ---------------------------------------------------------------- sso-admin input constraints
# As the IAM Identity Center API reference documents them (length limits and pattern; AWS matches
# the pattern against the whole value): InstanceArn on every operation that takes one,
# ResourceArn (TaggableResourceArn) on the tag operations, the instance Name (NameType) of
# CreateInstance/UpdateInstance, the tags of CreateInstance/CreateApplication/TagResource and the
# keys of UntagResource, ListInstances' RegionScope. Older pages show the partition as
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
    # Tag (API_Tag): Key 1-128, Value 0-256, both of Unicode letters, separators, numbers and _.:/=+-@
    "TagKey": (1, 128, r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"),
    "TagValue": (0, 256, r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"),
}
_UNICODE_CLASSES = {r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)": ("LZN", "_.:/=+-@")}  # categories, literals
_TAG_OPS = {"TagResource", "UntagResource", "ListTagsForResource"}  # InstanceArn optional there
_NO_INSTANCE_ARN = {"CreateInstance", "ListInstances"}
_TAGS_IN = {"CreateInstance", "TagResource", "CreateApplication"}  # a Tags list (TagList) of Tag
_REGION_SCOPES = ("CURRENT_REGION", "ALL_REGIONS")  # ListInstances RegionScope (an enum)


def camel(member: str) -> str:
    return member[0].lower() + member[1:]


def _matches(pattern: str, value: str) -> bool:
    if pattern in _UNICODE_CLASSES:  # \p{..} classes, which Python's re lacks: Unicode categories
        categories, literals = _UNICODE_CLASSES[pattern]
        return all(unicodedata.category(c)[0] in categories or c in literals for c in value)
    return re.fullmatch(pattern, value, re.ASCII) is not None


def failed(shape: str, value) -> list[str]:
    """The constraints of `shape` that `value` fails, in AWS's words (length in characters)."""
    lo, hi, pattern = _CONSTRAINTS[shape]
    text = str(value)
    out = [f"Member must have length greater than or equal to {lo}"] if len(text) < lo else []
    if len(text) > hi:
        out.append(f"Member must have length less than or equal to {hi}")
    if not isinstance(value, str) or not _matches(pattern, value):
        out.append(f"Member must satisfy regular expression pattern: {pattern}")
    return out


def violations(shape: str, value, at: str | None = None) -> list[str]:
    """AWS's wording, one entry per failed constraint of a member of `shape` (absent: none), at
    `at` (the member's path: 'instanceArn', 'tags.1.member.key'; default: the shape's name)."""
    return [f"Value '{value}' at '{at or camel(shape)}' failed to satisfy constraint: {c}"
            for c in failed(shape, value)]


def _list_violations(action: str, p: dict) -> list[str]:
    """Tags (structures: 'tags.N.member.key', N from 1), TagKeys (strings: one clause for the whole
    list, naming each constraint some key fails) and the RegionScope enum, as AWS words them."""
    out = []
    for n, tag in enumerate((p.get("Tags") or []) if action in _TAGS_IN else [], 1):
        for field, shape in (("Key", "TagKey"), ("Value", "TagValue")):
            at = f"tags.{n}.member.{camel(field)}"
            if not isinstance(tag, dict) or tag.get(field) is None:
                out.append(f"Value null at '{at}' failed to satisfy constraint: Member must not be null")
            else:
                out += violations(shape, tag[field], at)
    keys = (p.get("TagKeys") or []) if action == "UntagResource" else []
    inner = sorted({c for k in keys for c in failed("TagKey", k)},  # in the order failed() names them
                   key=lambda c: ("greater" not in c, "less" not in c))
    if inner:
        out.append(f"Value '[{', '.join(map(str, keys))}]' at 'tagKeys' failed to satisfy constraint: "
                   f"Member must satisfy constraint: [{', '.join(inner)}]")
    scope = p.get("RegionScope") if action == "ListInstances" else None
    if scope is not None and scope not in _REGION_SCOPES:
        out.append(f"Value '{scope}' at 'regionScope' failed to satisfy constraint: "
                   f"Member must satisfy enum value set: [{', '.join(_REGION_SCOPES)}]")
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
            errors.append(f"Value null at '{camel(member)}' failed to satisfy constraint: Member must not be null")
    errors += _list_violations(action, p)
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
