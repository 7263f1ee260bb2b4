"""How the router reaches subgraphs: a transport interface, pooled HTTP and in-process ASGI."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, Protocol

import aiohttp
import httpx
import orjson
from multidict import CIMultiDictProxy
from starlette.datastructures import UploadFile

from supergraph.inflight import TRACING_HEADERS, Inflight
from supergraph.json_types import GraphQLResponse, JSONObject
from supergraph.plan import OperationKind

__all__ = [
    "AsgiTransport",
    "HttpTransport",
    "HttpxTransport",
    "Transport",
    "TransportError",
    "request_has_uploads",
    "subgraph_response_headers",
]

# Set by the HTTP edge per request: where subgraph response headers go (None: not collected),
# and whether variables may hold files, so plain requests skip the scan for them.
subgraph_response_headers: ContextVar[list[httpx.Headers] | None] = ContextVar(
    "subgraph_response_headers", default=None
)
request_has_uploads: ContextVar[bool] = ContextVar("request_has_uploads", default=False)

_MULTIPART_HEADERS = {
    "accept": "application/graphql-response+json, application/json",
    "apollo-require-preflight": "true",
}
_JSON_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}


class TransportError(Exception):
    """A subgraph request that produced no usable GraphQL response."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Transport(Protocol):
    """Sends one GraphQL request body to a named subgraph and returns its parsed response."""

    async def send(
        self,
        service: str,
        body: JSONObject,
        headers: Mapping[str, str],
        *,
        kind: OperationKind | None = None,
    ) -> GraphQLResponse:
        """Return the subgraph's GraphQL response or raise :class:`TransportError`.

        ``kind`` is the plan's operation kind for the body (``None``: not known); only
        queries may be shared with identical in-flight requests.
        """
        ...


def _parse_graphql_response(response: httpx.Response) -> GraphQLResponse:
    return _parse_graphql_body(response.content, response.status_code, response.reason_phrase)


def _parse_graphql_body(content: bytes, status: int, reason: str | None) -> GraphQLResponse:
    try:
        payload = orjson.loads(content)
    except orjson.JSONDecodeError:
        payload = None
    # GraphQL-over-HTTP servers may answer a well-formed GraphQL error with a 4xx status.
    if isinstance(payload, dict) and ("data" in payload or "errors" in payload):
        return payload
    if status >= 300:
        raise TransportError("SUBREQUEST_HTTP_ERROR", f"{status}: {reason or ''}".rstrip())
    raise TransportError("SUBREQUEST_MALFORMED_RESPONSE", "subgraph response is not GraphQL JSON")


def _uploads(value: Any, path: str = "variables") -> list[tuple[str, UploadFile]]:
    if isinstance(value, UploadFile):
        return [(path, value)]
    if isinstance(value, dict):
        return [u for k, v in value.items() for u in _uploads(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [u for i, v in enumerate(value) for u in _uploads(v, f"{path}.{i}")]
    return []


def _without_uploads(value: Any) -> Any:
    if isinstance(value, UploadFile):
        return None
    if isinstance(value, dict):
        return {k: _without_uploads(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_uploads(v) for v in value]
    return value


async def _post_multipart(
    client: httpx.AsyncClient,
    url: str,
    body: dict[str, Any],
    headers: Mapping[str, str],
    files: list[tuple[str, UploadFile]],
) -> httpx.Response:
    """Send the fetch as a GraphQL multipart request, streaming each (spooled) file."""
    operations = {**body, "variables": _without_uploads(body.get("variables"))}
    mapping = {str(i): [path] for i, (path, _) in enumerate(files)}
    parts = {}
    for i, (_, upload) in enumerate(files):
        await upload.seek(0)
        parts[str(i)] = (upload.filename or "upload", upload.file, upload.content_type)
    return await client.post(
        url,
        data={
            "operations": orjson.dumps(operations).decode(),
            "map": orjson.dumps(mapping).decode(),
        },
        files=parts,
        headers={**_MULTIPART_HEADERS, **headers},
    )


class _ClientTransport:
    """Shared send logic over one or more pooled ``httpx.AsyncClient``s."""

    def __init__(self, clients: Mapping[str, tuple[httpx.AsyncClient, str]]) -> None:
        self._clients = dict(clients)

    async def send(
        self,
        service: str,
        body: JSONObject,
        headers: Mapping[str, str],
        *,
        kind: OperationKind | None = None,
    ) -> GraphQLResponse:
        target = self._clients.get(service)
        if target is None:
            raise TransportError("SUBREQUEST_HTTP_ERROR", f"unknown subgraph {service!r}")
        client, url = target
        files = _uploads(body.get("variables")) if request_has_uploads.get() else []
        try:
            if files:
                response = await _post_multipart(client, url, body, headers, files)
            else:
                request_headers = {**_JSON_HEADERS, **headers} if headers else _JSON_HEADERS
                response = await client.post(
                    url, content=orjson.dumps(body), headers=request_headers
                )
        except httpx.TimeoutException:
            raise TransportError("SUBREQUEST_TIMEOUT", "request timed out") from None
        except httpx.HTTPError as exc:
            raise TransportError("SUBREQUEST_HTTP_ERROR", str(exc) or type(exc).__name__) from None
        sink = subgraph_response_headers.get()
        if sink is not None:
            sink.append(response.headers)
        return _parse_graphql_response(response)

    async def aclose(self) -> None:
        """Close every pooled client once."""
        for client in {id(c): c for c, _ in self._clients.values()}.values():
            await client.aclose()


class HttpxTransport(_ClientTransport):
    """Subgraphs over HTTP through one keep-alive ``httpx.AsyncClient`` shared by all of them.

    Kept for injecting a custom ``httpx`` client (mocks); production uses :class:`HttpTransport`:
    httpcore's pool scans every pooled connection for every queued request, which is quadratic
    in concurrency and collapsed the router to a few requests/s under 50 client connections.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        timeout: float = 30.0,
        *,
        max_connections: int = 256,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        shared = client or httpx.AsyncClient(
            timeout=timeout,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
        )
        super().__init__({name: (shared, url) for name, url in urls.items()})
        self.urls = dict(urls)


class AsgiTransport(_ClientTransport):
    """Subgraphs as in-process ASGI apps (single-process mode and tests)."""

    def __init__(self, apps: Mapping[str, Any], path: str = "/graphql", timeout: float = 30.0):
        self.apps = dict(apps)
        self.path = path
        super().__init__(
            {
                name: (
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app),
                        base_url=f"http://{name}",
                        timeout=timeout,
                    ),
                    f"http://{name}{path}",
                )
                for name, app in apps.items()
            }
        )


def _form(body: dict[str, Any], files: list[tuple[str, UploadFile]]) -> aiohttp.FormData:
    """The fetch as a GraphQL multipart request; each (spooled) file is streamed, not read."""
    operations = {**body, "variables": _without_uploads(body.get("variables"))}
    form = aiohttp.FormData()
    form.add_field("operations", orjson.dumps(operations).decode())
    form.add_field(
        "map", orjson.dumps({str(i): [path] for i, (path, _) in enumerate(files)}).decode()
    )
    for i, (_, upload) in enumerate(files):
        upload.file.seek(0)
        form.add_field(
            str(i),
            upload.file,
            filename=upload.filename or "upload",
            content_type=upload.content_type or "application/octet-stream",
        )
    return form


# One subgraph HTTP answer: body, status, reason and headers.
_Answer = tuple[bytes, int, str | None, "CIMultiDictProxy[str]"]


def _shared_headers(headers: CIMultiDictProxy[str]) -> list[tuple[str, str]]:
    """Response headers a request that joined another's fetch may see: never its cookies."""
    return [(k, v) for k, v in headers.items() if k.lower() != "set-cookie"]


class HttpTransport:
    """Subgraphs over pooled keep-alive HTTP/1.1 through one ``aiohttp.ClientSession``.

    The session is created on the first request, inside the serving event loop (each uvicorn
    worker gets its own). aiohttp's connector hands out idle connections in O(1), where httpx's
    pool degrades with concurrency: 99 against 4 req/s on the nested benchmark query.

    With ``deduplicate``, identical in-flight query fetches (same subgraph, body and forwarded
    headers other than tracing ones) share one HTTP request; each caller parses the bytes
    itself, since the executor merges into what it parsed. Mutations and uploads never share.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        timeout: float = 30.0,
        *,
        max_connections: int = 256,
        deduplicate: bool = True,
    ) -> None:
        self.urls = dict(urls)
        self.timeout = timeout
        self.deduplicate = deduplicate
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._inflight: Inflight[_Answer] = Inflight()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                skip_auto_headers=("User-Agent",),
            )
        return self._session

    async def send(
        self,
        service: str,
        body: JSONObject,
        headers: Mapping[str, str],
        *,
        kind: OperationKind | None = None,
    ) -> GraphQLResponse:
        """POST ``body`` to the subgraph and return its parsed GraphQL response."""
        url = self.urls.get(service)
        if url is None:
            raise TransportError("SUBREQUEST_HTTP_ERROR", f"unknown subgraph {service!r}")
        files = _uploads(body.get("variables")) if request_has_uploads.get() else []
        if files:
            data: Any = _form(body, files)
            request_headers = {**_MULTIPART_HEADERS, **headers}
        else:
            data = orjson.dumps(body)
            request_headers = {**_JSON_HEADERS, **headers} if headers else _JSON_HEADERS
        shared = False
        if self.deduplicate and not files and kind == "query":
            forwarded = tuple(
                sorted((k, v) for k, v in headers.items() if k.lower() not in TRACING_HEADERS)
            )
            key = (url, data, forwarded)
            answer, shared = await self._inflight.run(
                key, lambda: self._post(url, data, request_headers)
            )
        else:
            answer = await self._post(url, data, request_headers)
        content, status, reason, received = answer
        sink = subgraph_response_headers.get()
        if sink is not None:
            sink.append(
                httpx.Headers(_shared_headers(received) if shared else list(received.items()))
            )
        return _parse_graphql_body(content, status, reason)

    async def _post(self, url: str, data: Any, headers: Mapping[str, str]) -> _Answer:
        try:
            async with self._client().post(url, data=data, headers=headers) as response:
                return await response.read(), response.status, response.reason, response.headers
        except TimeoutError:
            raise TransportError("SUBREQUEST_TIMEOUT", "request timed out") from None
        except aiohttp.ClientError as exc:
            raise TransportError("SUBREQUEST_HTTP_ERROR", str(exc) or type(exc).__name__) from None

    async def aclose(self) -> None:
        """Close the pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None
