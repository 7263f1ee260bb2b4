"""Regenerates the corpus: composes each case's supergraph.graphql and records expectations.

Usage (from the repo root):
    .venv/bin/python -m tests.federation.regenerate            # recompose every supergraph
    .venv/bin/python -m tests.federation.regenerate --bless    # + record Apollo's answers for
                                                               #   queries with no expectation
    .venv/bin/python -m tests.federation.regenerate --bless --case NAME --force
    .venv/bin/python -m tests.federation.regenerate --known-gaps   # rewrite known_gaps.yaml
                                                                   #   from our router's answers
Blessed answers must be reviewed against the GraphQL spec before committing; where Apollo
is known to differ from the spec, the query says so (``apollo_differs``) and expected.json
holds the spec answer, written by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.federation.apollo import NODE_DIR, ensure_node_modules, run_apollo, serve_corpus
from tests.federation.corpus import CASES_DIR, Case, expectation_from_response, load_cases

__all__ = ["bless", "compose", "main"]


def compose(case_dir: Path) -> None:
    """Write ``case_dir/supergraph.graphql`` composed from its subgraphs with compose.mjs."""
    args = [
        f"{sdl.stem}={sdl.resolve()}" for sdl in sorted((case_dir / "subgraphs").glob("*.graphql"))
    ]
    completed = subprocess.run(
        ["node", "compose.mjs", *args], cwd=NODE_DIR, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"{case_dir.name}: composition failed\n{completed.stderr}")
    (case_dir / "supergraph.graphql").write_text(completed.stdout)


def bless(cases: list[Case], force: bool) -> None:
    """Record Apollo's answers for queries lacking an expectation (all with ``force``)."""
    with serve_corpus({case.name: case for case in cases}) as server:
        for case in cases:
            todo = tuple(q for q in case.queries if force or q.expected is None)
            todo = tuple(q for q in todo if not q.apollo_differs)
            if not todo:
                continue
            answers = run_apollo(server, case, todo)
            path = case.root / "expected.json"
            expected = json.loads(path.read_text()) if path.exists() else {}
            for name, answer in answers.items():
                expected[name] = expectation_from_response(answer.response)
                print(f"{case.name}/{name}: calls={answer.calls} {json.dumps(answer.response)}")
            order = [q.name for q in case.queries]
            expected = {n: expected[n] for n in order if n in expected}
            path.write_text(json.dumps(expected, indent=2) + "\n")


KNOWN_GAPS_PATH = Path(__file__).parent / "known_gaps.yaml"


async def known_gaps(cases: list[Case]) -> dict[str, str]:
    """``case/query`` -> the first line of what our router gets wrong, for every failure."""
    from tests.federation.router_run import run_router

    gaps = {}
    for case in cases:
        for query in case.queries:
            try:
                outcome = await run_router(case, query)
            except Exception as exc:  # a crash is a gap like any other
                gaps[query.id] = f"router raised {type(exc).__name__}: {exc}"[:200]
                continue
            problems = outcome.problems(query)
            if problems:
                gaps[query.id] = _gap_reason(problems, outcome.response)
    return gaps


def _gap_reason(problems: list[str], response: Mapping[str, Any]) -> str:
    reason = "; ".join(problem.splitlines()[0].rstrip(":") for problem in problems)
    errors = response.get("errors") or []
    if errors:
        reason += f"; first error: {errors[0].get('message')}"
    return reason[:240]


def write_known_gaps(gaps: dict[str, str]) -> None:
    """Rewrite known_gaps.yaml (sorted, one line per gap); reasons already there are kept."""
    lines = ["# Corpus queries our router gets wrong (regenerate.py --known-gaps rewrites this)."]
    lines += [f"{json.dumps(qid)}: {json.dumps(reason)}" for qid, reason in sorted(gaps.items())]
    KNOWN_GAPS_PATH.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bless", action="store_true")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--case", action="append", default=[])
    parser.add_argument("--known-gaps", action="store_true")
    options = parser.parse_args(argv)
    if options.known_gaps:
        previous = yaml.safe_load(KNOWN_GAPS_PATH.read_text()) if KNOWN_GAPS_PATH.exists() else {}
        gaps = asyncio.run(known_gaps(load_cases()))
        write_known_gaps({qid: (previous or {}).get(qid, reason) for qid, reason in gaps.items()})
        return
    ensure_node_modules()
    dirs = [d for d in sorted(CASES_DIR.iterdir()) if d.is_dir()]
    dirs = [d for d in dirs if not options.case or d.name in options.case]
    for case_dir in dirs:
        compose(case_dir)
    if options.bless:
        chosen = {d.name for d in dirs}
        bless([c for c in load_cases() if c.name in chosen], options.force)


if __name__ == "__main__":
    main(sys.argv[1:])
