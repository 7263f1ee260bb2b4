"""Runs every corpus query through our router against the data-driven subgraphs in-process."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

import pytest

from tests.federation.corpus import Case, CorpusQuery, build_apps, load_cases, mismatches
from tests.federation.subgraph_server import SubgraphState

if importlib.util.find_spec("supergraph.router") is None:
    pytest.skip("supergraph.router is not written yet", allow_module_level=True)

from supergraph.router import build_router

from supergraph.transport import AsgiTransport

__all__: list[str] = []

# "case/query" -> why our router gets it wrong; each runs as xfail(strict=True) so a fix flips it.
KNOWN_GAPS: Mapping[str, str] = {}

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
    state = SubgraphState()
    apps = build_apps(case, state)
    router = build_router(case.supergraph, transport=AsgiTransport(apps))
    response = await router.execute(query.query, query.variables, query.operation_name, {}, None)
    problems = mismatches(query, response)
    assert not problems, "\n".join(problems)
    if query.calls is not None:
        sent = [f"{name}: {request.query}" for name, request in state.log]
        assert len(sent) == query.calls, "subgraph requests:\n" + "\n".join(sent)


def test_every_query_has_an_expectation() -> None:
    missing = [q.id for case in CASES for q in case.queries if q.expected is None]
    assert not missing, f"run tests/federation/regenerate.py --bless: {missing}"
