"""The `taskforge` command: run in one process, serve one service, compose, migrate, admin."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette

from subgraph_kit.errors import TaskforgeError
from subgraph_kit.settings import common_settings
from supergraph.server import RouterStartupError, router_app_from_file, serve, serve_router
from taskforge.registry import SUBGRAPHS, subgraph
from taskforge.secrets import MissingSecret, development_settings, require_service_secrets
from taskforge.wiring import router_settings, token_verifier

__all__ = ["build_parser", "main", "router_app_from_env"]

SCHEMA_DIR = Path("schema")


def cmd_run(args: argparse.Namespace) -> int:
    """Single-process mode on the embedded defaults (SQLite under var/, in-process bus)."""
    from taskforge.standalone import create_standalone

    app = create_standalone(
        SUBGRAPHS.values(),
        common=development_settings(common_settings()),
        public_url=f"http://{args.host}:{args.port}",
    )
    url = f"http://{args.host}:{args.port}/graphql"
    serve(app, args.host, args.port, f"Taskforge serving GraphQL at {url}")
    return 0


def _router_app(supergraph_path: str) -> Starlette:
    """The router over the supergraph file, verifying tokens as the subgraphs do."""
    common = common_settings()
    require_service_secrets(common)
    return router_app_from_file(
        supergraph_path, settings=router_settings(common), tokens=token_verifier(common)
    )


def router_app_from_env() -> Starlette:
    """Factory each `serve router --workers N` worker process imports to build its router."""
    from supergraph.server import SUPERGRAPH_FILE_ENV, tune_gc

    app = _router_app(os.environ[SUPERGRAPH_FILE_ENV])
    tune_gc()
    return app


def cmd_serve_router(args: argparse.Namespace) -> int:
    host = args.host or "127.0.0.1"
    port = args.port or 4000
    try:
        app = _router_app(args.supergraph) if args.workers <= 1 else None
        serve_router(
            args.supergraph,
            host=host,
            port=port,
            workers=args.workers,
            factory="taskforge.cli:router_app_from_env",
            app=app,
        )
    except RouterStartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
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
    from taskforge.topology import TopologyError, run_topology

    require_service_secrets(common_settings(), subgraph_secret=False)
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
    require_service_secrets(common_settings())
    package = subgraph(args.service)
    runtime = package.runtime()
    host = args.host or runtime.settings.host
    port = args.port or runtime.settings.port
    url = f"http://{host}:{port}/graphql"
    serve(package.create_app(runtime), host, port, f"Taskforge {args.service} subgraph at {url}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    names = list(SUBGRAPHS) if args.service == "all" else [args.service]
    common = development_settings(common_settings())  # nothing is signed: any key will do

    async def migrate_all() -> None:
        for name in names:
            runtime = subgraph(name).runtime(common=common)
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
        runtime = subgraph("users").runtime(common=development_settings(common_settings()))
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
    for name, package in SUBGRAPHS.items():
        path = out / f"{name}.graphql"
        path.write_text(package.sdl())
        print(f"wrote {path}")
    return 0


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

    serve_cmd = commands.add_parser(
        "serve",
        help="serve one service as its own process",
        description="Serve one subgraph (configured by TASKFORGE_<SERVICE>_* variables).",
    )
    serve_cmd.add_argument("service", choices=[*sorted(SUBGRAPHS), "router"])
    serve_cmd.add_argument(
        "--supergraph",
        default=str(SCHEMA_DIR / "supergraph.graphql"),
        help="router only: the supergraph SDL file (any Federation v2 supergraph)",
    )
    serve_cmd.add_argument("--host", default=None, help="default: TASKFORGE_<SERVICE>_HOST")
    serve_cmd.add_argument(
        "--port", type=int, default=None, help="default: TASKFORGE_<SERVICE>_PORT"
    )
    serve_cmd.add_argument(
        "--workers",
        type=int,
        default=1,
        help="router only: worker processes sharing the port (one per core)",
    )
    serve_cmd.set_defaults(handler=cmd_serve)

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
        "export-schema",
        help="write each subgraph's SDL to schema/<name>.graphql",
        description="Write the SDL each subgraph serves as `_service { sdl }` to "
        "OUT/<name>.graphql (the files the tests compare with the code).",
    )
    export.add_argument("--out", default=str(SCHEMA_DIR))
    export.set_defaults(handler=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("TASKFORGE_LOG_LEVEL", "INFO").upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except MissingSecret as missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
