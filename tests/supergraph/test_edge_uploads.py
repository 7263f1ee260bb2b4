"""Uploads through the router (GraphQL multipart request spec) to a real Strawberry subgraph."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import strawberry
from strawberry.asgi import GraphQL
from strawberry.file_uploads import Upload

from supergraph.composition import SubgraphDefinition, compose
from supergraph.transport import AsgiTransport
from tests.supergraph.edge_fixtures import CSRF, EdgeApp, edge_app


@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def add_photo(self, task_id: strawberry.ID, file: Upload, caption: str) -> str:
        data = await file.read()  # type: ignore[attr-defined]
        return f"{task_id}:{caption}:{file.filename}:{len(data)}:{data[:4].decode()}"  # type: ignore[attr-defined]

    @strawberry.mutation
    async def add_photos(self, files: list[Upload]) -> list[int]:
        return [len(await f.read()) for f in files]  # type: ignore[attr-defined]


SCHEMA = strawberry.federation.Schema(query=Query, mutation=Mutation)
SUPERGRAPH = compose([SubgraphDefinition("media", "http://media/graphql", str(SCHEMA.as_str()))])
ADD_PHOTO = (
    "mutation($id: ID!, $file: Upload!, $caption: String!)"
    " { addPhoto(taskId: $id, file: $file, caption: $caption) }"
)


def _edge(**settings: object) -> EdgeApp:
    subgraph = GraphQL(SCHEMA, multipart_uploads_enabled=True)
    return edge_app(AsgiTransport({"media": subgraph}), SUPERGRAPH, **settings)


def _multipart(query: str, variables: dict, files: dict[str, tuple[list[str], bytes]]) -> dict:
    return {
        "data": {
            "operations": orjson.dumps({"query": query, "variables": variables}).decode(),
            "map": orjson.dumps({key: paths for key, (paths, _) in files.items()}).decode(),
        },
        "files": {key: (f"{key}.jpg", data, "image/jpeg") for key, (_, data) in files.items()},
    }


async def test_a_curl_style_upload_reaches_the_subgraph_fetch_that_uses_it() -> None:
    edge = _edge()
    payload = b"JPEG" + b"\0" * 5000
    request = _multipart(
        ADD_PHOTO,
        {"id": "t1", "file": None, "caption": "roof"},
        {"0": (["variables.file"], payload)},
    )
    async with edge.client(**CSRF) as client:
        response = await client.post("/graphql", **request)
    assert response.json() == {"data": {"addPhoto": "t1:roof:0.jpg:5004:JPEG"}}


async def test_a_list_of_uploads() -> None:
    edge = _edge()
    request = _multipart(
        "mutation($files: [Upload!]!) { addPhotos(files: $files) }",
        {"files": [None, None]},
        {"a": (["variables.files.0"], b"12"), "b": (["variables.files.1"], b"12345")},
    )
    async with edge.client(**CSRF) as client:
        response = await client.post("/graphql", **request)
    assert response.json() == {"data": {"addPhotos": [2, 5]}}


async def test_multipart_without_the_csrf_header_is_refused_and_the_router_keeps_serving() -> None:
    edge = _edge()
    request = _multipart(
        ADD_PHOTO, {"id": "t1", "file": None, "caption": "x"}, {"0": (["variables.file"], b"x")}
    )
    async with edge.client() as client:
        refused = await client.post("/graphql", **request)
        served = await client.post("/graphql", json={"query": "{ ping }"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTION"
    assert served.json() == {"data": {"ping": "pong"}}


async def test_per_file_and_total_size_limits() -> None:
    edge = _edge(upload_max_file_bytes=100, upload_max_total_bytes=150)
    one_big = _multipart(
        ADD_PHOTO,
        {"id": "t1", "file": None, "caption": "x"},
        {"0": (["variables.file"], b"x" * 101)},
    )
    two_medium = _multipart(
        "mutation($files: [Upload!]!) { addPhotos(files: $files) }",
        {"files": [None, None]},
        {"a": (["variables.files.0"], b"x" * 90), "b": (["variables.files.1"], b"x" * 90)},
    )
    async with edge.client(**CSRF) as client:
        big = await client.post("/graphql", **one_big)
        total = await client.post("/graphql", **two_medium)
    assert big.status_code == 413
    assert big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert total.status_code == 413


async def test_a_map_pointing_outside_variables_is_refused() -> None:
    edge = _edge()
    request = _multipart(
        ADD_PHOTO, {"id": "t1", "file": None, "caption": "x"}, {"0": (["query"], b"x")}
    )
    async with edge.client(**CSRF) as client:
        response = await client.post("/graphql", **request)
    assert response.status_code == 400
    assert "variables" in response.json()["errors"][0]["message"]


async def test_a_body_without_length_is_cut_off_while_it_streams() -> None:
    edge = _edge(upload_max_file_bytes=1000, upload_max_total_bytes=1000, max_body_bytes=1000)
    request = _multipart(
        ADD_PHOTO,
        {"id": "t1", "file": None, "caption": "x"},
        {"0": (["variables.file"], b"x" * 50_000)},
    )
    encoded = httpx.Request("POST", "http://router/graphql", **request)
    body = encoded.read()
    received: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 1000):
            received.append(start)
            yield body[start : start + 1000]

    headers = {"content-type": encoded.headers["content-type"], **CSRF}
    async with edge.client() as client:
        response = await client.post("/graphql", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert len(received) < 10, "the router stops reading once the limit is passed"
