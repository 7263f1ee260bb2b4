"""Read a compose config (TOML), fetch SDL from files or live subgraphs, write the supergraph."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import httpx

from .compose import compose
from .model import CompositionError, SubgraphDefinition

__all__ = ["SERVICE_SDL_QUERY", "compose_to_file", "load_compose_config"]

SERVICE_SDL_QUERY = "query SubgraphSdl { _service { sdl } }"
INTROSPECTION_TIMEOUT_S = 10.0


def load_compose_config(
    path: str | Path, *, transport: httpx.BaseTransport | None = None
) -> list[SubgraphDefinition]:
    """The subgraphs a config file lists, each with its SDL.

    The file holds `[[subgraph]]` tables with `name`, `url`, and either `schema` (an SDL
    file, relative to the config file) or `introspect = true` (fetch `_service { sdl }`
    from `url`). `transport` lets tests introspect in-process apps.
    """
    config_path = Path(path)
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CompositionError([f"Cannot read compose config {config_path}: {error}"]) from error
    entries = config.get("subgraph")
    if not isinstance(entries, list) or not entries:
        raise CompositionError([f"{config_path} lists no [[subgraph]] tables."])
    definitions = []
    errors = []
    for entry in entries:
        try:
            definitions.append(_definition(entry, config_path.parent, transport))
        except CompositionError as error:
            errors.extend(error.messages)
    if errors:
        raise CompositionError(errors)
    return definitions


def _definition(
    entry: Any, base: Path, transport: httpx.BaseTransport | None
) -> SubgraphDefinition:
    if not isinstance(entry, dict):
        raise CompositionError(["Each [[subgraph]] entry must be a table."])
    name, url = entry.get("name"), entry.get("url")
    if not isinstance(name, str) or not isinstance(url, str):
        raise CompositionError([f"Subgraph entry {entry!r} needs a string `name` and `url`."])
    if entry.get("introspect") is True:
        return SubgraphDefinition(name, url, _introspect(name, url, transport))
    schema = entry.get("schema")
    if not isinstance(schema, str):
        raise CompositionError(
            [f'Subgraph "{name}" needs `schema = "file.graphql"` or `introspect = true`.']
        )
    schema_path = base / schema
    try:
        return SubgraphDefinition(name, url, schema_path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CompositionError(
            [f'Subgraph "{name}": cannot read {schema_path}: {error}']
        ) from error


def _introspect(name: str, url: str, transport: httpx.BaseTransport | None) -> str:
    try:
        with httpx.Client(transport=transport, timeout=INTROSPECTION_TIMEOUT_S) as client:
            response = client.post(url, json={"query": SERVICE_SDL_QUERY})
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise CompositionError(
            [f'Subgraph "{name}": cannot fetch SDL from {url}: {error}']
        ) from error
    data = body.get("data") if isinstance(body, dict) else None
    service = data.get("_service") if isinstance(data, dict) else None
    sdl = service.get("sdl") if isinstance(service, dict) else None
    if not isinstance(sdl, str):
        status = response.status_code
        message = f'Subgraph "{name}": {url} did not answer `_service {{ sdl }}` (HTTP {status}).'
        raise CompositionError([message])
    return sdl


def compose_to_file(config_path: str | Path, out_path: str | Path) -> str:
    """Compose the subgraphs of `config_path` and write the supergraph SDL to `out_path`.

    The file ends with a newline; the returned SDL is what `compose` produced.
    """
    supergraph = compose(load_compose_config(config_path))
    Path(out_path).write_text(supergraph + "\n", encoding="utf-8")
    return supergraph
