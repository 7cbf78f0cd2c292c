"""CloudFormation conditions, evaluated offline: what a template creates for given parameters,
and whether one condition implies another.

A condition here is made of Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition and Ref (to a
parameter or pseudo parameter), which is all the templates use; anything else is an error.
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping

OTHER = "\x00any other value"


def evaluate(expr: Any, conditions: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    """The value of a condition expression (or of an operand of Fn::Equals) for `params`."""
    if isinstance(expr, (str, int, float, bool)):
        return str(expr) if not isinstance(expr, bool) else expr
    assert isinstance(expr, dict) and len(expr) == 1, f"not a condition: {expr}"
    ((fn, arg),) = expr.items()
    if fn == "Ref":
        assert arg in params, f"no value given for {arg}"
        return str(params[arg])
    if fn == "Condition":
        return evaluate(conditions[arg], conditions, params)
    if fn == "Fn::Equals":
        left, right = (evaluate(a, conditions, params) for a in arg)
        return left == right
    if fn == "Fn::Not":
        (inner,) = arg
        return not evaluate(inner, conditions, params)
    if fn == "Fn::And":
        return all(evaluate(a, conditions, params) for a in arg)
    if fn == "Fn::Or":
        return any(evaluate(a, conditions, params) for a in arg)
    raise AssertionError(f"{fn} is not a condition function this evaluator knows")


def holds(name: str, conditions: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    return bool(evaluate(conditions[name], conditions, params))


def _compared(expr: Any, conditions: Mapping[str, Any], out: dict[str, set[str]]) -> None:
    """Parameter -> the literals it is compared with (Fn::Equals), through named conditions."""
    if isinstance(expr, list):
        for e in expr:
            _compared(e, conditions, out)
        return
    if not isinstance(expr, dict):
        return
    if set(expr) == {"Condition"}:
        _compared(conditions[expr["Condition"]], conditions, out)
        return
    if set(expr) == {"Fn::Equals"}:
        refs = [a["Ref"] for a in expr["Fn::Equals"] if isinstance(a, dict) and set(a) == {"Ref"}]
        literals = [str(a) for a in expr["Fn::Equals"] if isinstance(a, (str, int))]
        for ref in refs:
            out.setdefault(ref, set()).update(literals)
        return
    for v in expr.values():
        _compared(v, conditions, out)


def assignments(names: list[str], conditions: Mapping[str, Any]):
    """Every way the parameters the named conditions read can matter: each compared literal,
    and a value equal to none of them."""
    compared: dict[str, set[str]] = {}
    for name in names:
        _compared(conditions[name], conditions, compared)
    params = sorted(compared)
    for values in itertools.product(*(sorted(compared[p]) + [OTHER] for p in params)):
        yield dict(zip(params, values))


def implies(first: str, second: str, conditions: Mapping[str, Any]) -> bool:
    """Whenever `first` holds, so does `second`."""
    return all(
        holds(second, conditions, params)
        for params in assignments([first, second], conditions)
        if holds(first, conditions, params)
    )
