"""Plan tests: root fields split across subgraphs, entity jumps, @requires and @provides.

The supergraph is the classic products/reviews/inventory/accounts example, written as
@apollo/composition prints it. Expected plans match Apollo's query planner (order inside a
``Parallel`` aside).
"""

from supergraph.plan import QueryPlan
from supergraph.planning import plan_query
from tests.supergraph.supergraphs import assert_plan, make_supergraph

SHOP = make_supergraph(
    ["accounts", "inventory", "products", "reviews"],
    """
    type Mutation
      @join__type(graph: ACCOUNTS)
      @join__type(graph: REVIEWS)
    {
      login(username: String!, password: String!): User @join__field(graph: ACCOUNTS)
      addReview(upc: String!, body: String!): Review @join__field(graph: REVIEWS)
    }

    type Product
      @join__type(graph: INVENTORY, key: "upc")
      @join__type(graph: PRODUCTS, key: "upc")
      @join__type(graph: REVIEWS, key: "upc")
    {
      upc: String!
      weight: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
      price: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
      inStock: Boolean @join__field(graph: INVENTORY)
      shippingEstimate: Int @join__field(graph: INVENTORY, requires: "price weight")
      name: String @join__field(graph: PRODUCTS)
      reviews: [Review] @join__field(graph: REVIEWS)
    }

    type Query
      @join__type(graph: ACCOUNTS)
      @join__type(graph: INVENTORY)
      @join__type(graph: PRODUCTS)
      @join__type(graph: REVIEWS)
    {
      me: User @join__field(graph: ACCOUNTS)
      topProducts(first: Int = 5): [Product] @join__field(graph: PRODUCTS)
      product(upc: String!): Product @join__field(graph: PRODUCTS)
      latestReviews: [Review!]! @join__field(graph: REVIEWS)
    }

    type Review
      @join__type(graph: REVIEWS, key: "id")
    {
      id: ID!
      body: String
      author: User @join__field(graph: REVIEWS, provides: "username")
      product: Product
    }

    type User
      @join__type(graph: ACCOUNTS, key: "id")
      @join__type(graph: REVIEWS, key: "id")
    {
      id: ID!
      name: String @join__field(graph: ACCOUNTS)
      username: String @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)
      birthDate(locale: String): String @join__field(graph: ACCOUNTS)
      reviews: [Review] @join__field(graph: REVIEWS)
      numberOfReviews: Int! @join__field(graph: REVIEWS)
    }
    """,
)


def test_only_introspection_needs_no_fetch() -> None:
    """``__typename``, ``__schema`` and ``__type`` at the root are answered by the router."""
    plan = plan_query(SHOP, "{ __typename __schema { queryType { name } } }")
    assert plan == QueryPlan(node=None)


def test_single_subgraph_query_is_one_fetch() -> None:
    """Everything from one subgraph: one fetch, no jumps."""
    assert_plan(
        SHOP,
        """
        { me { id name } }
        """,
        """
        QueryPlan {
          Fetch(service: "accounts") {
            {
              me {
                id
                name
              }
            }
          },
        }
        """,
    )


def test_root_fields_of_different_subgraphs_run_in_parallel() -> None:
    """Independent root fields go to their subgraphs concurrently."""
    assert_plan(
        SHOP,
        """
        query($n: Int) { me { name } topProducts(first: $n) { name } }
        """,
        """
        QueryPlan {
          Parallel {
            Fetch(service: "accounts") {
              {
                me {
                  name
                }
              }
            },
            Fetch(service: "products") {
              {
                topProducts(first: $n) {
                  name
                }
              }
            },
          },
        }
        """,
    )


def test_entity_jump_over_a_list() -> None:
    """A field owned elsewhere: fetch the key, then _entities on each list item."""
    assert_plan(
        SHOP,
        """
        { topProducts { name reviews { body } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  __typename
                  upc
                  name
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
        }
        """,
    )


def test_requires_fetches_required_fields_first_and_batches_same_subgraph() -> None:
    """@requires fields go into the representation; other fields of that subgraph ride along."""
    assert_plan(
        SHOP,
        """
        { topProducts { name shippingEstimate inStock } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  __typename
                  upc
                  name
                  price
                  weight
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc
                    price
                    weight
                  }
                } =>
                {
                  ... on Product {
                    shippingEstimate
                    inStock
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_provides_avoids_a_jump_only_under_the_providing_field() -> None:
    """Review.author provides username: no jump there; deeper name still jumps."""
    assert_plan(
        SHOP,
        """
        { latestReviews { author { username name } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "reviews") {
              {
                latestReviews {
                  author {
                    __typename
                    id
                    username
                  }
                }
              }
            },
            Flatten(path: "latestReviews.@.author") {
              Fetch(service: "accounts") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    name
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_nested_jumps_go_back_and_forth() -> None:
    """products -> reviews -> accounts and products again, grouped per path."""
    assert_plan(
        SHOP,
        """
        { topProducts { name reviews { body author { name reviews { product { name } } } } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  __typename
                  upc
                  name
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
                      author {
                        __typename
                        id
                        reviews {
                          product {
                            __typename
                            upc
                          }
                        }
                      }
                    }
                  }
                }
              },
            },
            Parallel {
              Flatten(path: "topProducts.@.reviews.@.author") {
                Fetch(service: "accounts") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      name
                    }
                  }
                },
              },
              Flatten(path: "topProducts.@.reviews.@.author.reviews.@.product") {
                Fetch(service: "products") {
                  {
                    ... on Product {
                      __typename
                      upc
                    }
                  } =>
                  {
                    ... on Product {
                      name
                    }
                  }
                },
              },
            },
          },
        }
        """,
    )


def test_jump_from_a_subgraph_back_to_the_first() -> None:
    """accounts -> reviews -> (author.username is provided) no jump back."""
    assert_plan(
        SHOP,
        """
        { me { username reviews { author { username } } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                me {
                  __typename
                  id
                  username
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    reviews {
                      author {
                        username
                      }
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_mutation_root_fields_run_in_order() -> None:
    """Mutation root fields run strictly one after another, each followed by its jumps."""
    assert_plan(
        SHOP,
        """
        mutation {
          a: login(username: "a", password: "b") { name reviews { body } }
          addReview(upc: "1", body: "x") { id author { name } }
          b: login(username: "c", password: "d") { id }
        }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                a: login(username: "a", password: "b") {
                  __typename
                  id
                  name
                }
              }
            },
            Flatten(path: "a") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    reviews {
                      body
                    }
                  }
                }
              },
            },
            Fetch(service: "reviews") {
              {
                addReview(upc: "1", body: "x") {
                  id
                  author {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "addReview.author") {
              Fetch(service: "accounts") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    name
                  }
                }
              },
            },
            Fetch(service: "accounts") {
              {
                b: login(username: "c", password: "d") {
                  id
                }
              }
            },
          },
        }
        """,
    )


def test_aliases_arguments_and_variables_are_kept() -> None:
    """Client aliases, arguments and variables pass through unchanged."""
    assert_plan(
        SHOP,
        """
        query($locale: String) { me { born: birthDate(locale: $locale) reviews { body } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                me {
                  __typename
                  id
                  born: birthDate(locale: $locale)
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    reviews {
                      body
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_added_key_field_is_aliased_when_the_client_took_its_name() -> None:
    """The client aliased `name` as `id`: the key gets a private alias, read back by `requires`."""
    assert_plan(
        SHOP,
        """
        { me { id: name reviews { body } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                me {
                  __typename
                  __tf_1_id: id
                  id: name
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    __tf_1_id: id
                  }
                } =>
                {
                  ... on User {
                    reviews {
                      body
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_include_on_a_fragment_guards_the_jumped_fields() -> None:
    """A conditional fragment keeps its condition in the entity fetch too."""
    assert_plan(
        SHOP,
        """
        query($x: Boolean!) { me { name ... @include(if: $x) { reviews { body } } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                me {
                  name
                  ... @include(if: $x) {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    ... @include(if: $x) {
                      reviews {
                        body
                      }
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_named_fragments_are_inlined() -> None:
    """Fragments are expanded into each subgraph's selection."""
    assert_plan(
        SHOP,
        """
        query { topProducts { ...P } }
        fragment P on Product { name reviews { ...R } }
        fragment R on Review { body }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  __typename
                  upc
                  name
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
        }
        """,
    )


def test_literal_skip_and_include_prune_selections() -> None:
    """@include(if: false) never runs; a skipped jump fetches no keys, so no request."""
    assert_plan(
        SHOP,
        """
        query($s: Boolean!) {
          topProducts { name reviews @include(if: false) { body } inStock @skip(if: $s) }
        }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  name
                  ... @skip(if: $s) {
                    __typename
                    upc
                  }
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    ... @skip(if: $s) {
                      inStock
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )
