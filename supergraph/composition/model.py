"""Data passed between composition stages: subgraph input, normalized subgraph schemas, errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "BUILTIN_SCALARS",
    "Applied",
    "ArgumentDef",
    "CompositionError",
    "DirectiveDef",
    "EnumValueDef",
    "FieldDef",
    "KeyDef",
    "Subgraph",
    "SubgraphDefinition",
    "TypeDef",
    "TypeKind",
]

BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]


@dataclass(frozen=True)
class SubgraphDefinition:
    """One subgraph to compose: its name, the URL the router reaches it at, and its SDL."""

    name: str
    url: str
    sdl: str


class CompositionError(Exception):
    """Composition failed; `messages` lists every problem found, naming subgraphs and fields."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("Composition failed:\n" + "\n".join(f"- {m}" for m in self.messages))


@dataclass(frozen=True)
class Applied:
    """A directive application carried to the supergraph, by its supergraph name.

    `args` is the printed argument list, `values` the same arguments as a JSON object.
    """

    name: str
    args: str = ""
    values: str = "{}"

    def printed(self) -> str:
        return f"@{self.name}{self.args}"


@dataclass(frozen=True)
class ArgumentDef:
    """An argument of a field, or a field of an input object type.

    A contextual argument (@fromContext) has its supergraph `context` name and `selection`.
    """

    name: str
    type: str
    default: str | None = None
    description: str | None = None
    directives: tuple[Applied, ...] = ()
    context: str | None = None
    selection: str | None = None


@dataclass(frozen=True)
class FieldDef:
    """A field of an object or interface type (or an input field), with its federation traits."""

    name: str
    type: str
    args: tuple[ArgumentDef, ...] = ()
    description: str | None = None
    default: str | None = None
    external: bool = False
    provided: bool = False
    shareable: bool = False
    used: bool = False
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    override_label: str | None = None
    directives: tuple[Applied, ...] = ()

    @property
    def fully_external(self) -> bool:
        return self.external and not self.provided


@dataclass(frozen=True)
class KeyDef:
    """One @key of a type in a subgraph."""

    fields: str
    resolvable: bool | None
    extension: bool


@dataclass(frozen=True)
class EnumValueDef:
    """A value of an enum type."""

    name: str
    description: str | None = None
    directives: tuple[Applied, ...] = ()


@dataclass(frozen=True)
class TypeDef:
    """A named type of a subgraph, its definition and extensions folded together."""

    kind: TypeKind
    name: str
    description: str | None = None
    fields: tuple[FieldDef, ...] = ()
    interfaces: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    values: tuple[EnumValueDef, ...] = ()
    keys: tuple[KeyDef, ...] = ()
    interface_object: bool = False
    has_definition: bool = True
    directives: tuple[Applied, ...] = ()

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class DirectiveDef:
    """An executable directive a subgraph defines (only executable locations are kept)."""

    name: str
    description: str | None
    args: tuple[ArgumentDef, ...]
    repeatable: bool
    locations: tuple[str, ...]


@dataclass(frozen=True)
class Subgraph:
    """A subgraph schema normalized for merging: federation directives resolved to traits."""

    name: str
    url: str
    federation_minor: int
    types: Mapping[str, TypeDef] = field(default_factory=dict)
    roots: Mapping[str, str] = field(default_factory=dict)
    directives: Mapping[str, DirectiveDef] = field(default_factory=dict)
