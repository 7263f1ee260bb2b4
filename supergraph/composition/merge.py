"""Merge normalized subgraphs into a supergraph model, following @apollo/composition's rules."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .argument_merging import MERGEABLE, merge_applications
from .fieldsets import base_type_name
from .model import BUILTIN_SCALARS, Applied, ArgumentDef, FieldDef, Subgraph, TypeDef, TypeKind
from .specs import (
    FEATURE_SPECS,
    LINK_DIRECTIVE,
    LINK_TYPES,
    FeatureSpec,
    join_elements,
    join_version_for,
)
from .supergraph_model import (
    MergedArgument,
    MergedDirective,
    MergedEnumValue,
    MergedField,
    MergedGraph,
    MergedType,
    SupergraphModel,
)
from .types import is_strict_subtype

__all__ = ["merge_subgraphs", "printed_subgraphs"]

ACCESS_CONTROL = ("authenticated", "requiresScopes", "policy")
KIND_NAMES = {
    "object": "Object Type",
    "interface": "Interface Type",
    "union": "Union Type",
    "enum": "Enum Type",
    "input": "Input Object Type",
    "scalar": "Scalar Type",
}
OVERRIDE_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
OVERRIDE_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


def printed_subgraphs(names: Sequence[str]) -> str:
    """Apollo's `subgraph "a"` / `subgraphs "a", "b" and "c"`."""
    quoted = [f'"{n}"' for n in names]
    if len(quoted) == 1:
        return f"subgraph {quoted[0]}"
    return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _printed_types(names: Sequence[str]) -> str:
    quoted = [f'"{n}"' for n in names]
    if len(quoted) == 1:
        return f"type {quoted[0]}"
    return "types " + ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _sanitize_graph_name(name: str) -> str:
    sanitized = re.sub(r"\W", "_", name)
    if re.match(r"^\d", sanitized):
        sanitized = "_" + sanitized
    if re.search(r"_\d+$", sanitized):
        sanitized += "_"
    return sanitized.upper()


def _graph_enum_names(names: Sequence[str]) -> dict[str, str]:
    by_sanitized: dict[str, list[str]] = {}
    for name in names:
        by_sanitized.setdefault(_sanitize_graph_name(name), []).append(name)
    result: dict[str, str] = {}
    for sanitized, members in by_sanitized.items():
        if len(members) == 1:
            result[members[0]] = sanitized
            continue
        for index, member in enumerate(members):
            result[member] = f"{sanitized}_{index + 1}"
    return result


def _merge_description(descriptions: Sequence[str | None]) -> str | None:
    present = [d for d in descriptions if d is not None]
    distinct = list(dict.fromkeys(present))
    if len(distinct) <= 1:
        return distinct[0] if distinct else None
    non_empty = [d for d in distinct if d]
    if len(non_empty) == 1:
        return non_empty[0]
    counts = [present.count(d) if d else -1 for d in distinct]
    return distinct[counts.index(max(counts))]


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _join_directive(name: str, args: Sequence[tuple[str, str | None]]) -> str:
    present = [f"{k}: {v}" for k, v in args if v is not None]
    return f"@{name}({', '.join(present)})" if present else f"@{name}"


@dataclass
class _OverrideContext:
    """Per-subgraph override facts for one field (Apollo's FieldMergeContext)."""

    used_overridden: set[int] = field(default_factory=set)
    unused_overridden: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)


FieldSources = list[tuple[int, FieldDef | None]]


class _Merger:
    """One composition run: holds subgraphs, collected errors and merged type facts."""

    def __init__(self, subgraphs: Sequence[Subgraph]) -> None:
        self.subgraphs = list(subgraphs)
        self.names = [s.name for s in self.subgraphs]
        self.graph = _graph_enum_names(self.names)
        self.errors: list[str] = []
        self.kinds: dict[str, TypeKind] = {}
        self.specs = self._used_specs()
        self.access_control = [s.name for s in self.specs if s.name in ACCESS_CONTROL]
        self._implementations: dict[str, list[str]] | None = None
        self._returner_cache: dict[str, dict[str, set[int] | None]] | None = None

    def graph_of(self, index: int) -> str:
        return self.graph[self.names[index]]

    # -- specs and shallow type facts ---------------------------------------------------------

    def _used_specs(self) -> list[FeatureSpec]:
        used: list[str] = []
        for subgraph in self.subgraphs:
            names = _applied_names(subgraph)
            for spec in FEATURE_SPECS:
                if spec.name not in used and any(d in names for d, _ in spec.directives):
                    used.append(spec.name)
        self.listsize_used = any("listSize" in _applied_names(s) for s in self.subgraphs)
        return [spec for name in used for spec in FEATURE_SPECS if spec.name == name]

    def _collect_kinds(self) -> list[str]:
        order: list[str] = []
        seen: dict[str, list[tuple[str, TypeKind]]] = {}
        for subgraph in self.subgraphs:
            for name, type_def in subgraph.types.items():
                if name not in seen:
                    order.append(name)
                seen.setdefault(name, []).append((subgraph.name, type_def.kind))
        for name in order:
            kinds = seen[name]
            self.kinds[name] = kinds[0][1]
            if len({k for _, k in kinds}) > 1:
                self._kind_mismatch(name, kinds)
        for name in order:
            self._check_interface_object(name)
        return order

    def _kind_mismatch(self, name: str, kinds: list[tuple[str, TypeKind]]) -> None:
        by_kind: dict[str, list[str]] = {}
        for subgraph, kind in kinds:
            by_kind.setdefault(KIND_NAMES[kind], []).append(subgraph)
        parts = [f"{kind} in {printed_subgraphs(subs)}" for kind, subs in by_kind.items()]
        self.errors.append(
            f'Type "{name}" has mismatched kind: it is defined as {parts[0]} but '
            + " and ".join(parts[1:])
        )

    def _check_interface_object(self, name: str) -> None:
        defs = [s.types[name] for s in self.subgraphs if name in s.types]
        if not any(d.interface_object for d in defs) or any(
            d.kind == "interface" and not d.interface_object for d in defs
        ):
            return
        holders = [s.name for s in self.subgraphs if name in s.types]
        self.errors.append(
            f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which it '
            f"is defined (it is defined in {printed_subgraphs(holders)} but should be defined "
            "as an interface in at least one subgraph)"
        )

    def sources(self, name: str) -> list[tuple[int, TypeDef]]:
        kind = self.kinds[name]
        return [
            (i, s.types[name])
            for i, s in enumerate(self.subgraphs)
            if name in s.types and s.types[name].kind == kind
        ]

    def implementations(self, interface: str) -> list[str]:
        if self._implementations is None:
            found: dict[str, list[str]] = {}
            for name, kind in self.kinds.items():
                if kind not in ("object", "interface"):
                    continue
                for implemented in dict.fromkeys(
                    i for _, t in self.sources(name) for i in t.interfaces
                ):
                    found.setdefault(implemented, []).append(name)
            self._implementations = found
        return self._implementations.get(interface, [])

    def union_members(self, union: str) -> list[str]:
        return list(dict.fromkeys(m for _, t in self.sources(union) for m in t.members))

    def is_direct_subtype(self, abstract: str, named: str) -> bool:
        if self.kinds.get(abstract) == "union":
            return self.kinds.get(named) == "object" and named in self.union_members(abstract)
        if self.kinds.get(abstract) == "interface":
            return named in self.implementations(abstract)
        return False

    def is_strict_subtype(self, ref: str, maybe_sub: str) -> bool:
        return is_strict_subtype(ref, maybe_sub, self.is_direct_subtype)

    # -- applied directives -------------------------------------------------------------------

    def merged_directives(
        self,
        per_source: Sequence[Sequence[Applied]],
        access_first: bool,
        access_extras: Sequence[Sequence[Applied]] = (),
    ) -> tuple[list[str], list[str]]:
        """(@inaccessible if any, the other merged directives in Apollo's order).

        `access_extras` are access-control applications an interface inherits from its
        implementations.
        """
        names = list(dict.fromkeys(d.name for ds in per_source for d in ds))
        inaccessible = ["@inaccessible"] if "inaccessible" in names else []
        names = [n for n in names if n != "inaccessible"]
        if not access_first:
            return inaccessible, [d for n in names for d in self._merge_one(n, per_source)]
        extra_names = {d.name for ds in access_extras for d in ds}
        access = [n for n in self.access_control if n in names or n in extra_names]
        merged = [d for n in access for d in self._merge_one(n, [*per_source, *access_extras])]
        rest = [d for n in names if n not in access for d in self._merge_one(n, per_source)]
        return inaccessible, merged + rest

    def access_extras(self, interface: str, field_name: str | None) -> list[tuple[Applied, ...]]:
        """Access-control applications of the implementations of `interface` (or its field)."""
        if self.kinds.get(interface) != "interface" or not self.access_control:
            return []
        objects = {n for n in self.implementations(interface) if self.kinds[n] == "object"}
        extras: list[tuple[Applied, ...]] = []
        for subgraph in self.subgraphs:
            for access in self.access_control:
                for type_def in subgraph.types.values():
                    if type_def.kind != "object" or type_def.name not in objects:
                        continue
                    extras.extend(
                        (d,) for d in _access_applications(type_def, field_name) if d.name == access
                    )
        return extras

    def _merge_one(self, name: str, per_source: Sequence[Sequence[Applied]]) -> list[str]:
        applications = [d.printed() for ds in per_source for d in ds if d.name == name]
        distinct = list(dict.fromkeys(applications))
        if name == "tag" or len(distinct) == 1:
            return distinct
        if name in MERGEABLE:
            by_printed = {d.printed(): d for ds in per_source for d in ds if d.name == name}
            values = [json.loads(by_printed[p].values) for p in distinct]
            return [f"@{name}{merge_applications(name, values)}"]
        counts = [applications.count(d) for d in distinct]
        return [distinct[counts.index(max(counts))]]

    # -- merging ------------------------------------------------------------------------------

    def merge(self) -> SupergraphModel:
        order = self._collect_kinds()
        self.enum_usage = self._enum_usage()
        merged: dict[str, MergedType] = {}
        for name in order:
            result = self._merge_type(name)
            if result is not None:
                merged[name] = result
        self._add_interface_object_fields(merged)
        roots = tuple(
            (op, default)
            for op, default in (
                ("query", "Query"),
                ("mutation", "Mutation"),
                ("subscription", "Subscription"),
            )
            if default in merged and any(op in s.roots for s in self.subgraphs)
        )
        if not any(op == "query" for op, _ in roots):
            self.errors.append(
                "No queries found in any subgraph: a supergraph must have a query root type."
            )
        self._check_reachability(merged, [name for _, name in roots])
        return self._model(roots, merged)

    def _model(
        self, roots: tuple[tuple[str, str], ...], merged: dict[str, MergedType]
    ) -> SupergraphModel:
        minor = max((s.federation_minor for s in self.subgraphs), default=0)
        join_version = join_version_for(minor)
        join_directives, join_types = join_elements(join_version)
        links = [
            '@link(url: "https://specs.apollo.dev/link/v1.0")',
            f'@link(url: "https://specs.apollo.dev/join/{join_version}", for: EXECUTION)',
        ]
        directives = [LINK_DIRECTIVE, *join_directives]
        spec_types = [*LINK_TYPES, *join_types]
        for spec in self.specs:
            links.append(self._link(spec))
            for name, rest in spec.directives:
                printed = self._spec_directive_name(spec, name)
                directives.append((printed, f"directive @{printed}{rest}"))
            spec_types.extend(spec.types)
        graphs = tuple(
            MergedGraph(self.graph[n], n, s.url)
            for n, s in zip(self.names, self.subgraphs, strict=True)
        )
        return SupergraphModel(
            executable_directives=self._merge_executable_directives(),
            links=tuple(links),
            roots=roots,
            graphs=graphs,
            directive_definitions=tuple(directives),
            spec_types=tuple(spec_types),
            types=tuple(merged.values()),
        )

    def _merge_executable_directives(self) -> tuple[MergedDirective, ...]:
        names = dict.fromkeys(n for s in self.subgraphs for n in s.directives)
        merged = []
        for name in names:
            sources = [(i, s.directives.get(name)) for i, s in enumerate(self.subgraphs)]
            present = [(i, d) for i, d in sources if d is not None]
            if len(present) < len(sources):
                continue
            locations = [loc for loc in present[0][1].locations]
            for _, directive in present[1:]:
                locations = [loc for loc in locations if loc in directive.locations]
            if not locations:
                continue
            as_fields = [(i, FieldDef(name, "", args=d.args)) for i, d in present]
            merged.append(
                MergedDirective(
                    name,
                    _merge_description([d.description for _, d in present]),
                    self._merge_arguments(f"@{name}", as_fields),
                    all(d.repeatable for _, d in present),
                    tuple(locations),
                )
            )
        return tuple(merged)

    def _spec_directive_name(self, spec: FeatureSpec, name: str) -> str:
        if name == spec.name or (name == "listSize" and self.listsize_used):
            return name
        return f"{spec.name}__{name}"

    def _link(self, spec: FeatureSpec) -> str:
        args = [f"url: {_quote(spec.url)}"]
        if spec.name == "cost" and self.listsize_used:
            args.append('import: ["@listSize"]')
        if spec.purpose:
            args.append(f"for: {spec.purpose}")
        return f"@link({', '.join(args)})"

    def _enum_usage(self) -> dict[str, set[str]]:
        usage: dict[str, set[str]] = {}
        for subgraph in self.subgraphs:
            for type_def in subgraph.types.values():
                position = "input" if type_def.kind == "input" else "output"
                for field_def in type_def.fields:
                    usage.setdefault(base_type_name(field_def.type), set()).add(position)
                    for argument in field_def.args:
                        usage.setdefault(base_type_name(argument.type), set()).add("input")
        return usage

    def _join_types(self, name: str) -> list[str]:
        result = []
        defined = any(t.has_definition for _, t in self.sources(name))
        for index, type_def in self.sources(name):
            graph = self.graph_of(index)
            # Apollo's fed-1 upgrade turns an extension into a definition when another
            # subgraph defines the type.
            upgraded = self.subgraphs[index].federation_minor < 0 and defined
            io = "true" if type_def.interface_object else None
            if not type_def.keys:
                result.append(
                    _join_directive("join__type", [("graph", graph), ("isInterfaceObject", io)])
                )
                continue
            for key in type_def.keys:
                resolvable = None if key.resolvable is None else str(key.resolvable).lower()
                args = [
                    ("graph", graph),
                    ("key", _quote(key.fields)),
                    ("extension", "true" if key.extension and not upgraded else None),
                    ("resolvable", resolvable),
                    ("isInterfaceObject", io),
                ]
                result.append(_join_directive("join__type", args))
        return result

    def _merge_type(self, name: str) -> MergedType | None:
        sources = self.sources(name)
        kind = self.kinds[name]
        self._check_extension_base(name, sources)
        description = _merge_description([t.description for _, t in sources])
        inaccessible, others = self.merged_directives(
            [t.directives for _, t in sources],
            access_first=kind == "interface",
            access_extras=self.access_extras(name, None),
        )
        join_types = self._join_types(name)
        if kind in ("object", "interface"):
            implements = [(i, itf) for i, t in sources for itf in t.interfaces]
            interfaces = tuple(dict.fromkeys(itf for _, itf in implements))
            join_impl = [
                f"@join__implements(graph: {self.graph_of(i)}, interface: {_quote(itf)})"
                for i, itf in implements
            ]
            if kind == "interface":
                self._validate_interface(name, sources)
            fields = self._merge_fields(name, kind, sources)
            if not fields:
                return None
            directives = [*join_impl, *join_types, *inaccessible, *others]
            return MergedType(kind, name, description, tuple(directives), interfaces, fields)
        if kind == "union":
            members = tuple(self.union_members(name))
            join_members = [
                f"@join__unionMember(graph: {self.graph_of(i)}, member: {_quote(m)})"
                for m in members
                for i, t in sources
                if m in t.members
            ]
            directives = [*join_types, *inaccessible, *join_members, *others]
            return MergedType(kind, name, description, tuple(directives), members=members)
        directives = [*join_types, *inaccessible, *others]
        if kind == "enum":
            values = self._merge_enum_values(name, sources)
            return MergedType(kind, name, description, tuple(directives), values=values)
        if kind == "input":
            fields = self._merge_input_fields(name, sources)
            return MergedType(kind, name, description, tuple(directives), fields=fields)
        return MergedType(kind, name, description, tuple(directives))

    def _validate_interface(self, name: str, sources: list[tuple[int, TypeDef]]) -> None:
        objects = [n for n in self.implementations(name) if self.kinds[n] == "object"]
        for index, type_def in sources:
            subgraph = self.subgraphs[index]
            defined = [n for n in objects if n in subgraph.types]
            if type_def.interface_object:
                if defined:
                    self.errors.append(
                        f'[{subgraph.name}] Interface type "{name}" is defined as an '
                        f'@interfaceObject in subgraph "{subgraph.name}" so that subgraph should '
                        f'not define any of the implementation types of "{name}", but it defines '
                        f"{_printed_types(defined)}"
                    )
                continue
            key = next((k for k in type_def.keys if k.resolvable is not False), None)
            implemented = [n for n in defined if name in subgraph.types[n].interfaces]
            missing = [n for n in objects if n not in implemented]
            if key is None or not missing:
                continue
            pronoun = "them" if len(missing) > 1 else "it"
            self.errors.append(
                f'[{subgraph.name}] Interface type "{name}" has a resolvable key '
                f'(@key(fields: {_quote(key.fields)})) in subgraph "{subgraph.name}" but that '
                f'subgraph is missing some of the supergraph implementation types of "{name}". '
                f'Subgraph "{subgraph.name}" should define {_printed_types(missing)} (and have '
                f'{pronoun} implement "{name}").'
            )

    def _check_extension_base(self, name: str, sources: list[tuple[int, TypeDef]]) -> None:
        if name in ("Query", "Mutation", "Subscription"):
            return
        if any(t.has_definition for _, t in sources):
            return
        for index, _ in sources:
            self.errors.append(
                f'[{self.names[index]}] Type "{name}" is an extension type, but there is no '
                f'type definition for "{name}" in any subgraph.'
            )

    # -- object and interface fields ----------------------------------------------------------

    def _merge_fields(
        self, type_name: str, kind: TypeKind, sources: list[tuple[int, TypeDef]]
    ) -> tuple[MergedField, ...]:
        names = list(dict.fromkeys(f.name for _, t in sources for f in t.fields))
        merged = []
        for field_name in names:
            field_sources: FieldSources = [(i, t.field(field_name)) for i, t in sources]
            context = self._validate_override(type_name, field_name, field_sources)
            result = self._merge_field(type_name, field_name, field_sources, context)
            if kind == "object" and result is not None:
                self._validate_reachable_field(type_name, field_name, field_sources)
                self._validate_sharing(type_name, field_name, field_sources, context)
                self._validate_shared_runtime_types(type_name, result, field_sources)
            if result is not None:
                merged.append(result)
        return tuple(merged)

    def _merge_field(
        self, type_name: str, name: str, sources: FieldSources, context: _OverrideContext
    ) -> MergedField | None:
        coordinate = f"{type_name}.{name}"
        present = [(i, f) for i, f in sources if f is not None]
        if all(f.external for _, f in present):
            defining = [self.names[i] for i, _ in present]
            self.errors.append(
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
                f"listed ({printed_subgraphs(defining)})."
            )
            return None
        resolving = [(i, f) for i, f in present if not f.external]
        description = _merge_description([f.description for _, f in resolving])
        inaccessible, others = self.merged_directives(
            [f.directives for _, f in resolving],
            access_first=True,
            access_extras=self.access_extras(type_name, name),
        )
        args = self._merge_arguments(coordinate, resolving)
        field_type, all_equal = self._merge_type_reference(
            f'field "{coordinate}"', resolving, is_input=False
        )
        if field_type is None:
            return None
        self._validate_external(coordinate, present, field_type, all_equal)
        joins = self._join_fields(type_name, sources, all_equal, context)
        return MergedField(name, field_type, args, description, (*inaccessible, *joins, *others))

    def _merge_type_reference(
        self, what: str, sources: Sequence[tuple[int, FieldDef | ArgumentDef]], is_input: bool
    ) -> tuple[str | None, bool]:
        dest: str | None = None
        all_equal = True
        incompatible = False
        for _, source in sources:
            if dest is None or dest == source.type:
                dest = dest or source.type
                continue
            all_equal = False
            if self.is_strict_subtype(dest, source.type):
                dest = source.type if is_input else dest
            elif self.is_strict_subtype(source.type, dest):
                dest = dest if is_input else source.type
            else:
                incompatible = True
        if incompatible and dest is not None:
            self.errors.append(
                f"Type of {what} is incompatible across subgraphs: it has "
                + self._distribution(sources, dest)
            )
        return dest, all_equal

    def _distribution(
        self, sources: Sequence[tuple[int, FieldDef | ArgumentDef]], dest: str
    ) -> str:
        by_type: dict[str, list[str]] = {dest: []}
        for index, source in sources:
            by_type.setdefault(source.type, []).append(self.names[index])
        parts = [f'type "{t}" in {printed_subgraphs(n)}' for t, n in by_type.items() if n]
        return parts[0] + (" but " + " and ".join(parts[1:]) if parts[1:] else "")

    def _validate_external(
        self, coordinate: str, present: list[tuple[int, FieldDef]], dest: str, all_equal: bool
    ) -> None:
        externals = [(i, f) for i, f in present if f.external]
        invalid = [
            f
            for _, f in externals
            if f.type != dest and (all_equal or not self.is_strict_subtype(dest, f.type))
        ]
        if invalid:
            self.errors.append(
                f'Type of field "{coordinate}" is incompatible across subgraphs (where marked '
                f"@external): it has {self._distribution(present, dest)}"
            )

    def _merge_arguments(
        self, coordinate: str, sources: list[tuple[int, FieldDef]]
    ) -> tuple[MergedArgument, ...]:
        names = list(dict.fromkeys(a.name for _, f in sources for a in f.args))
        contextual = {a.name for _, f in sources for a in f.args if a.context is not None}
        merged = []
        for name in names:
            if name in contextual:
                continue
            arg_sources = [
                (i, next((a for a in f.args if a.name == name), None)) for i, f in sources
            ]
            present = [(i, a) for i, a in arg_sources if a is not None]
            if len(present) < len(arg_sources):
                required = [
                    self.names[i] for i, a in present if a.type.endswith("!") and a.default is None
                ]
                if required:
                    missing = [self.names[i] for i, a in arg_sources if a is None]
                    self.errors.append(
                        f'Argument "{coordinate}({name}:)" is required in some subgraphs but '
                        f"does not appear in all subgraphs: it is required in "
                        f"{printed_subgraphs(required)} but does not appear in "
                        f"{printed_subgraphs(missing)}"
                    )
                continue
            arg_type, _ = self._merge_type_reference(
                f'argument "{coordinate}({name}:)"', present, is_input=True
            )
            if arg_type is None:
                continue
            inaccessible, others = self.merged_directives(
                [a.directives for _, a in present], access_first=False
            )
            merged.append(
                MergedArgument(
                    name,
                    arg_type,
                    self._merge_default(f'Argument "{coordinate}({name}:)"', present),
                    _merge_description([a.description for _, a in present]),
                    (*inaccessible, *others),
                )
            )
        return tuple(merged)

    def _merge_default(
        self, what: str, sources: Sequence[tuple[int, FieldDef | ArgumentDef]]
    ) -> str | None:
        defaults = [s.default for _, s in sources]
        distinct = list(dict.fromkeys(d for d in defaults if d is not None))
        if len(distinct) > 1:
            by_default = [
                f"default value {d} in "
                + printed_subgraphs([self.names[i] for i, s in sources if s.default == d])
                for d in distinct
            ]
            self.errors.append(
                f"{what} has incompatible default values across subgraphs: it has "
                + " and ".join(by_default)
            )
            return None
        if distinct and None in defaults:
            return None
        return distinct[0] if distinct else None

    def _needs_join_field(
        self, sources: FieldSources, all_equal: bool, context: _OverrideContext
    ) -> bool:
        if not all_equal or context.used_overridden or context.labels:
            return True
        if any(a.context for _, f in sources if f is not None for a in f.args):
            return True
        for index, source in sources:
            if source is None or index in context.unused_overridden:
                return True
            if source.external or source.provides or source.requires:
                return True
        return False

    def _join_fields(
        self, type_name: str, sources: FieldSources, all_equal: bool, context: _OverrideContext
    ) -> list[str]:
        if not self._needs_join_field(sources, all_equal, context):
            return []
        joins = []
        for index, source in sources:
            label = context.labels.get(index)
            if source is None or (index in context.unused_overridden and not label):
                continue
            args = [
                ("graph", self.graph_of(index)),
                ("requires", _quote(source.requires) if source.requires is not None else None),
                ("provides", _quote(source.provides) if source.provides is not None else None),
                ("override", _quote(source.override) if source.override is not None else None),
                ("type", None if all_equal else _quote(source.type)),
                ("external", "true" if source.external else None),
                ("usedOverridden", "true" if index in context.used_overridden else None),
                ("overrideLabel", _quote(label) if label else None),
                ("contextArguments", _context_arguments(source)),
            ]
            joins.append(_join_directive("join__field", args))
        return joins

    def _validate_override(
        self, type_name: str, name: str, sources: FieldSources
    ) -> _OverrideContext:
        context = _OverrideContext()
        coordinate = f"{type_name}.{name}"
        by_name = {self.names[i]: (i, f) for i, f in sources if f is not None}
        overriding = [(i, f) for i, f in sources if f is not None and f.override is not None]
        for index, source in overriding:
            subgraph = self.names[index]
            origin = source.override or ""
            if self.kinds[type_name] == "interface":
                self.errors.append(
                    f'@override cannot be used on field "{coordinate}" on subgraph '
                    f'"{subgraph}": @override is not supported on interface type fields.'
                )
                continue
            if origin == subgraph:
                self.errors.append(
                    f'Source and destination subgraphs "{origin}" are the same for overridden '
                    f'field "{coordinate}"'
                )
                continue
            if origin not in by_name:
                continue
            from_index, from_field = by_name[origin]
            assert from_field is not None
            if from_field.override is not None:
                self.errors.append(
                    f'Field "{coordinate}" on subgraph "{subgraph}" is also marked with directive '
                    f'@override in subgraph "{origin}". Only one @override directive is allowed '
                    "per field."
                )
                continue
            conflict = self._override_conflict(source, subgraph, from_field, origin)
            if conflict:
                self.errors.append(
                    f'@override cannot be used on field "{coordinate}" on subgraph "{subgraph}" '
                    f'since "{coordinate}" on "{conflict[0]}" is marked with directive '
                    f'"@{conflict[1]}"'
                )
                continue
            if from_field.external:
                continue
            if from_field.used:
                context.used_overridden.add(from_index)
            else:
                context.unused_overridden.add(from_index)
            self._override_label(coordinate, subgraph, index, from_index, source, context)
        return context

    @staticmethod
    def _override_conflict(
        source: FieldDef, subgraph: str, from_field: FieldDef, origin: str
    ) -> tuple[str, str] | None:
        if from_field.requires is not None:
            return origin, "requires"
        if from_field.provides is not None:
            return origin, "provides"
        if source.external:
            return subgraph, "external"
        return None

    def _override_label(
        self,
        coordinate: str,
        subgraph: str,
        index: int,
        from_index: int,
        source: FieldDef,
        context: _OverrideContext,
    ) -> None:
        label = source.override_label
        if label is None:
            return
        percent = OVERRIDE_PERCENT.match(label)
        if OVERRIDE_LABEL.match(label) or (percent and 0 <= float(percent.group(1)) <= 100):
            context.labels[index] = label
            context.labels[from_index] = label
            return
        self.errors.append(
            f'Invalid @override label "{label}" on field "{coordinate}" on subgraph '
            f'"{subgraph}": labels must start with a letter and after that may contain '
            "alphanumerics, underscores, minuses, colons, periods, or slashes. Alternatively, "
            'labels may be of the form "percent(x)" where x is a float between 0-100 inclusive.'
        )

    def _validate_sharing(
        self, type_name: str, name: str, sources: FieldSources, context: _OverrideContext
    ) -> None:
        resolving: list[str] = []
        shareable: list[str] = []
        non_shareable: list[str] = []
        for index, source in sources:
            if source is None or index in context.used_overridden:
                continue
            if index in context.unused_overridden or source.fully_external:
                continue
            resolving.append(self.names[index])
            (shareable if source.shareable else non_shareable).append(self.names[index])
        if non_shareable and (shareable or len(non_shareable) > 1):
            culprits = printed_subgraphs(non_shareable) if shareable else "all of them"
            self.errors.append(
                f'Non-shareable field "{type_name}.{name}" is resolved from multiple subgraphs: '
                f"it is resolved from {printed_subgraphs(resolving)} and defined as "
                f"non-shareable in {culprits}"
            )

    def _validate_reachable_field(self, type_name: str, name: str, sources: FieldSources) -> None:
        """A field only subgraphs without a resolvable key have is unreachable from the others.

        A conservative slice of Apollo's satisfiability check: some field returns the type
        only from subgraphs that lack the field, and none of the subgraphs that have it can
        be jumped to by key.
        """
        if type_name in ("Query", "Mutation", "Subscription"):
            return
        present = [(i, f) for i, f in sources if f is not None]
        if any(f.override is not None for _, f in present):
            return
        resolving = {i for i, f in present if not f.external}
        if any(
            k.resolvable is not False
            for i in resolving
            for k in self.subgraphs[i].types[type_name].keys
        ):
            return
        for origin, resolvers in self._returners().get(type_name, {}).items():
            if resolvers is None or resolvers & resolving:
                continue
            holders = printed_subgraphs([self.names[i] for i in sorted(resolving)])
            subgraph = self.names[min(resolvers)]
            self.errors.append(
                f'Field "{type_name}.{name}" cannot be satisfied: from subgraph "{subgraph}" '
                f'(which returns "{type_name}" from "{origin}"), cannot find field '
                f'"{type_name}.{name}" and cannot move to {holders}, which has it, because no '
                f'@key on type "{type_name}" there is resolvable.'
            )
            return

    def _returners(self) -> dict[str, dict[str, set[int] | None]]:
        """Object type -> field coordinate returning it -> subgraphs resolving that field.

        None marks a field with @provides somewhere, which this check leaves to the planner.
        """
        if self._returner_cache is not None:
            return self._returner_cache
        found: dict[str, dict[str, set[int] | None]] = {}
        for index, subgraph in enumerate(self.subgraphs):
            for type_def in subgraph.types.values():
                for field_def in type_def.fields:
                    if field_def.external:
                        continue
                    coordinate = f"{type_def.name}.{field_def.name}"
                    for target in self._possible_objects(subgraph, base_type_name(field_def.type)):
                        by_field = found.setdefault(target, {})
                        resolvers = by_field.setdefault(coordinate, set())
                        if field_def.provides is not None or resolvers is None:
                            by_field[coordinate] = None
                            continue
                        resolvers.add(index)
        self._returner_cache = found
        return found

    @staticmethod
    def _possible_objects(subgraph: Subgraph, name: str) -> list[str]:
        type_def = subgraph.types.get(name)
        if type_def is None:
            return []
        if type_def.kind == "object":
            return [name]
        if type_def.kind == "union":
            return list(type_def.members)
        if type_def.kind != "interface":
            return []
        return [n for n, t in subgraph.types.items() if t.kind == "object" and name in t.interfaces]

    def _validate_shared_runtime_types(
        self, type_name: str, merged: MergedField, sources: FieldSources
    ) -> None:
        abstract = base_type_name(merged.type)
        if self.kinds.get(abstract) not in ("interface", "union"):
            return
        resolving = [i for i, f in sources if f is not None and not f.fully_external]
        if len(resolving) < 2:
            return
        runtime = {i: self._runtime_types(self.subgraphs[i], abstract) for i in resolving}
        if any(r is None for r in runtime.values()):
            return
        if set.intersection(*(set(r or ()) for r in runtime.values())):
            return
        lines = [
            f' - in subgraph "{self.names[i]}", '
            + (_printed_types(names) if names else "no runtime type is defined")
            for i, names in runtime.items()
        ]
        self.errors.append(
            f'Shared field "{type_name}.{merged.name}" return type "{merged.type}" has a '
            "non-intersecting set of possible runtime types across subgraphs. Runtime types in "
            "subgraphs are:\n" + ";\n".join(lines) + ".\nThis is not allowed as shared fields "
            "must resolve the same way in all subgraphs, and that implies at least some common "
            "runtime types between the subgraphs."
        )

    @staticmethod
    def _runtime_types(subgraph: Subgraph, abstract: str) -> list[str] | None:
        """Objects `abstract` can be in `subgraph` (None: an @interfaceObject hides them)."""
        type_def = subgraph.types.get(abstract)
        if type_def is None or type_def.interface_object:
            return None
        if type_def.kind == "union":
            return sorted(type_def.members)
        return sorted(
            name
            for name, t in subgraph.types.items()
            if t.kind == "object" and abstract in t.interfaces
        )

    def _add_interface_object_fields(self, merged: dict[str, MergedType]) -> None:
        for name, merged_type in list(merged.items()):
            if merged_type.kind != "object":
                continue
            extra: list[MergedField] = []
            existing = {f.name for f in merged_type.fields}
            for interface in merged_type.interfaces:
                itf = merged.get(interface)
                if itf is None:
                    continue
                for itf_field in itf.fields:
                    if itf_field.name in existing or not self._from_interface_object(
                        interface, itf_field.name
                    ):
                        continue
                    existing.add(itf_field.name)
                    copied = tuple(d for d in itf_field.directives if not d.startswith("@join__"))
                    extra.append(
                        MergedField(
                            itf_field.name,
                            itf_field.type,
                            itf_field.args,
                            itf_field.description,
                            ("@join__field", *copied),
                        )
                    )
            if extra:
                merged[name] = MergedType(
                    merged_type.kind,
                    name,
                    merged_type.description,
                    merged_type.directives,
                    merged_type.interfaces,
                    (*merged_type.fields, *extra),
                )

    def _from_interface_object(self, interface: str, field_name: str) -> bool:
        for subgraph in self.subgraphs:
            type_def = subgraph.types.get(interface)
            if type_def is None or not type_def.interface_object:
                continue
            found = type_def.field(field_name)
            if found is not None and not found.external:
                return True
        return False

    # -- enums and inputs ---------------------------------------------------------------------

    def _merge_enum_values(
        self, name: str, sources: list[tuple[int, TypeDef]]
    ) -> tuple[MergedEnumValue, ...]:
        usage = self.enum_usage.get(name, {"output"})
        names = list(dict.fromkeys(v.name for _, t in sources for v in t.values))
        merged = []
        for value_name in names:
            value_sources = [
                (i, next((v for v in t.values if v.name == value_name), None)) for i, t in sources
            ]
            present = [(i, v) for i, v in value_sources if v is not None]
            inaccessible, others = self.merged_directives(
                [v.directives for _, v in present], access_first=False
            )
            missing = [self.names[i] for i, v in value_sources if v is None]
            if missing and not inaccessible and "input" in usage:
                if "output" in usage:
                    self.errors.append(
                        f'Enum type "{name}" is used as both input type and output type, but '
                        f'value "{value_name}" is not defined in all the subgraphs defining '
                        f'"{name}": "{value_name}" is defined in '
                        f"{printed_subgraphs([self.names[i] for i, _ in present])} but not in "
                        f"{printed_subgraphs(missing)}"
                    )
                continue
            joins = [f"@join__enumValue(graph: {self.graph_of(i)})" for i, _ in present]
            merged.append(
                MergedEnumValue(
                    value_name,
                    _merge_description([v.description for _, v in present]),
                    (*inaccessible, *joins, *others),
                )
            )
        if not merged:
            self.errors.append(
                f'None of the values of enum type "{name}" are defined consistently in all the '
                "subgraphs defining that type. As only values common to all subgraphs are "
                "merged, this would result in an empty type."
            )
        return tuple(merged)

    def _merge_input_fields(
        self, name: str, sources: list[tuple[int, TypeDef]]
    ) -> tuple[MergedField, ...]:
        names = list(dict.fromkeys(f.name for _, t in sources for f in t.fields))
        merged = []
        for field_name in names:
            field_sources: FieldSources = [(i, t.field(field_name)) for i, t in sources]
            present = [(i, f) for i, f in field_sources if f is not None]
            inaccessible, others = self.merged_directives(
                [f.directives for _, f in present], access_first=False
            )
            coordinate = f"{name}.{field_name}"
            if len(present) < len(field_sources) and not inaccessible:
                required = [
                    self.names[i] for i, f in present if f.type.endswith("!") and f.default is None
                ]
                if required:
                    missing = [self.names[i] for i, f in field_sources if f is None]
                    self.errors.append(
                        f'Input object field "{coordinate}" is required in some subgraphs but '
                        f"does not appear in all subgraphs: it is required in "
                        f"{printed_subgraphs(required)} but does not appear in "
                        f"{printed_subgraphs(missing)}"
                    )
                continue
            field_type, all_equal = self._merge_type_reference(
                f'input field "{coordinate}"', present, is_input=True
            )
            if field_type is None:
                continue
            joins = self._join_fields(name, field_sources, all_equal, _OverrideContext())
            merged.append(
                MergedField(
                    field_name,
                    field_type,
                    (),
                    _merge_description([f.description for _, f in present]),
                    (*inaccessible, *joins, *others),
                    self._merge_default(f'Input field "{coordinate}"', present),
                )
            )
        if not merged:
            self.errors.append(
                f'None of the fields of input object type "{name}" are consistently defined in '
                "all the subgraphs defining that type. As only fields common to all subgraphs "
                "are merged, this would result in an empty type."
            )
        return tuple(merged)

    # -- reachability -------------------------------------------------------------------------

    def _check_reachability(self, merged: dict[str, MergedType], roots: list[str]) -> None:
        reached: set[str] = set()
        pending = list(roots)
        while pending:
            name = pending.pop()
            if name in reached or name not in merged:
                continue
            reached.add(name)
            pending.extend(self._neighbours(merged[name]))
        for name in merged:
            if name in reached:
                continue
            holders = [self.names[i] for i, _ in self.sources(name)]
            self.errors.append(
                f'Type "{name}" (defined in {printed_subgraphs(holders)}) is not reachable from '
                "any root type: no field of Query, Mutation or Subscription leads to it, so "
                "clients can never query it."
            )

    def _neighbours(self, merged_type: MergedType) -> list[str]:
        names = [base_type_name(f.type) for f in merged_type.fields]
        names += [base_type_name(a.type) for f in merged_type.fields for a in f.args]
        names += list(merged_type.members)
        if merged_type.kind == "interface":
            names += self.implementations(merged_type.name)
        return [n for n in names if n not in BUILTIN_SCALARS]


def _context_arguments(source: FieldDef) -> str | None:
    entries = [
        "{"
        + f"context: {_quote(a.context)}, name: {_quote(a.name)}, type: {_quote(a.type)}, "
        + f"selection: {_quote(a.selection or '')}"
        + "}"
        for a in source.args
        if a.context is not None
    ]
    return "[" + ", ".join(entries) + "]" if entries else None


def _access_applications(type_def: TypeDef, field_name: str | None) -> tuple[Applied, ...]:
    if field_name is None:
        return type_def.directives
    found = type_def.field(field_name)
    return found.directives if found is not None and not found.external else ()


def _applied_names(subgraph: Subgraph) -> set[str]:
    names: set[str] = set()
    for type_def in subgraph.types.values():
        names.update(d.name for d in type_def.directives)
        for value in type_def.values:
            names.update(d.name for d in value.directives)
        for field_def in type_def.fields:
            if not field_def.external:
                names.update(d.name for d in field_def.directives)
            for argument in field_def.args:
                names.update(d.name for d in argument.directives)
                if argument.context is not None:
                    names.add("fromContext")
    return names


def merge_subgraphs(subgraphs: Sequence[Subgraph]) -> tuple[SupergraphModel, list[str]]:
    """The merged supergraph model and every composition error found while merging."""
    merger = _Merger(subgraphs)
    model = merger.merge()
    return model, merger.errors
