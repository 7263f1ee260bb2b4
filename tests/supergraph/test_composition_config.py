"""The compose config: SDL files relative to the config, live `_service { sdl }`, output file."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from supergraph.composition import (
    CompositionError,
    SubgraphDefinition,
    compose,
    compose_to_file,
    load_compose_config,
)

__all__: list[str] = []

USERS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type User @key(fields: "id") { id: ID! name: String! }
type Query { me: User }
"""
TASKS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Task @key(fields: "id") { id: ID! title: String! owner: User }
type User @key(fields: "id") { id: ID! tasks: [Task!]! }
type Query { tasks: [Task!]! }
"""


def _write_config(tmp_path: Path, body: str) -> Path:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "users.graphql").write_text(USERS_SDL)
    config = tmp_path / "subgraphs.toml"
    config.write_text(body)
    return config


FILE_CONFIG = """
[[subgraph]]
name = "users"
url = "http://127.0.0.1:4001/graphql"
schema = "schemas/users.graphql"

[[subgraph]]
name = "tasks"
url = "http://127.0.0.1:4003/graphql"
introspect = true
"""


def _service_sdl_transport(seen: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["query"])
        return httpx.Response(200, json={"data": {"_service": {"sdl": TASKS_SDL}}})

    return httpx.MockTransport(handle)


def test_loads_files_relative_to_the_config_and_introspects_live_subgraphs(
    tmp_path: Path,
) -> None:
    seen: list[str] = []
    config = _write_config(tmp_path, FILE_CONFIG)
    subgraphs = load_compose_config(config, transport=_service_sdl_transport(seen))
    assert subgraphs == [
        SubgraphDefinition("users", "http://127.0.0.1:4001/graphql", USERS_SDL),
        SubgraphDefinition("tasks", "http://127.0.0.1:4003/graphql", TASKS_SDL),
    ]
    assert seen == ["query SubgraphSdl { _service { sdl } }"]


def test_compose_to_file_writes_the_supergraph(tmp_path: Path) -> None:
    config = _write_config(
        tmp_path, FILE_CONFIG.replace("introspect = true", 'schema = "t.graphql"')
    )
    (tmp_path / "t.graphql").write_text(TASKS_SDL)
    out = tmp_path / "supergraph.graphql"
    returned = compose_to_file(config, out)
    assert out.read_text() == returned + "\n"
    assert returned == compose(load_compose_config(config))
    assert 'TASKS @join__graph(name: "tasks", url: "http://127.0.0.1:4003/graphql")' in returned


def test_missing_schema_file_names_the_subgraph(tmp_path: Path) -> None:
    config = _write_config(
        tmp_path, FILE_CONFIG.replace("introspect = true", 'schema = "no.graphql"')
    )
    with pytest.raises(CompositionError) as raised:
        load_compose_config(config)
    assert len(raised.value.messages) == 1
    assert raised.value.messages[0].startswith('Subgraph "tasks": cannot read ')


def test_entry_without_schema_or_introspect_is_rejected(tmp_path: Path) -> None:
    config = _write_config(tmp_path, FILE_CONFIG.replace("introspect = true", ""))
    with pytest.raises(CompositionError) as raised:
        load_compose_config(config)
    assert raised.value.messages == [
        'Subgraph "tasks" needs `schema = "file.graphql"` or `introspect = true`.'
    ]


def test_subgraph_that_does_not_serve_its_sdl(tmp_path: Path) -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(404, json={"errors": []}))
    config = _write_config(tmp_path, FILE_CONFIG)
    with pytest.raises(CompositionError) as raised:
        load_compose_config(config, transport=transport)
    assert raised.value.messages == [
        'Subgraph "tasks": http://127.0.0.1:4003/graphql did not answer `_service { sdl }` '
        "(HTTP 404)."
    ]


def test_unreachable_subgraph(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    config = _write_config(tmp_path, FILE_CONFIG)
    with pytest.raises(CompositionError) as raised:
        load_compose_config(config, transport=httpx.MockTransport(refuse))
    assert raised.value.messages == [
        'Subgraph "tasks": cannot fetch SDL from http://127.0.0.1:4003/graphql: connection refused'
    ]


def test_config_without_subgraphs(tmp_path: Path) -> None:
    config = tmp_path / "empty.toml"
    config.write_text("title = 'nothing'\n")
    with pytest.raises(CompositionError) as raised:
        load_compose_config(config)
    assert raised.value.messages == [f"{config} lists no [[subgraph]] tables."]


def test_duplicate_subgraph_names_are_rejected() -> None:
    twice = [SubgraphDefinition("users", "http://a", USERS_SDL)] * 2
    with pytest.raises(CompositionError) as raised:
        compose(twice)
    assert raised.value.messages == ['A subgraph named "users" is given twice.']
