"""Single-process mode: the router in front of every subgraph, each called in-process over ASGI."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from opentelemetry.trace import TracerProvider
from starlette.types import ASGIApp, Receive, Scope, Send

from subgraph_kit.events import EventBus, InProcessBus
from subgraph_kit.registry import SubgraphPackage
from subgraph_kit.runtime import ServiceRuntime
from subgraph_kit.settings import CommonSettings, ServiceSettings, common_settings
from subgraph_kit.storage import create_photo_service
from supergraph.composition import SubgraphDefinition, compose
from supergraph.edge.tracing import router_tracer
from supergraph.http import create_router_app
from supergraph.http.app import EdgeConfig
from supergraph.router import Router, build_router
from supergraph.transport import AsgiTransport
from taskforge.secrets import with_subgraph_secret
from taskforge.wiring import router_settings, token_verifier

__all__ = ["Standalone", "compose_local_supergraph", "create_standalone"]

PHOTOS_PREFIX = "/photos/"


def compose_local_supergraph(subgraphs: Mapping[str, str], url_of: Mapping[str, str]) -> str:
    """Compose the supergraph from the SDL each subgraph's code serves."""
    return compose(
        [
            SubgraphDefinition(name=name, url=url_of[name], sdl=sdl)
            for name, sdl in subgraphs.items()
        ]
    )


@dataclass
class Standalone:
    """The router app plus the subgraph runtimes it owns; an ASGI app with a lifespan.

    Only the router and the photo files are public: the subgraphs are called in-process.
    """

    router: Router
    router_app: ASGIApp
    subgraph_apps: dict[str, ASGIApp]
    runtimes: dict[str, ServiceRuntime]
    bus: EventBus | None = None
    photos_app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path.startswith(PHOTOS_PREFIX) and self.photos_app is not None:
            await self.photos_app(scope, receive, send)
            return
        await self.router_app(scope, receive, send)

    async def start(self) -> None:
        if self.bus is not None:
            await self.bus.start()
        for runtime in self.runtimes.values():
            await runtime.start()

    async def stop(self) -> None:
        await self.router.aclose()
        for runtime in self.runtimes.values():
            await runtime.stop()
        if self.bus is not None:
            await self.bus.stop()

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        assert message["type"] == "lifespan.startup"
        try:
            await self.start()
        except Exception as error:
            await send({"type": "lifespan.startup.failed", "message": str(error)})
            return
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        await self.stop()
        await send({"type": "lifespan.shutdown.complete"})


def create_standalone(
    subgraphs: Iterable[SubgraphPackage],
    *,
    common: CommonSettings | None = None,
    settings: Mapping[str, ServiceSettings] | None = None,
    supergraph_sdl: str | None = None,
    public_url: str = "http://127.0.0.1:4000",
    tracer_provider: TracerProvider | None = None,
) -> Standalone:
    """Build every subgraph and a router over them.

    Subgraphs share one in-process event bus (unless Redis is configured) and one local
    photo directory served at `public_url`/photos/. The router composes the subgraphs'
    SDL itself unless `supergraph_sdl` is given (e.g. composed by another tool). The router
    and every subgraph trace through `tracer_provider` (default: the global provider).
    """
    # In-process subgraphs still check the router channel's secret; one per process will do.
    common = with_subgraph_secret(common or common_settings())
    bus = InProcessBus() if common.redis_url is None else None
    photos = create_photo_service(data_dir=common.data_dir, default_base_url=public_url)
    runtimes: dict[str, ServiceRuntime] = {}
    apps: dict[str, ASGIApp] = {}
    sdls: dict[str, str] = {}
    photos_app: ASGIApp | None = None
    for package in subgraphs:
        name = package.name
        options: dict[str, object] = {"settings": (settings or {}).get(name), "common": common}
        if bus is not None:
            options["bus"] = bus
        if package.serves_photos:
            options["photos"] = photos
        runtime = package.runtime(**options)
        runtime.tracer_provider = tracer_provider
        runtimes[name] = runtime
        apps[name] = package.create_app(runtime, manage_runtime=False)
        if package.serves_photos and photos_app is None:
            photos_app = apps[name]
        sdls[name] = package.sdl()
    urls = {name: f"http://{name}.in-process/graphql" for name in apps}
    if supergraph_sdl is None:
        supergraph_sdl = compose_local_supergraph(sdls, urls)
    edge_settings = router_settings(common)
    router = build_router(supergraph_sdl, transport=AsgiTransport(apps), settings=edge_settings)
    config = replace(
        EdgeConfig.default(edge_settings, tokens=token_verifier(common)),
        tracer=router_tracer(tracer_provider),
    )
    app = create_router_app(router, config=config)
    return Standalone(router, app, apps, runtimes, bus, photos_app)
