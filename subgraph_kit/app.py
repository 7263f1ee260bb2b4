"""The subgraph app factory: FastAPI + Strawberry with health, readiness and uniform errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException as StrawberryHTTPException
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter
from strawberry.federation import Schema
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from subgraph_kit.context import RequestContext, build_context
from subgraph_kit.errors import ErrorCode, TaskforgeError, graphql_error_body
from subgraph_kit.router_channel import RouterOnlyMiddleware
from subgraph_kit.runtime import ServiceRuntime
from subgraph_kit.storage import PHOTOS_EXTRA, PhotoService, photo_routes
from subgraph_kit.tracing import SubgraphTracing
from supergraph.edge.access_log import AccessLogMiddleware

__all__ = ["create_photo_subgraph_app", "create_subgraph_app", "error_code_for"]

log = logging.getLogger(__name__)

# Room for the operations/map form fields and part headers around an uploaded file.
_MULTIPART_OVERHEAD = 64 * 1024


def error_code_for(error: GraphQLError) -> str:
    """The stable code for an error graphql-core or a resolver raised."""
    original = error.original_error
    if isinstance(original, TaskforgeError):
        return str(original.extensions["code"])
    if isinstance(error, GraphQLSyntaxError):
        return ErrorCode.GRAPHQL_PARSE_FAILED
    if error.message.startswith("Variable '$") and not error.path:
        return ErrorCode.BAD_USER_INPUT
    if original is not None or error.path:
        return ErrorCode.INTERNAL_SERVER_ERROR
    return ErrorCode.GRAPHQL_VALIDATION_FAILED


class _TaskforgeGraphQLRouter(GraphQLRouter[RequestContext, None]):
    """Strawberry's router with GraphQL-shaped errors for bad requests and masked internals.

    Each operation runs in a server span continuing the caller's trace (when tracing is on).
    """

    def __init__(self, *args: Any, tracing: SubgraphTracing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tracing = tracing

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        with self.tracing.request_span(
            request.headers, request_data.query, request_data.operation_name
        ) as span:
            result = await super().execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )
            if span is not None:
                span.set_attribute("graphql.errors.count", len(result.errors or ()))
            return result

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        try:
            return await super().run(request, context=context, root_value=root_value)
        except StrawberryHTTPException as error:
            return JSONResponse(
                graphql_error_body(error.reason, ErrorCode.BAD_REQUEST),
                status_code=error.status_code,
            )

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        for error in result.errors or []:
            code = error_code_for(error)
            if code == ErrorCode.INTERNAL_SERVER_ERROR and error.original_error is not None:
                log.error("unexpected error", exc_info=error.original_error)
                error.message = "Internal server error"
            extensions = dict(error.extensions or {})
            extensions.setdefault("code", code)
            error.extensions = extensions
        return await super().process_result(request, result)


class _BodySizeLimit:
    """Refuse request bodies above `limit` bytes (multipart uploads: `upload_limit`) with a 413."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = self.limit
        if self.upload_limit and headers.get(b"content-type", b"").startswith(b"multipart/"):
            limit = max(limit, self.upload_limit)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        body = graphql_error_body(
            f"request body larger than {limit} bytes", ErrorCode.PAYLOAD_TOO_LARGE
        )
        await JSONResponse(body, status_code=413)(scope, receive, send)


class _TooLarge(Exception):
    pass


def create_subgraph_app(
    runtime: ServiceRuntime,
    schema: Schema,
    *,
    manage_runtime: bool = True,
    routes: Sequence[BaseRoute] = (),
    max_upload_bytes: int | None = None,
) -> ASGIApp:
    """A FastAPI app serving `schema` at /graphql, with GET /health and GET /ready.

    `routes` are extra routes the subgraph serves (e.g. its photos); `max_upload_bytes` turns on
    GraphQL multipart uploads, whose requests may be that large (plus form overhead).
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if manage_runtime:
            await runtime.start()
        yield
        if manage_runtime:
            await runtime.stop()

    async def get_context(connection: HTTPConnection) -> RequestContext:
        return build_context(runtime, connection)

    tracing = SubgraphTracing(runtime.name, runtime.tracer_provider)
    tracing.instrument(runtime.database.engine.sync_engine)
    app = FastAPI(title=f"Taskforge {runtime.name} subgraph", lifespan=lifespan, docs_url=None)
    app.include_router(
        _TaskforgeGraphQLRouter(
            schema,
            tracing=tracing,
            context_getter=get_context,
            graphql_ide="graphiql",
            multipart_uploads_enabled=max_upload_bytes is not None,
        ),
        prefix="/graphql",
    )
    app.router.routes.extend(routes)

    @app.exception_handler(TaskforgeError)
    async def taskforge_error(_request: Request, error: TaskforgeError) -> JSONResponse:
        status = 401 if error.extensions["code"] == ErrorCode.UNAUTHENTICATED else 400
        return JSONResponse(
            {"errors": [{"message": error.message, "extensions": error.extensions}]}, status
        )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        ok = await runtime.database.ping()
        return JSONResponse({"status": "ready" if ok else "unavailable"}, 200 if ok else 503)

    app.state.runtime = runtime
    upload_limit = max_upload_bytes + _MULTIPART_OVERHEAD if max_upload_bytes else None
    limited: ASGIApp = _BodySizeLimit(app, runtime.common.max_body_bytes, upload_limit)
    if runtime.common.subgraph_secret:
        limited = RouterOnlyMiddleware(limited, runtime.common.subgraph_secret)
    return AccessLogMiddleware(limited, runtime.name)


def create_photo_subgraph_app(
    runtime: ServiceRuntime, schema: Schema, *, manage_runtime: bool = True
) -> ASGIApp:
    """`create_subgraph_app` for a subgraph storing photos: it serves them and takes uploads."""
    photos: PhotoService = runtime.extras[PHOTOS_EXTRA]
    return create_subgraph_app(
        runtime,
        schema,
        manage_runtime=manage_runtime,
        routes=photo_routes(photos.storage),
        max_upload_bytes=photos.max_bytes,
    )
