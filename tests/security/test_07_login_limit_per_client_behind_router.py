"""Finding 7: behind the router every subgraph saw one client address, the router's, so 20
failed logins from anyone locked every user out. Now the router passes the real client
address over its trusted channel (its peer, or X-Forwarded-For only from trusted proxies)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from starlette.requests import Request

from supergraph.http.app import client_address
from taskforge.standalone import Standalone
from tests.e2e.conftest import federation
from tests.support.graphql import GraphQLClient

__all__ = ["federation"]

PASSWORD = "Corr3ct-Horse-Battery"
LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"
ATTACKER, VICTIM = "203.0.113.7", "198.51.100.20"


def _client(federation: Standalone, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=federation, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://router")


async def test_failed_logins_from_one_address_do_not_lock_out_another(
    federation: Standalone,
) -> None:
    async with _client(federation, ATTACKER) as attacker, _client(federation, VICTIM) as victim:
        attack, login = GraphQLClient(attacker), GraphQLClient(victim)
        email = f"victim-{uuid.uuid4().hex[:8]}@example.com"
        registered = await login(
            "mutation($e: String!, $p: String!) { register(email: $e, password: $p,"
            " displayName: $e) { id } }",
            {"e": email, "p": PASSWORD},
        )
        assert registered.errors == []
        codes: list[str] = []
        for attempt in range(25):  # one wrong password per email: only the address limit counts
            wrong = await attack(LOGIN, {"e": f"x{attempt}@example.com", "p": "Wr0ng-Password!"})
            codes.extend(wrong.codes)
        assert "RATE_LIMITED" in codes, codes
        locked = await attack(LOGIN, {"e": email, "p": PASSWORD})
        assert locked.codes == ["RATE_LIMITED"]
        allowed = await login(LOGIN, {"e": email, "p": PASSWORD})
    assert allowed.errors == [], allowed.errors
    assert allowed.data["login"]["accessToken"]


def _request(peer: str, forwarded_for: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for else []
    return Request({"type": "http", "headers": headers, "client": (peer, 1234)})


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("198.51.100.1", None, "198.51.100.1"),
        ("198.51.100.1", "6.6.6.6", "198.51.100.1"),  # a client cannot claim another address
        ("10.0.0.9", "198.51.100.2", "198.51.100.2"),  # the trusted proxy's hop is believed
        ("10.0.0.9", "6.6.6.6, 198.51.100.3", "198.51.100.3"),  # a spoofed first hop is not
        ("10.0.0.9", "6.6.6.6, 198.51.100.3, 10.0.0.8", "198.51.100.3"),  # proxies chained
    ],
)
def test_the_router_believes_x_forwarded_for_only_from_trusted_proxies(
    peer: str, forwarded_for: str | None, expected: str
) -> None:
    trusted = ["10.0.0.9", "10.0.0.8"]
    assert client_address(_request(peer, forwarded_for), trusted) == expected
