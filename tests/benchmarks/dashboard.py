"""Our own stack under load: the dashboard query through the router, single process and services.

Seeds a dataset through the router (one user, Ann, a member of 3 groups of 5 members who all have
avatars; `--tasks` tasks per group, three in four assigned (one in four to Ann), one in five with a
photo; Ann's notifications from being added and assigned), fetches the dashboard query once as the
reference answer, checks a few more answers equal it, then runs wrk with Ann's bearer token
against (a) `taskforge run` (one process, SQLite) and (b) `taskforge up` (four subgraphs and the
router as processes on fresh PostgreSQL databases `tfbench_<service>` and Redis), the latter also
with the router's de-duplication of identical in-flight subgraph fetches off. It also counts the
SQL statements and subgraph fetches of one dashboard request, in-process (create_standalone +
counted_statements), for several dataset sizes: neither may grow with the number of rows.
See README.md in this directory ("Our own stack: the dashboard query").

Usage: .venv/bin/python tests/benchmarks/dashboard.py [--tasks 50] [--duration 10]
       [--connections 10,50] [--modes single,services,services-nodedup] [--sql-sizes 10,200]
       [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
       [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from subgraph_kit.settings import CommonSettings, ServiceSettings
from taskforge.registry import SUBGRAPHS
from taskforge.standalone import create_standalone
from tests.support.backends import delete_redis_keys
from tests.support.images import jpeg_bytes, png_bytes
from tests.support.processes import ServerProcess, free_port, start_taskforge
from tests.support.sql import counted_statements
from tests.support.topology import Services

__all__ = ["DASHBOARD", "Dataset", "Measurement", "RequestCost", "Seeder", "main", "seed"]

HERE = Path(__file__).resolve().parent
PASSWORD = "Corr3ct-Horse-Battery"
GROUPS = 3
OTHER_MEMBERS = 3
VERIFY_SAMPLES = 5
COUNT_SAMPLES = 3
SEED_CONCURRENCY = 8
SETTLE_SECONDS = 120
DASHBOARD = """query Dashboard { me {
  displayName avatar { thumbnail }
  unreadNotificationCount
  notifications(first: 10) { totalCount edges { node { kind message readAt } } }
  groups {
    id name myRole
    members { edges { node { role user { displayName avatar { thumbnail } } } } }
    progress { total open inProgress done overdue percentDone }
    tasks(first: 100) { totalCount edges { node {
      id title status priority
      assignee { displayName avatar { thumbnail } }
      photos { thumbnail }
    } } }
  }
} }"""


@dataclass(frozen=True)
class Dataset:
    """What the seed produced: the dashboard user's token and what her dashboard must show."""

    token: str
    tasks_per_group: int
    unread: int


@dataclass(frozen=True)
class Measurement:
    """One wrk run of the dashboard query against one topology."""

    mode: str
    tasks_per_group: int
    connections: int
    quiet_ms: float
    requests: int
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    bad: int
    answer_bytes: int


# ---------------------------------------------------------------- seeding through the router


class Seeder:
    """Registers users and creates groups, tasks, photos and avatars through the router."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.limit = asyncio.Semaphore(SEED_CONCURRENCY)

    async def gql(self, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.limit:
            reply = await self.http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
        body = reply.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return body["data"]

    async def eventually(self, query: str, variables: dict[str, Any], token: str) -> Any:
        """Retry while another subgraph has not yet seen the event it needs (a membership)."""
        for _attempt in range(400):
            try:
                return await self.gql(query, variables, token)
            except RuntimeError:
                await asyncio.sleep(0.025)
        return await self.gql(query, variables, token)

    async def upload(self, query: str, variables: dict[str, Any], data: bytes, token: str) -> None:
        operations = json.dumps({"query": query, "variables": {**variables, "file": None}})
        async with self.limit:
            reply = await self.http.post(
                "/graphql",
                data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
                files={"0": ("photo.jpg", data, "image/jpeg")},
                headers={"Authorization": f"Bearer {token}", "X-Taskforge-CSRF": "1"},
            )
        body = reply.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])

    async def person(self, name: str) -> tuple[str, str]:
        """Register, log in and set an avatar; returns (user id, access token)."""
        email = f"{name.lower().replace(' ', '.')}-{uuid.uuid4().hex[:6]}@example.com"
        registered = await self.gql(
            "mutation($e: String!, $p: String!, $n: String!) {"
            " register(email: $e, password: $p, displayName: $n) { id } }",
            {"e": email, "p": PASSWORD, "n": name},
        )
        login = await self.gql(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            {"e": email, "p": PASSWORD},
        )
        token = login["login"]["accessToken"]
        await self.upload(
            "mutation($file: Upload!) { setAvatar(file: $file) { id } }", {}, png_bytes(), token
        )
        return registered["register"]["id"], token

    async def group(self, label: str, ann_id: str, tasks: int) -> int:
        """An owner's group with Ann and three others; returns how many tasks went to Ann."""
        _owner_id, owner = await self.person(f"Owner {label}")
        others = await asyncio.gather(
            *(self.person(f"Member {label}{n}") for n in range(OTHER_MEMBERS))
        )
        created = await self.gql(
            "mutation($n: String!) { createGroup(name: $n) { id } }", {"n": f"Group {label}"}, owner
        )
        group_id = created["createGroup"]["id"]
        add = "mutation($g: ID!, $u: ID!) { addMember(groupId: $g, userId: $u) { role } }"
        for user_id in [ann_id, *(user_id for user_id, _ in others)]:
            await self.eventually(add, {"g": group_id, "u": user_id}, owner)
        assignees = [ann_id, others[0][0], others[1][0], None]
        await asyncio.gather(
            *(
                self.task(group_id, owner, f"{label} task {n}", assignees[n % 4], n % 5 == 0)
                for n in range(tasks)
            )
        )
        return sum(1 for n in range(tasks) if n % 4 == 0)

    async def task(
        self, group_id: str, owner: str, title: str, assignee: str | None, photo: bool
    ) -> None:
        created = await self.eventually(
            "mutation($g: ID!, $t: String!) { createTask(groupId: $g, title: $t) { id } }",
            {"g": group_id, "t": title},
            owner,
        )
        task_id = created["createTask"]["id"]
        if assignee is not None:
            await self.eventually(
                "mutation($t: ID!, $u: ID!) { assignTask(taskId: $t, userId: $u) { id } }",
                {"t": task_id, "u": assignee},
                owner,
            )
        if photo:
            await self.upload(
                "mutation($t: ID!, $file: Upload!) {"
                " addTaskPhoto(taskId: $t, file: $file) { id } }",
                {"t": task_id},
                jpeg_bytes(),
                owner,
            )

    async def unread(self, token: str) -> int:
        data = await self.gql("{ me { unreadNotificationCount } }", {}, token)
        return int(data["me"]["unreadNotificationCount"])


async def seed(http: httpx.AsyncClient, tasks: int) -> Dataset:
    """The dataset, once every notification it causes has reached Ann."""
    seeder = Seeder(http)
    ann_id, ann = await seeder.person("Ann")
    labels = [chr(ord("A") + n) for n in range(GROUPS)]
    assigned = await asyncio.gather(*(seeder.group(label, ann_id, tasks) for label in labels))
    expected = GROUPS + sum(assigned)  # ADDED_TO_GROUP per group, TASK_ASSIGNED per task
    deadline = time.monotonic() + 60
    while (unread := await seeder.unread(ann)) != expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"notifications did not settle: {unread} of {expected}")
        await asyncio.sleep(0.2)
    return Dataset(ann, tasks, expected)


# ---------------------------------------------------------------- the reference answer


def check_shape(answer: dict[str, Any], dataset: Dataset) -> None:
    """The reference answer shows the seeded dataset (so a wrong one is not benchmarked)."""
    if answer.get("errors"):
        raise AssertionError(f"dashboard errors: {answer['errors']}")
    me = answer["data"]["me"]
    count = dataset.tasks_per_group
    visible = min(count, 100)
    nodes = [edge["node"] for g in me["groups"] for edge in g["tasks"]["edges"]]
    problems = [
        me["unreadNotificationCount"] != dataset.unread and "unread count",
        len(me["notifications"]["edges"]) != min(10, dataset.unread) and "notifications",
        len(me["groups"]) != GROUPS and "groups",
        any(len(g["members"]["edges"]) != OTHER_MEMBERS + 2 for g in me["groups"]) and "members",
        any(g["progress"]["total"] != dataset.tasks_per_group for g in me["groups"]) and "progress",
        any(len(g["tasks"]["edges"]) != visible for g in me["groups"]) and "tasks",
        any(g["progress"]["inProgress"] != count - count // 4 for g in me["groups"])
        and "assignments",
        not all(node["assignee"]["avatar"]["thumbnail"] for node in nodes if node["assignee"])
        and "assignee avatars",
        # Which tasks come first is the creation order, so only a full list has known photos.
        count <= 100
        and sum(len(node["photos"]) for node in nodes) != GROUPS * len(range(0, count, 5))
        and "photos",
        not all(
            member["node"]["user"]["avatar"]["thumbnail"]
            for g in me["groups"]
            for member in g["members"]["edges"]
        )
        and "avatars",
    ]
    wrong = [problem for problem in problems if problem]
    if wrong:
        raise AssertionError(f"dashboard answer does not show the dataset: {wrong}")


@dataclass(frozen=True)
class Reference:
    """The verified answer, and the median latency of the verifying requests (one at a time)."""

    answer: bytes
    quiet_ms: float


def _headers(dataset: Dataset) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {dataset.token}",
        "Content-Type": "application/json",
        "Accept": "application/graphql-response+json, application/json",
    }


def reference_answer(url: str, body: bytes, dataset: Dataset) -> Reference:
    """Fetch the answer once, check it shows the dataset, and that later answers equal it."""
    timings = []
    with httpx.Client(timeout=30, headers=_headers(dataset)) as http:
        first = http.post(url, content=body)
        first.raise_for_status()
        reference = json.loads(first.content)
        check_shape(reference, dataset)
        for _ in range(VERIFY_SAMPLES):
            started = time.perf_counter()
            again = http.post(url, content=body)
            timings.append((time.perf_counter() - started) * 1000)
            if again.status_code != 200 or json.loads(again.content) != reference:
                raise AssertionError(f"answer differs from the reference: {again.text[:300]}")
            if len(again.content) != len(first.content):
                raise AssertionError("answer length varies between requests")
    return Reference(first.content, statistics.median(timings))


def settle(url: str, body: bytes, dataset: Dataset, reference: Reference) -> None:
    """Wait until the server has finished the requests wrk abandoned when it stopped.

    A server keeps working on requests whose connection wrk closed; the next run would
    otherwise share the CPU with that backlog.
    """
    deadline = time.monotonic() + SETTLE_SECONDS
    with httpx.Client(timeout=SETTLE_SECONDS, headers=_headers(dataset)) as http:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            http.post(url, content=body)
            if (time.perf_counter() - started) * 1000 < 3 * reference.quiet_ms + 50:
                return
    raise RuntimeError(f"{url} still busy {SETTLE_SECONDS}s after the load stopped")


# ---------------------------------------------------------------- load


def wrk(url: str, body_file: Path, token: str, length: int, seconds: int, connections: int) -> dict:
    """Run wrk with post.lua (counts non-200 and wrong-length answers); its RESULT line."""
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-H", f"Authorization: Bearer {token}", "-s", str(HERE / "post.lua"), url,
    ]  # fmt: skip
    env = {**os.environ, "BODY_FILE": str(body_file), "EXPECTED_LENGTH": str(length)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line.removeprefix("RESULT ")))
    raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")


@dataclass(frozen=True)
class LoadSettings:
    """How long and how hard to load each topology."""

    duration: int
    warmup: int
    connections: tuple[int, ...]


async def measure(
    mode: str, base_url: str, dataset: Dataset, load: LoadSettings, workdir: Path
) -> list[Measurement]:
    """Verify the answer, then one wrk run per connection count, each after a warm-up."""
    url = f"{base_url}/graphql"
    body_file = workdir / "dashboard.json"
    body_file.write_bytes(json.dumps({"query": DASHBOARD}).encode())
    body = body_file.read_bytes()
    reference = await asyncio.to_thread(reference_answer, url, body, dataset)
    run = _wrk_runner(url, body_file, dataset.token, len(reference.answer))
    results = []
    for connections in load.connections:
        await asyncio.to_thread(run, load.warmup, connections)
        await asyncio.to_thread(settle, url, body, dataset, reference)
        result = await asyncio.to_thread(run, load.duration, connections)
        await asyncio.to_thread(settle, url, body, dataset, reference)
        measurement = _measurement(mode, dataset, connections, reference, result)
        print(_row(measurement), flush=True)
        results.append(measurement)
    return results


def _measurement(
    mode: str, dataset: Dataset, connections: int, reference: Reference, result: dict
) -> Measurement:
    """A row from wrk's RESULT line; `bad` sums wrong answers and socket errors/timeouts."""
    return Measurement(
        mode=mode,
        tasks_per_group=dataset.tasks_per_group,
        connections=connections,
        quiet_ms=reference.quiet_ms,
        requests=result["requests"],
        requests_per_second=result["requests"] / (result["duration_us"] / 1e6),
        p50_ms=result["p50_us"] / 1000,
        p95_ms=result["p95_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        bad=result["bad_status"] + result["bad_length"] + result["socket_errors"],
        answer_bytes=len(reference.answer),
    )


def _wrk_runner(url: str, body_file: Path, token: str, length: int) -> Callable[[int, int], dict]:
    def run(seconds: int, connections: int) -> dict:
        return wrk(url, body_file, token, length, seconds, connections)

    return run


# ---------------------------------------------------------------- topologies


async def _seeded(base_url: str, tasks: int) -> Dataset:
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        dataset = await seed(http, tasks)
    print(f"  seeded {GROUPS}x{tasks} tasks in {time.monotonic() - started:.0f}s", flush=True)
    return dataset


def _clean_env() -> None:
    """Our processes get their settings from us, not from whatever the shell exported."""
    for name in [name for name in os.environ if name.startswith("TASKFORGE_")]:
        del os.environ[name]


async def single_process(tasks: int, load: LoadSettings) -> list[Measurement]:
    """`taskforge run`: router and subgraphs in one process on SQLite, in-process bus."""
    with tempfile.TemporaryDirectory(prefix="tfbench-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        env = {"TASKFORGE_DATA_DIR": str(workdir / "var")}
        server = await asyncio.to_thread(
            start_taskforge,
            ["run", "--port", str(port)],
            cwd=workdir,
            env=env,
            port=port,
            log=workdir / "run.log",
        )
        try:
            dataset = await _seeded(server.base_url, tasks)
            return await measure("single process", server.base_url, dataset, load, workdir)
        finally:
            await asyncio.to_thread(_stop, server)


def _stop(server: ServerProcess) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def _database_url(admin_url: str, database: str, driver: str) -> str:
    parts = urlsplit(admin_url)
    scheme = parts.scheme.split("+")[0] + (f"+{driver}" if driver else "")
    return urlunsplit((scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@asynccontextmanager
async def bench_database(admin_url: str, service: str) -> AsyncIterator[str]:
    """A fresh `tfbench_<service>` database, dropped afterwards."""
    name = f"tfbench_{service}"
    admin = await asyncpg.connect(_database_url(admin_url, "postgres", ""))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield _database_url(admin_url, name, "asyncpg")
    finally:
        admin = await asyncpg.connect(_database_url(admin_url, "postgres", ""))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def services_mode(
    tasks: int, load: LoadSettings, backend: tuple[str, str], deduplicate: bool
) -> list[Measurement]:
    """`taskforge up`: four subgraphs and the router as processes, PostgreSQL and Redis.

    `deduplicate`: the router's sharing of identical in-flight subgraph fetches (on by default).
    wrk sends one user's identical request on every connection, so with it on, concurrent
    requests share subgraph answers; off shows the cost when every request is different.
    """
    postgres_url, redis_url = backend
    mode = "services" if deduplicate else "services, no dedup"
    prefix = f"tfbench:{uuid.uuid4().hex[:8]}:"
    with tempfile.TemporaryDirectory(prefix="tfbench-") as tmp:
        workdir = Path(tmp)
        env = {
            "TASKFORGE_DATA_DIR": str(workdir / "var"),
            "TASKFORGE_REDIS_URL": redis_url,
            "TASKFORGE_REDIS_KEY_PREFIX": prefix,
            "TASKFORGE_ROUTER_DEDUPLICATE_SUBGRAPH_FETCHES": str(deduplicate).lower(),
        }
        async with AsyncExitStack() as stack:
            urls = {}
            for name in SUBGRAPHS:
                urls[name] = await stack.enter_async_context(bench_database(postgres_url, name))
                env[f"TASKFORGE_{name.upper()}_DATABASE_URL"] = urls[name]
                env[f"TASKFORGE_{name.upper()}_PORT"] = str(free_port())
            services = Services(workdir, env, redis_url, prefix, urls)
            try:
                await asyncio.to_thread(services.up)
                dataset = await _seeded(services.router_url, tasks)
                results = await measure(mode, services.router_url, dataset, load, workdir)
            finally:
                await asyncio.to_thread(services.stop_all)
                await delete_redis_keys(redis_url, prefix)
    return results


# ---------------------------------------------------------------- SQL statements per request


@dataclass(frozen=True)
class RequestCost:
    """What one warm dashboard request costs in-process, for one dataset size."""

    tasks_per_group: int
    statements: int
    fetches: int
    answer_bytes: int


class CountingTransport:
    """Passes fetches to the router's transport and counts them."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.services: list[str] = []

    async def send(
        self, service: str, body: dict[str, Any], headers: Any, **_: Any
    ) -> dict[str, Any]:
        self.services.append(service)
        answer: dict[str, Any] = await self.inner.send(service, body, headers)
        return answer


async def request_cost(tasks: int) -> RequestCost:
    """SQL statements and subgraph fetches of one warm dashboard request, in-process (SQLite)."""
    with tempfile.TemporaryDirectory(prefix="tfbench-sql-") as tmp:
        data_dir = Path(tmp)
        common = CommonSettings(data_dir=data_dir, redis_url=None)
        settings = {
            name: ServiceSettings(
                name=name, database_url=f"sqlite+aiosqlite:///{data_dir}/{name}.db"
            )
            for name in SUBGRAPHS
        }
        federation = create_standalone(SUBGRAPHS.values(), common=common, settings=settings)
        await federation.start()
        try:
            transport = httpx.ASGITransport(app=federation)
            async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
                dataset = await seed(http, tasks)
                return await _count(federation, http, dataset)
        finally:
            await federation.stop()


async def _count(federation: Any, http: httpx.AsyncClient, dataset: Dataset) -> RequestCost:
    """The fewest statements and fetches over COUNT_SAMPLES warm requests.

    Event consumers may still run a query on the same engines now and then; they only add
    statements, so the minimum is the request's own.
    """
    headers = {"Authorization": f"Bearer {dataset.token}"}

    async def ask() -> httpx.Response:
        return await http.post("/graphql", json={"query": DASHBOARD}, headers=headers)

    check_shape((await ask()).json(), dataset)
    engines = [runtime.database.engine for runtime in federation.runtimes.values()]
    costs = []
    for _ in range(COUNT_SAMPLES):
        counting = CountingTransport(federation.router.transport)
        federation.router.transport = counting
        try:
            with counted_statements(engines) as statements:
                reply = await ask()
        finally:
            federation.router.transport = counting.inner
        check_shape(reply.json(), dataset)
        costs.append((len(statements), len(counting.services), len(reply.content)))
    statements_count, fetches, size = min(costs)
    return RequestCost(dataset.tasks_per_group, statements_count, fetches, size)


# ---------------------------------------------------------------- output


COLUMNS = (
    ("mode", 18),
    ("tasks/group", 11),
    ("conns", 5),
    ("1-conn ms", 9),
    ("requests", 8),
    ("req/s", 7),
    ("p50 ms", 8),
    ("p95 ms", 8),
    ("p99 ms", 8),
    ("bad", 4),
    ("answer B", 8),
)
HEADER = " ".join(
    f"{name:{'<' if i == 0 else '>'}{width}}" for i, (name, width) in enumerate(COLUMNS)
)


def _cells(m: Measurement) -> list[str]:
    # wrk reports no percentiles when nothing completed within the run.
    latency = [f"{ms:.1f}" if m.requests else "-" for ms in (m.p50_ms, m.p95_ms, m.p99_ms)]
    return [
        m.mode,
        str(m.tasks_per_group),
        str(m.connections),
        f"{m.quiet_ms:.1f}",
        str(m.requests),
        f"{m.requests_per_second:.1f}",
        *latency,
        str(m.bad),
        str(m.answer_bytes),
    ]


def _row(m: Measurement) -> str:
    cells = zip(_cells(m), COLUMNS, strict=True)
    return " ".join(
        f"{cell:{'<' if i == 0 else '>'}{width}}" for i, (cell, (_, width)) in enumerate(cells)
    )


def markdown(results: Iterable[Measurement], costs: Sequence[RequestCost]) -> str:
    lines = [
        "| " + " | ".join(name for name, _ in COLUMNS) + " |",
        "|---|" + "---:|" * (len(COLUMNS) - 1),
    ]
    lines += ["| " + " | ".join(_cells(m)) + " |" for m in results]
    if costs:
        lines += [
            "",
            "| tasks/group | SQL statements per request | subgraph fetches per request"
            " | answer bytes |",
            "|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {c.tasks_per_group} | {c.statements} | {c.fetches} | {c.answer_bytes} |"
            for c in costs
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(item) for item in text.split(",") if item.strip())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50, help="tasks per group")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each run")
    parser.add_argument("--connections", type=_ints, default=(10, 50))
    parser.add_argument(
        "--modes",
        default="single,services,services-nodedup",
        help="comma-separated subset of single, services, services-nodedup",
    )
    parser.add_argument(
        "--sql-sizes", type=_ints, default=(10, 200), help="tasks/group to count SQL at ('' skips)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TASKFORGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("TASKFORGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    load = LoadSettings(args.duration, args.warmup, tuple(args.connections))
    backend = (args.postgres_url, args.redis_url)
    modes: dict[str, Callable[[], Awaitable[list[Measurement]]]] = {
        "single": lambda: single_process(args.tasks, load),
        "services": lambda: services_mode(args.tasks, load, backend, deduplicate=True),
        "services-nodedup": lambda: services_mode(args.tasks, load, backend, deduplicate=False),
    }
    results: list[Measurement] = []
    costs: list[RequestCost] = []
    for size in args.sql_sizes:
        cost = await request_cost(size)
        costs.append(cost)
        print(
            f"one dashboard request, {size} tasks/group: {cost.statements} SQL statements,"
            f" {cost.fetches} subgraph fetches, {cost.answer_bytes} bytes",
            flush=True,
        )
    print(HEADER, flush=True)
    for mode in [name.strip() for name in args.modes.split(",") if name.strip()]:
        results += await modes[mode]()
    print()
    print(markdown(results, costs))
    grew = len({(cost.statements, cost.fetches) for cost in costs}) > 1
    bad = any(m.bad for m in results)
    return 1 if grew or bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    _clean_env()
    # The seed retries while events travel; the in-process subgraphs would log each refusal.
    logging.getLogger("strawberry").setLevel(logging.CRITICAL)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
