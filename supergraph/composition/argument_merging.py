"""Apollo's argument composition strategies for non-repeatable merged directives."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["MERGEABLE", "dnf_conjunction", "merge_applications", "print_python_value"]

Values = list[dict[str, Any]]


def print_python_value(value: Any) -> str:
    """A JSON-like Python value printed as a GraphQL literal, the way Apollo prints it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(print_python_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}: {print_python_value(v)}" for k, v in value.items()) + "}"


def dnf_conjunction(values: Sequence[list[list[str]]]) -> list[list[str]]:
    """AND of several OR-of-ANDs scope lists, as Apollo's DNF_CONJUNCTION computes it."""
    if not values:
        return []
    normalized = [[sorted(inner) for inner in (v or [[]])] for v in values]
    filtered: list[list[list[str]]] = []
    for value in normalized:
        value.sort(key=json.dumps)
        if value not in filtered:
            filtered.append(value)
    result = filtered[0]
    for current in filtered[1:]:
        accumulator: list[list[str]] = []
        for acc_element in result:
            for element in current:
                candidate = sorted([*acc_element, *(e for e in element if e not in acc_element)])
                if candidate not in accumulator:
                    accumulator.append(candidate)
        result = _drop_subsumed(accumulator)
    return result


def _drop_subsumed(values: list[list[str]]) -> list[list[str]]:
    result: list[list[str]] = []
    for candidate in sorted(values, key=len):
        if not any(set(r) <= set(candidate) for r in result):
            result.append(candidate)
    return result


def _nullable(merge: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
    def merged(values: list[Any]) -> Any:
        present = [v for v in values if v is not None]
        return merge(present) if present else None

    return merged


def _union(values: list[list[Any]]) -> list[Any]:
    result: list[Any] = []
    for value in values:
        result.extend(v for v in value if v not in result)
    return result


# directive -> (argument, default, strategy) in definition order
MERGEABLE: dict[str, tuple[tuple[str, Any, Callable[[list[Any]], Any]], ...]] = {
    "cost": (("weight", None, max),),
    "listSize": (
        ("assumedSize", None, _nullable(max)),
        ("slicingArguments", None, _nullable(_union)),
        ("sizedFields", None, _nullable(_union)),
        ("requireOneSlicingArgument", True, _nullable(all)),
    ),
    "requiresScopes": (("scopes", None, dnf_conjunction),),
    "policy": (("policies", None, dnf_conjunction),),
}


def merge_applications(name: str, applications: Values) -> str:
    """The printed argument list merging differing applications of directive `name`."""
    merged = []
    for argument, default, strategy in MERGEABLE[name]:
        values = [a.get(argument, default) for a in applications]
        value = strategy(values)
        if value is not None:
            merged.append(f"{argument}: {print_python_value(value)}")
    return f"({', '.join(merged)})" if merged else ""
