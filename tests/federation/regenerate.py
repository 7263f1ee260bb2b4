"""Regenerates the corpus: composes each case's supergraph.graphql and records expectations.

Usage (from the repo root):
    .venv/bin/python -m tests.federation.regenerate            # recompose every supergraph
    .venv/bin/python -m tests.federation.regenerate --bless    # + record Apollo's answers for
                                                               #   queries with no expectation
    .venv/bin/python -m tests.federation.regenerate --bless --case NAME --force
Blessed answers must be reviewed against the GraphQL spec before committing; where Apollo
is known to differ from the spec, the query says so (``apollo_differs``) and expected.json
holds the spec answer, written by hand.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

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


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bless", action="store_true")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--case", action="append", default=[])
    options = parser.parse_args(argv)
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
