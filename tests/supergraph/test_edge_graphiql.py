"""GraphiQL served offline: the page references only the router's own assets, which it serves."""

from __future__ import annotations

import re

from supergraph.http.graphiql import STATIC_DIR
from tests.supergraph.edge_fixtures import edge_app


async def test_graphiql_page_and_assets_are_served_by_the_router() -> None:
    edge = edge_app()
    async with edge.client() as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        fetched = {url: await client.get(url) for url in assets}
    assert page.status_code == 200
    assert not [url for url in assets if "://" in url], "no external asset may be loaded"
    assert sorted(url.rsplit("/", 1)[-1] for url in assets) == [
        "graphiql.min.css",
        "graphiql.min.js",
        "react-dom.production.min.js",
        "react.production.min.js",
    ]
    for url, response in fetched.items():
        assert response.status_code == 200, url
        assert len(response.content) > 1000, url
    assert '"ws://router/graphql"' in page.text
    assert "X-Taskforge-Query-Plan" in page.text
    assert "isHeadersEditorEnabled: true" in page.text


def test_vendored_assets_carry_their_licenses() -> None:
    licenses = (STATIC_DIR / "LICENSES.md").read_text()
    for package in ("graphiql", "react", "react-dom"):
        assert f"| {package} |" in licenses
    assert licenses.count("MIT") >= 3
