"""The users subgraph service: its runtime and ASGI app."""

from __future__ import annotations

from starlette.types import ASGIApp

from subgraph_kit.app import create_photo_subgraph_app
from subgraph_kit.runtime import ServiceRuntime
from subgraph_kit.storage import PhotoService, install_photo_service
from users_subgraph.schema import schema
from users_subgraph.service import LoginLimits

__all__ = ["create_app", "create_runtime"]

LOGIN_WINDOW_SECONDS = 15 * 60


def create_runtime(*, photos: PhotoService | None = None, **overrides: object) -> ServiceRuntime:
    """`photos` replaces the avatar storage chosen from the environment."""
    runtime = ServiceRuntime.create("users", "users_subgraph", **overrides)  # type: ignore[arg-type]
    install_photo_service(runtime, photos)
    runtime.extras["login_limits"] = LoginLimits(
        by_email=runtime.rate_limiter("login-email", window_seconds=LOGIN_WINDOW_SECONDS),
        by_address=runtime.rate_limiter("login-address", window_seconds=LOGIN_WINDOW_SECONDS),
    )
    return runtime


def create_app(runtime: ServiceRuntime | None = None, *, manage_runtime: bool = True) -> ASGIApp:
    return create_photo_subgraph_app(
        runtime or create_runtime(), schema, manage_runtime=manage_runtime
    )
