"""The merged supergraph, ready to print: every element carries its printed directives."""

from __future__ import annotations

from dataclasses import dataclass

from .model import TypeKind

__all__ = [
    "MergedArgument",
    "MergedDirective",
    "MergedEnumValue",
    "MergedField",
    "MergedGraph",
    "MergedType",
    "SupergraphModel",
]


@dataclass(frozen=True)
class MergedArgument:
    """A field argument in the supergraph."""

    name: str
    type: str
    default: str | None
    description: str | None
    directives: tuple[str, ...]


@dataclass(frozen=True)
class MergedField:
    """A field (or input field) in the supergraph."""

    name: str
    type: str
    args: tuple[MergedArgument, ...]
    description: str | None
    directives: tuple[str, ...]
    default: str | None = None


@dataclass(frozen=True)
class MergedEnumValue:
    """An enum value in the supergraph."""

    name: str
    description: str | None
    directives: tuple[str, ...]


@dataclass(frozen=True)
class MergedType:
    """A named type in the supergraph."""

    kind: TypeKind
    name: str
    description: str | None
    directives: tuple[str, ...]
    interfaces: tuple[str, ...] = ()
    fields: tuple[MergedField, ...] = ()
    members: tuple[str, ...] = ()
    values: tuple[MergedEnumValue, ...] = ()


@dataclass(frozen=True)
class MergedDirective:
    """An executable directive definition every subgraph shares."""

    name: str
    description: str | None
    args: tuple[MergedArgument, ...]
    repeatable: bool
    locations: tuple[str, ...]


@dataclass(frozen=True)
class MergedGraph:
    """One `join__Graph` value: enum name, subgraph name, URL."""

    enum_name: str
    name: str
    url: str


@dataclass(frozen=True)
class SupergraphModel:
    """Everything the printer needs: links, roots, graphs, spec elements and merged types."""

    links: tuple[str, ...]
    roots: tuple[tuple[str, str], ...]
    graphs: tuple[MergedGraph, ...]
    directive_definitions: tuple[tuple[str, str], ...]
    spec_types: tuple[tuple[str, str], ...]
    types: tuple[MergedType, ...]
    executable_directives: tuple[MergedDirective, ...] = ()
