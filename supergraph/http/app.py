"""GraphQL over HTTP for the router: POST/GET /graphql, batches, uploads, GraphiQL, metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Tracer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from supergraph.edge.authorization import AuthState, PolicyHook
from supergraph.edge.metrics import Metrics, TimedTransport
from supergraph.edge.persisted import PersistedQueries, PersistedQueryError
from supergraph.edge.settings import RouterSettings
from supergraph.edge.tokens import (
    Claims,
    RevocationCheck,
    TokenRejected,
    TokenVerifier,
    bearer_token,
)
from supergraph.edge.tracing import TracedTransport, router_tracer
from supergraph.http.edge_middleware import RequestIdMiddleware
from supergraph.http.graphiql import STATIC_DIR, STATIC_PREFIX, graphiql_html
from supergraph.http.uploads import UploadRefused, read_multipart
from supergraph.inflight import TRACING_HEADERS, Inflight
from supergraph.router import PreparedOperation, Router
from supergraph.subscriptions import subscriptions_middleware
from supergraph.transport import request_has_uploads, subgraph_response_headers

__all__ = ["EdgeConfig", "create_router_app"]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_SIMPLE_CONTENT_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")

Params = tuple[str | None, dict[str, Any] | None, str | None, dict[str, Any] | None]


class _BadRequest(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request."""

    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


@dataclass(frozen=True)
class EdgeConfig:
    """Everything the HTTP edge needs besides the router; defaults come from the environment."""

    settings: RouterSettings
    tokens: TokenVerifier | None
    persisted: PersistedQueries
    metrics: Metrics
    policy_hook: PolicyHook | None = None
    tracer: Tracer = field(default_factory=router_tracer)
    # Asked for every verified token: True refuses it (logged out, demoted, deleted, ...).
    is_revoked: RevocationCheck | None = None

    @staticmethod
    def default(
        settings: RouterSettings | None = None,
        *,
        tokens: TokenVerifier | None = None,
        policy_hook: PolicyHook | None = None,
        is_revoked: RevocationCheck | None = None,
    ) -> EdgeConfig:
        """Settings from TASKFORGE_ROUTER_*; tokens verified as TASKFORGE_JWT_* says unless
        ``tokens`` is given; persisted queries in Redis when the settings name one."""
        from supergraph.edge.persisted import InMemoryQueryStore, RedisQueryStore, load_safelist

        settings = settings or RouterSettings()
        store = (
            RedisQueryStore(settings.redis_url, prefix=settings.redis_key_prefix + "apq:")
            if settings.redis_url
            else InMemoryQueryStore()
        )
        safelist = load_safelist(settings.safelist_path) if settings.safelist_path else None
        persisted = PersistedQueries(store, safelist=safelist, apq=settings.persisted_queries)
        tokens = tokens or TokenVerifier.from_environment()
        return EdgeConfig(
            settings, tokens, persisted, Metrics(), policy_hook, is_revoked=is_revoked
        )


def _response_media_type(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts none we speak."""
    if not accept:
        return JSON
    if GRAPHQL_RESPONSE_JSON in accept:
        return GRAPHQL_RESPONSE_JSON
    if JSON in accept or "*/*" in accept or "application/*" in accept:
        return JSON
    return None


def _json_response(payload: Any, media_type: str, status: int = 200) -> Response:
    return Response(
        orjson.dumps(payload), status_code=status, media_type=f"{media_type}; charset=utf-8"
    )


def _error_response(
    message: str,
    media_type: str,
    status: int,
    code: str = "BAD_REQUEST",
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    response = _json_response(body, media_type, status)
    if headers:
        response.headers.update(headers)
    return response


def _optional(params: dict[str, Any], name: str, kind: type) -> Any:
    value = params.get(name)
    if value is None or isinstance(value, kind):
        return value
    raise _BadRequest(f"'{name}' must be a {kind.__name__} or null")


def _json_param(params: Any, name: str) -> Any:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _BadRequest(f"'{name}' is not valid JSON") from None


def _read_params(params: Any) -> Params:
    if not isinstance(params, dict):
        raise _BadRequest("the request body must be a JSON object")
    query = params.get("query")
    extensions = _optional(params, "extensions", dict)
    if not isinstance(query, str) and not (query is None and extensions):
        raise _BadRequest("'query' must be a string")
    variables = _optional(params, "variables", dict)
    operation_name = _optional(params, "operationName", str)
    return query, variables, operation_name, extensions


def _is_preflighted(request: Request, required: list[str]) -> bool:
    """Whether a browser must have preflighted this request (the CSRF defence)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in _SIMPLE_CONTENT_TYPES:
        return True
    return any(request.headers.get(name) for name in required)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _BadRequest("the request body is too large", 413, "PAYLOAD_TOO_LARGE")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BadRequest("the request body is too large", 413, "PAYLOAD_TOO_LARGE")
        chunks.append(chunk)
    return b"".join(chunks)


class _Edge:
    """Serves one router per the GraphQL-over-HTTP spec with the edge's checks around it."""

    def __init__(self, router: Router, config: EdgeConfig, path: str, graphiql: bool) -> None:
        self.router = router
        self.config = config
        self.settings = config.settings
        self.path = path
        self.graphiql = graphiql
        self.propagated = tuple(h.lower() for h in self.settings.propagate_response_headers)
        self.inflight: Inflight[tuple[dict[str, Any], list[httpx.Headers]]] | None = (
            Inflight() if self.settings.deduplicate_inbound_queries else None
        )

    def count_error(self, code: str) -> None:
        self.config.metrics.count(
            "taskforge_router_errors_total", "GraphQL errors returned, by code.", code=code
        )

    async def claims(self, request: Request) -> Claims | None:
        authorization = request.headers.get("authorization")
        if self.config.tokens is None or not authorization:
            return None
        token = bearer_token(authorization)
        assert token is not None
        return await self.verify_token(token)

    async def verify_token(self, token: str) -> Claims:
        """The token's claims unless it is invalid, expired or revoked."""
        assert self.config.tokens is not None
        claims = self.config.tokens.verify(token)
        if self.config.is_revoked is not None and await self.config.is_revoked(claims):
            raise TokenRejected("access token revoked", "TOKEN_REVOKED")
        return claims

    async def auth_state(self, request: Request) -> AuthState | None:
        rules = self.router.access_rules
        claims = await self.claims(request)
        if rules.empty:
            return None
        return await rules.state_for(claims, self.config.policy_hook)

    async def post(self, request: Request) -> Response:
        with self.span(request):
            return await self._post(request)

    async def get(self, request: Request) -> Response:
        with self.span(request):
            return await self._get(request)

    def span(self, request: Request) -> Any:
        """The request's server span, continuing the client's trace when it sent one."""
        return self.config.tracer.start_as_current_span(
            "router.request",
            context=propagate.extract(request.headers),
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": request.method,
                "taskforge.request_id": request.headers.get("x-request-id", ""),
            },
        )

    async def _post(self, request: Request) -> Response:
        media_type = _response_media_type(request.headers.get("accept"))
        if media_type is None:
            return _error_response("unsupported Accept header", JSON, 406)
        content_type = request.headers.get("content-type", "")
        try:
            if content_type.startswith("multipart/form-data"):
                return await self.post_multipart(request, media_type)
            if not content_type.startswith(JSON):
                return _error_response("Content-Type must be application/json", media_type, 415)
            auth = await self.auth_state(request)
            body = await _read_body(request, self.settings.max_body_bytes)
            try:
                payload = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise _BadRequest("the request body is not valid JSON") from None
            if isinstance(payload, list):
                return await self.batch(request, media_type, payload, auth)
            return await self.run(request, media_type, _read_params(payload), auth, is_get=False)
        except TokenRejected as error:
            return self.unauthenticated(error, media_type)
        except _BadRequest as bad:
            self.count_error(bad.code)
            return _error_response(bad.message, media_type, bad.status, bad.code)

    async def post_multipart(self, request: Request, media_type: str) -> Response:
        if not _is_preflighted(request, self.settings.csrf_required_headers):
            raise _BadRequest(self.csrf_message(), 400, "CSRF_PREVENTION")
        auth = await self.auth_state(request)
        try:
            payload, form = await read_multipart(request, self.settings)
        except UploadRefused as refused:
            raise _BadRequest(refused.message, refused.status, refused.code) from None
        try:
            token = request_has_uploads.set(True)
            try:
                return await self.run(
                    request, media_type, _read_params(payload), auth, is_get=False
                )
            finally:
                request_has_uploads.reset(token)
        finally:
            await form.close()

    def csrf_message(self) -> str:
        names = " or ".join(self.settings.csrf_required_headers)
        return (
            "This request has been blocked as a potential Cross-Site Request Forgery: "
            f"send a non-empty {names} header or a Content-Type that needs a preflight."
        )

    def unauthenticated(self, error: TokenRejected, media_type: str) -> Response:
        self.count_error("UNAUTHENTICATED")
        body = {"errors": [{"message": error.message, "extensions": error.extensions}]}
        response = _json_response(body, media_type, 401)
        response.headers["www-authenticate"] = 'Bearer error="invalid_token"'
        return response

    async def batch(
        self, request: Request, media_type: str, payload: list[Any], auth: AuthState | None
    ) -> Response:
        limit = self.settings.max_batch_size
        if limit <= 0:
            raise _BadRequest("batched requests are disabled", 400, "BATCHING_NOT_ENABLED")
        if not payload or len(payload) > limit:
            message = f"a batch must hold between 1 and {limit} operations"
            raise _BadRequest(message, 400, "BATCH_LIMIT_EXCEEDED")
        sink: list[httpx.Headers] = []
        results = []
        for item in payload:
            try:
                params = _read_params(item)
                results.append(await self.result(request, params, auth, False, sink))
            except PersistedQueryError as error:
                results.append(self.errors(error.code, error.message))
            except _BadRequest as bad:
                results.append(
                    {"errors": [{"message": bad.message, "extensions": {"code": bad.code}}]}
                )
        response = _json_response(results, media_type)
        self.propagate(response, sink)
        return response

    async def run(
        self,
        request: Request,
        media_type: str,
        params: Params,
        auth: AuthState | None,
        *,
        is_get: bool,
    ) -> Response:
        sink: list[httpx.Headers] = []
        try:
            result = await self.result(request, params, auth, is_get, sink)
        except PersistedQueryError as error:
            self.count_error(error.code)
            return _error_response(error.message, media_type, error.status, error.code)
        except _MethodNotAllowed as refused:
            self.count_error("METHOD_NOT_ALLOWED")
            return _error_response(
                refused.message, media_type, 405, "METHOD_NOT_ALLOWED", {"allow": "POST"}
            )
        status = 200
        if media_type == GRAPHQL_RESPONSE_JSON and result.get("data") is None:
            status = 400 if "data" not in result else 200
        response = _json_response(result, media_type, status)
        self.propagate(response, sink)
        return response

    async def result(
        self,
        request: Request,
        params: Params,
        auth: AuthState | None,
        is_get: bool,
        sink: list[httpx.Headers],
    ) -> dict[str, Any]:
        query, variables, operation_name, extensions = params
        text = await self.config.persisted.resolve(query, extensions)
        prepared = self.router.prepare(text, operation_name, auth)
        if isinstance(prepared, dict):
            for error in prepared.get("errors", ()):
                self.count_error(str(error.get("extensions", {}).get("code")))
            return prepared
        if is_get and prepared.kind != "query":
            raise _MethodNotAllowed(f"{prepared.kind}s are not allowed over GET; use POST")
        return await self.execute(request, prepared, variables, extensions, sink)

    def errors(self, code: str, message: str) -> dict[str, Any]:
        self.count_error(code)
        return {"errors": [{"message": message, "extensions": {"code": code}}]}

    async def execute(
        self,
        request: Request,
        prepared: PreparedOperation,
        variables: dict[str, Any] | None,
        extensions: dict[str, Any] | None,
        sink: list[httpx.Headers],
    ) -> dict[str, Any]:
        if self.inflight is None or prepared.kind != "query" or request_has_uploads.get():
            return await self.execute_once(request, prepared, variables, extensions, sink)
        key = _inbound_key(request, prepared, variables, extensions)

        async def run() -> tuple[dict[str, Any], list[httpx.Headers]]:
            own: list[httpx.Headers] = []
            return await self.execute_once(request, prepared, variables, extensions, own), own

        (result, received), shared = await self.inflight.run(key, run)
        if shared:
            received = [_without_cookies(headers) for headers in received]
        sink.extend(received)
        return result

    async def execute_once(
        self,
        request: Request,
        prepared: PreparedOperation,
        variables: dict[str, Any] | None,
        extensions: dict[str, Any] | None,
        sink: list[httpx.Headers],
    ) -> dict[str, Any]:
        token = subgraph_response_headers.set(sink) if self.propagated else None
        try:
            result = await self.router.execute_prepared(
                prepared, variables, self.subgraph_request_headers(request), extensions
            )
        finally:
            if token is not None:
                subgraph_response_headers.reset(token)
        for error in result.get("errors", ()):
            code = error.get("extensions", {}).get("code")
            if code:
                self.count_error(str(code))
        return result

    def subgraph_request_headers(self, request: Request) -> Mapping[str, str]:
        """The client's headers, plus its address when the router is told to send it."""
        name = self.settings.client_address_header
        if not name:
            return request.headers
        headers = {k: v for k, v in request.headers.items() if k != name.lower()}
        headers[name.lower()] = client_address(request, self.settings.trusted_proxies)
        return headers

    def propagate(self, response: Response, sink: list[httpx.Headers]) -> None:
        for headers in sink:
            for name in self.propagated:
                for value in headers.get_list(name):
                    if name == "set-cookie":
                        response.headers.append(name, value)
                    else:
                        response.headers[name] = value

    async def _get(self, request: Request) -> Response:
        accept = request.headers.get("accept", "")
        query_params = request.query_params
        if self.graphiql and "query" not in query_params and "text/html" in accept:
            return HTMLResponse(graphiql_html(self.path, self.ws_path(request)))
        media_type = _response_media_type(accept)
        if media_type is None:
            return _error_response("unsupported Accept header", JSON, 406)
        try:
            if self.settings.csrf_protect_get and not _is_preflighted(
                request, self.settings.csrf_required_headers
            ):
                raise _BadRequest(self.csrf_message(), 400, "CSRF_PREVENTION")
            auth = await self.auth_state(request)
            params = _read_params(
                {
                    "query": query_params.get("query"),
                    "variables": _json_param(query_params, "variables"),
                    "operationName": query_params.get("operationName") or None,
                    "extensions": _json_param(query_params, "extensions"),
                }
            )
        except TokenRejected as error:
            return self.unauthenticated(error, media_type)
        except _BadRequest as bad:
            self.count_error(bad.code)
            return _error_response(bad.message, media_type, bad.status, bad.code)
        return await self.run(request, media_type, params, auth, is_get=True)

    def ws_path(self, request: Request) -> str:
        scheme = "wss" if request.url.scheme == "https" else "ws"
        return f"{scheme}://{request.url.netloc}{self.path}"

    async def metrics(self, request: Request) -> Response:
        return PlainTextResponse(
            self.config.metrics.render(), media_type="text/plain; version=0.0.4"
        )


# Headers that never change an answer: left out of the inbound de-duplication key.
_INBOUND_IGNORED_HEADERS = TRACING_HEADERS | {"content-length", "connection", "keep-alive"}


def _inbound_key(
    request: Request,
    prepared: PreparedOperation,
    variables: dict[str, Any] | None,
    extensions: dict[str, Any] | None,
) -> tuple[Any, ...]:
    """What makes two client queries the same: the prepared operation (its text and operation
    name; alive while in flight, so its id is not reused), variables, extensions and every
    header but tracing and framing ones (authorization and cookies among them)."""
    headers = tuple(
        (name, value)
        for name, value in request.headers.items()
        if name not in _INBOUND_IGNORED_HEADERS
    )
    try:
        values = orjson.dumps([variables, extensions], option=orjson.OPT_SORT_KEYS)
    except TypeError:
        values = repr([variables, extensions]).encode()
    return id(prepared), values, headers


def _without_cookies(headers: httpx.Headers) -> httpx.Headers:
    """A client that joined another's execution never gets that client's cookies."""
    return httpx.Headers([(k, v) for k, v in headers.multi_items() if k != "set-cookie"])


def client_address(request: Request, trusted_proxies: list[str]) -> str:
    """The router's peer, or the last X-Forwarded-For hop appended before a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed(hops):
        if hop and hop not in trusted_proxies:
            return hop
    return peer


class _MethodNotAllowed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def _health(request: Request) -> Response:
    return _json_response({"status": "ok"}, JSON)


def _register_gauges(router: Router, metrics: Metrics) -> None:
    metrics.gauge(
        "taskforge_router_plan_cache_hits_total",
        "Operations answered from the plan cache.",
        lambda: router.cache_hits,
    )
    metrics.gauge(
        "taskforge_router_plan_cache_misses_total",
        "Operations parsed, validated and planned.",
        lambda: router.cache_misses,
    )


def _instrument(router: Router, config: EdgeConfig) -> None:
    """Trace (and time, when metrics are on) every subgraph fetch and the planning step."""
    router.tracer = config.tracer
    if isinstance(router.transport, TimedTransport | TracedTransport):
        return
    transport: Any = TracedTransport(router.transport, config.tracer)
    if config.settings.metrics:
        transport = TimedTransport(transport, config.metrics)
    router.transport = transport


def create_router_app(
    router: Router,
    *,
    path: str = "/graphql",
    graphiql: bool = True,
    config: EdgeConfig | None = None,
) -> Starlette:
    """An ASGI app serving ``router`` per the GraphQL-over-HTTP spec, with the edge's checks."""
    config = config or EdgeConfig.default()
    edge = _Edge(router, config, path, graphiql)
    _register_gauges(router, config.metrics)
    settings = config.settings

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await router.aclose()

    routes = [
        Route(path, edge.post, methods=["POST"]),
        Route("/", lambda _request: RedirectResponse(path), methods=["GET"]),
        Route(path, edge.get, methods=["GET"]),
        Route("/health", _health, methods=["GET"]),
        Mount(STATIC_PREFIX, app=StaticFiles(directory=STATIC_DIR), name="graphiql-static"),
    ]
    _instrument(router, config)
    if settings.metrics:
        routes.append(Route("/metrics", edge.metrics, methods=["GET"]))
    middleware = [Middleware(RequestIdMiddleware, metrics=config.metrics)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_credentials=settings.cors_allow_credentials,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["x-request-id"],
            )
        )
    middleware.append(
        subscriptions_middleware(
            router,
            path=path,
            verify_token=edge.verify_token if config.tokens else None,
            policy_hook=config.policy_hook,
        )
    )
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
