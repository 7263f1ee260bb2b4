"""Plan tests: several and composite keys, resolvable: false, @shareable, @override, and
abstract types whose members differ per subgraph.

Supergraphs are written as @apollo/composition prints them; expected plans match Apollo's
query planner up to order inside ``Parallel`` and redundant ``__typename`` in fragments.
"""

from tests.supergraph.supergraphs import assert_plan, make_supergraph

KEYS = make_supergraph(
    ["a", "b", "c", "d"],
    """
    type Org
      @join__type(graph: A, key: "id")
      @join__type(graph: B, key: "id")
    {
      id: ID!
      name: String @join__field(graph: B)
    }

    type Post
      @join__type(graph: C, key: "id")
    {
      id: ID!
    }

    type Query
      @join__type(graph: A)
      @join__type(graph: B)
      @join__type(graph: C)
      @join__type(graph: D)
    {
      users: [User] @join__field(graph: A) @join__field(graph: B)
      thing: Thing @join__field(graph: A)
      best: User @join__field(graph: C)
    }

    type Region
      @join__type(graph: A)
      @join__type(graph: B)
    {
      code: String!
    }

    type Thing
      @join__type(graph: A, key: "sku region { code }")
      @join__type(graph: B, key: "sku region { code }")
    {
      sku: String!
      region: Region!
      label: String @join__field(graph: A)
      stock: Int @join__field(graph: B)
    }

    type User
      @join__type(graph: A, key: "id")
      @join__type(graph: A, key: "email")
      @join__type(graph: B, key: "email")
      @join__type(graph: C, key: "id", resolvable: false)
      @join__type(graph: D, key: "id")
    {
      id: ID! @join__field(graph: A) @join__field(graph: C) @join__field(graph: D)
      email: String! @join__field(graph: A) @join__field(graph: B)
      name: String @join__field(graph: A)
      org: Org @join__field(graph: A) @join__field(graph: B)
      karma: Int @join__field(graph: B)
      score: Float @join__field(graph: D)
    }
    """,
)

SHARED = make_supergraph(
    ["a", "b"],
    """
    type Query
      @join__type(graph: A)
      @join__type(graph: B)
    {
      me: User @join__field(graph: A)
      topUsers: [User] @join__field(graph: B)
    }

    type User
      @join__type(graph: A, key: "id")
      @join__type(graph: B, key: "id")
    {
      id: ID!
      name: String
      email: String @join__field(graph: A, override: "b")
      friends: [User] @join__field(graph: B)
    }
    """,
)

MEDIA = make_supergraph(
    ["extra", "media"],
    """
    type Book implements Node & Media
      @join__implements(graph: EXTRA, interface: "Node")
      @join__implements(graph: MEDIA, interface: "Media")
      @join__implements(graph: MEDIA, interface: "Node")
      @join__type(graph: EXTRA, key: "id")
      @join__type(graph: MEDIA, key: "id")
    {
      id: ID!
      isbn: String @join__field(graph: EXTRA)
      title: String @join__field(graph: MEDIA)
      pages: Int @join__field(graph: MEDIA)
    }

    interface Media
      @join__type(graph: MEDIA)
    {
      id: ID!
      title: String
    }

    type Movie implements Media & Node
      @join__implements(graph: MEDIA, interface: "Media")
      @join__implements(graph: MEDIA, interface: "Node")
      @join__type(graph: EXTRA, key: "id")
      @join__type(graph: MEDIA, key: "id")
    {
      id: ID!
      runtime: Int @join__field(graph: EXTRA)
      title: String @join__field(graph: MEDIA)
    }

    interface Node
      @join__type(graph: EXTRA)
      @join__type(graph: MEDIA)
    {
      id: ID!
    }

    type Query
      @join__type(graph: EXTRA)
      @join__type(graph: MEDIA)
    {
      node(id: ID!): Node
      promoted: [Result] @join__field(graph: EXTRA)
      feed: [Media] @join__field(graph: MEDIA)
    }

    union Result
      @join__type(graph: EXTRA)
      @join__type(graph: MEDIA)
      @join__unionMember(graph: EXTRA, member: "Book")
      @join__unionMember(graph: MEDIA, member: "Book")
      @join__unionMember(graph: EXTRA, member: "Song")
      @join__unionMember(graph: MEDIA, member: "Movie")
     = Book | Song | Movie

    type Shelf
      @join__type(graph: MEDIA, key: "id")
    {
      id: ID!
      items: [Result]
    }

    type Song implements Node
      @join__implements(graph: EXTRA, interface: "Node")
      @join__type(graph: EXTRA, key: "id")
    {
      id: ID!
      lyrics: String
    }
    """,
)


VALUES = make_supergraph(
    ["a", "b"],
    """
    type Address
      @join__type(graph: A)
      @join__type(graph: B)
    {
      city: String
      zip: String @join__field(graph: B)
    }

    type Query
      @join__type(graph: A)
      @join__type(graph: B)
    {
      me: User @join__field(graph: A)
    }

    type User
      @join__type(graph: A, key: "id")
      @join__type(graph: B, key: "id")
    {
      id: ID!
      address: Address
    }
    """,
)


def test_resolvable_false_key_still_lets_other_subgraphs_jump() -> None:
    """c only references User by id: a and d resolve it by id; b needs the email a gives."""
    assert_plan(
        KEYS,
        """
        { best { name karma score } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "c") {
              {
                best {
                  __typename
                  id
                }
              }
            },
            Parallel {
              Sequence {
                Flatten(path: "best") {
                  Fetch(service: "a") {
                    {
                      ... on User {
                        __typename
                        id
                      }
                    } =>
                    {
                      ... on User {
                        name
                        email
                      }
                    }
                  },
                },
                Flatten(path: "best") {
                  Fetch(service: "b") {
                    {
                      ... on User {
                        __typename
                        email
                      }
                    } =>
                    {
                      ... on User {
                        karma
                      }
                    }
                  },
                },
              },
              Flatten(path: "best") {
                Fetch(service: "d") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      score
                    }
                  }
                },
              },
            },
          },
        }
        """,
    )


def test_composite_nested_key_is_sent_whole() -> None:
    """Thing's key `sku region { code }` is selected and sent with its nested field."""
    assert_plan(
        KEYS,
        """
        { thing { label stock } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                thing {
                  __typename
                  sku
                  region {
                    code
                  }
                  label
                }
              }
            },
            Flatten(path: "thing") {
              Fetch(service: "b") {
                {
                  ... on Thing {
                    __typename
                    sku
                    region {
                      code
                    }
                  }
                } =>
                {
                  ... on Thing {
                    stock
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_shareable_field_is_taken_from_the_current_subgraph() -> None:
    """name is @shareable: b returns it wherever it is; only the overridden email jumps."""
    assert_plan(
        SHARED,
        """
        { topUsers { name email friends { name email } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "b") {
              {
                topUsers {
                  __typename
                  id
                  name
                  friends {
                    __typename
                    id
                    name
                  }
                }
              }
            },
            Parallel {
              Flatten(path: "topUsers.@") {
                Fetch(service: "a") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      email
                    }
                  }
                },
              },
              Flatten(path: "topUsers.@.friends.@") {
                Fetch(service: "a") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      email
                    }
                  }
                },
              },
            },
          },
        }
        """,
    )


def test_overridden_field_is_never_asked_from_the_old_owner() -> None:
    """a took email over from b: the root in a serves it directly."""
    assert_plan(
        SHARED,
        """
        { me { name email } }
        """,
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              me {
                name
                email
              }
            }
          },
        }
        """,
    )


def test_per_type_fragments_batch_into_one_entity_fetch() -> None:
    """Book and Movie items of one list go to extra in a single _entities fetch."""
    assert_plan(
        MEDIA,
        """
        { feed { title ... on Book { pages isbn } ... on Movie { runtime } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "media") {
              {
                feed {
                  __typename
                  title
                  ... on Book {
                    id
                    pages
                  }
                  ... on Movie {
                    id
                  }
                }
              }
            },
            Flatten(path: "feed.@") {
              Fetch(service: "extra") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                  ... on Movie {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    isbn
                  }
                  ... on Movie {
                    runtime
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_fragments_on_types_a_subgraph_lacks_are_dropped() -> None:
    """extra's Result has no Movie: that fragment is not sent to extra (nor anywhere)."""
    assert_plan(
        MEDIA,
        """
        { promoted { ... on Book { title isbn } ... on Movie { title } ... on Song { lyrics } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "extra") {
              {
                promoted {
                  __typename
                  ... on Book {
                    id
                    isbn
                  }
                  ... on Song {
                    lyrics
                  }
                }
              }
            },
            Flatten(path: "promoted.@") {
              Fetch(service: "media") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    title
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_interface_fields_resolved_by_every_implementation_stay_on_the_interface() -> None:
    """media resolves Media.title for all its implementations: no type explosion."""
    assert_plan(
        MEDIA,
        """
        { feed { id title } }
        """,
        """
        QueryPlan {
          Fetch(service: "media") {
            {
              feed {
                __typename
                id
                title
              }
            }
          },
        }
        """,
    )


def test_shareable_abstract_root_field_picks_the_best_subgraph() -> None:
    """Query.node is in both subgraphs: one is asked, the fragment's other field jumps."""
    assert_plan(
        MEDIA,
        """
        { node(id: "1") { ... on Book { isbn title } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "extra") {
              {
                node(id: "1") {
                  __typename
                  ... on Book {
                    id
                    isbn
                  }
                }
              }
            },
            Flatten(path: "node") {
              Fetch(service: "media") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    title
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_shareable_root_field_joins_a_subgraph_already_asked() -> None:
    """users is in a and b; thing only in a: both go to a in one fetch."""
    assert_plan(
        KEYS,
        """
        { users { name } thing { label } }
        """,
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              users {
                name
              }
              thing {
                label
              }
            }
          },
        }
        """,
    )


def test_value_type_field_missing_here_takes_the_parent_field_elsewhere() -> None:
    """Address (no key) lacks zip in a: address comes from b via User's key."""
    assert_plan(
        VALUES,
        """
        { me { address { city zip } } }
        """,
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                me {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "b") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    address {
                      city
                      zip
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )
