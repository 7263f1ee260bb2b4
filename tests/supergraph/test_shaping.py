"""Response shaping: selection, aliases, fragments, directives and null propagation."""

from __future__ import annotations

from typing import Any

from graphql import build_schema, parse

from supergraph.execution import CompiledOperation, shape_response

SCHEMA = build_schema(
    """
    interface Node { id: ID! }
    enum Role { ADMIN MEMBER }
    type User implements Node { id: ID! name: String! email: String role: Role }
    type Task implements Node { id: ID! title: String! owner: User tags: [String!] }
    union Item = User | Task
    type Query {
      me: User
      task(id: ID!): Task!
      tasks: [Task!]
      items: [Item]
      node(id: ID!): Node
      users: [User!]!
    }
    type Mutation { rename(name: String!): User }
    """
)


def shape(
    query: str,
    data: dict | None,
    errors: list[dict] | None = None,
    variables: dict[str, Any] | None = None,
) -> tuple[dict | None, list[dict]]:
    return shape_response(SCHEMA, parse(query), None, variables or {}, data, errors or [])


def test_returns_exactly_the_selection_in_client_order_under_aliases() -> None:
    data, errors = shape(
        "{ me { who: name id role } }",
        {"me": {"id": "1", "__typename": "User", "who": "Ann", "__tf_1_id": "1", "role": "ADMIN"}},
    )
    assert errors == []
    assert data == {"me": {"who": "Ann", "id": "1", "role": "ADMIN"}}
    assert list(data["me"]) == ["who", "id", "role"]  # type: ignore[index]


def test_typename_is_answered_at_root_and_nested() -> None:
    data, _ = shape("{ __typename me { t: __typename } }", {"me": {}})
    assert data == {"__typename": "Query", "me": {"t": "User"}}


def test_mutation_root_typename() -> None:
    data, _ = shape('mutation { __typename rename(name: "x") { id } }', {"rename": None})
    assert data == {"__typename": "Mutation", "rename": None}


def test_fragments_apply_by_runtime_typename() -> None:
    query = """
      { items { __typename ...U ... on Task { title } ... on Node { id } } }
      fragment U on User { name }
    """
    items = [
        {"__typename": "User", "id": "u", "name": "Ann", "title": "no"},
        {"__typename": "Task", "id": "t", "title": "Do", "name": "no"},
        None,
    ]
    data, errors = shape(query, {"items": items})
    assert errors == []
    assert data == {
        "items": [
            {"__typename": "User", "name": "Ann", "id": "u"},
            {"__typename": "Task", "title": "Do", "id": "t"},
            None,
        ]
    }


def test_same_response_key_merges_subselections() -> None:
    data, _ = shape(
        "{ task(id: 1) { owner { id } ... on Task { owner { name } } } }",
        {"task": {"owner": {"id": "1", "name": "Ann", "email": "x"}}},
    )
    assert data == {"task": {"owner": {"id": "1", "name": "Ann"}}}


def test_skip_and_include_follow_variables_per_request() -> None:
    query = (
        "query($a: Boolean!) "
        "{ me { id @skip(if: $a) name @include(if: $a) email @skip(if: true) } }"
    )
    document = parse(query)
    compiled = CompiledOperation(SCHEMA, document)
    raw = {"me": {"id": "1", "name": "Ann", "email": "e"}}
    assert compiled.shape(raw, [], {"a": True}) == ({"me": {"name": "Ann"}}, [])
    assert compiled.shape(raw, [], {"a": False}) == ({"me": {"id": "1"}}, [])


def test_null_in_non_null_field_nulls_nearest_nullable_parent() -> None:
    data, errors = shape("{ me { id name } }", {"me": {"id": "1", "name": None}})
    assert data == {"me": None}
    assert errors == [
        {"message": "Cannot return null for non-nullable field User.name.", "path": ["me", "name"]}
    ]


def test_null_item_in_non_null_list_nulls_the_list() -> None:
    data, errors = shape("{ tasks { id } }", {"tasks": [{"id": "1"}, None]})
    assert data == {"tasks": None}
    assert errors[0]["path"] == ["tasks", 1]


def test_null_propagates_to_data_through_non_null_root() -> None:
    data, errors = shape(
        "{ me { id } task(id: 1) { id title } }", {"me": {"id": "1"}, "task": {"id": "2"}}
    )
    assert data is None
    assert errors[0]["path"] == ["task", "title"]


def test_existing_error_covering_the_path_is_not_duplicated() -> None:
    upstream = [{"message": "users down", "path": ["users", 0]}]
    data, errors = shape(
        "{ me { id } users { id name } }", {"me": None, "users": [{"id": "1"}]}, upstream
    )
    assert data is None
    assert errors == upstream


def test_error_deeper_than_the_null_covers_it() -> None:
    upstream = [{"message": "no title", "path": ["task", "title"]}]
    data, errors = shape("{ task(id: 1) { id } }", {"task": None}, upstream)
    assert data is None
    assert errors == upstream


def test_invalid_enum_value_becomes_null_with_error() -> None:
    data, errors = shape("{ me { role } }", {"me": {"role": "SECRET"}})
    assert data == {"me": {"role": None}}
    assert errors[0]["path"] == ["me", "role"]


def test_composite_value_for_builtin_scalar_is_an_error() -> None:
    data, errors = shape("{ me { email } }", {"me": {"email": {"nested": 1}}})
    assert data == {"me": {"email": None}}
    assert errors[0]["path"] == ["me", "email"]


def test_missing_root_data_gives_nulls() -> None:
    data, errors = shape("{ me { id } tasks { id } }", None)
    assert data == {"me": None, "tasks": None}
    assert errors == []


def test_interface_field_with_unknown_typename_keeps_interface_fields() -> None:
    data, _ = shape(
        "{ node(id: 1) { id ... on User { name } __typename } }",
        {"node": {"id": "1", "__typename": "Node", "name": "x"}},
    )
    assert data == {"node": {"id": "1", "__typename": "Node"}}


def test_introspection_is_answered_from_the_schema() -> None:
    compiled = CompiledOperation(SCHEMA, parse('{ me { id } __type(name: "Role") { name kind } }'))
    assert compiled.has_introspection
    intro, errors = compiled.introspect({})
    assert errors == []
    assert intro == {"__type": {"name": "Role", "kind": "ENUM"}}
    data, _ = compiled.shape({"me": None, **intro}, [], {})  # type: ignore[dict-item]
    assert data == {"me": None, "__type": {"name": "Role", "kind": "ENUM"}}
