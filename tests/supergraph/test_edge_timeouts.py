"""Subgraph request timeouts: configured from router settings, reported with their own code."""

from __future__ import annotations

import httpx

from supergraph.edge.settings import RouterSettings
from supergraph.router import build_router
from supergraph.transport import HttpxTransport
from tests.supergraph.edge_fixtures import SUPERGRAPH


def _never_answers(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer", request=request)


async def test_a_timed_out_fetch_is_an_error_at_its_path_and_the_rest_answers() -> None:
    client = httpx.AsyncClient(transport=httpx.MockTransport(_never_answers))
    router = build_router(
        SUPERGRAPH, transport=HttpxTransport({"users": "http://u"}, client=client)
    )
    result = await router.execute("{ users { id } }")
    assert result["data"] is None
    assert result["errors"][0]["extensions"] == {
        "code": "SUBREQUEST_TIMEOUT",
        "serviceName": "users",
    }
    assert result["errors"][0]["path"] == ["users"]


async def test_the_timeout_comes_from_the_settings() -> None:
    router = build_router(SUPERGRAPH, settings=RouterSettings(subgraph_timeout_seconds=1.5))
    assert router.transport.timeout == 1.5  # type: ignore[attr-defined]
    await router.aclose()
