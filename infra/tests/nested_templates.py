"""The SAM deployment as one template: the top template with its nested applications inlined.

infra/template.yaml keeps each file short by nesting applications
(AWS::Serverless::Application with a local Location, which `sam build` and `sam deploy`
package). What is deployed is the union of all of them, so the checks read that union:
every nested resource, condition and output is moved into one template, a nested
parameter is replaced by the expression the parent passes for it, and a
`!GetAtt Child.Outputs.Name` by the child's output value. The result reads like a single
stack (logical ids are kept; two files defining the same id is an error), so the checks
written for one stack compare it with the CDK stack as they are.

A parent passes a conditional resource's value down as `!If [Cond, !GetAtt Child.Outputs.X,
""]` (the output exists only under Cond); inside a resource or output that exists only under
Cond, or under a condition that implies it, such an `Fn::If` is replaced by its first branch:
it is the value there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from cfn_conditions import implies

NESTED_TYPES = ("AWS::Serverless::Application", "AWS::CloudFormation::Stack")
# Which file each resource came from, e.g. to resolve a function's CodeUri.
SOURCES = "x-idc-sources"
NESTED = "x-idc-nested"

_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


def nested_location(resource: dict[str, Any]) -> str | None:
    """The local template file of a nested application or stack, if it has one."""
    if resource.get("Type") not in NESTED_TYPES:
        return None
    props = resource.get("Properties", {})
    location = props.get("Location") if resource["Type"] == NESTED_TYPES[0] else props.get("TemplateURL")
    if isinstance(location, str) and "://" not in location:
        return location
    return None


class _Scope:
    def __init__(self, template: dict[str, Any], path: Path, passed: dict[str, Any], parent: "_Scope | None"):
        self.template = template
        self.path = path
        self.passed = passed  # parameter -> the parent's expression (None at the top)
        self.parent = parent
        self.children: dict[str, _Scope] = {}


def flatten(path: Path, load: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    """The template at `path` with every local nested application inlined (recursively)."""
    top = _Scope(load(path), path, {}, None)
    merged: dict[str, Any] = {
        k: v for k, v in top.template.items() if k not in ("Resources", "Conditions", "Outputs")
    }
    merged["Conditions"] = {}
    merged["Resources"] = {}
    merged[SOURCES] = {}
    merged[NESTED] = {}
    _inline(top, merged, load)
    merged["Outputs"] = {k: _resolve(v, top) for k, v in top.template.get("Outputs", {}).items()}
    for section in ("Resources", "Outputs"):
        for k, v in merged[section].items():
            merged[section][k] = _under(v, v.get("Condition"), merged["Conditions"])
    if not merged["Conditions"]:
        del merged["Conditions"]
    return merged


def _inline(scope: _Scope, merged: dict[str, Any], load: Callable[[Path], dict[str, Any]]) -> None:
    resources = scope.template.get("Resources", {})
    for lid, res in resources.items():
        location = nested_location(res)
        if location:
            child_path = (scope.path.parent / location).resolve()
            passed = res.get("Properties", {}).get("Parameters", {})
            child = _Scope(load(child_path), child_path, passed, scope)
            declared = child.template.get("Parameters", {})
            missing = {p for p, spec in declared.items() if "Default" not in spec} - set(passed)
            assert not missing, f"{lid} ({location}) is not given {sorted(missing)}"
            unknown = set(passed) - set(declared)
            assert not unknown, f"{lid} ({location}) is given undeclared parameters {sorted(unknown)}"
            scope.children[lid] = child
            merged[NESTED][lid] = child_path
    for lid, res in resources.items():
        if lid in scope.children:
            _inline(scope.children[lid], merged, load)
            continue
        assert lid not in merged["Resources"], f"{lid} is defined twice ({scope.path.name})"
        merged["Resources"][lid] = _resolve(res, scope)
        merged[SOURCES][lid] = scope.path
    for name, cond in scope.template.get("Conditions", {}).items():
        value = _resolve(cond, scope)
        previous = merged["Conditions"].setdefault(name, value)
        assert previous == value, f"condition {name} means two things ({scope.path.name})"


def _under(value: Any, condition: str | None, conditions: dict[str, Any]) -> Any:
    """`value` of something that exists only under `condition`: each `Fn::If` on a condition it
    implies is its first branch. (Condition names mean one thing in every file: see _inline.)"""
    if condition is None:
        return value
    if isinstance(value, list):
        return [_under(v, condition, conditions) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Fn::If"} and implies(condition, value["Fn::If"][0], conditions):
        return _under(value["Fn::If"][1], condition, conditions)
    return {k: _under(v, condition, conditions) for k, v in value.items()}


def _param(scope: _Scope, name: str) -> Any:
    """A nested parameter's value: what the parent passes, resolved in the parent, or the default."""
    spec = scope.template["Parameters"][name]
    if name not in scope.passed:
        return spec["Default"]
    value = scope.passed[name]
    # A list goes down as text (nested stack parameters are strings): !Join [",", list].
    if spec.get("Type") == "CommaDelimitedList" and isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        if sep == "," and isinstance(parts, dict):
            value = parts
    assert scope.parent is not None
    return _resolve(value, scope.parent)


def _is_param(scope: _Scope, name: str) -> bool:
    return scope.parent is not None and name in scope.template.get("Parameters", {})


def _output(scope: _Scope, child_id: str, attr: str) -> Any:
    child = scope.children[child_id]
    assert attr.startswith("Outputs."), f"GetAtt {child_id}.{attr}: only outputs of a nested application"
    name = attr.split(".", 1)[1]
    outputs = child.template.get("Outputs", {})
    assert name in outputs, f"{child.path.name} has no output {name}"
    return _resolve(outputs[name]["Value"], child)


def _resolve(value: Any, scope: _Scope) -> Any:
    if isinstance(value, list):
        return [_resolve(v, scope) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref" and isinstance(arg, str) and _is_param(scope, arg):
            return _param(scope, arg)
        if key == "Fn::GetAtt":
            lid, attr = arg if isinstance(arg, list) else arg.split(".", 1)
            if lid in scope.children:
                return _output(scope, lid, attr)
        if key == "Fn::Sub":
            return _resolve_sub(arg, scope)
    return {k: _resolve(v, scope) for k, v in value.items()}


def _resolve_sub(arg: Any, scope: _Scope) -> Any:
    text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
    variables = {k: _resolve(v, scope) for k, v in variables.items()}

    def sub(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref in variables:
            return m.group(0)
        if "." in ref:
            lid, attr = ref.split(".", 1)
            if lid in scope.children:
                return _as_sub_text(_output(scope, lid, attr), ref)
            return m.group(0)
        if _is_param(scope, ref):
            return _as_sub_text(_param(scope, ref), ref)
        return m.group(0)

    text = _SUB_VAR.sub(sub, text)
    return {"Fn::Sub": [text, variables] if variables else text}


def _as_sub_text(value: Any, ref: str) -> str:
    """A resolved value written back into a Fn::Sub string."""
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return "${" + value["Ref"] + "}"
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        att = value["Fn::GetAtt"]
        return "${" + (".".join(att) if isinstance(att, list) else att) + "}"
    raise AssertionError(f"${{{ref}}} in a Fn::Sub stands for {value}: pass a Ref, a GetAtt or text")
