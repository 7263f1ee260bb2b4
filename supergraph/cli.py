"""The `taskforge` command: run in one process, serve one service, compose, migrate, admin."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import uvicorn

__all__ = ["SUBGRAPHS", "main", "router_app_from_env", "tune_gc"]

SUBGRAPHS = {
    "users": "users_subgraph.app",
    "groups": "groups_subgraph.app",
    "tasks": "tasks_subgraph.app",
    "notifications": "notifications_subgraph.app",
}
SCHEMA_DIR = Path("schema")


def _service_module(name: str) -> ModuleType:
    return importlib.import_module(SUBGRAPHS[name])


def _serve(app: object, host: str, port: int, banner: str) -> None:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level=os.environ.get("TASKFORGE_LOG_LEVEL", "info").lower(),
        loop="auto",
        http="auto",
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    print(banner, flush=True)
    uvicorn.Server(config).run()


def cmd_run(args: argparse.Namespace) -> int:
    """Single-process mode on the embedded defaults (SQLite under var/, in-process bus)."""
    from supergraph.standalone import create_standalone

    app = create_standalone(SUBGRAPHS, public_url=f"http://{args.host}:{args.port}")
    url = f"http://{args.host}:{args.port}/graphql"
    _serve(app, args.host, args.port, f"Taskforge serving GraphQL at {url}")
    return 0


def _subgraph_url_overrides() -> dict[str, str]:
    """TASKFORGE_ROUTER_SUBGRAPH_URLS="users=http://users:4001/graphql,groups=..."."""
    raw = os.environ.get("TASKFORGE_ROUTER_SUBGRAPH_URLS", "")
    pairs = [item.split("=", 1) for item in raw.split(",") if item.strip()]
    return {name.strip(): url.strip() for name, url in pairs}


_SUPERGRAPH_FILE_ENV = "TASKFORGE_ROUTER_SUPERGRAPH_FILE"
# Under load the heap holds every in-flight request's subgraph answers, and CPython's default
# young-generation threshold (700 allocations) ran full collections over it so often that
# they took half the router's CPU on the nested benchmark query (190 -> 380-440 req/s).
_GC_THRESHOLDS = (100_000, 50, 1000)


def tune_gc() -> None:
    """Freeze what startup built (schema, planner, compiled shapes) out of the collector's
    scans, and collect young objects far less often than CPython's default."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)


def _router_app(supergraph_path: str) -> object:
    """The router's ASGI app over the supergraph file, or the error message that stops it."""
    from supergraph.edge import RouterSettings
    from supergraph.http import create_router_app
    from supergraph.loading import SupergraphError, load_supergraph
    from supergraph.router import build_router
    from supergraph.transport import HttpTransport

    try:
        sdl = Path(supergraph_path).read_text()
        supergraph = load_supergraph(sdl)
    except (OSError, SupergraphError) as error:
        return f"error: cannot load supergraph {supergraph_path}: {error}"
    urls = {graph.name: graph.url for graph in supergraph.graphs.values()}
    unknown = set(_subgraph_url_overrides()) - set(urls)
    if unknown:
        return f"error: TASKFORGE_ROUTER_SUBGRAPH_URLS names unknown subgraphs {sorted(unknown)}"
    urls.update(_subgraph_url_overrides())
    settings = RouterSettings()
    transport = HttpTransport(
        urls,
        timeout=settings.subgraph_timeout_seconds,
        deduplicate=settings.deduplicate_subgraph_fetches,
    )
    app = create_router_app(build_router(sdl, transport=transport, settings=settings))
    tune_gc()
    return app


def router_app_from_env() -> object:
    """Factory each `serve router --workers N` worker process imports to build its router."""
    app = _router_app(os.environ[_SUPERGRAPH_FILE_ENV])
    if isinstance(app, str):
        raise RuntimeError(app)
    return app


def cmd_serve_router(args: argparse.Namespace) -> int:
    app = _router_app(args.supergraph)
    if isinstance(app, str):
        print(app, file=sys.stderr)
        return 2
    host = args.host or "127.0.0.1"
    port = args.port or 4000
    banner = f"Taskforge router at http://{host}:{port}/graphql"
    if args.workers <= 1:
        _serve(app, host, port, banner)
        return 0
    # Worker processes share one listening socket; each builds its own router and pool.
    os.environ[_SUPERGRAPH_FILE_ENV] = str(Path(args.supergraph).resolve())
    print(f"{banner} ({args.workers} workers)", flush=True)
    uvicorn.run(
        "supergraph.cli:router_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level=os.environ.get("TASKFORGE_LOG_LEVEL", "info").lower(),
        timeout_graceful_shutdown=5,
    )
    return 0


def cmd_compose(args: argparse.Namespace) -> int:
    from supergraph.composition import CompositionError, compose_to_file

    try:
        compose_to_file(args.config, args.out)
    except CompositionError as error:
        print(f"composition failed:\n{error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    """The services topology: every subgraph and the router as separate processes."""
    from supergraph.topology import TopologyError, run_topology

    try:
        return run_topology(
            list(SUBGRAPHS), supergraph=Path(args.supergraph), host=args.host, port=args.port
        )
    except TopologyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def cmd_serve(args: argparse.Namespace) -> int:
    if args.service == "router":
        return cmd_serve_router(args)
    module = _service_module(args.service)
    runtime = module.create_runtime()
    host = args.host or runtime.settings.host
    port = args.port or runtime.settings.port
    url = f"http://{host}:{port}/graphql"
    _serve(module.create_app(runtime), host, port, f"Taskforge {args.service} subgraph at {url}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    names = list(SUBGRAPHS) if args.service == "all" else [args.service]

    async def migrate_all() -> None:
        for name in names:
            runtime = _service_module(name).create_runtime()
            try:
                await runtime.start()
            finally:
                await runtime.stop()
            print(f"{name}: migrated {runtime.settings.database_url.split('@')[-1]}")

    asyncio.run(migrate_all())
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from users_subgraph.service import create_admin

    password = os.environ.get("TASKFORGE_ADMIN_PASSWORD") or getpass.getpass("Password: ")

    async def create() -> str:
        runtime = _service_module("users").create_runtime()
        await runtime.start()
        try:
            async with runtime.database.session() as session:
                user = await create_admin(
                    session,
                    email=args.email,
                    password=password,
                    display_name=args.display_name or args.email.split("@")[0],
                )
                return user.id
        finally:
            await runtime.stop()

    from subgraph_kit.errors import TaskforgeError

    try:
        user_id = asyncio.run(create())
    except TaskforgeError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    print(f"administrator {args.email} (id {user_id})")
    return 0


def cmd_export_schema(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in SUBGRAPHS:
        path = out / f"{name}.graphql"
        path.write_text(subgraph_sdl(name))
        print(f"wrote {path}")
    return 0


def subgraph_sdl(name: str) -> str:
    """The SDL a subgraph serves as `_service { sdl }`, newline-terminated."""
    module = importlib.import_module(SUBGRAPHS[name].replace(".app", ".schema"))
    return str(module.schema.as_str()).rstrip("\n") + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taskforge", description="Taskforge: federated GraphQL task management."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run everything in one process on the embedded defaults",
        description="Single-process mode: SQLite files under TASKFORGE_DATA_DIR (var/), "
        "in-process event bus, local photo storage; GraphQL at http://HOST:PORT/graphql.",
    )
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=4000)
    run.set_defaults(handler=cmd_run)

    serve = commands.add_parser(
        "serve",
        help="serve one service as its own process",
        description="Serve one subgraph (configured by TASKFORGE_<SERVICE>_* variables).",
    )
    serve.add_argument("service", choices=[*sorted(SUBGRAPHS), "router"])
    serve.add_argument(
        "--supergraph",
        default=str(SCHEMA_DIR / "supergraph.graphql"),
        help="router only: the supergraph SDL file (any Federation v2 supergraph)",
    )
    serve.add_argument("--host", default=None, help="default: TASKFORGE_<SERVICE>_HOST")
    serve.add_argument("--port", type=int, default=None, help="default: TASKFORGE_<SERVICE>_PORT")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="router only: worker processes sharing the port (one per core)",
    )
    serve.set_defaults(handler=cmd_serve)

    up = commands.add_parser(
        "up",
        help="start every subgraph and the router as separate processes (services mode)",
        description="Services topology on PostgreSQL and Redis from the environment: "
        "TASKFORGE_REDIS_URL (required), TASKFORGE_<SERVICE>_DATABASE_URL/_HOST/_PORT.",
    )
    up.add_argument("--host", default="127.0.0.1", help="router host")
    up.add_argument("--port", type=int, default=4000, help="router port")
    up.add_argument("--supergraph", default=str(SCHEMA_DIR / "supergraph.graphql"))
    up.set_defaults(handler=cmd_up)

    migrate = commands.add_parser(
        "migrate",
        help="apply pending database migrations",
        description="Upgrade a subgraph's database (or all of them) to the newest migration.",
    )
    migrate.add_argument("service", choices=[*sorted(SUBGRAPHS), "all"])
    migrate.set_defaults(handler=cmd_migrate)

    admin = commands.add_parser(
        "create-admin",
        help="create an administrator (or promote an existing user)",
        description="The password is read from TASKFORGE_ADMIN_PASSWORD or prompted for.",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--display-name", default=None)
    admin.set_defaults(handler=cmd_create_admin)

    compose_cmd = commands.add_parser(
        "compose",
        help="compose the subgraphs' SDL into schema/supergraph.graphql",
        description="Compose a Federation v2 supergraph from a config listing subgraphs "
        "(name, routing url, SDL file or live introspection).",
    )
    compose_cmd.add_argument("--config", default=str(SCHEMA_DIR / "subgraphs.toml"))
    compose_cmd.add_argument("--out", default=str(SCHEMA_DIR / "supergraph.graphql"))
    compose_cmd.set_defaults(handler=cmd_compose)

    export = commands.add_parser(
        "export-schema", help="write each subgraph's SDL to schema/<name>.graphql"
    )
    export.add_argument("--out", default=str(SCHEMA_DIR))
    export.set_defaults(handler=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("TASKFORGE_LOG_LEVEL", "INFO").upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
