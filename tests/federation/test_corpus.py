"""Runs every corpus query through our router against the data-driven subgraphs in-process.

Queries our router is known to get wrong are listed in known_gaps.yaml ("case/query":
reason) and run as strict xfails, so a fix flips them; regenerate.py --known-gaps
rewrites that list from a fresh run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.federation.corpus import Case, CorpusQuery, load_cases
from tests.federation.router_run import run_router

__all__: list[str] = []

KNOWN_GAPS_PATH = Path(__file__).parent / "known_gaps.yaml"
KNOWN_GAPS: dict[str, str] = yaml.safe_load(KNOWN_GAPS_PATH.read_text()) or {}
CASES = load_cases()


def _params() -> list[Any]:
    params = []
    for case in CASES:
        for query in case.queries:
            marks = []
            if query.id in KNOWN_GAPS:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[query.id]))
            params.append(pytest.param(case, query, id=query.id, marks=marks))
    return params


@pytest.mark.parametrize(("case", "query"), _params())
async def test_router_answers_corpus_query(case: Case, query: CorpusQuery) -> None:
    outcome = await run_router(case, query)
    problems = outcome.problems(query)
    assert not problems, "\n".join(problems)


def test_every_query_has_an_expectation() -> None:
    missing = [q.id for case in CASES for q in case.queries if q.expected is None]
    assert not missing, f"run tests/federation/regenerate.py --bless: {missing}"


def test_known_gaps_name_real_queries() -> None:
    ids = {q.id for case in CASES for q in case.queries}
    assert not set(KNOWN_GAPS) - ids
