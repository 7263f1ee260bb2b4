"""The checked-in schema/ files are exactly what the code and composition produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from supergraph.composition import compose, load_compose_config
from supergraph.loading import load_supergraph
from taskforge.registry import SUBGRAPHS

SCHEMA_DIR = Path(__file__).parents[1] / "schema"


@pytest.mark.parametrize("name", sorted(SUBGRAPHS))
def test_checked_in_subgraph_sdl_matches_the_code(name: str) -> None:
    checked_in = (SCHEMA_DIR / f"{name}.graphql").read_text()
    assert checked_in == SUBGRAPHS[name].sdl(), (
        f"schema/{name}.graphql is stale: run `taskforge export-schema`"
    )


def test_compose_config_lists_every_subgraph() -> None:
    listed = {definition.name for definition in load_compose_config(SCHEMA_DIR / "subgraphs.toml")}
    assert listed == set(SUBGRAPHS)


def test_checked_in_supergraph_matches_composition() -> None:
    composed = compose(load_compose_config(SCHEMA_DIR / "subgraphs.toml"))
    checked_in = (SCHEMA_DIR / "supergraph.graphql").read_text()
    assert checked_in.rstrip("\n") == composed.rstrip("\n"), (
        "schema/supergraph.graphql is stale: run `taskforge compose`"
    )


def test_checked_in_supergraph_loads_in_the_router() -> None:
    supergraph = load_supergraph((SCHEMA_DIR / "supergraph.graphql").read_text())
    assert {graph.name for graph in supergraph.graphs.values()} == set(SUBGRAPHS)
    assert supergraph.api_schema.query_type is not None
    assert "_entities" not in supergraph.api_schema.query_type.fields
