"""The spec elements (link, join, and merged feature specs) a composed supergraph carries."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "FEATURE_SPECS",
    "LINK_DIRECTIVE",
    "LINK_TYPES",
    "FeatureSpec",
    "join_elements",
    "join_version_for",
]

LINK_DIRECTIVE = (
    "link",
    "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) "
    "repeatable on SCHEMA",
)

LINK_TYPES: tuple[tuple[str, str], ...] = (
    ("link__Import", "scalar link__Import"),
    (
        "link__Purpose",
        "enum link__Purpose {\n"
        '  """\n'
        "  `SECURITY` features provide metadata necessary to securely resolve fields.\n"
        '  """\n'
        "  SECURITY\n"
        "\n"
        '  """\n'
        "  `EXECUTION` features provide metadata necessary for operation execution.\n"
        '  """\n'
        "  EXECUTION\n"
        "}",
    ),
)

_JOIN_FIELD_ARGS = (
    "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, "
    "external: Boolean, override: String, usedOverridden: Boolean"
)


def join_version_for(federation_minor: int) -> str:
    """The join spec version @apollo/composition picks for the highest federation 2.x used."""
    if federation_minor >= 8:
        return "v0.5"
    if federation_minor >= 7:
        return "v0.4"
    return "v0.3"


def join_elements(version: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(directive definitions, type definitions) of the join spec, as (name, printed) pairs."""
    field_args = _JOIN_FIELD_ARGS
    if version >= "v0.4":
        field_args += ", overrideLabel: String"
    if version >= "v0.5":
        field_args += ", contextArguments: [join__ContextArgument!]"
    directives = [
        (
            "join__enumValue",
            "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE",
        ),
        (
            "join__field",
            f"directive @join__field({field_args}) repeatable on FIELD_DEFINITION | "
            "INPUT_FIELD_DEFINITION",
        ),
        ("join__graph", "directive @join__graph(name: String!, url: String!) on ENUM_VALUE"),
        (
            "join__implements",
            "directive @join__implements(graph: join__Graph!, interface: String!) "
            "repeatable on OBJECT | INTERFACE",
        ),
        (
            "join__type",
            "directive @join__type(graph: join__Graph!, key: join__FieldSet, "
            "extension: Boolean! = false, resolvable: Boolean! = true, "
            "isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | "
            "ENUM | INPUT_OBJECT | SCALAR",
        ),
        (
            "join__unionMember",
            "directive @join__unionMember(graph: join__Graph!, member: String!) "
            "repeatable on UNION",
        ),
    ]
    types = [("join__FieldSet", "scalar join__FieldSet")]
    if version >= "v0.4":
        directives.append(
            (
                "join__directive",
                "directive @join__directive(graphs: [join__Graph!], name: String!, "
                "args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | "
                "FIELD_DEFINITION",
            )
        )
        types.append(("join__DirectiveArguments", "scalar join__DirectiveArguments"))
    if version >= "v0.5":
        types.append(("join__FieldValue", "scalar join__FieldValue"))
        types.append(
            (
                "join__ContextArgument",
                "input join__ContextArgument {\n  name: String!\n  type: String!\n"
                "  context: String!\n  selection: join__FieldValue!\n}",
            )
        )
    return directives, types


@dataclass(frozen=True)
class FeatureSpec:
    """A spec whose directives composition copies into the supergraph (tag, cost, ...)."""

    name: str
    url: str
    purpose: str | None
    directives: tuple[tuple[str, str], ...]
    types: tuple[tuple[str, str], ...] = ()
    repeatable: frozenset[str] = frozenset()


_ACCESS_LOCATIONS = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"

FEATURE_SPECS: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "tag",
        "https://specs.apollo.dev/tag/v0.3",
        None,
        (
            (
                "tag",
                "(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | "
                "ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | "
                "INPUT_FIELD_DEFINITION | SCHEMA",
            ),
        ),
        repeatable=frozenset({"tag"}),
    ),
    FeatureSpec(
        "inaccessible",
        "https://specs.apollo.dev/inaccessible/v0.2",
        "SECURITY",
        (
            (
                "inaccessible",
                " on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | "
                "SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION",
            ),
        ),
    ),
    FeatureSpec(
        "authenticated",
        "https://specs.apollo.dev/authenticated/v0.1",
        "SECURITY",
        (("authenticated", f" on {_ACCESS_LOCATIONS}"),),
    ),
    FeatureSpec(
        "requiresScopes",
        "https://specs.apollo.dev/requiresScopes/v0.1",
        "SECURITY",
        (("requiresScopes", f"(scopes: [[requiresScopes__Scope!]!]!) on {_ACCESS_LOCATIONS}"),),
        (("requiresScopes__Scope", "scalar requiresScopes__Scope"),),
    ),
    FeatureSpec(
        "policy",
        "https://specs.apollo.dev/policy/v0.1",
        "SECURITY",
        (("policy", f"(policies: [[policy__Policy!]!]!) on {_ACCESS_LOCATIONS}"),),
        (("policy__Policy", "scalar policy__Policy"),),
    ),
    FeatureSpec(
        "context",
        "https://specs.apollo.dev/context/v0.1",
        "SECURITY",
        (
            ("context", "(name: String!) repeatable on INTERFACE | OBJECT | UNION"),
            ("fromContext", "(field: context__ContextFieldValue) on ARGUMENT_DEFINITION"),
        ),
        (("context__ContextFieldValue", "scalar context__ContextFieldValue"),),
        repeatable=frozenset({"context"}),
    ),
    FeatureSpec(
        "cost",
        "https://specs.apollo.dev/cost/v0.1",
        None,
        (
            (
                "cost",
                "(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | "
                "INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
            ),
            (
                "listSize",
                "(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], "
                "requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
            ),
        ),
    ),
)
