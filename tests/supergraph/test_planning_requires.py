"""Plan tests: @requires with arguments and nested selections, chained @requires, and
@interfaceObject subgraphs.

Supergraphs are written as @apollo/composition prints them; expected plans match Apollo's
query planner except where this router's contract differs: a required field whose name the
client already uses with other arguments is aliased ``__tf_<n>_<name>``, and representations
for an @interfaceObject subgraph list each concrete type (rewritten via ``inputRewrites``).
"""

from tests.supergraph.supergraphs import assert_plan, make_supergraph

SHIPPING = make_supergraph(
    ["catalog", "pricing", "shipping", "vendors"],
    """
    type Dims
      @join__type(graph: CATALOG)
      @join__type(graph: SHIPPING)
    {
      w: Int
      h: Int
    }

    type Item
      @join__type(graph: CATALOG, key: "id")
      @join__type(graph: PRICING, key: "id")
      @join__type(graph: SHIPPING, key: "id")
    {
      id: ID!
      weight(unit: Unit!): Float
        @join__field(graph: CATALOG)
        @join__field(graph: SHIPPING, external: true)
      dims: Dims @join__field(graph: CATALOG) @join__field(graph: SHIPPING, external: true)
      vendor: Vendor @join__field(graph: CATALOG) @join__field(graph: SHIPPING, external: true)
      cost: Float
        @join__field(graph: PRICING, external: true)
        @join__field(graph: SHIPPING, requires: "weight(unit: KG) dims { w h } vendor { country }")
      total: Float @join__field(graph: PRICING, requires: "cost")
    }

    type Query
      @join__type(graph: CATALOG)
      @join__type(graph: PRICING)
      @join__type(graph: SHIPPING)
      @join__type(graph: VENDORS)
    {
      item(id: ID!): Item @join__field(graph: CATALOG)
      items: [Item] @join__field(graph: CATALOG)
    }

    enum Unit
      @join__type(graph: CATALOG)
      @join__type(graph: SHIPPING)
    {
      KG @join__enumValue(graph: CATALOG) @join__enumValue(graph: SHIPPING)
      LB @join__enumValue(graph: CATALOG) @join__enumValue(graph: SHIPPING)
    }

    type Vendor
      @join__type(graph: CATALOG, key: "id")
      @join__type(graph: SHIPPING, key: "id")
      @join__type(graph: VENDORS, key: "id")
    {
      id: ID!
      country: String @join__field(graph: SHIPPING, external: true) @join__field(graph: VENDORS)
    }
    """,
)

NODES = make_supergraph(
    ["a", "b"],
    """
    interface Node
      @join__type(graph: A, key: "id")
      @join__type(graph: B, key: "id", isInterfaceObject: true)
    {
      id: ID!
      createdAt: String @join__field(graph: B)
    }

    type Post implements Node
      @join__implements(graph: A, interface: "Node")
      @join__type(graph: A, key: "id")
    {
      id: ID!
      title: String
      createdAt: String @join__field
    }

    type Query
      @join__type(graph: A)
      @join__type(graph: B)
    {
      nodes: [Node!]! @join__field(graph: A)
      recent: [Node!]! @join__field(graph: B)
    }

    type User implements Node
      @join__implements(graph: A, interface: "Node")
      @join__type(graph: A, key: "id")
    {
      id: ID!
      name: String
      createdAt: String @join__field
    }
    """,
)


def test_requires_with_arguments_nested_fields_and_a_jump() -> None:
    """cost needs weight(unit: KG), dims { w h } and vendor { country } (from vendors) first."""
    assert_plan(
        SHIPPING,
        """
        { items { cost } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "catalog") {
              {
                items {
                  __typename
                  id
                  weight(unit: KG)
                  dims {
                    w
                    h
                  }
                  vendor {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "items.@.vendor") {
              Fetch(service: "vendors") {
                {
                  ... on Vendor {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Vendor {
                    country
                  }
                }
              },
            },
            Flatten(path: "items.@") {
              Fetch(service: "shipping") {
                {
                  ... on Item {
                    __typename
                    id
                    weight(unit: KG)
                    dims {
                      w
                      h
                    }
                    vendor {
                      country
                    }
                  }
                } =>
                {
                  ... on Item {
                    cost
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_chained_requires_and_colliding_arguments() -> None:
    """total needs cost, which needs the catalog and vendors data; weight(unit: KG) is aliased."""
    assert_plan(
        SHIPPING,
        """
        { items { weight(unit: LB) total cost } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "catalog") {
              {
                items {
                  __typename
                  id
                  weight(unit: LB)
                  __tf_1_weight: weight(unit: KG)
                  dims {
                    w
                    h
                  }
                  vendor {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "items.@.vendor") {
              Fetch(service: "vendors") {
                {
                  ... on Vendor {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Vendor {
                    country
                  }
                }
              },
            },
            Flatten(path: "items.@") {
              Fetch(service: "shipping") {
                {
                  ... on Item {
                    __typename
                    id
                    __tf_1_weight: weight(unit: KG)
                    dims {
                      w
                      h
                    }
                    vendor {
                      country
                    }
                  }
                } =>
                {
                  ... on Item {
                    cost
                  }
                }
              },
            },
            Flatten(path: "items.@") {
              Fetch(service: "pricing") {
                {
                  ... on Item {
                    __typename
                    id
                    cost
                  }
                } =>
                {
                  ... on Item {
                    total
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_requires_under_a_root_field_with_variables() -> None:
    """Client variables go only to the fetches that use them."""
    assert_plan(
        SHIPPING,
        """
        query($id: ID!, $unit: Unit!) { item(id: $id) { weight(unit: $unit) cost } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "catalog") {
              {
                item(id: $id) {
                  __typename
                  id
                  weight(unit: $unit)
                  __tf_1_weight: weight(unit: KG)
                  dims {
                    w
                    h
                  }
                  vendor {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "item.vendor") {
              Fetch(service: "vendors") {
                {
                  ... on Vendor {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Vendor {
                    country
                  }
                }
              },
            },
            Flatten(path: "item") {
              Fetch(service: "shipping") {
                {
                  ... on Item {
                    __typename
                    id
                    __tf_1_weight: weight(unit: KG)
                    dims {
                      w
                      h
                    }
                    vendor {
                      country
                    }
                  }
                } =>
                {
                  ... on Item {
                    cost
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_interface_object_fields_jump_with_rewritten_typename() -> None:
    """b knows Node only as an object: representations are sent as Node."""
    assert_plan(
        NODES,
        """
        { nodes { id createdAt ... on User { name } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                nodes {
                  __typename
                  id
                  ... on User {
                    name
                  }
                }
              }
            },
            Flatten(path: "nodes.@") {
              Fetch(service: "b", inputRewrites: [Post -> Node, User -> Node]) {
                {
                  ... on Post {
                    __typename
                    id
                  }
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Node {
                    createdAt
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_concrete_type_comes_from_the_subgraph_knowing_implementations() -> None:
    """From b, __typename and type conditions need a fetch of Node from a."""
    assert_plan(
        NODES,
        """
        { recent { id createdAt __typename ... on Post { title } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "b") {
              {
                recent {
                  __typename
                  id
                  createdAt
                }
              }
            },
            Flatten(path: "recent.@") {
              Fetch(service: "a") {
                {
                  ... on Node {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Node {
                    __typename
                    ... on Post {
                      title
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )
