"""Composition rejects broken subgraph sets with messages naming the subgraphs and fields."""

from __future__ import annotations

import pytest

from supergraph.composition import CompositionError, SubgraphDefinition, compose

__all__: list[str] = []

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override"])\n'
)


def _errors(**sdls: str) -> list[str]:
    subgraphs = [
        SubgraphDefinition(name, f"http://{name}", LINK + sdl) for name, sdl in sdls.items()
    ]
    with pytest.raises(CompositionError) as raised:
        compose(subgraphs)
    return raised.value.messages


def test_incompatible_field_types_name_both_subgraphs() -> None:
    errors = _errors(
        users='type User @key(fields: "id") { id: ID! age: Int @shareable } '
        "type Query { me: User }",
        stats='type User @key(fields: "id") { id: ID! age: String @shareable }',
    )
    assert errors == [
        'Type of field "User.age" is incompatible across subgraphs: it has type "String" in '
        'subgraph "stats" but type "Int" in subgraph "users"'
    ]


def test_nullability_difference_alone_is_not_an_error() -> None:
    supergraph = compose(
        [
            SubgraphDefinition(
                "users",
                "http://users",
                LINK + 'type User @key(fields: "id") { id: ID! age: Int! @shareable } '
                "type Query { me: User }",
            ),
            SubgraphDefinition(
                "stats",
                "http://stats",
                LINK + 'type User @key(fields: "id") { id: ID! age: Int @shareable }',
            ),
        ]
    )
    assert '  age: Int @join__field(graph: STATS, type: "Int")' in supergraph


def test_list_and_scalar_are_incompatible() -> None:
    errors = _errors(
        a="type Query { tags: [String] @shareable }",
        b="type Query { tags: String @shareable }",
    )
    assert errors == [
        'Type of field "Query.tags" is incompatible across subgraphs: it has type "[String]" in '
        'subgraph "a" but type "String" in subgraph "b"'
    ]


def test_non_shareable_field_resolved_by_two_subgraphs() -> None:
    errors = _errors(
        users='type User @key(fields: "id") { id: ID! name: String } type Query { me: User }',
        profiles='type User @key(fields: "id") { id: ID! name: String }',
    )
    assert errors == [
        'Non-shareable field "User.name" is resolved from multiple subgraphs: it is resolved '
        'from subgraphs "profiles" and "users" and defined as non-shareable in all of them'
    ]


def test_shareable_in_one_subgraph_only_names_the_other() -> None:
    errors = _errors(
        users='type User @key(fields: "id") { id: ID! name: String @shareable } '
        "type Query { me: User }",
        profiles='type User @key(fields: "id") { id: ID! name: String }',
    )
    assert errors == [
        'Non-shareable field "User.name" is resolved from multiple subgraphs: it is resolved '
        'from subgraphs "profiles" and "users" and defined as non-shareable in subgraph '
        '"profiles"'
    ]


def test_key_on_a_field_that_does_not_exist() -> None:
    errors = _errors(users='type User @key(fields: "uuid") { id: ID! } type Query { me: User }')
    assert errors == [
        '[users] On type "User", for @key(fields: "uuid"): Cannot query field "uuid" on type '
        '"User" (the field should either be added to this subgraph or, if it should not be '
        "resolved by this subgraph, you need to add it to this subgraph with @external)."
    ]


def test_requires_on_a_field_that_does_not_exist() -> None:
    errors = _errors(
        users='type User @key(fields: "id") { id: ID! label: String @requires(fields: "nick") } '
        "type Query { me: User }"
    )
    assert len(errors) == 1
    assert errors[0].startswith(
        '[users] On field "User.label", for @requires(fields: "nick"): Cannot query field "nick"'
    )


def test_external_field_that_no_subgraph_resolves() -> None:
    errors = _errors(
        users='type User @key(fields: "id") { id: ID! email: String @external '
        'domain: String @requires(fields: "email") } type Query { me: User }'
    )
    assert errors == [
        'Field "User.email" is marked @external on all the subgraphs in which it is listed '
        '(subgraph "users").'
    ]


def test_external_field_that_nothing_uses() -> None:
    errors = _errors(
        users='type User @key(fields: "id") { id: ID! email: String } type Query { me: User }',
        mail='type User @key(fields: "id") { id: ID! email: String @external }',
    )
    assert errors == [
        '[mail] Field "User.email" is marked @external but is not used in any federation '
        "directive (@key, @provides, @requires) or to satisfy an interface; the field "
        "declaration has no use and should be removed (or the field should not be @external)."
    ]


def test_provides_a_field_the_subgraph_already_resolves() -> None:
    errors = _errors(
        a='type User @key(fields: "id") { id: ID! name: String @shareable } '
        'type Query { me: User @provides(fields: "name") }',
        b='type User @key(fields: "id") { id: ID! name: String @shareable }',
    )
    assert errors == [
        '[a] On field "Query.me", for @provides(fields: "name"): field "User.name" should not '
        "be part of a @provides since it is already provided by this subgraph (it is not "
        "marked @external)"
    ]


def test_type_no_query_can_reach() -> None:
    errors = _errors(
        tasks="type Query { hello: String } type Orphan { id: ID! } "
        "type Task { id: ID! orphan: Orphan }"
    )
    assert errors == [
        f'Type "{name}" (defined in subgraph "tasks") is not reachable from any root type: no '
        "field of Query, Mutation or Subscription leads to it, so clients can never query it."
        for name in ("Orphan", "Task")
    ]


def test_interface_implementations_are_reachable_through_the_interface() -> None:
    supergraph = compose(
        [
            SubgraphDefinition(
                "a",
                "http://a",
                LINK + "interface Node { id: ID! } type Task implements Node { id: ID! } "
                "type Query { node: Node }",
            )
        ]
    )
    assert "type Task implements Node" in supergraph


def test_unknown_type_names_the_field() -> None:
    errors = _errors(tasks="type Query { task: Ghost }")
    assert errors == ['[tasks] Unknown type "Ghost" (used by field "Query.task").']


def test_unknown_argument_type_names_the_argument() -> None:
    errors = _errors(tasks="type Query { task(filter: Filter): String }")
    assert errors == ['[tasks] Unknown type "Filter" (used by argument "Query.task(filter:)").']


def test_type_kind_mismatch() -> None:
    errors = _errors(
        a="type Thing { id: ID } type Query { t: Thing }",
        b="interface Thing { id: ID }",
    )
    assert errors == [
        'Type "Thing" has mismatched kind: it is defined as Object Type in subgraph "a" but '
        'Interface Type in subgraph "b"'
    ]


def test_override_from_itself() -> None:
    errors = _errors(a='type Query { a: String @override(from: "a") }')
    assert errors == [
        'Source and destination subgraphs "a" are the same for overridden field "Query.a"'
    ]


def test_invalid_sdl_names_the_subgraph() -> None:
    with pytest.raises(CompositionError) as raised:
        compose([SubgraphDefinition("broken", "http://broken", "type Query { oops")])
    assert raised.value.messages[0].startswith("[broken] Invalid SDL: Syntax Error")


def test_no_query_root() -> None:
    errors = _errors(a="type Mutation { a: String }")
    assert "No queries found in any subgraph: a supergraph must have a query root type." in errors


def test_required_argument_missing_in_one_subgraph() -> None:
    errors = _errors(
        a="type Query { hello(name: String!): String @shareable }",
        b="type Query { hello: String @shareable }",
    )
    assert errors == [
        'Argument "Query.hello(name:)" is required in some subgraphs but does not appear in all '
        'subgraphs: it is required in subgraph "a" but does not appear in subgraph "b"'
    ]


def test_enum_used_as_input_and_output_must_agree() -> None:
    errors = _errors(
        a="enum Color { RED GREEN } type Query { paint(c: Color): Color }",
        b="enum Color { RED BLUE } type Query { color: Color }",
    )
    assert errors[0].startswith('Enum type "Color" is used as both input type and output type')
    assert '"GREEN" is defined in subgraph "a" but not in subgraph "b"' in errors[0]


def test_every_problem_is_reported_at_once() -> None:
    errors = _errors(
        a='type User @key(fields: "id") { id: ID! name: String } type Query { me: User }',
        b='type User @key(fields: "id") { id: ID! name: String age: Int } '
        "type Query { age: String @shareable }",
        c="type Query { age: Int @shareable }",
    )
    assert len(errors) == 2
    assert any(e.startswith('Type of field "Query.age"') for e in errors)
    assert any(e.startswith('Non-shareable field "User.name"') for e in errors)


def test_error_string_lists_every_message() -> None:
    error = CompositionError(["first problem", "second problem"])
    assert str(error) == "Composition failed:\n- first problem\n- second problem"


def test_interface_key_needs_every_implementation_in_that_subgraph() -> None:
    node = 'interface Node @key(fields: "id") { id: ID! }'
    errors = _errors(
        one=node + ' type A implements Node @key(fields: "id") { id: ID! } type Query { n: Node }',
        two=node + ' type B implements Node @key(fields: "id") { id: ID! } type Query { b: B }',
    )
    assert errors[0] == (
        '[one] Interface type "Node" has a resolvable key (@key(fields: "id")) in subgraph "one" '
        'but that subgraph is missing some of the supergraph implementation types of "Node". '
        'Subgraph "one" should define type "B" (and have it implement "Node").'
    )
    assert errors[1].startswith('[two] Interface type "Node" has a resolvable key')


def test_interface_object_subgraph_must_not_define_implementations() -> None:
    link = LINK.replace('"@override"', '"@override", "@interfaceObject"')
    subgraphs = [
        SubgraphDefinition(
            "one",
            "http://one",
            link + 'interface Node @key(fields: "id") { id: ID! } '
            'type A implements Node @key(fields: "id") { id: ID! } type Query { node: Node }',
        ),
        SubgraphDefinition(
            "two",
            "http://two",
            link + 'type Node @key(fields: "id") @interfaceObject { id: ID! x: Int } '
            'type A @key(fields: "id") { id: ID! }',
        ),
    ]
    with pytest.raises(CompositionError) as raised:
        compose(subgraphs)
    assert raised.value.messages == [
        '[two] Interface type "Node" is defined as an @interfaceObject in subgraph "two" so '
        'that subgraph should not define any of the implementation types of "Node", but it '
        'defines type "A"'
    ]


def test_shared_field_whose_subgraphs_share_no_runtime_type() -> None:
    errors = _errors(
        a="interface Doc { id: ID! } type Memo implements Doc { id: ID! } "
        "type Query { docs: [Doc!]! @shareable }",
        b="interface Doc { id: ID! } type Query { docs: [Doc!]! @shareable }",
    )
    assert errors == [
        'Shared field "Query.docs" return type "[Doc!]!" has a non-intersecting set of possible '
        "runtime types across subgraphs. Runtime types in subgraphs are:\n"
        ' - in subgraph "a", type "Memo";\n'
        ' - in subgraph "b", no runtime type is defined.\n'
        "This is not allowed as shared fields must resolve the same way in all subgraphs, and "
        "that implies at least some common runtime types between the subgraphs."
    ]


def test_field_only_in_a_subgraph_that_cannot_be_jumped_to() -> None:
    errors = _errors(
        users='type User @key(fields: "id") { id: ID! name: String } type Query { me: User }',
        tasks='type User @key(fields: "id", resolvable: false) { id: ID! tasks: [String] } '
        "type Query { t: String }",
    )
    assert errors == [
        'Field "User.tasks" cannot be satisfied: from subgraph "users" (which returns "User" '
        'from "Query.me"), cannot find field "User.tasks" and cannot move to subgraph "tasks", '
        'which has it, because no @key on type "User" there is resolvable.'
    ]


def test_value_type_field_missing_where_only_that_subgraph_returns_the_type() -> None:
    errors = _errors(
        a="type Stats @shareable { a: Int b: Int } type Query { stats: Stats }",
        b="type Stats @shareable { a: Int } type Query { otherStats: Stats }",
    )
    assert errors == [
        'Field "Stats.b" cannot be satisfied: from subgraph "b" (which returns "Stats" from '
        '"Query.otherStats"), cannot find field "Stats.b" and cannot move to subgraph "a", which '
        'has it, because no @key on type "Stats" there is resolvable.'
    ]


def test_value_type_field_missing_is_fine_when_a_shared_field_reaches_it() -> None:
    supergraph = compose(
        [
            SubgraphDefinition(
                name,
                f"http://{name}",
                LINK + f"type Stats @shareable {{ {fields} }} "
                "type Query { stats: Stats @shareable }",
            )
            for name, fields in (("a", "a: Int b: Int"), ("b", "a: Int"))
        ]
    )
    assert "  b: Int @join__field(graph: A)\n" in supergraph
