"""Tests for loading a supergraph SDL: API schema, subgraph table and ownership model."""

import pytest
from graphql import GraphQLObjectType, graphql_sync, print_schema

from supergraph.loading import SupergraphError, load_supergraph
from tests.supergraph.supergraphs import make_supergraph, supergraph_sdl

TYPES = """
type Query
  @join__type(graph: A)
  @join__type(graph: B)
{
  me: User @join__field(graph: A)
  secret: String @join__field(graph: A) @inaccessible
  search(term: String, debug: Boolean @inaccessible): [Result] @join__field(graph: B)
}

type User
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id org { id }", resolvable: false)
{
  id: ID!
  org: Org @join__field(graph: A) @join__field(graph: B, external: true)
  name: String @join__field(graph: A, override: "b") @join__field(graph: B, usedOverridden: true)
  level: Level @join__field(graph: A)
  hash: String @join__field(graph: A) @inaccessible
}

type Org
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
{
  id: ID!
}

type Hidden @join__type(graph: B) @inaccessible {
  x: Int
}

union Result
  @join__type(graph: B)
  @join__unionMember(graph: B, member: "User")
  @join__unionMember(graph: B, member: "Org")
 = User | Org

enum Level
  @join__type(graph: A)
{
  LOW @join__enumValue(graph: A)
  HIGH @join__enumValue(graph: A)
  GOD @join__enumValue(graph: A) @inaccessible
}
"""


def test_api_schema_hides_machinery_and_inaccessible_elements() -> None:
    supergraph = make_supergraph(["a", "b"], TYPES)
    assert print_schema(supergraph.api_schema) == (
        "type Query {\n"
        "  me: User\n"
        "  search(term: String): [Result]\n"
        "}\n\n"
        "type User {\n"
        "  id: ID!\n"
        "  org: Org\n"
        "  name: String\n"
        "  level: Level\n"
        "}\n\n"
        "type Org {\n"
        "  id: ID!\n"
        "}\n\n"
        "union Result = User | Org\n\n"
        "enum Level {\n"
        "  LOW\n"
        "  HIGH\n"
        "}"
    )


def test_api_schema_introspects_without_join_types() -> None:
    supergraph = make_supergraph(["a", "b"], TYPES)
    result = graphql_sync(supergraph.api_schema, "{ __schema { types { name } } }")
    assert result.errors is None
    assert result.data is not None
    names = {t["name"] for t in result.data["__schema"]["types"]}
    assert "User" in names
    assert not {n for n in names if n.startswith(("join__", "link__"))}
    assert "Hidden" not in names


def test_graphs_keys_and_field_ownership() -> None:
    supergraph = make_supergraph(["a", "b"], TYPES)
    assert [(g.name, g.url) for g in supergraph.graphs.values()] == [
        ("a", "http://a.invalid/graphql"),
        ("b", "http://b.invalid/graphql"),
    ]
    user = supergraph.types["User"]
    assert [len(k.selections) for k in user.keys_in("b", resolvable=False)] == [2]
    assert user.keys_in("b") == ()
    assert user.fields["org"].resolvers == frozenset({"a"})
    assert user.fields["name"].resolvers == frozenset({"a"})
    assert user.fields["id"].resolvers == frozenset({"a", "b"})
    assert supergraph.graph_knows_member("b", "Result", "Org")
    assert not supergraph.graph_knows_member("a", "Result", "Org")
    assert supergraph.enum_values["Level"]["LOW"] == frozenset({"a"})


def test_supergraph_schema_keeps_join_directives() -> None:
    supergraph = make_supergraph(["a", "b"], TYPES)
    user = supergraph.supergraph_schema.get_type("User")
    assert isinstance(user, GraphQLObjectType)
    assert "hash" in user.fields
    assert supergraph.supergraph_schema.get_directive("join__field") is not None


def test_unknown_execution_feature_is_refused() -> None:
    sdl = supergraph_sdl(["a"], "type Query @join__type(graph: A) { x: Int }").replace(
        '@link(url: "https://specs.apollo.dev/link/v1.0")',
        '@link(url: "https://specs.apollo.dev/link/v1.0")\n'
        '  @link(url: "https://example.com/rate/v1.0", for: EXECUTION)',
    )
    with pytest.raises(SupergraphError, match=r"unsupported feature .*rate/v1\.0"):
        load_supergraph(sdl)


def test_known_security_features_and_metadata_links_are_accepted() -> None:
    sdl = supergraph_sdl(["a"], "type Query @join__type(graph: A) { x: Int }").replace(
        '@link(url: "https://specs.apollo.dev/link/v1.0")',
        '@link(url: "https://specs.apollo.dev/link/v1.0")\n'
        '  @link(url: "https://specs.apollo.dev/tag/v0.3")\n'
        '  @link(url: "https://example.com/docs/v1.0")',
    )
    assert load_supergraph(sdl).graphs["a"].enum_value == "A"


@pytest.mark.parametrize(
    ("sdl", "message"),
    [
        ("type Query {", "does not parse"),
        ("type Query { x: Int }", "no @link"),
        ('schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query }', "no join"),
    ],
)
def test_invalid_supergraphs_are_refused(sdl: str, message: str) -> None:
    with pytest.raises(SupergraphError, match=message):
        load_supergraph(sdl)


FED1 = """
schema
  @core(feature: "https://specs.apollo.dev/core/v0.2")
  @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)
{
  query: Query
}

directive @core(as: String, feature: String!, for: core__Purpose) repeatable on SCHEMA
directive @join__field(graph: join__Graph, provides: join__FieldSet, requires: join__FieldSet) \
on FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__owner(graph: join__Graph!) on INTERFACE | OBJECT
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on INTERFACE | OBJECT

type Query {
  me: User @join__field(graph: ACCOUNTS)
}

type User
  @join__owner(graph: ACCOUNTS)
  @join__type(graph: ACCOUNTS, key: "id")
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID! @join__field(graph: ACCOUNTS)
  name: String
  reviews: [String] @join__field(graph: REVIEWS)
}

enum core__Purpose {
  EXECUTION
  SECURITY
}

scalar join__FieldSet

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://accounts")
  REVIEWS @join__graph(name: "reviews", url: "http://reviews")
}
"""


def test_fed1_supergraph_fields_default_to_their_owner() -> None:
    supergraph = load_supergraph(FED1)
    user = supergraph.types["User"]
    assert user.fields["name"].resolvers == frozenset({"accounts"})
    assert user.fields["reviews"].resolvers == frozenset({"reviews"})
    assert "core__Purpose" not in supergraph.api_schema.type_map


def test_progressive_override_is_on_from_fifty_percent() -> None:
    supergraph = make_supergraph(
        ["a", "b"],
        """
        type Query @join__type(graph: A) @join__type(graph: B) {
          t: T @join__field(graph: A)
        }

        type T @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
          id: ID!
          moved: Int
            @join__field(graph: A, override: "b", overrideLabel: "percent(75)")
            @join__field(graph: B, overrideLabel: "percent(75)")
          staying: Int
            @join__field(graph: A, override: "b", overrideLabel: "percent(10)")
            @join__field(graph: B, overrideLabel: "percent(10)")
          flagged: Int
            @join__field(graph: A, override: "b", overrideLabel: "beta")
            @join__field(graph: B, overrideLabel: "beta")
        }
        """,
    )
    fields = supergraph.types["T"].fields
    assert fields["moved"].resolvers == frozenset({"a"})
    assert fields["staying"].resolvers == frozenset({"b"})
    assert fields["flagged"].resolvers == frozenset({"b"})
