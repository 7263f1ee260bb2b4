"""Tests of the planner/executor contract: subgraph operation text, variables, kinds, errors."""

import pytest

from supergraph.plan import Fetch, Flatten, PlanNode, Sequence
from supergraph.planning import PlanningError, plan_query
from tests.supergraph.test_planning_entities import SHOP


def _fetches(node: PlanNode | None) -> list[Fetch]:
    match node:
        case None:
            return []
        case Fetch():
            return [node]
        case Flatten():
            return _fetches(node.node)
        case _:
            return [fetch for child in node.nodes for fetch in _fetches(child)]


def test_root_fetch_declares_only_the_variables_it_uses_with_defaults() -> None:
    plan = plan_query(
        SHOP,
        "query Top($n: Int = 3, $x: Boolean!)"
        " { topProducts(first: $n) { name } me @include(if: $x) { id } }",
    )
    fetch, me = _fetches(plan.node)
    assert me.variable_usages == ("x",)
    assert fetch.service == "products"
    assert fetch.operation_kind == "query"
    assert fetch.variable_usages == ("n",)
    assert fetch.requires is None
    assert fetch.operation == "query ($n: Int = 3) {\n  topProducts(first: $n) {\n    name\n  }\n}"


def test_entity_fetch_is_an_entities_query_with_client_variables() -> None:
    plan = plan_query(SHOP, "query($x: Boolean!) { me { name reviews @include(if: $x) { body } } }")
    assert isinstance(plan.node, Sequence)
    root, entity = _fetches(plan.node)
    assert root.variable_usages == ("x",)
    assert entity.variable_usages == ("x",)
    assert entity.operation == (
        "query ($representations: [_Any!]!, $x: Boolean!) {\n"
        "  _entities(representations: $representations) {\n"
        "    ... on User {\n"
        "      ... @include(if: $x) {\n"
        "        reviews {\n"
        "          body\n"
        "        }\n"
        "      }\n"
        "    }\n"
        "  }\n"
        "}"
    )
    flatten = plan.node.nodes[1]
    assert isinstance(flatten, Flatten)
    assert flatten.path == ("me",)


def test_mutation_fetches_are_mutations() -> None:
    plan = plan_query(SHOP, 'mutation { login(username: "u", password: "p") { name } }')
    (fetch,) = _fetches(plan.node)
    assert fetch.operation_kind == "mutation"
    assert fetch.operation.startswith("mutation {")


def test_operation_name_selects_the_operation() -> None:
    document = "query A { me { name } } query B { topProducts { name } }"
    (fetch,) = _fetches(plan_query(SHOP, document, "B").node)
    assert fetch.service == "products"
    with pytest.raises(PlanningError, match="operation name is required"):
        plan_query(SHOP, document)
    with pytest.raises(PlanningError, match="unknown operation"):
        plan_query(SHOP, document, "C")


@pytest.mark.parametrize(
    ("query", "message"),
    [("{ me { name }", "syntax error"), ("{ me { nope } }", "Cannot query field 'nope'")],
)
def test_invalid_operations_are_refused(query: str, message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        plan_query(SHOP, query)
