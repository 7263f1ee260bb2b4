"""The GraphiQL page served to browsers that GET the GraphQL endpoint; its assets are vendored."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["STATIC_DIR", "STATIC_PREFIX", "graphiql_html"]

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/graphiql-static"

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Taskforge GraphiQL</title>
  <style>
    body { margin: 0; height: 100vh; display: flex; flex-direction: column; }
    #bar { padding: 4px 8px; font-size: 13px; border-bottom: 1px solid #ddd; }
    #main { flex: 1; display: flex; min-height: 0; }
    #graphiql { flex: 1; min-width: 0; }
    #plan { width: 35%; margin: 0; padding: 8px; overflow: auto; border-left: 1px solid #ddd;
            font-size: 12px; display: none; white-space: pre; }
  </style>
  <link rel="stylesheet" href="__STATIC__/graphiql.min.css" />
</head>
<body>
  <div id="bar">
    <label><input type="checkbox" id="show-plan" /> Show query plan</label>
  </div>
  <div id="main">
    <div id="graphiql">Loading GraphiQL...</div>
    <pre id="plan"></pre>
  </div>
  <script src="__STATIC__/react.production.min.js"></script>
  <script src="__STATIC__/react-dom.production.min.js"></script>
  <script src="__STATIC__/graphiql.min.js"></script>
  <script>
    const toggle = document.getElementById("show-plan");
    const planView = document.getElementById("plan");
    toggle.addEventListener("change", () => {
      planView.style.display = toggle.checked ? "block" : "none";
    });
    const base = GraphiQL.createFetcher({ url: __ENDPOINT__, subscriptionUrl: __WS__ });
    // Asks the router for the plan and shows extensions.queryPlan beside the result.
    const fetcher = (params, options) => {
      const headers = { ...(options && options.headers) };
      if (toggle.checked) headers["X-Taskforge-Query-Plan"] = "true";
      const result = base(params, { ...options, headers });
      if (result && typeof result.then === "function") {
        return result.then((value) => {
          const plan = value && value.extensions && value.extensions.queryPlan;
          planView.textContent = plan || "(no query plan in the last response)";
          return value;
        });
      }
      return result;
    };
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultEditorToolsVisibility: "headers",
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: true,
      })
    );
  </script>
</body>
</html>
"""


def graphiql_html(endpoint: str, subscription_url: str | None = None) -> str:
    """The page, pointed at ``endpoint`` (HTTP) and ``subscription_url`` (graphql-ws)."""
    return (
        _PAGE.replace("__STATIC__", STATIC_PREFIX)
        .replace("__ENDPOINT__", json.dumps(endpoint))
        .replace("__WS__", json.dumps(subscription_url))
    )
