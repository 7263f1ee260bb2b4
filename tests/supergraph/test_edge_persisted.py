"""Persisted queries at the edge: APQ round trip, hash mismatch, and safelist mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supergraph.edge.persisted import (
    PersistedQueries,
    PersistedQueryError,
    RedisQueryStore,
    load_safelist,
    sha256_hex,
)
from tests.supergraph.edge_fixtures import CSRF, edge_app
from tests.support.backends import Backend

QUERY = "{ users { id } }"


def _pq(query: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}


def _codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_apq_miss_register_hit() -> None:
    edge = edge_app()
    async with edge.client() as client:
        miss = await client.post("/graphql", json={"extensions": _pq(QUERY)})
        register = await client.post("/graphql", json={"query": QUERY, "extensions": _pq(QUERY)})
        hit = await client.post("/graphql", json={"extensions": _pq(QUERY)})
        hit_get = await client.get(
            "/graphql", params={"extensions": json.dumps(_pq(QUERY))}, headers=CSRF
        )
    assert miss.status_code == 200
    assert _codes(miss.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    expected = {"data": {"users": [{"id": "1"}, {"id": "2"}]}}
    assert register.json() == expected
    assert hit.json() == expected
    assert hit_get.json() == expected
    assert len(edge.transport.requests) == 3


async def test_apq_hash_mismatch_is_refused_and_not_stored() -> None:
    edge = edge_app()
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    async with edge.client() as client:
        mismatch = await client.post("/graphql", json={"query": QUERY, "extensions": wrong})
        later = await client.post("/graphql", json={"extensions": wrong})
    assert mismatch.status_code == 400
    assert _codes(mismatch.json()) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert _codes(later.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert edge.transport.requests == []


def _manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    operations = [{"id": sha256_hex(QUERY), "name": "Users", "type": "query", "body": QUERY}]
    manifest = {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
    path.write_text(json.dumps(manifest))
    return path


async def test_safelist_accepts_only_manifest_operations(tmp_path: Path) -> None:
    edge = edge_app()
    edge.config.persisted.safelist = load_safelist(_manifest(tmp_path))
    async with edge.client() as client:
        by_id = await client.post("/graphql", json={"extensions": _pq(QUERY)})
        by_body = await client.post("/graphql", json={"query": QUERY})
        other = await client.post("/graphql", json={"query": "{ users { name } }"})
    expected = {"data": {"users": [{"id": "1"}, {"id": "2"}]}}
    assert by_id.json() == expected
    assert by_body.json() == expected
    assert _codes(other.json()) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    assert len(edge.transport.requests) == 2


async def test_apq_can_be_switched_off() -> None:
    edge = edge_app()
    edge.config.persisted.apq = False
    async with edge.client() as client:
        response = await client.post("/graphql", json={"extensions": _pq(QUERY)})
    assert _codes(response.json()) == ["PERSISTED_QUERY_NOT_SUPPORTED"]


@pytest.mark.redis_only
async def test_redis_store_shares_registered_queries_between_routers(
    backend: Backend, redis_prefix: str
) -> None:
    assert backend.redis_url is not None
    first = RedisQueryStore(backend.redis_url, prefix=redis_prefix + "apq:")
    second = RedisQueryStore(backend.redis_url, prefix=redis_prefix + "apq:")
    with pytest.raises(PersistedQueryError) as miss:
        await PersistedQueries(second).resolve(None, _pq(QUERY))
    assert miss.value.code == "PERSISTED_QUERY_NOT_FOUND"
    await PersistedQueries(first).resolve(QUERY, _pq(QUERY))
    assert await PersistedQueries(second).resolve(None, _pq(QUERY)) == QUERY
    await first.aclose()
    await second.aclose()
