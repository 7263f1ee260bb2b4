"""The tasks subgraph service: its runtime (photos, membership and live consumers) and ASGI app."""

from __future__ import annotations

from starlette.types import ASGIApp

from subgraph_kit.app import create_photo_subgraph_app
from subgraph_kit.live import create_live_channel
from subgraph_kit.runtime import ServiceRuntime
from subgraph_kit.storage import PhotoService, install_photo_service
from tasks_subgraph import live
from tasks_subgraph.memberships import CONSUMER, GROUP_EVENT_TYPES, membership_consumer
from tasks_subgraph.schema import schema

__all__ = ["create_app", "create_runtime"]


def create_runtime(*, photos: PhotoService | None = None, **overrides: object) -> ServiceRuntime:
    """`photos` replaces the storage chosen from the environment (CLOUDINARY_URL or local)."""
    runtime = ServiceRuntime.create("tasks", "tasks_subgraph", **overrides)  # type: ignore[arg-type]
    install_photo_service(runtime, photos)
    runtime.bus.subscribe(
        CONSUMER,
        membership_consumer(runtime.database, runtime.extras["photos"]),
        types=GROUP_EVENT_TYPES,
    )
    channel = create_live_channel(runtime.redis, f"{runtime.common.redis_key_prefix}live:")
    runtime.extras["live"] = channel
    runtime.bus.subscribe(live.CONSUMER, live.live_consumer(channel), types=live.EVENT_TYPES)
    return runtime


def create_app(runtime: ServiceRuntime | None = None, *, manage_runtime: bool = True) -> ASGIApp:
    return create_photo_subgraph_app(
        runtime or create_runtime(), schema, manage_runtime=manage_runtime
    )
