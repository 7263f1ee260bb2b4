"""The edge in the single-process mode: an avatar uploaded curl-style through the router."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from subgraph_kit.settings import ServiceSettings
from supergraph.cli import SUBGRAPHS
from supergraph.standalone import Standalone, create_standalone
from tests.support.backends import Backend, fresh_database_url
from tests.support.graphql import GraphQLClient
from tests.support.images import png_bytes
from tests.support.services import test_common_settings as common_settings_for
from tests.users_subgraph.conftest import sign_up

SET_AVATAR = "mutation($file: Upload!) { setAvatar(file: $file) { id avatar { format } } }"


@pytest.fixture
async def federation(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> AsyncIterator[Standalone]:
    common = common_settings_for(backend, redis_prefix, data_dir)
    async with AsyncExitStack() as stack:
        urls = {
            name: await stack.enter_async_context(fresh_database_url(backend, data_dir, name))
            for name in SUBGRAPHS
        }
        settings = {name: ServiceSettings(name=name, database_url=u) for name, u in urls.items()}
        standalone = create_standalone(SUBGRAPHS, common=common, settings=settings)
        await standalone.start()
        try:
            yield standalone
        finally:
            await standalone.stop()


async def test_avatar_upload_through_the_router(federation: Standalone) -> None:
    transport = httpx.ASGITransport(app=federation)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        me = await sign_up(GraphQLClient(http), "edge@example.com")
        form = {
            "operations": json.dumps({"query": SET_AVATAR, "variables": {"file": None}}),
            "map": json.dumps({"0": ["variables.file"]}),
        }
        files = {"0": ("me.png", png_bytes(), "image/png")}
        bearer = {"authorization": f"Bearer {me['accessToken']}"}
        refused = await http.post("/graphql", data=form, files=files, headers=bearer)
        uploaded = await http.post(
            "/graphql", data=form, files=files, headers={**bearer, "x-taskforge-csrf": "1"}
        )
        forged = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"authorization": "Bearer " + me["accessToken"][:-4] + "AAAA"},
        )
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTION"
    assert uploaded.json() == {
        "data": {"setAvatar": {"id": me["id"], "avatar": {"format": "png"}}}
    }, uploaded.text
    assert forged.status_code == 401
