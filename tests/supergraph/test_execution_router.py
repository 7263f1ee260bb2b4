"""The Router facade over hand-written plans and fake subgraphs."""

from __future__ import annotations

from supergraph.transport import TransportError
from tests.supergraph.router_fixtures import make_router


async def test_root_typename_answers_without_calling_subgraphs() -> None:
    router, transport, _ = make_router()
    assert await router.execute("{ __typename }") == {"data": {"__typename": "Query"}}
    assert transport.requests == []


async def test_entity_jump_in_client_order() -> None:
    router, transport, _ = make_router()
    response = await router.execute("{ tasks { owner { name } title } }")
    assert response == {
        "data": {
            "tasks": [
                {"owner": {"name": "Ann"}, "title": "Write"},
                {"owner": {"name": "Bob"}, "title": "Read"},
                {"owner": None, "title": "Rest"},
            ]
        }
    }
    assert [r.service for r in transport.requests] == ["tasks", "users"]


async def test_repeated_query_is_planned_once() -> None:
    router, _, planner = make_router()
    for _ in range(3):
        await router.execute("{ me { id } }")
    await router.execute("{ me { name } }")
    assert planner.calls == 2


async def test_parse_and_validation_errors_have_codes() -> None:
    router, transport, planner = make_router()
    parse_failed = await router.execute("{ me { ")
    assert parse_failed["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "data" not in parse_failed
    invalid = await router.execute("{ me { nope } }")
    assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "data" not in invalid
    assert transport.requests == [] and planner.calls == 0


async def test_operation_name_selects_and_unknown_name_is_an_error() -> None:
    router, _, _ = make_router()
    document = "query A { me { id } } query B { __typename }"
    assert await router.execute(document, operation_name="B") == {"data": {"__typename": "Query"}}
    unknown = await router.execute(document, operation_name="C")
    assert "Unknown operation named 'C'" in unknown["errors"][0]["message"]
    ambiguous = await router.execute(document)
    assert "errors" in ambiguous and "data" not in ambiguous


async def test_bad_variables_are_bad_user_input() -> None:
    router, transport, _ = make_router()
    query = "query($id: ID!) { task(id: $id) { id } }"
    missing = await router.execute(query, {})
    assert missing["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    wrong = await router.execute(query, {"id": {"not": "an id"}})
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert transport.requests == []


async def test_variables_are_coerced_and_forwarded() -> None:
    router, transport, _ = make_router(tasks={"data": {"task": {"id": "7", "title": "T"}}})
    query = "query($id: ID! = 7) { task(id: $id) { title } }"
    assert await router.execute(query) == {"data": {"task": {"title": "T"}}}
    assert transport.requests[0].body["variables"] == {"id": "7"}


async def test_only_authorization_is_forwarded() -> None:
    router, transport, _ = make_router()
    await router.execute("{ me { id } }", headers={"Authorization": "Bearer t", "Cookie": "c"})
    assert transport.requests[0].headers == {"authorization": "Bearer t"}


async def test_query_plan_extension_on_request() -> None:
    router, _, _ = make_router()
    plain = await router.execute("{ me { id } }")
    assert "extensions" not in plain
    by_extension = await router.execute("{ me { id } }", extensions={"queryPlan": True})
    by_header = await router.execute("{ me { id } }", headers={"x-taskforge-query-plan": "1"})
    assert 'Fetch(service: "users")' in by_extension["extensions"]["queryPlan"]
    assert by_header["extensions"] == by_extension["extensions"]


async def test_introspection_mixed_with_data_keeps_client_order() -> None:
    router, _, _ = make_router()
    response = await router.execute(
        '{ t: __type(name: "User") { name } me { id } __schema { queryType { name } } }'
    )
    assert response == {
        "data": {
            "t": {"name": "User"},
            "me": {"id": "u1"},
            "__schema": {"queryType": {"name": "Query"}},
        }
    }
    assert list(response["data"]) == ["t", "me", "__schema"]


async def test_failed_subgraph_gives_partial_data_and_null_propagation() -> None:
    router, _, _ = make_router(users=TransportError("SUBREQUEST_HTTP_ERROR", "503: Unavailable"))
    response = await router.execute("{ tasks { title owner { name } } me { id } }")
    assert response["data"] == {
        "tasks": [
            {"title": "Write", "owner": None},
            {"title": "Read", "owner": None},
            {"title": "Rest", "owner": None},
        ],
        "me": None,
    }
    codes = {e["extensions"].get("code") for e in response["errors"] if "extensions" in e}
    assert codes == {"SUBREQUEST_HTTP_ERROR"}
    paths = [e.get("path") for e in response["errors"]]
    assert ["tasks", 0, "owner"] in paths and ["me"] in paths
    assert ["tasks", 1, "owner", "name"] in paths


async def test_mutation_runs_with_variables() -> None:
    router, transport, _ = make_router()
    response = await router.execute(
        "mutation($name: String!) { rename(name: $name) { name } }", {"name": "Zed"}
    )
    assert response == {"data": {"rename": {"name": "Zed"}}}
    assert transport.requests[0].body["variables"] == {"name": "Zed"}
