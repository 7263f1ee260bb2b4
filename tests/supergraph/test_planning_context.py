"""Plan tests: @context / @fromContext (join v0.5 ``contextArguments``).

A field whose argument is ``@fromContext`` gets its value from the nearest enclosing object
whose type sets that context. The router fetches the context's selection there (from
whichever fetch can return it, or through an entity jump), and asks for the field in an
entity fetch of its own whose argument is a variable (``$contextualArgument_<n>_<i>``) the
executor fills per object; ``contextRewrites`` in the printout says where it reads it.
"""

# Supergraph SDL and printed plans keep their natural (long) lines.
# ruff: noqa: E501

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType

from supergraph.loading import Supergraph, load_supergraph
from supergraph.planning import PlanningError, plan_query
from supergraph.printer import print_plan
from tests.supergraph.supergraphs import assert_plan, supergraph_sdl

_CONTEXT_MACHINERY = """
directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION

input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__FieldValue
"""


def context_supergraph(graphs: list[str], types: str) -> Supergraph:
    """A join v0.5 supergraph (context spec linked) around ``types``."""
    sdl = supergraph_sdl(graphs, types)
    sdl = sdl.replace(
        '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)',
        '@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)\n'
        '  @link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)',
    )
    sdl = sdl.replace(
        "overrideLabel: String)",
        "overrideLabel: String, contextArguments: [join__ContextArgument!])",
    )
    return load_supergraph(sdl + _CONTEXT_MACHINERY)


def _account_types(*, orders_root: str = "", currency_in_orders: str = "external: true") -> str:
    return f"""
    type Account
      @join__type(graph: ACCOUNTS, key: "id")
      @join__type(graph: ORDERS, key: "id")
      @context(name: "orders__acct")
    {{
      id: ID!
      currency: String! @join__field(graph: ACCOUNTS) @join__field(graph: ORDERS, {currency_in_orders})
      orders: [Order!]! @join__field(graph: ORDERS)
    }}

    type Order
      @join__type(graph: ORDERS, key: "id")
    {{
      id: ID!
      lines: [Line!]!
      total(format: String): String @join__field(graph: ORDERS, contextArguments: [{{context: "orders__acct", name: "currency", type: "String", selection: " {{ currency }}"}}])
    }}

    type Line
      @join__type(graph: ORDERS, key: "id")
    {{
      id: ID!
      price: String @join__field(graph: ORDERS, contextArguments: [{{context: "orders__acct", name: "currency", type: "String!", selection: " {{ currency }}"}}])
    }}

    type Query
      @join__type(graph: ACCOUNTS)
      @join__type(graph: ORDERS)
    {{
      accounts: [Account!]! @join__field(graph: ACCOUNTS)
      {orders_root}
    }}
    """


SPLIT = context_supergraph(["accounts", "orders"], _account_types())


def test_context_value_comes_from_the_fetch_that_already_has_the_ancestor() -> None:
    # currency is external in orders: the accounts root fetch returns it, not a new jump.
    assert_plan(
        SPLIT,
        "{ accounts { id orders { id total } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                accounts {
                  __typename
                  id
                  currency
                }
              }
            },
            Flatten(path: "accounts.@") {
              Fetch(service: "orders") {
                {
                  ... on Account {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    orders {
                      __typename
                      id
                    }
                  }
                }
              },
            },
            Flatten(path: "accounts.@.orders.@") {
              Fetch(service: "orders", contextRewrites: [$contextualArgument_1_0 <- ../Account { currency }]) {
                {
                  ... on Order {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Order {
                    total(currency: $contextualArgument_1_0)
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_client_arguments_stay_and_the_context_reaches_two_levels_down() -> None:
    # Both contextual fields share the entity fetch per path; Line reads Account two up.
    assert_plan(
        SPLIT,
        '{ accounts { orders { total(format: "short") lines { price } } } }',
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                accounts {
                  __typename
                  id
                  currency
                }
              }
            },
            Flatten(path: "accounts.@") {
              Fetch(service: "orders") {
                {
                  ... on Account {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    orders {
                      __typename
                      id
                      lines {
                        __typename
                        id
                      }
                    }
                  }
                }
              },
            },
            Parallel {
              Flatten(path: "accounts.@.orders.@") {
                Fetch(service: "orders", contextRewrites: [$contextualArgument_1_0 <- ../Account { currency }]) {
                  {
                    ... on Order {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on Order {
                      total(format: "short", currency: $contextualArgument_1_0)
                    }
                  }
                },
              },
              Flatten(path: "accounts.@.orders.@.lines.@") {
                Fetch(service: "orders", contextRewrites: [$contextualArgument_2_0 <- ../../Account { currency }]) {
                  {
                    ... on Line {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on Line {
                      price(currency: $contextualArgument_2_0)
                    }
                  }
                },
              },
            },
          },
        }
        """,
    )


def test_context_value_fetched_by_a_jump_runs_before_the_contextual_fetch() -> None:
    # Accounts reached from orders' root field: currency needs its own jump to accounts,
    # and the contextual fetch must wait for it.
    supergraph = context_supergraph(
        ["accounts", "orders"],
        _account_types(orders_root="topAccounts: [Account!]! @join__field(graph: ORDERS)"),
    )
    assert_plan(
        supergraph,
        "{ topAccounts { orders { total } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "orders") {
              {
                topAccounts {
                  __typename
                  id
                  orders {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "topAccounts.@") {
              Fetch(service: "accounts") {
                {
                  ... on Account {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    currency
                  }
                }
              },
            },
            Flatten(path: "topAccounts.@.orders.@") {
              Fetch(service: "orders", contextRewrites: [$contextualArgument_1_0 <- ../Account { currency }]) {
                {
                  ... on Order {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Order {
                    total(currency: $contextualArgument_1_0)
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_context_value_the_same_subgraph_resolves_is_selected_in_its_own_fetch() -> None:
    # Shareable currency in orders: the value rides along in orders' first fetch, and the
    # contextual field still needs a fetch of its own (its argument is a variable).
    supergraph = context_supergraph(
        ["accounts", "orders"],
        _account_types(
            orders_root="topAccounts: [Account!]! @join__field(graph: ORDERS)",
            currency_in_orders="",
        ).replace("@join__field(graph: ORDERS, )", "@join__field(graph: ORDERS)"),
    )
    assert_plan(
        supergraph,
        "{ topAccounts { orders { total } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "orders") {
              {
                topAccounts {
                  orders {
                    __typename
                    id
                  }
                  currency
                }
              }
            },
            Flatten(path: "topAccounts.@.orders.@") {
              Fetch(service: "orders", contextRewrites: [$contextualArgument_1_0 <- ../Account { currency }]) {
                {
                  ... on Order {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Order {
                    total(currency: $contextualArgument_1_0)
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_contextual_field_outside_any_context_is_a_planning_error() -> None:
    supergraph = context_supergraph(
        ["accounts", "orders"],
        _account_types(orders_root="order(id: ID!): Order @join__field(graph: ORDERS)"),
    )
    with pytest.raises(PlanningError, match="context 'orders__acct'"):
        plan_query(supergraph, '{ order(id: "o1") { total } }')


def test_context_arguments_and_type_contexts_are_loaded() -> None:
    total = SPLIT.types["Order"].fields["total"].definitions["orders"]
    assert [(a.name, a.type, a.context) for a in total.context_arguments] == [
        ("currency", "String", "orders__acct")
    ]
    assert SPLIT.types["Account"].contexts == frozenset({"orders__acct"})
    order = SPLIT.api_schema.get_type("Order")
    assert isinstance(order, GraphQLObjectType)
    assert list(order.fields["total"].args) == ["format"]


OWNERS = context_supergraph(
    ["a", "b"],
    """
    interface Owner
      @join__type(graph: A)
      @join__type(graph: B, key: "id")
      @context(name: "b__owner")
    {
      id: ID!
      pets: [Pet!]! @join__field(graph: B)
    }

    type Person implements Owner
      @join__implements(graph: A, interface: "Owner")
      @join__implements(graph: B, interface: "Owner")
      @join__type(graph: A, key: "id")
      @join__type(graph: B, key: "id")
    {
      id: ID!
      pets: [Pet!]! @join__field(graph: B)
      language: String @join__field(graph: A) @join__field(graph: B, external: true)
    }

    type Shelter implements Owner
      @join__implements(graph: A, interface: "Owner")
      @join__implements(graph: B, interface: "Owner")
      @join__type(graph: A, key: "id")
      @join__type(graph: B, key: "id")
    {
      id: ID!
      pets: [Pet!]! @join__field(graph: B)
      country: String @join__field(graph: A) @join__field(graph: B, external: true)
    }

    type Pet
      @join__type(graph: B, key: "id")
    {
      id: ID!
      greeting: String @join__field(graph: B, contextArguments: [{context: "b__owner", name: "lang", type: "String", selection: " ... on Person { language } ... on Shelter { country }"}])
    }

    type Query
      @join__type(graph: A)
      @join__type(graph: B)
    {
      owners: [Owner!]! @join__field(graph: A)
    }
    """,
)


def test_context_on_an_interface_reads_per_implementation_into_one_variable() -> None:
    # The selection's type conditions pick the field per implementation; both are read in
    # the root fetch, and one variable gets whichever applies to each pet's owner.
    assert_plan(
        OWNERS,
        "{ owners { pets { greeting } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                owners {
                  __typename
                  ... on Person {
                    id
                    language
                  }
                  ... on Shelter {
                    id
                    country
                  }
                }
              }
            },
            Flatten(path: "owners.@") {
              Fetch(service: "b") {
                {
                  ... on Person {
                    __typename
                    id
                  }
                  ... on Shelter {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Person {
                    pets {
                      __typename
                      id
                    }
                  }
                  ... on Shelter {
                    pets {
                      __typename
                      id
                    }
                  }
                }
              },
            },
            Flatten(path: "owners.@.pets.@") {
              Fetch(service: "b", contextRewrites: [$contextualArgument_1_0 <- ../Person { language }, $contextualArgument_1_0 <- ../Shelter { country }]) {
                {
                  ... on Pet {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Pet {
                    greeting(lang: $contextualArgument_1_0)
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_context_carried_by_join_directive_is_honoured() -> None:
    # Some composers write the type's context as a @join__directive instead of @context.
    types = _account_types().replace(
        '@context(name: "orders__acct")',
        '@join__directive(graphs: [ORDERS], name: "federation__context",'
        ' args: {name: "orders__acct"})',
    )
    supergraph = context_supergraph(
        ["accounts", "orders"],
        types
        + """
        directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

        scalar join__DirectiveArguments
        """,
    )
    assert supergraph.types["Account"].contexts == frozenset({"orders__acct"})
    plan = plan_query(supergraph, "{ accounts { orders { total } } }")
    assert "$contextualArgument_1_0 <- ../Account { currency }" in print_plan(plan)
