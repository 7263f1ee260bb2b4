"""Plan tests: the cost model choosing between subgraphs (fewer fetches, then shorter chains).

The planner first plans greedily (a subgraph already asked, then the join__Graph order),
then tries the other subgraphs at each such choice and keeps a plan only when it is
strictly cheaper. With the search switched off (``_SEARCH = False``) the greedy plan
shows what the cost model saves.
"""

from __future__ import annotations

import pytest

from supergraph.loading import Supergraph
from supergraph.plan import QueryPlan
from supergraph.planning import plan_query, planner
from supergraph.planning.choices import Decision, DecisionKey, alternatives, search_budget
from supergraph.planning.cost import PlanCost, plan_cost
from tests.supergraph.supergraphs import assert_plan, make_supergraph

# price is shareable: accounting comes first in join__Graph order, but only inventory also
# has inStock.
PRICES = make_supergraph(
    ["accounting", "catalog", "inventory"],
    """
    type Product
      @join__type(graph: ACCOUNTING, key: "upc")
      @join__type(graph: CATALOG, key: "upc")
      @join__type(graph: INVENTORY, key: "upc")
    {
      upc: String!
      name: String @join__field(graph: CATALOG)
      price: Int @join__field(graph: ACCOUNTING) @join__field(graph: INVENTORY)
      inStock: Boolean @join__field(graph: INVENTORY)
    }

    type Query
      @join__type(graph: ACCOUNTING)
      @join__type(graph: CATALOG)
      @join__type(graph: INVENTORY)
    {
      products: [Product] @join__field(graph: CATALOG)
    }
    """,
)

# Query.shelf is shareable between a (already asked for `a`) and b, which alone has the
# whole shelf selection: asking b runs both root fetches side by side.
SHELVES = make_supergraph(
    ["a", "b"],
    """
    type Query
      @join__type(graph: A)
      @join__type(graph: B)
    {
      a: String @join__field(graph: A)
      shelf: Shelf @join__field(graph: A) @join__field(graph: B)
    }

    type Shelf
      @join__type(graph: A, key: "id")
      @join__type(graph: B, key: "id")
    {
      id: ID!
      label: String @join__field(graph: B)
    }
    """,
)


def greedy_plan(monkeypatch: pytest.MonkeyPatch, supergraph: Supergraph, query: str) -> QueryPlan:
    with monkeypatch.context() as patch:
        patch.setattr(planner, "_SEARCH", False)
        return plan_query(supergraph, query)


def test_shareable_field_goes_where_the_next_field_must_go_anyway(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = "{ products { name price inStock } }"
    assert_plan(
        PRICES,
        query,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "catalog") {
              {
                products {
                  __typename
                  upc
                  name
                }
              }
            },
            Flatten(path: "products.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    price
                    inStock
                  }
                }
              },
            },
          },
        }
        """,
    )
    greedy = greedy_plan(monkeypatch, PRICES, query)
    assert plan_cost(greedy).fetches == 3  # accounting for price, inventory for inStock
    assert plan_cost(plan_query(PRICES, query)).fetches == 2


def test_shareable_root_field_goes_where_it_needs_no_later_jump(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = "{ a shelf { label } }"
    assert_plan(
        SHELVES,
        query,
        """
        QueryPlan {
          Parallel {
            Fetch(service: "a") {
              {
                a
              }
            },
            Fetch(service: "b") {
              {
                shelf {
                  label
                }
              }
            },
          },
        }
        """,
    )
    greedy = plan_cost(greedy_plan(monkeypatch, SHELVES, query))
    # Joining the fetch already going to a costs a jump to b after it: same fetches, longer.
    assert (greedy.fetches, greedy.depth) == (2, 2)
    assert plan_cost(plan_query(SHELVES, query)) < greedy


def test_cost_orders_fetches_before_depth_before_size() -> None:
    assert PlanCost(2, 5, 900) < PlanCost(3, 1, 10)
    assert PlanCost(2, 1, 900) < PlanCost(2, 2, 10)
    assert PlanCost(2, 1, 10) < PlanCost(2, 1, 11)
    assert plan_cost(QueryPlan(node=None)) == PlanCost(0, 0, 0)


def test_like_choices_in_aliased_copies_switch_together(monkeypatch: pytest.MonkeyPatch) -> None:
    # Twelve copies would exhaust a one-choice-at-a-time search; the family moves at once.
    query = "{ " + " ".join(f"c{i}: products {{ price inStock }}" for i in range(12)) + " }"
    assert plan_cost(greedy_plan(monkeypatch, PRICES, query)).fetches == 1 + 12 * 2
    assert plan_cost(plan_query(PRICES, query)).fetches == 1 + 12


def test_alternatives_try_whole_families_first_then_single_choices() -> None:
    decisions: dict[DecisionKey, Decision] = {
        ("t", "p1"): Decision(("t",), ("accounting", "inventory"), "accounting"),
        ("t", "p2"): Decision(("t",), ("accounting", "inventory"), "accounting"),
        ("r",): Decision(("r",), ("a", "b"), "a"),
    }
    assert list(alternatives(decisions, {("x",): "y"})) == [
        {("x",): "y", ("t", "p1"): "inventory", ("t", "p2"): "inventory"},
        {("x",): "y", ("t", "p1"): "inventory"},
        {("x",): "y", ("t", "p2"): "inventory"},
        {("x",): "y", ("r",): "b"},
    ]
    assert search_budget(1) == 24
    assert search_budget(1000) == 4
