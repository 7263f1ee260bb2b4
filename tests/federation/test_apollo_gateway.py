"""Differential check: @apollo/gateway answers every corpus query with the expected data."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.federation.apollo import (
    ApolloAnswer,
    CorpusHttpServer,
    ensure_node_modules,
    run_apollo,
    serve_corpus,
)
from tests.federation.corpus import Case, CorpusQuery, load_cases, mismatches

__all__: list[str] = []

pytestmark = [
    pytest.mark.node,
]

CASES = load_cases()
GATEWAY_PROCESSES = 2


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[CorpusHttpServer]:
    ensure_node_modules()
    with serve_corpus({case.name: case for case in CASES}) as server:
        yield server


Answers = dict[str, ApolloAnswer] | RuntimeError


@pytest.fixture(scope="module")
def apollo_answers(corpus_server: CorpusHttpServer) -> dict[str, Answers]:
    """One gateway process per case answers all of its queries (or fails to start)."""

    def answer(case: Case) -> Answers:
        try:
            return run_apollo(corpus_server, case)
        except RuntimeError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=GATEWAY_PROCESSES) as pool:
        return dict(zip((case.name for case in CASES), pool.map(answer, CASES), strict=True))


def _params() -> list[object]:
    params = []
    for case in CASES:
        for query in case.queries:
            marks = []
            if query.apollo_differs:
                marks.append(pytest.mark.xfail(strict=True, reason=query.apollo_differs))
            params.append(pytest.param(case, query, id=query.id, marks=marks))
    return params


@pytest.mark.parametrize(("case", "query"), _params())
def test_apollo_gateway_answers_corpus_query(
    apollo_answers: dict[str, Answers], case: Case, query: CorpusQuery
) -> None:
    case_answers = apollo_answers[case.name]
    if isinstance(case_answers, RuntimeError):
        raise case_answers
    answer = case_answers[query.name]
    problems = mismatches(query, answer.response)
    assert not problems, "\n".join(problems)
    if query.calls is not None:
        assert answer.calls == query.calls
