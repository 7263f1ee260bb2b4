"""Two in-test Strawberry subgraphs (tasks streams events, users owns User) behind a router."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.types import Info

from supergraph.composition import SubgraphDefinition, compose
from supergraph.router import Router, build_router
from supergraph.subscriptions import SubscriptionOptions, install_subscriptions
from supergraph.subscriptions.asgi_websocket import AsgiWebSocket
from supergraph.subscriptions.execution import TokenVerifier
from supergraph.transport import AsgiTransport

__all__ = ["Federation", "StreamState", "WsClient", "build_federation", "serving"]

NAMES = {"1": "Ada", "2": "Grace"}


@dataclass
class StreamState:
    """What the tasks subgraph's generators did, and a switch to hold them open."""

    opened: int = 0
    closed: int = 0
    hold: asyncio.Event = field(default_factory=asyncio.Event)
    seen_authorization: list[str | None] = field(default_factory=list)


STATE = StreamState()


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID


@strawberry.type
class Task:
    id: strawberry.ID
    title: str
    assignee: User | None


@strawberry.type
class TaskEvent:
    change: str
    task: Task


@strawberry.type(name="Query")
class TasksQuery:
    @strawberry.field
    def task(self, id: strawberry.ID) -> Task:
        return Task(id=id, title=f"task {id}", assignee=User(id=strawberry.ID("1")))


def _authorization(info: Info) -> str | None:
    params = info.context.get("connection_params") or {}
    value = params.get("Authorization") if isinstance(params, dict) else None
    return value if isinstance(value, str) else None


@strawberry.type(name="Subscription")
class TasksSubscription:
    @strawberry.subscription
    async def task_changed(
        self, info: Info, group_id: strawberry.ID, count: int = 3
    ) -> AsyncGenerator[TaskEvent, None]:
        STATE.opened += 1
        STATE.seen_authorization.append(_authorization(info))
        try:
            for index in range(count):
                assignee = User(id=strawberry.ID(str(index % 2 + 1)))
                task = Task(
                    id=strawberry.ID(f"{group_id}-{index}"), title=f"t{index}", assignee=assignee
                )
                yield TaskEvent(change="UPDATED", task=task)
            await STATE.hold.wait()
        finally:
            STATE.closed += 1

    @strawberry.subscription
    async def forever(self) -> AsyncGenerator[int, None]:
        STATE.opened += 1
        try:
            index = 0
            while True:
                yield index
                index += 1
                await asyncio.sleep(0.01)
        finally:
            STATE.closed += 1


@strawberry.federation.type(keys=["id"])
class UserEntity:
    id: strawberry.ID
    display_name: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> UserEntity:
        return UserEntity(id=id, display_name=NAMES.get(str(id), "?"))


UserEntity.__strawberry_definition__.name = "User"  # type: ignore[attr-defined]


@strawberry.type(name="Query")
class UsersQuery:
    @strawberry.field
    def user_count(self) -> int:
        return len(NAMES)


TASKS = strawberry.federation.Schema(query=TasksQuery, subscription=TasksSubscription)
USERS = strawberry.federation.Schema(query=UsersQuery, types=[UserEntity])


def _sdl(schema: strawberry.federation.Schema) -> str:
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.data is not None, result.errors
    return str(result.data["_service"]["sdl"])


@dataclass
class Federation:
    """The router app, its router and the subgraph apps it reaches in-process."""

    app: Starlette
    router: Router
    subgraphs: dict[str, Any]
    state: StreamState


def build_federation(
    *,
    options: SubscriptionOptions | None = None,
    verify_token: TokenVerifier | None = None,
    subgraphs: dict[str, Any] | None = None,
    urls: dict[str, str] | None = None,
) -> Federation:
    """Compose the two subgraphs and serve them behind a router with subscriptions installed.

    With ``urls`` the router reaches the subgraphs over the network (HTTP and WebSocket);
    otherwise in-process.
    """
    STATE.opened = STATE.closed = 0
    STATE.hold = asyncio.Event()
    STATE.seen_authorization.clear()
    apps: dict[str, Any] = subgraphs or {"tasks": GraphQL(TASKS), "users": GraphQL(USERS)}
    where = urls or {"tasks": "http://tasks/graphql", "users": "http://users/graphql"}
    sdl = compose(
        [
            SubgraphDefinition(name="tasks", url=where["tasks"], sdl=_sdl(TASKS)),
            SubgraphDefinition(name="users", url=where["users"], sdl=_sdl(USERS)),
        ]
    )
    router = build_router(sdl) if urls else build_router(sdl, transport=AsgiTransport(apps))

    async def graphql(request: Request) -> JSONResponse:
        body = orjson.loads(await request.body())
        return JSONResponse(await router.execute(body["query"], body.get("variables")))

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    install_subscriptions(app, router, options=options, verify_token=verify_token)
    return Federation(app, router, apps, STATE)


class WsClient:
    """A graphql-transport-ws client over the in-process ASGI WebSocket driver."""

    def __init__(self, app: Any, subprotocols: tuple[str, ...] = ("graphql-transport-ws",)):
        self.socket = AsgiWebSocket(app, "/graphql", subprotocols=subprotocols)

    async def __aenter__(self) -> WsClient:
        await self.socket.connect()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.socket.close()

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send_text(orjson.dumps(message).decode())

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            message: dict[str, Any] = orjson.loads(await self.socket.receive_text())
            return message

    async def init(self, payload: dict[str, Any] | None = None) -> None:
        await self.send({"type": "connection_init", "payload": payload or {}})
        assert await self.receive() == {"type": "connection_ack"}


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[int]:
    """Serve ``app`` with uvicorn on an ephemeral 127.0.0.1 port in this event loop."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task
