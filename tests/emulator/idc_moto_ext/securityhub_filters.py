"""securityhub GetFindings ``Filters``: the StringFilter fields a custom product's findings are read
by, as the API reference's StringFilter defines the comparisons (stock moto ignores Filters and
returns every finding).

Per field, ``EQUALS``, ``PREFIX`` and ``CONTAINS`` filters are joined by OR, ``NOT_EQUALS``,
``PREFIX_NOT_EQUALS`` and ``NOT_CONTAINS`` by AND, and a finding must satisfy both groups; fields
are joined by AND. Values are case sensitive. The combinations the reference says return an error
(``CONTAINS`` with any other comparison, ``NOT_CONTAINS`` likewise, ``EQUALS`` with ``NOT_EQUALS``
or ``PREFIX_NOT_EQUALS``) answer ``InvalidInputException``; so does ``CONTAINS_WORD`` (the reference:
only in the V2 APIs) and any filter field not modelled here, rather than silently matching all.
"""

from typing import Any, Callable

from moto.securityhub.exceptions import SecurityHubClientError


def _top(name: str) -> Callable[[dict], list]:
    return lambda f: [f.get(name)]


def _nested(outer: str, inner: str) -> Callable[[dict], list]:
    return lambda f: [(f.get(outer) or {}).get(inner)]


def _resources(inner: str) -> Callable[[dict], list]:
    return lambda f: [r.get(inner) for r in f.get("Resources") or [] if isinstance(r, dict)]


# Filter name (AwsSecurityFindingFilters) -> the finding's values it compares (a list: a finding
# has several resources and types).
FIELDS: dict[str, Callable[[dict], list]] = {
    **{name: _top(name) for name in ("Id", "ProductArn", "GeneratorId", "AwsAccountId", "Title",
                                      "Description", "Region", "RecordState", "ProductName", "CompanyName")},
    "WorkflowStatus": _nested("Workflow", "Status"),
    "ComplianceStatus": _nested("Compliance", "Status"),
    "SeverityLabel": _nested("Severity", "Label"),
    "Type": lambda f: list(f.get("Types") or []),
    "ResourceType": _resources("Type"),
    "ResourceId": _resources("Id"),
    "ResourceRegion": _resources("Region"),
    "ResourcePartition": _resources("Partition"),
}
_POSITIVE = {"EQUALS": lambda v, x: v == x, "PREFIX": lambda v, x: v.startswith(x),
             "CONTAINS": lambda v, x: x in v}
_NEGATIVE = {"NOT_EQUALS": lambda v, x: v != x, "PREFIX_NOT_EQUALS": lambda v, x: not v.startswith(x),
             "NOT_CONTAINS": lambda v, x: x not in v}


def _invalid(message: str) -> SecurityHubClientError:
    return SecurityHubClientError("InvalidInputException", message)


def check(filters: Any) -> dict[str, list[dict]]:
    """The filters, validated: InvalidInputException (HTTP 400) for what AWS refuses or the
    emulator does not model."""
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise _invalid("Filters must be an object.")
    for name, criteria in filters.items():
        if name not in FIELDS:
            raise _invalid(f"The emulator does not model the GetFindings filter {name} "
                           f"(modelled: {', '.join(sorted(FIELDS))}).")
        if not isinstance(criteria, list):
            raise _invalid(f"Filter {name} must be a list of StringFilter.")
        used = set()
        for c in criteria:
            comparison = c.get("Comparison") if isinstance(c, dict) else None
            if comparison == "CONTAINS_WORD":
                raise _invalid("CONTAINS_WORD works only in GetFindingsV2, GetFindingStatisticsV2, "
                               "GetResourcesV2 and GetResourcesStatisticsV2.")
            if comparison not in _POSITIVE and comparison not in _NEGATIVE or not isinstance(c.get("Value"), str):
                raise _invalid(f"Filter {name}: each StringFilter needs a Value and a Comparison among "
                               f"{', '.join([*_POSITIVE, *_NEGATIVE])}.")
            used.add(comparison)
        for alone in ("CONTAINS", "NOT_CONTAINS"):
            if alone in used and len(used) > 1:
                raise _invalid(f"Filter {name}: {alone} filters can only be used with other {alone} filters.")
        if "EQUALS" in used and used & {"NOT_EQUALS", "PREFIX_NOT_EQUALS"}:
            raise _invalid(f"Filter {name}: EQUALS cannot be combined with NOT_EQUALS or PREFIX_NOT_EQUALS "
                           "on the same field.")
    return filters


def matches(finding: dict, filters: dict[str, list[dict]]) -> bool:
    """A finding with no value for a field matches none of its positive filters and every negative
    one (an assumption: the reference does not say)."""
    for name, criteria in filters.items():
        values = [v for v in FIELDS[name](finding) if isinstance(v, str)]
        positive = [c for c in criteria if c["Comparison"] in _POSITIVE]
        if positive and not any(_POSITIVE[c["Comparison"]](v, c["Value"]) for c in positive for v in values):
            return False
        for c in criteria:
            if c["Comparison"] in _NEGATIVE and not all(_NEGATIVE[c["Comparison"]](v, c["Value"]) for v in values):
                return False
    return True
