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
# keys of UntagResource, ListInstances' RegionScope, the ApplicationProviderArn of
# DescribeApplicationProvider/CreateApplication, and ApplicationArn, PrincipalId and PrincipalType
# of the application assignment operations. Older pages show the partition as
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
    "ApplicationProviderArn": (10, 1224, r"arn:aws(-[a-z]{1,5}){0,3}:sso::aws:applicationProvider/[a-zA-Z0-9-/]+"),
    "ApplicationArn": (10, 1224, r"arn:aws(-[a-z]{1,5}){0,3}:sso::\d{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}"
                       r"/apl-[a-zA-Z0-9]{16}"),
    "PrincipalId": (1, 47, r"([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}"
                    r"-[A-Fa-f0-9]{12}"),
    # DisplayData of an application provider (DisplayName, Description: no pattern; IconUrl)
    "DisplayName": (1, 100, None),
    "Description": (1, 128, None),
    "IconUrl": (1, 768, r"(http|https):\/\/.*"),
    # Tag (API_Tag): Key 1-128, Value 0-256, both of Unicode letters, separators, numbers and _.:/=+-@
    "TagKey": (1, 128, r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"),
    "TagValue": (0, 256, r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"),
}
_UNICODE_CLASSES = {r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)": ("LZN", "_.:/=+-@")}  # categories, literals
_TAG_OPS = {"TagResource", "UntagResource", "ListTagsForResource"}  # InstanceArn optional there
_ASSIGNMENT_OPS = {"CreateApplicationAssignment", "DeleteApplicationAssignment", "DescribeApplicationAssignment"}
_NO_INSTANCE_ARN = {"CreateInstance", "ListInstances", "DescribeApplicationProvider", "ListApplicationProviders",
                    "ListApplicationAssignments", *_ASSIGNMENT_OPS}
_TAGS_IN = {"CreateInstance", "TagResource", "CreateApplication"}  # a Tags list (TagList) of Tag
# The other members each action takes, in order, and whether each is required.
_MEMBERS = {
    "CreateInstance": {"Name": False}, "UpdateInstance": {"Name": False},
    "ListInstances": {"RegionScope": False},
    "DescribeApplicationProvider": {"ApplicationProviderArn": True},
    "CreateApplication": {"ApplicationProviderArn": True},
    "ListApplicationAssignments": {"ApplicationArn": True},
    **{op: {"ApplicationArn": True, "PrincipalId": True, "PrincipalType": True} for op in _ASSIGNMENT_OPS},
    **{op: {"ResourceArn": True} for op in _TAG_OPS},
}
# Enums (AWS's wording: "Member must satisfy enum value set: [A, B]").
_ENUMS = {"RegionScope": ("CURRENT_REGION", "ALL_REGIONS"), "PrincipalType": ("USER", "GROUP")}


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
    if pattern is not None and (not isinstance(value, str) or not _matches(pattern, value)):
        out.append(f"Member must satisfy regular expression pattern: {pattern}")
    return out


def violations(shape: str, value, at: str | None = None) -> list[str]:
    """AWS's wording, one entry per failed constraint of a member of `shape` (absent: none), at
    `at` (the member's path: 'instanceArn', 'tags.1.member.key'; default: the shape's name)."""
    return [f"Value '{value}' at '{at or camel(shape)}' failed to satisfy constraint: {c}"
            for c in failed(shape, value)]


def _list_violations(action: str, p: dict) -> list[str]:
    """Tags (structures: 'tags.N.member.key', N from 1) and TagKeys (strings: one clause for the
    whole list, naming each constraint some key fails), as AWS words them."""
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
    return out


def _member_violations(member: str, value, required: bool) -> list[str]:
    if value is None:
        return ([f"Value null at '{camel(member)}' failed to satisfy constraint: Member must not be null"]
                if required else [])
    if member in _ENUMS:
        return [] if value in _ENUMS[member] else [
            f"Value '{value}' at '{camel(member)}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(_ENUMS[member])}]"]
    return violations(member, value)


def _validate(action: str, p: dict) -> None:
    """ValidationException (HTTP 400) listing every violated constraint, as AWS words it."""
    members = {} if action in _NO_INSTANCE_ARN else {"InstanceArn": action not in _TAG_OPS}  # -> required
    members.update(_MEMBERS.get(action, {}))
    errors = [e for member, required in members.items() for e in _member_violations(member, p.get(member), required)]
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
