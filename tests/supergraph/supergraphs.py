"""Helpers for plan tests: wrap hand-written join-annotated types into a full supergraph SDL."""

from __future__ import annotations

import re
from textwrap import dedent

from supergraph.loading import Supergraph, load_supergraph
from supergraph.planning import plan_query
from supergraph.printer import print_plan

__all__ = ["assert_plan", "make_supergraph", "supergraph_sdl"]

_DIRECTIVES = """
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, \
type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String) \
repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) \
repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, \
resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) \
repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) \
repeatable on SCHEMA

scalar join__FieldSet

scalar link__Import

enum link__Purpose {
  SECURITY
  EXECUTION
}
"""

_INACCESSIBLE = """
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION \
| SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
"""


def supergraph_sdl(graphs: list[str], types: str) -> str:
    """A supergraph in @apollo/composition's layout around ``types`` (join v0.3)."""
    types = dedent(types).strip()
    roots = [
        f"  {kind.lower()}: {kind}"
        for kind in ("Query", "Mutation", "Subscription")
        if re.search(rf"^type {kind}\b", types, re.MULTILINE)
    ]
    links = [
        '  @link(url: "https://specs.apollo.dev/link/v1.0")',
        '  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)',
    ]
    extra = ""
    if "@inaccessible" in types:
        links.append('  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)')
        extra = _INACCESSIBLE
    enum = "\n".join(
        f'  {name.upper()} @join__graph(name: "{name}", url: "http://{name}.invalid/graphql")'
        for name in graphs
    )
    return (
        "schema\n"
        + "\n".join(links)
        + "\n{\n"
        + "\n".join(roots)
        + "\n}\n"
        + extra
        + _DIRECTIVES
        + f"\nenum join__Graph {{\n{enum}\n}}\n\n"
        + types
        + "\n"
    )


def make_supergraph(graphs: list[str], types: str) -> Supergraph:
    """Load the supergraph built by :func:`supergraph_sdl`."""
    return load_supergraph(supergraph_sdl(graphs, types))


def assert_plan(supergraph: Supergraph, query: str, expected: str) -> None:
    """Plan ``query`` and compare the printed plan with ``expected`` (dedented)."""
    printed = print_plan(plan_query(supergraph, query))
    assert printed == dedent(expected).strip(), printed
