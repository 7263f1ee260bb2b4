"""Federation gateway benchmark: our router against @apollo/gateway and Hive Gateway, one command.

Installs the Node peers (npm ci), starts the four static subgraphs, composes the supergraph with
@apollo/composition, then measures every gateway in turn, interleaved over several rounds, with
wrk under the same load; each gateway is pinned to core 0, wrk and the subgraphs to core 1.
Every gateway's answers are checked against the expected JSON before it is measured, and wrk
counts any non-200 or wrong-length answer. See README.md in this directory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Gateway", "Measurement", "Query", "main"]

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "node"
REPO = HERE.parents[1]
PYTHON = REPO / ".venv" / "bin" / "python"
TASKFORGE = REPO / ".venv" / "bin" / "taskforge"
SUBGRAPHS = ("accounts", "inventory", "products", "reviews")
SUBGRAPH_BASE_PORT = 4201
REFERENCE_PORT = 4299
GATEWAY_BASE_PORT = 4310
GATEWAY_CORE = "0"
LOAD_CORE = "1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
VERIFY_SAMPLES = 5


@dataclass(frozen=True)
class Query:
    """One benchmark operation: its request body file and the answer every gateway must give."""

    name: str
    body_path: Path
    expected: dict


@dataclass(frozen=True)
class Gateway:
    """How to start one gateway (None: nothing to start) and where it listens."""

    name: str
    command: Callable[[Path, int], list[str]] | None
    cores: str = GATEWAY_CORE
    env: tuple[tuple[str, str], ...] = ()
    url_for: Callable[[str, int], str] | None = None
    note: str = ""

    def url(self, query: str, port: int) -> str:
        """Where this gateway answers ``query``."""
        if self.url_for is not None:
            return self.url_for(query, port)
        return f"http://127.0.0.1:{port}/graphql"


@dataclass(frozen=True)
class Measurement:
    """One wrk run of one query against one gateway."""

    gateway: str
    query: str
    round: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    gateway_cpu_pct: float
    peak_rss_mb: float
    subgraph_requests_per_request: float
    subgraph_cpu_pct: float
    wrk_cpu_pct: float
    quiet_p50_ms: float
    bad: int


@dataclass
class _Tracker:
    """Samples the summed RSS of a process tree in the background while a run lasts."""

    pid: int
    peak_kb: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> _Tracker:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))


# ---------------------------------------------------------------- processes and /proc


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process tree so far."""
    total = 0
    for member in descendants(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process tree now."""
    total = 0
    for member in descendants(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE_KB
        except OSError:
            continue
    return total


def start(command: list[str], cores: str, log: Path, env: dict[str, str] | None = None) -> int:
    """Start ``command`` pinned to ``cores`` in its own process group; return its pid."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            ["taskset", "-c", cores, *command],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    return process.pid


def stop(pid: int) -> None:
    """Stop the process group started by :func:`start` and reap it."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


# ---------------------------------------------------------------- HTTP helpers


def post(url: str, body: bytes, timeout: float = 30.0) -> tuple[int, bytes]:
    """POST a JSON body and return status and raw answer."""
    request = urllib.request.Request(
        url, data=body, headers={"content-type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_ready(url: str, body: bytes, timeout: float = 90.0) -> None:
    """Block until ``url`` answers ``body`` with HTTP 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if post(url, body, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not become ready in {timeout:.0f}s")


def wait_drained(timeout: float = 30.0) -> None:
    """Wait until the subgraphs stop receiving requests (a gateway may still be finishing the
    requests wrk abandoned when it stopped)."""
    deadline = time.monotonic() + timeout
    seen = subgraph_stats(reset=False)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = subgraph_stats(reset=False)
        if now == seen:
            return
        seen = now


def verify(url: str, query: Query) -> tuple[int, float]:
    """Check sample answers equal the expected JSON; return the answer's byte length and the
    subgraph requests each answer took (counted one request at a time, so exactly)."""
    body = query.body_path.read_bytes()
    lengths = set()
    wait_drained()
    subgraph_stats(reset=True)
    for _ in range(VERIFY_SAMPLES):
        status, raw = post(url, body)
        if status != 200:
            raise AssertionError(f"HTTP {status}: {raw[:300]!r}")
        if json.loads(raw) != query.expected:
            raise AssertionError(f"answer differs from the expected JSON: {raw[:300]!r}")
        lengths.add(len(raw))
    if len(lengths) != 1:
        raise AssertionError(f"answer lengths vary between requests: {sorted(lengths)}")
    return lengths.pop(), subgraph_stats(reset=False) / VERIFY_SAMPLES


def subgraph_stats(reset: bool) -> int:
    """Total requests the subgraphs served since the last reset (and reset when asked)."""
    total = 0
    for index in range(len(SUBGRAPHS)):
        url = f"http://127.0.0.1:{SUBGRAPH_BASE_PORT + index}/stats"
        request = urllib.request.Request(url, method="POST" if reset else "GET")
        with urllib.request.urlopen(request, timeout=5) as response:
            total += json.loads(response.read())["requests"]
    return total


# ---------------------------------------------------------------- wrk


def wrk(url: str, query: Query, expected_length: int, seconds: int, connections: int) -> dict:
    """Run wrk on the load core and return the RESULT line its Lua script prints."""
    command = [
        "taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
        "--timeout", "10s", "-s", str(HERE / "post.lua"), url,
    ]  # fmt: skip
    env = {**os.environ, "BODY_FILE": str(query.body_path), "EXPECTED_LENGTH": str(expected_length)}
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode()
    for line in output.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line.removeprefix("RESULT "))
            result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
            return result
    raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")


# ---------------------------------------------------------------- gateways


def _subgraph_url(index: int) -> str:
    return f"http://127.0.0.1:{SUBGRAPH_BASE_PORT + index}/graphql"


def _router(*options: str) -> Callable[[Path, int], list[str]]:
    def command(supergraph: Path, port: int) -> list[str]:
        script = str(HERE / "serve_router.py")
        return [str(PYTHON), script, "--supergraph", str(supergraph), "--port", str(port), *options]

    return command


_QUIET = (("TASKFORGE_LOG_LEVEL", "warning"),)


def _taskforge_cli(*options: str) -> Callable[[Path, int], list[str]]:
    def command(supergraph: Path, port: int) -> list[str]:
        return [str(TASKFORGE), "serve", "router", "--supergraph", str(supergraph),
                "--port", str(port), *options]  # fmt: skip

    return command


def _apollo(supergraph: Path, port: int) -> list[str]:
    return ["node", str(NODE_DIR / "apollo-gateway.mjs"), str(supergraph), str(port)]


def _hive(*options: str) -> Callable[[Path, int], list[str]]:
    def command(supergraph: Path, port: int) -> list[str]:
        binary = str(NODE_DIR / "node_modules" / ".bin" / "hive-gateway")
        return [binary, "supergraph", str(supergraph), "--host", "127.0.0.1",
                "--port", str(port), *options]  # fmt: skip

    return command


def _monolith(supergraph: Path, port: int) -> list[str]:
    return ["node", str(NODE_DIR / "subgraphs.mjs"), "--monolith", str(port)]


def _direct_url(query: str, port: int) -> str:
    if query == "small":
        return _subgraph_url(SUBGRAPHS.index("products"))
    return f"http://127.0.0.1:{port}/graphql"


def gateways() -> list[Gateway]:
    """Every gateway the benchmark knows, ours first."""
    return [
        Gateway("taskforge", _taskforge_cli(), env=_QUIET,
                note="`taskforge serve router` as shipped (aiohttp transport, fetch de-duplication "
                     "and entity-fetch merging on, inbound de-duplication off)"),
        Gateway("taskforge-httpx", _router("--transport", "httpx"),
                env=(*_QUIET, ("TASKFORGE_ROUTER_MERGE_ENTITY_FETCHES", "false")),
                note="before: the httpx transport, no de-duplication, no merging"),
        Gateway("taskforge-nomerge", _taskforge_cli(),
                env=(*_QUIET, ("TASKFORGE_ROUTER_MERGE_ENTITY_FETCHES", "false")),
                note="as shipped but one request per entity fetch"),
        Gateway("taskforge-nodedup", _taskforge_cli(),
                env=(*_QUIET, ("TASKFORGE_ROUTER_DEDUPLICATE_SUBGRAPH_FETCHES", "false")),
                note="as shipped but no subgraph fetch de-duplication"),
        Gateway("taskforge-dedup", _taskforge_cli(),
                env=(*_QUIET, ("TASKFORGE_ROUTER_DEDUPLICATE_INBOUND_QUERIES", "true")),
                note="as shipped plus inbound de-duplication of identical client queries"),
        Gateway("taskforge-asyncio", _router("--loop", "asyncio", "--http", "h11"),
                note="asyncio event loop and h11 instead of uvloop and httptools"),
        Gateway("taskforge-2w", _taskforge_cli("--workers", "2"), env=_QUIET,
                cores=f"{GATEWAY_CORE},{LOAD_CORE}",
                note="`serve router --workers 2` on both cores (shared with wrk, subgraphs)"),
        Gateway("apollo-gateway", _apollo, note="@apollo/gateway 2.14.4 + @apollo/server 5.5.1"),
        Gateway("hive-gateway", _hive(), note="@graphql-hive/gateway 2.15.1, defaults"),
        Gateway("hive-gateway-dedup", _hive("-c", str(NODE_DIR / "hive-dedup.config.mjs")),
                note="Hive Gateway with inbound in-flight request de-duplication on"),
        Gateway("direct", _monolith, url_for=_direct_url,
                note="no gateway: nested = one graphql-js server over all the data; "
                     "small = the products subgraph itself"),
    ]  # fmt: skip


# ---------------------------------------------------------------- setup


def npm_ci(force: bool) -> None:
    """Install the Node peers from the lock file unless they already match it."""
    marker = NODE_DIR / "node_modules" / ".package-lock.json"
    lock = NODE_DIR / "package-lock.json"
    if not force and marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    print("installing Node peers (npm ci) ...", flush=True)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)


def compose(workdir: Path) -> Path:
    """Compose the supergraph with @apollo/composition; return its path."""
    services = [
        f"{name}={HERE / 'subgraphs' / f'{name}.graphql'}@{_subgraph_url(index)}"
        for index, name in enumerate(SUBGRAPHS)
    ]
    sdl = subprocess.run(
        ["node", str(NODE_DIR / "compose.mjs"), *services],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = workdir / "supergraph.graphql"
    path.write_text(sdl)
    return path


def write_bodies(workdir: Path) -> dict[str, Path]:
    """One JSON request body file per query in queries/."""
    bodies = {}
    for source in sorted((HERE / "queries").glob("*.graphql")):
        path = workdir / f"{source.stem}.json"
        path.write_text(json.dumps({"query": source.read_text()}))
        bodies[source.stem] = path
    return bodies


def expected_answers(bodies: dict[str, Path], workdir: Path) -> list[Query]:
    """Ask a non-federated graphql-js server over the same data for the reference answers."""
    pid = start(_monolith(Path(), REFERENCE_PORT), LOAD_CORE, workdir / "reference.log")
    url = f"http://127.0.0.1:{REFERENCE_PORT}/graphql"
    try:
        queries = []
        for name, path in bodies.items():
            wait_ready(url, path.read_bytes())
            status, raw = post(url, path.read_bytes())
            answer = json.loads(raw)
            if status != 200 or "errors" in answer:
                raise RuntimeError(f"reference server failed {name}: {raw[:300]!r}")
            queries.append(Query(name, path, answer))
        return queries
    finally:
        stop(pid)


# ---------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Settings:
    """Command-line settings of one benchmark run."""

    duration: int
    warmup: int
    rounds: int
    connections: int
    low_load: int
    reference: str


def measure(
    gateway: Gateway, port: int, pid: int | None, query: Query, settings: Settings, rnd: int,
    subgraphs_pid: int,
) -> Measurement | str:  # fmt: skip
    """Verify, warm up and measure one gateway on one query; a string explains a refusal."""
    url = gateway.url(query.name, port)
    try:
        length, subgraph_requests = verify(url, query)
    except (AssertionError, OSError) as error:
        return f"{gateway.name} {query.name}: WRONG ANSWER, not measured: {error}"
    quiet = wrk(url, query, length, settings.low_load, 1)
    wrk(url, query, length, settings.warmup, settings.connections)
    # The direct baseline of the small query is the products subgraph itself.
    watched = pid if pid is not None and f":{port}/" in url else subgraphs_pid
    cpu_before, sub_before = tree_cpu_seconds(watched), tree_cpu_seconds(subgraphs_pid)
    with _Tracker(watched) as tracker:
        result = wrk(url, query, length, settings.duration, settings.connections)
    cpu = tree_cpu_seconds(watched) - cpu_before
    sub_cpu = tree_cpu_seconds(subgraphs_pid) - sub_before
    seconds = result["duration_us"] / 1e6
    return Measurement(
        gateway=gateway.name,
        query=query.name,
        round=rnd,
        rps=result["requests"] / seconds,
        p50_ms=result["p50_us"] / 1000,
        p95_ms=result["p95_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        gateway_cpu_pct=100 * cpu / seconds,
        peak_rss_mb=tracker.peak_kb / 1024,
        subgraph_requests_per_request=subgraph_requests,
        subgraph_cpu_pct=100 * sub_cpu / seconds,
        wrk_cpu_pct=100 * result["cpu_seconds"] / seconds,
        quiet_p50_ms=quiet["p50_us"] / 1000,
        bad=_bad(result) + _bad(quiet),
    )


def _bad(result: dict) -> int:
    return int(result["bad_status"] + result["bad_length"] + result["socket_errors"])


def run_gateway(
    gateway: Gateway, index: int, supergraph: Path, queries: Sequence[Query], settings: Settings,
    rnd: int, subgraphs_pid: int, workdir: Path,
) -> list[Measurement | str]:  # fmt: skip
    """Start one gateway, measure every query on it, stop it."""
    port = GATEWAY_BASE_PORT + index
    pid = None
    log = workdir / f"{gateway.name}.log"
    if gateway.command is not None:
        pid = start(gateway.command(supergraph, port), gateway.cores, log, dict(gateway.env))
    try:
        if pid is not None:
            probe = next((q for q in queries if q.name == "small"), queries[0])
            try:
                wait_ready(f"http://127.0.0.1:{port}/graphql", probe.body_path.read_bytes())
            except RuntimeError as error:
                print(f"  round {rnd} {gateway.name}: DID NOT START ({error}), see {log}")
                return [f"{gateway.name}: did not start"]
        results = []
        for query in queries:
            outcome = measure(gateway, port, pid, query, settings, rnd, subgraphs_pid)
            results.append(outcome)
            print(f"  round {rnd} {gateway.name:22} {query.name:7} {_brief(outcome)}", flush=True)
        return results
    finally:
        if pid is not None:
            stop(pid)


def _brief(outcome: Measurement | str) -> str:
    if isinstance(outcome, str):
        return outcome
    return (
        f"{outcome.rps:8.1f} req/s  p50 {outcome.p50_ms:7.1f} ms  p99 {outcome.p99_ms:7.1f} ms"
        f"  cpu {outcome.gateway_cpu_pct:4.0f}%  bad {outcome.bad}"
    )


# ---------------------------------------------------------------- report


COLUMNS = (
    ("p50 ms", "p50_ms", "{:8.1f}"),
    ("p95 ms", "p95_ms", "{:8.1f}"),
    ("p99 ms", "p99_ms", "{:8.1f}"),
    ("p50@1conn", "quiet_p50_ms", "{:9.2f}"),
    ("gw cpu %", "gateway_cpu_pct", "{:8.0f}"),
    ("sub req/req", "subgraph_requests_per_request", "{:11.2f}"),
    ("sub cpu %", "subgraph_cpu_pct", "{:9.0f}"),
    ("wrk cpu %", "wrk_cpu_pct", "{:9.0f}"),
)


def table(query: str, results: Sequence[Measurement], order: Sequence[str], reference: str) -> str:
    """The summary table of one query: medians over rounds, peak RSS is the maximum."""
    header = f"{'gateway':22} {'req/s median (min-max)':>26} " + " ".join(
        f"{title:>{len(fmt.format(0))}}" for title, _, fmt in COLUMNS
    )
    header += f" {'peak RSS MB':>11} {'bad':>5} {'req/s vs ' + reference:>24}"
    lines = [f"query: {query}", header, "-" * len(header)]
    rows = {g: [m for m in results if m.gateway == g and m.query == query] for g in order}
    base = rows.get(reference) or []
    base_rps = statistics.median(m.rps for m in base) if base else 0.0
    for name, runs in rows.items():
        if not runs:
            continue
        rps = [m.rps for m in runs]
        median = statistics.median(rps)
        ratio = f"{median / base_rps:.2f}x" if base_rps else "-"
        spread = f"{median:.1f} ({min(rps):.1f}-{max(rps):.1f})"
        cells = " ".join(fmt.format(_median(runs, attr)) for _, attr, fmt in COLUMNS)
        peak = max(m.peak_rss_mb for m in runs)
        bad = sum(m.bad for m in runs)
        lines.append(f"{name:22} {spread:>26} {cells} {peak:11.0f} {bad:5d} {ratio:>24}")
    return "\n".join(lines)


def _median(runs: Sequence[Measurement], attribute: str) -> float:
    return float(statistics.median(getattr(m, attribute) for m in runs))


def versions() -> str:
    """Versions of the tools measured, for the report header."""
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "supergraph"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    router = f"router at {commit}{' + uncommitted supergraph/ changes' if dirty else ''}"
    tools = f"python {sys.version.split()[0]}, node {node}, {wrk_version.split('[')[0].strip()}"
    return f"{tools}; {router}"


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    names = [g.name for g in gateways()]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--low-load", type=int, default=3, help="seconds on one connection for the quiet p50"
    )
    parser.add_argument("--reference", default="taskforge", help="gateway the ratios compare to")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {names}")
    parser.add_argument("--queries", default="", help="comma-separated subset of queries/")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--reinstall", action="store_true", help="run npm ci even if installed")
    parser.add_argument("--from-json", type=Path, help="print the tables of a saved --json run")
    return parser.parse_args(argv)


def selected(args: argparse.Namespace) -> list[Gateway]:
    """The gateways chosen with --only, in the benchmark's order."""
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = wanted - {g.name for g in gateways()}
    if unknown:
        raise SystemExit(f"unknown gateways: {sorted(unknown)}")
    return [g for g in gateways() if not wanted or g.name in wanted]


def measure_all(chosen: Sequence[Gateway], settings: Settings, queries_wanted: str) -> tuple[
    list[Query], list[Measurement]
]:  # fmt: skip
    """Set everything up, run every round, tear down; return the queries and measurements."""
    npm_ci(force=False)
    workdir = Path(tempfile.mkdtemp(prefix="taskforge-bench-"))
    supergraph = compose(workdir)
    bodies = write_bodies(workdir)
    keep = {q.strip() for q in queries_wanted.split(",") if q.strip()}
    bodies = {name: path for name, path in bodies.items() if not keep or name in keep}
    queries = expected_answers(bodies, workdir)
    subgraph_command = ["node", str(NODE_DIR / "subgraphs.mjs"), "--base-port",
                        str(SUBGRAPH_BASE_PORT)]  # fmt: skip
    subgraphs_pid = start(subgraph_command, LOAD_CORE, workdir / "subgraphs.log")
    print(f"logs and supergraph in {workdir}; {versions()}", flush=True)
    results: list[Measurement] = []
    try:
        probe = b'{"query": "{ topProducts { upc } }"}'
        wait_ready(_subgraph_url(SUBGRAPHS.index("products")), probe)
        indexes = {g.name: i for i, g in enumerate(gateways())}
        for rnd in range(1, settings.rounds + 1):
            shift = (rnd - 1) % len(chosen)
            for gateway in [*chosen[shift:], *chosen[:shift]]:
                outcomes = run_gateway(gateway, indexes[gateway.name], supergraph, queries,
                                       settings, rnd, subgraphs_pid, workdir)  # fmt: skip
                results.extend(o for o in outcomes if isinstance(o, Measurement))
    finally:
        stop(subgraphs_pid)
    return queries, results


def report(
    chosen: Sequence[Gateway], settings: Settings, queries: Sequence[str],
    results: Sequence[Measurement],
) -> None:  # fmt: skip
    """Print one table per query and what each gateway row is."""
    print()
    print(
        f"{settings.rounds} rounds x {settings.duration}s, {settings.connections} connections,"
        f" gateway on core {GATEWAY_CORE}, wrk + subgraphs on core {LOAD_CORE}; {versions()}"
    )
    order = [g.name for g in chosen]
    for query in queries:
        print()
        print(table(query, results, order, settings.reference))
    print()
    for gateway in chosen:
        print(f"  {gateway.name}: {gateway.note}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the whole benchmark (or reload a saved one) and print the tables."""
    args = parse_args(argv)
    chosen = selected(args)
    settings = Settings(
        args.duration, args.warmup, args.rounds, args.connections, args.low_load, args.reference
    )
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        settings = Settings(**{**saved["settings"], "reference": args.reference})
        results = [Measurement(**row) for row in saved["measurements"]]
        queries = list(dict.fromkeys(m.query for m in results))
        report(chosen, settings, queries, results)
        return 0
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get update && apt-get install -y wrk", file=sys.stderr)
        return 2
    os.sched_setaffinity(0, {int(LOAD_CORE)})
    if args.reinstall:
        npm_ci(force=True)
    measured, results = measure_all(chosen, settings, args.queries)
    if args.json:
        saved = {"settings": asdict(settings), "measurements": [asdict(m) for m in results]}
        args.json.write_text(json.dumps(saved, indent=1))
    report(chosen, settings, [q.name for q in measured], results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
