"""@authenticated, @requiresScopes, @policy: read from a supergraph, enforced before planning."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from subgraph_kit.auth import Claims
from supergraph.composition import SubgraphDefinition, compose
from supergraph.edge.authorization import AuthState, read_access_rules
from supergraph.http import create_router_app
from supergraph.router import Router, build_router
from tests.supergraph.edge_fixtures import edge_app, token
from tests.supergraph.fake_transport import FakeTransport

USERS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
  import: ["@key", "@authenticated", "@requiresScopes", "@policy"])
type Query {
  me: User @authenticated
  users: [User!]!
  stats: Stats @requiresScopes(scopes: [["admin"], ["auditor", "read:stats"]])
}
type User @key(fields: "id") {
  id: ID!
  name: String!
  email: String @policy(policies: [["owner"]])
}
type Stats @authenticated { total: Int! }
"""

TASKS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type User @key(fields: "id") { id: ID! tasks: [String!]! }
"""

SUPERGRAPH = compose(
    [
        SubgraphDefinition("users", "http://users/graphql", USERS_SDL),
        SubgraphDefinition("tasks", "http://tasks/graphql", TASKS_SDL),
    ]
)


def _users(body: dict[str, Any]) -> dict:
    data: dict[str, Any] = {}
    query = body["query"]
    if "users" in query:
        data["users"] = [
            {"id": "1", "name": "Ann", "email": "ann@x", "__typename": "User"},
            {"id": "2", "name": "Bob", "email": "bob@x", "__typename": "User"},
        ]
    if "me" in query:
        data["me"] = {"id": "1", "name": "Ann", "__typename": "User"}
    if "stats" in query:
        data["stats"] = {"total": 3}
    return {"data": data}


def _router(policy_owner: bool = False) -> tuple[Router, FakeTransport]:
    transport = FakeTransport({"users": _users, "tasks": {"data": {"_entities": []}}})
    return build_router(SUPERGRAPH, transport=transport), transport


def _codes(result: dict) -> list[tuple[str, list]]:
    return [(e["extensions"]["code"], e["path"]) for e in result.get("errors", [])]


def test_rules_are_read_from_the_supergraph_links() -> None:
    rules = read_access_rules(SUPERGRAPH)
    assert rules.fields["Query.me"].authenticated
    assert rules.types["Stats"].authenticated
    assert rules.fields["Query.stats"].scopes == (
        (frozenset({"admin"}), frozenset({"auditor", "read:stats"})),
    )
    assert rules.policies == frozenset({"owner"})
    assert rules.scopes == frozenset({"admin", "auditor", "read:stats"})


async def test_anonymous_request_gets_null_and_error_and_no_subgraph_call() -> None:
    router, transport = _router()
    result = await router.execute("{ me { name } }", auth=AuthState())
    assert result["data"] == {"me": None}
    assert _codes(result) == [("UNAUTHORIZED_FIELD_OR_TYPE", ["me"])]
    assert transport.requests == []


async def test_the_rest_of_the_query_still_runs() -> None:
    router, transport = _router()
    result = await router.execute("{ mine: me { name } users { name } }", auth=AuthState())
    assert result["data"] == {"mine": None, "users": [{"name": "Ann"}, {"name": "Bob"}]}
    assert _codes(result) == [("UNAUTHORIZED_FIELD_OR_TYPE", ["mine"])]
    assert "me {" not in transport.requests[0].body["query"]


async def test_authenticated_user_sees_authenticated_fields() -> None:
    router, _ = _router()
    result = await router.execute("{ me { name } }", auth=AuthState(authenticated=True))
    assert result == {"data": {"me": {"name": "Ann"}}}


async def test_scopes_any_of_all_of() -> None:
    router, transport = _router()
    query = "{ stats { total } }"
    user = AuthState(authenticated=True, scopes=frozenset({"auditor"}))
    denied = await router.execute(query, auth=user)
    assert _codes(denied) == [("UNAUTHORIZED_FIELD_OR_TYPE", ["stats"])]
    assert transport.requests == []
    auditor = AuthState(True, frozenset({"auditor", "read:stats"}))
    assert await router.execute(query, auth=auditor) == {"data": {"stats": {"total": 3}}}
    admin = AuthState(True, frozenset({"admin"}))
    assert await router.execute(query, auth=admin) == {"data": {"stats": {"total": 3}}}


async def test_policy_denied_field_in_a_list_is_null_at_each_item_through_fragments() -> None:
    router, transport = _router()
    query = "query Q { users { ...U } } fragment U on User { name email }"
    result = await router.execute(query, operation_name="Q", auth=AuthState(True))
    assert result["data"] == {
        "users": [{"name": "Ann", "email": None}, {"name": "Bob", "email": None}]
    }
    assert _codes(result) == [
        ("UNAUTHORIZED_FIELD_OR_TYPE", ["users", 0, "email"]),
        ("UNAUTHORIZED_FIELD_OR_TYPE", ["users", 1, "email"]),
    ]
    assert "email" not in transport.requests[0].body["query"]
    granted = AuthState(True, policies=frozenset({"owner"}))
    allowed = await router.execute(query, operation_name="Q", auth=granted)
    assert allowed["data"]["users"][0]["email"] == "ann@x"


async def test_policy_hook_decides_which_policies_a_request_holds() -> None:
    rules = read_access_rules(SUPERGRAPH)
    claims = Claims(user_id="1", role="USER", token_id="t", scopes=("admin", "other"))
    seen: list[frozenset[str]] = []

    async def hook(who: Claims | None, policies: frozenset[str]) -> set[str]:
        seen.append(policies)
        return {"owner", "unknown"} if who is not None and who.user_id == "1" else set()

    state = await rules.state_for(claims, hook)
    assert state == AuthState(True, frozenset({"admin"}), frozenset({"owner"}))
    assert seen == [frozenset({"owner"})]
    assert await rules.state_for(None, hook) == AuthState()


async def test_plans_are_cached_per_auth_state() -> None:
    router, _ = _router()
    anonymous = router.prepare("{ me { name } }", None, AuthState())
    again = router.prepare("{ me { name } }", None, AuthState())
    signed_in = router.prepare("{ me { name } }", None, AuthState(True))
    assert anonymous is again
    assert signed_in is not anonymous
    assert not isinstance(signed_in, dict) and signed_in.denied == ()


def test_a_supergraph_without_directives_has_empty_rules() -> None:
    sdl = TASKS_SDL + "type Query { user: User }"
    plain = compose([SubgraphDefinition("tasks", "http://tasks/graphql", sdl)])
    assert read_access_rules(plain).empty


INTERFACE_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
  import: ["@key", "@authenticated"])
type Query { nodes: [Node!]! }
interface Node { id: ID! secret: String }
type Doc implements Node @key(fields: "id") { id: ID! secret: String @authenticated }
type Pub implements Node @key(fields: "id") { id: ID! secret: String }
"""


async def test_an_interface_field_is_denied_when_an_implementation_protects_it() -> None:
    sdl = compose([SubgraphDefinition("docs", "http://docs/graphql", INTERFACE_SDL)])
    nodes = [{"__typename": "Doc", "id": "d", "secret": "s"}, {"__typename": "Pub", "id": "p"}]
    transport = FakeTransport({"docs": {"data": {"nodes": nodes}}})
    router = build_router(sdl, transport=transport)
    result = await router.execute("{ nodes { id secret } }", auth=AuthState())
    assert result["data"] == {"nodes": [{"id": "d", "secret": None}, {"id": "p", "secret": None}]}
    assert "secret" not in transport.requests[0].body["query"]
    through_pub = await router.execute("{ nodes { id ... on Pub { secret } } }", auth=AuthState())
    assert "errors" not in through_pub


async def test_the_edge_asks_its_policy_hook_with_the_verified_claims() -> None:
    asked: list[tuple[str | None, frozenset[str]]] = []

    def owners_only(claims: Claims | None, policies: frozenset[str]) -> set[str]:
        asked.append((claims.user_id if claims else None, policies))
        return {"owner"}

    transport = FakeTransport({"users": _users})
    edge = edge_app(transport, SUPERGRAPH)
    config = replace(edge.config, policy_hook=owners_only)
    edge.app = create_router_app(edge.router, config=config)
    query = {"query": "{ users { email } }"}
    async with edge.client() as anonymous:
        denied = (await anonymous.post("/graphql", json=query)).json()
    async with edge.client(authorization="Bearer " + token()) as signed_in:
        granted = (await signed_in.post("/graphql", json=query)).json()
    assert denied["data"] == {"users": [{"email": None}, {"email": None}]}
    assert granted == {"data": {"users": [{"email": "ann@x"}, {"email": "bob@x"}]}}
    assert asked == [("1", frozenset({"owner"}))]
