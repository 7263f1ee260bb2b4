"""Plan tests: a subscription's root field streams from its owner; entity fields run per event.

Apollo's query planner prints these as ``Subscription { Primary: { Fetch }, Rest: { ... } }``:
the primary fetch is the subscription itself, sent once, and ``Rest`` is the plan run
against every event's data to fetch fields owned by other subgraphs.
"""

from supergraph.plan import Fetch, Flatten, Parallel, QueryPlan, Subscription
from supergraph.planning import plan_query
from tests.supergraph.supergraphs import assert_plan, make_supergraph

TASKS = make_supergraph(
    ["tasks", "users"],
    """
    type Query
      @join__type(graph: TASKS)
      @join__type(graph: USERS)
    {
      task(id: ID!): Task @join__field(graph: TASKS)
      me: User @join__field(graph: USERS)
    }

    type Subscription
      @join__type(graph: TASKS)
    {
      taskChanged(groupId: ID!): TaskEvent @join__field(graph: TASKS)
      ticks: Int @join__field(graph: TASKS)
    }

    type TaskEvent
      @join__type(graph: TASKS)
    {
      change: String!
      task: Task!
    }

    type Task
      @join__type(graph: TASKS, key: "id")
    {
      id: ID!
      title: String!
      assignee: User
      watchers: [User!]!
    }

    type User
      @join__type(graph: TASKS, key: "id")
      @join__type(graph: USERS, key: "id")
    {
      id: ID!
      displayName: String! @join__field(graph: USERS)
      avatar: String @join__field(graph: USERS)
    }
    """,
)


def test_subscription_owned_by_one_subgraph_has_no_rest() -> None:
    """Every field comes from the owning subgraph: the plan is only the primary fetch."""
    assert_plan(
        TASKS,
        "subscription { taskChanged(groupId: 1) { change task { id title assignee { id } } } }",
        """
        QueryPlan {
          Subscription {
            Primary: {
              Fetch(service: "tasks") {
                {
                  taskChanged(groupId: 1) {
                    change
                    task {
                      id
                      title
                      assignee {
                        id
                      }
                    }
                  }
                }
              }
            }
          },
        }
        """,
    )


def test_subscription_entity_fields_from_another_subgraph_run_per_event() -> None:
    """The owner returns keys; ``Rest`` jumps to users for the assignee's name per event."""
    assert_plan(
        TASKS,
        """
        subscription Changes($group: ID!) {
          taskChanged(groupId: $group) { change task { title assignee { displayName } } }
        }
        """,
        """
        QueryPlan {
          Subscription {
            Primary: {
              Fetch(service: "tasks") {
                {
                  taskChanged(groupId: $group) {
                    change
                    task {
                      title
                      assignee {
                        __typename
                        id
                      }
                    }
                  }
                }
              }
            },
            Rest: {
              Flatten(path: "taskChanged.task.assignee") {
                Fetch(service: "users") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      displayName
                    }
                  }
                },
              }
            }
          },
        }
        """,
    )


def test_subscription_rest_batches_list_items_and_parallel_jumps() -> None:
    """Two positions needing users become two parallel entity fetches in ``Rest``."""
    plan = plan_query(
        TASKS,
        """
        subscription {
          taskChanged(groupId: 1) {
            task { assignee { avatar } watchers { displayName } }
          }
        }
        """,
    )
    node = plan.node
    assert isinstance(node, Subscription)
    assert node.primary.service == "tasks"
    assert node.primary.operation_kind == "subscription"
    assert node.primary.operation.startswith("subscription")
    assert isinstance(node.rest, Parallel)
    paths = sorted(child.path for child in node.rest.nodes if isinstance(child, Flatten))
    assert paths == [("taskChanged", "task", "assignee"), ("taskChanged", "task", "watchers", "@")]


def test_subscription_primary_keeps_its_variables() -> None:
    """The primary fetch declares exactly the variables the root field uses."""
    plan = plan_query(TASKS, "subscription S($g: ID!) { taskChanged(groupId: $g) { change } }")
    assert plan == QueryPlan(
        node=Subscription(
            primary=Fetch(
                service="tasks",
                operation=(
                    "subscription ($g: ID!) {\n  taskChanged(groupId: $g) {\n    change\n  }\n}"
                ),
                operation_kind="subscription",
                variable_usages=("g",),
            )
        )
    )
