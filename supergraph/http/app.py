"""GraphQL over HTTP for the router: POST/GET /graphql, GraphiQL and /health (Starlette)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from supergraph.http.graphiql import graphiql_html
from supergraph.router import PreparedOperation, Router

__all__ = ["create_router_app"]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


class _BadRequest(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _response_media_type(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts none we speak."""
    if not accept:
        return JSON
    if GRAPHQL_RESPONSE_JSON in accept:
        return GRAPHQL_RESPONSE_JSON
    if JSON in accept or "*/*" in accept or "application/*" in accept:
        return JSON
    return None


def _json_response(payload: dict[str, Any], media_type: str, status: int = 200) -> Response:
    return Response(
        orjson.dumps(payload), status_code=status, media_type=f"{media_type}; charset=utf-8"
    )


def _error_response(
    message: str, media_type: str, status: int, headers: dict[str, str] | None = None
) -> Response:
    response = _json_response({"errors": [{"message": message}]}, media_type, status)
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


def _read_params(params: Any) -> tuple[str, dict | None, str | None, dict | None]:
    if not isinstance(params, dict):
        raise _BadRequest("the request body must be a JSON object")
    query = params.get("query")
    if not isinstance(query, str):
        raise _BadRequest("'query' must be a string")
    variables = _optional(params, "variables", dict)
    operation_name = _optional(params, "operationName", str)
    extensions = _optional(params, "extensions", dict)
    return query, variables, operation_name, extensions


def create_router_app(
    router: Router, *, path: str = "/graphql", graphiql: bool = True
) -> Starlette:
    """An ASGI app serving ``router`` per the GraphQL-over-HTTP spec."""

    async def run(
        request: Request,
        media_type: str,
        params: tuple[str, dict | None, str | None, dict | None],
        *,
        is_get: bool,
    ) -> Response:
        query, variables, operation_name, extensions = params
        prepared = router.prepare(query, operation_name)
        if isinstance(prepared, dict):
            status = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
            return _json_response(prepared, media_type, status)
        if is_get and prepared.kind != "query":
            return _error_response(
                f"{prepared.kind}s are not allowed over GET; use POST",
                media_type,
                405,
                {"allow": "POST"},
            )
        return await execute(request, media_type, prepared, variables, extensions)

    async def execute(
        request: Request,
        media_type: str,
        prepared: PreparedOperation,
        variables: dict | None,
        extensions: dict | None,
    ) -> Response:
        result = await router.execute_prepared(prepared, variables, request.headers, extensions)
        status = 200
        if "data" not in result and media_type == GRAPHQL_RESPONSE_JSON:
            status = 400
        return _json_response(result, media_type, status)

    async def post(request: Request) -> Response:
        media_type = _response_media_type(request.headers.get("accept"))
        if media_type is None:
            return _error_response("unsupported Accept header", JSON, 406)
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith(JSON):
            return _error_response("Content-Type must be application/json", media_type, 415)
        try:
            params = _read_params(orjson.loads(await request.body()))
        except orjson.JSONDecodeError:
            return _error_response("the request body is not valid JSON", media_type, 400)
        except _BadRequest as bad:
            return _error_response(bad.message, media_type, bad.status)
        return await run(request, media_type, params, is_get=False)

    async def get(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        query_params = request.query_params
        if graphiql and "query" not in query_params and "text/html" in accept:
            return HTMLResponse(graphiql_html(path))
        media_type = _response_media_type(accept)
        if media_type is None:
            return _error_response("unsupported Accept header", JSON, 406)
        try:
            params = _read_params(
                {
                    "query": query_params.get("query"),
                    "variables": _json_param(query_params, "variables"),
                    "operationName": query_params.get("operationName") or None,
                    "extensions": _json_param(query_params, "extensions"),
                }
            )
        except _BadRequest as bad:
            return _error_response(bad.message, media_type, bad.status)
        return await run(request, media_type, params, is_get=True)

    async def health(request: Request) -> Response:
        return _json_response({"status": "ok"}, JSON)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await router.aclose()

    return Starlette(
        routes=[
            Route(path, post, methods=["POST"]),
            Route(path, get, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
