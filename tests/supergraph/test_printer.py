"""Tests for the Apollo-style query plan printer."""

from graphql import OperationDefinitionNode, SelectionSetNode, parse

from supergraph.plan import Fetch, Flatten, Parallel, QueryPlan, Sequence
from supergraph.printer import print_plan


def _selection(text: str) -> SelectionSetNode:
    definition = parse(text).definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return definition.selection_set


def test_empty_plan() -> None:
    assert print_plan(QueryPlan(node=None)) == "QueryPlan {\n}"


def test_sequence_with_entity_fetch() -> None:
    entity_op = (
        "query($representations: [_Any!]!) { _entities(representations: $representations)"
        " { ... on Product { reviews { body } } } }"
    )
    plan = QueryPlan(
        Sequence(
            (
                Fetch("products", "{ topProducts { __typename upc } }"),
                Flatten(
                    ("topProducts", "@"),
                    Fetch(
                        "reviews",
                        entity_op,
                        requires=_selection("{ ... on Product { __typename upc } }"),
                    ),
                ),
            )
        )
    )
    assert (
        print_plan(plan)
        == """QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          __typename
          upc
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "reviews") {
        {
          ... on Product {
            __typename
            upc
          }
        } =>
        {
          ... on Product {
            reviews {
              body
            }
          }
        }
      },
    },
  },
}"""
    )


def test_parallel_root_fetches_show_selection_without_variables() -> None:
    plan = QueryPlan(
        Parallel(
            (
                Fetch("a", "query($id: ID!) { a(id: $id) }", variable_usages=("id",)),
                Fetch("b", "{ b }"),
            )
        )
    )
    assert (
        print_plan(plan)
        == """QueryPlan {
  Parallel {
    Fetch(service: "a") {
      {
        a(id: $id)
      }
    },
    Fetch(service: "b") {
      {
        b
      }
    },
  },
}"""
    )
