"""Entity representations: compile a Fetch's ``requires`` once, then build and de-duplicate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    FieldNode,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    is_abstract_type,
)

from supergraph.json_types import JSONObject

__all__ = ["RequiresShape", "compile_requires", "dedup_key", "requires_shape"]

# (response key to read, representation key to write, nested shape for composite fields)
_FieldSpec = tuple[str, str, "_Selection | None"]


@dataclass(frozen=True, slots=True)
class _Selection:
    """Fields to copy, with fields under type conditions kept per condition."""

    fields: tuple[_FieldSpec, ...]
    by_type: tuple[tuple[str, tuple[_FieldSpec, ...]], ...]


_MISSING = object()


def _compile(selection_set: SelectionSetNode) -> _Selection:
    fields: list[_FieldSpec] = []
    by_type: list[tuple[str, tuple[_FieldSpec, ...]]] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields.append(_compile_field(selection))
        elif isinstance(selection, InlineFragmentNode):
            inner = _compile(selection.selection_set)
            if selection.type_condition is None:
                fields.extend(inner.fields)
                by_type.extend(inner.by_type)
            else:
                by_type.append((selection.type_condition.name.value, inner.fields))
    return _Selection(tuple(fields), tuple(by_type))


def _compile_field(node: FieldNode) -> _FieldSpec:
    name = node.name.value
    key = node.alias.value if node.alias else name
    nested = _compile(node.selection_set) if node.selection_set else None
    return (key, name, nested)


class RequiresShape:
    """Builds one representation from one object, or None when a required field is missing."""

    __slots__ = ("_applies", "_selection")

    def __init__(self, selection: _Selection, applies: Callable[[str, str | None], bool]) -> None:
        self._selection = selection
        self._applies = applies

    def build(self, obj: Any) -> JSONObject | None:
        """The representation of ``obj`` (``None`` skips it).

        An object no type condition applies to yields no ``__typename`` and is skipped:
        the fetch is not for its type.
        """
        representation = self._build(self._selection, obj)
        if representation is None or "__typename" not in representation:
            return None
        return representation

    def select(self, obj: Any) -> JSONObject | None:
        """The selected fields of ``obj`` without the ``__typename`` check (None if missing)."""
        return self._build(self._selection, obj)

    def _build(self, selection: _Selection, obj: Any) -> JSONObject | None:
        if not isinstance(obj, dict):
            return None
        out: dict[str, Any] = {}
        if not self._copy(selection.fields, obj, out):
            return None
        typename = obj.get("__typename")
        for condition, fields in selection.by_type:
            if self._applies(condition, typename) and not self._copy(fields, obj, out):
                return None
        return out

    def _copy(self, fields: tuple[_FieldSpec, ...], obj: JSONObject, out: JSONObject) -> bool:
        for key, name, nested in fields:
            value = obj.get(key, _MISSING)
            if value is _MISSING:
                return False
            if nested is not None and value is not None:
                value = self._nested(nested, value)
                if value is _MISSING:
                    return False
            out[name] = value
        return True

    def _nested(self, nested: _Selection, value: Any) -> Any:
        if isinstance(value, list):
            items = [None if item is None else self._nested(nested, item) for item in value]
            return _MISSING if _MISSING in items else items
        built = self._build(nested, value)
        return _MISSING if built is None else built


def _type_matcher(schema: GraphQLSchema | None) -> Callable[[str, str | None], bool]:
    known: dict[tuple[str, str], bool] = {}

    def is_possible(condition: str, typename: str) -> bool:
        if schema is None:
            return False
        abstract = schema.get_type(condition)
        concrete = schema.get_type(typename)
        if abstract is None or concrete is None or not is_abstract_type(abstract):
            return False
        return schema.is_sub_type(abstract, concrete)

    def applies(condition: str, typename: str | None) -> bool:
        if condition == typename:
            return True
        if typename is None:
            return False
        answer = known.get((condition, typename))
        if answer is None:
            answer = known[(condition, typename)] = is_possible(condition, typename)
        return answer

    return applies


# Plans are cached by the router, so requires nodes live long; keyed by identity because
# hashing a graphql-core AST walks all of it.
_compiled: dict[int, tuple[SelectionSetNode, GraphQLSchema | None, RequiresShape]] = {}
_MAX_COMPILED = 4096


def compile_requires(
    requires: SelectionSetNode, schema: GraphQLSchema | None = None
) -> RequiresShape:
    """Compile a ``requires`` selection set (uncached)."""
    return RequiresShape(_compile(requires), _type_matcher(schema))


def requires_shape(requires: SelectionSetNode, schema: GraphQLSchema | None) -> RequiresShape:
    """The compiled shape for ``requires``, compiled once per plan node."""
    entry = _compiled.get(id(requires))
    if entry is not None and entry[0] is requires and entry[1] is schema:
        return entry[2]
    if len(_compiled) >= _MAX_COMPILED:
        _compiled.clear()
    shape = compile_requires(requires, schema)
    _compiled[id(requires)] = (requires, schema, shape)
    return shape


def dedup_key(representation: Mapping[str, Any]) -> bytes:
    """Canonical JSON of a representation, equal for equal representations."""
    return orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
