"""Loads the federation test corpus (cases/<case>/...) and compares responses with expectations.

A case directory holds ``subgraphs/<name>.graphql`` (the subgraph name is the join__graph
name), ``data.json`` (``{"<subgraph>": <data for subgraph_server>}``), the composed
``supergraph.graphql``, ``queries.yaml`` (a list of ``{name, query, variables?,
operationName?, calls?, check_error_paths?, apollo_differs?, notes?}``) and ``expected.json``
(``{"<query name>": {"data": ..., "has_errors": bool, "error_paths": [...]}}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.federation.subgraph_server import SubgraphApp, SubgraphState, make_subgraph_app

__all__ = [
    "CASES_DIR",
    "Case",
    "CorpusQuery",
    "build_apps",
    "expectation_from_response",
    "load_cases",
    "mismatches",
]

CASES_DIR = Path(__file__).parent / "cases"

Json = Any


@dataclass(frozen=True, slots=True)
class CorpusQuery:
    """One operation of a case with what a correct router must answer."""

    case: str
    name: str
    query: str
    variables: Mapping[str, Json] | None
    operation_name: str | None
    expected: Mapping[str, Json] | None
    calls: int | None
    check_error_paths: bool
    apollo_differs: str | None

    @property
    def id(self) -> str:
        """``case/name``, unique across the corpus."""
        return f"{self.case}/{self.name}"


@dataclass(frozen=True, slots=True)
class Case:
    """One tiny federation: subgraph SDLs, their data, the supergraph and its queries."""

    name: str
    root: Path
    subgraphs: Mapping[str, str]
    data: Mapping[str, Json]
    supergraph: str
    queries: tuple[CorpusQuery, ...]


def load_cases(root: Path = CASES_DIR) -> list[Case]:
    """Every case under ``root``, sorted by name."""
    return [_load_case(path) for path in sorted(root.iterdir()) if path.is_dir()]


def _load_case(path: Path) -> Case:
    subgraphs = {
        sdl.stem: sdl.read_text() for sdl in sorted((path / "subgraphs").glob("*.graphql"))
    }
    expected_path = path / "expected.json"
    expected = json.loads(expected_path.read_text()) if expected_path.exists() else {}
    supergraph_path = path / "supergraph.graphql"
    queries = tuple(
        _query(path.name, raw, expected.get(raw["name"]))
        for raw in yaml.safe_load((path / "queries.yaml").read_text())
    )
    names = [q.name for q in queries]
    if len(set(names)) != len(names):
        raise ValueError(f"{path.name}: duplicate query names")
    return Case(
        name=path.name,
        root=path,
        subgraphs=subgraphs,
        data=json.loads((path / "data.json").read_text()),
        supergraph=supergraph_path.read_text() if supergraph_path.exists() else "",
        queries=queries,
    )


def _query(case: str, raw: Mapping[str, Json], expected: Mapping[str, Json] | None) -> CorpusQuery:
    return CorpusQuery(
        case=case,
        name=raw["name"],
        query=raw["query"],
        variables=raw.get("variables"),
        operation_name=raw.get("operationName"),
        expected=expected,
        calls=raw.get("calls"),
        check_error_paths=bool(raw.get("check_error_paths", False)),
        apollo_differs=raw.get("apollo_differs"),
    )


def build_apps(case: Case, state: SubgraphState | None = None) -> dict[str, SubgraphApp]:
    """Fresh data-driven apps for every subgraph of ``case``, sharing one state."""
    shared = state if state is not None else SubgraphState()
    return {
        name: make_subgraph_app(sdl, case.data.get(name, {}), name=name, state=shared)
        for name, sdl in case.subgraphs.items()
    }


def expectation_from_response(response: Mapping[str, Json]) -> dict[str, Json]:
    """The part of a GraphQL response the corpus records: data, errors present, error paths."""
    errors = response.get("errors") or []
    return {
        "data": response.get("data"),
        "has_errors": bool(errors),
        "error_paths": sorted(
            (e["path"] for e in errors if e.get("path") is not None), key=json.dumps
        ),
    }


def mismatches(query: CorpusQuery, response: Mapping[str, Json]) -> list[str]:
    """How ``response`` differs from ``query.expected`` (empty when it matches)."""
    assert query.expected is not None, f"{query.id} has no expected response"
    actual = expectation_from_response(response)
    problems = []
    if actual["data"] != query.expected["data"]:
        problems.append(
            f"data differs:\n  expected {json.dumps(query.expected['data'])}"
            f"\n  actual   {json.dumps(actual['data'])}"
        )
    if actual["has_errors"] != query.expected["has_errors"]:
        problems.append(f"errors expected: {query.expected['has_errors']}; got {response!r}")
    if query.check_error_paths and actual["error_paths"] != query.expected["error_paths"]:
        problems.append(
            f"error paths: expected {query.expected['error_paths']}, got {actual['error_paths']}"
        )
    return problems
