"""Persisted queries: automatic (APQ, Apollo's protocol) and a safelist from a manifest file."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "InMemoryQueryStore",
    "PersistedQueries",
    "PersistedQueryError",
    "QueryStore",
    "RedisQueryStore",
    "Safelist",
    "load_safelist",
    "sha256_hex",
]


class PersistedQueryError(Exception):
    """A persisted-query request the router cannot serve; ``code`` is Apollo's."""

    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class QueryStore(Protocol):
    """Where APQ keeps query texts by hash."""

    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, query: str) -> None: ...


class InMemoryQueryStore:
    """A bounded LRU store for one process (single-process mode and tests)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._max = max_entries

    async def get(self, sha256: str) -> str | None:
        query = self._entries.get(sha256)
        if query is not None:
            self._entries.move_to_end(sha256)
        return query

    async def put(self, sha256: str, query: str) -> None:
        self._entries[sha256] = query
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)


class RedisQueryStore:
    """APQ entries in Redis, shared by every router replica."""

    def __init__(self, url: str, prefix: str = "taskforge:apq:", ttl_seconds: int = 86_400):
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)
        self._prefix = prefix
        self._ttl = ttl_seconds

    async def get(self, sha256: str) -> str | None:
        value = await self._redis.get(self._prefix + sha256)
        return value.decode() if isinstance(value, bytes) else value

    async def put(self, sha256: str, query: str) -> None:
        await self._redis.set(self._prefix + sha256, query, ex=self._ttl)

    async def aclose(self) -> None:
        await self._redis.aclose()


@dataclass(frozen=True, slots=True)
class Safelist:
    """The operations of an Apollo persisted query manifest, by id and by body."""

    by_id: Mapping[str, str]
    bodies: frozenset[str]


def load_safelist(path: str | Path) -> Safelist:
    """Read a manifest: ``{"format": "apollo-persisted-query-manifest", "operations": [...]}``."""
    manifest = json.loads(Path(path).read_text())
    if manifest.get("format") != "apollo-persisted-query-manifest":
        raise ValueError(f"{path}: not an apollo-persisted-query-manifest")
    by_id = {str(op["id"]): str(op["body"]) for op in manifest.get("operations", ())}
    return Safelist(by_id, frozenset(by_id.values()))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class PersistedQueries:
    """Resolves a request's query text from APQ and enforces the safelist when there is one."""

    def __init__(
        self,
        store: QueryStore | None = None,
        *,
        safelist: Safelist | None = None,
        apq: bool = True,
    ) -> None:
        self.store = store or InMemoryQueryStore()
        self.safelist = safelist
        self.apq = apq

    async def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str:
        """The query text to run, or raise :class:`PersistedQueryError`."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if query is None:
                raise PersistedQueryError("BAD_REQUEST", "'query' must be a string", 400)
            return self._allowed(query)
        sha256 = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(sha256, str) or persisted.get("version") != 1:
            raise PersistedQueryError(
                "PERSISTED_QUERY_NOT_SUPPORTED", "Unsupported persisted query version", 400
            )
        if self.safelist is not None and query is None:
            known = self.safelist.by_id.get(sha256)
            if known is None:
                raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return known
        if not self.apq:
            raise PersistedQueryError(
                "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported", 400
            )
        return await self._automatic(query, sha256)

    async def _automatic(self, query: str | None, sha256: str) -> str:
        if query is None:
            stored = await self.store.get(sha256)
            if stored is None:
                raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return self._allowed(stored)
        if sha256_hex(query) != sha256:
            raise PersistedQueryError(
                "PERSISTED_QUERY_HASH_MISMATCH", "provided sha does not match query", 400
            )
        allowed = self._allowed(query)
        await self.store.put(sha256, query)
        return allowed

    def _allowed(self, query: str) -> str:
        if self.safelist is not None and query not in self.safelist.bodies:
            raise PersistedQueryError(
                "PERSISTED_QUERY_NOT_IN_LIST",
                "The operation is not in the persisted query list",
                400,
            )
        return query
