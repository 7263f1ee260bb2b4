"""Print GraphQL values the way Apollo's `valueToString` does (compact objects, JSON strings)."""

from __future__ import annotations

import json

from graphql import ListValueNode, ObjectValueNode, StringValueNode, ValueNode, print_ast

__all__ = ["print_value"]


def print_value(node: ValueNode) -> str:
    """`{a: 1, b: [1, 2]}` rather than graphql-core's `{ a: 1, b: [1, 2] }`."""
    if isinstance(node, ObjectValueNode):
        return "{" + ", ".join(f"{f.name.value}: {print_value(f.value)}" for f in node.fields) + "}"
    if isinstance(node, ListValueNode):
        return "[" + ", ".join(print_value(v) for v in node.values) + "]"
    if isinstance(node, StringValueNode):
        return json.dumps(node.value, ensure_ascii=False)
    return print_ast(node)
