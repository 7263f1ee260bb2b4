"""An in-memory transport for router tests: records requests and answers from callables."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from supergraph.transport import TransportError

__all__ = ["FakeTransport", "Recorded"]

Responder = Callable[[dict[str, Any]], dict | Exception]


@dataclass(frozen=True)
class Recorded:
    """One request the router sent."""

    service: str
    body: dict[str, Any]
    headers: Mapping[str, str]


@dataclass
class FakeTransport:
    """Answers each service with a canned response or a function of the request body."""

    responders: dict[str, Responder | dict | Exception]
    requests: list[Recorded] = field(default_factory=list)

    async def send(
        self, service: str, body: dict[str, Any], headers: Mapping[str, str], **_: Any
    ) -> dict:
        self.requests.append(Recorded(service, body, dict(headers)))
        responder = self.responders.get(service)
        if responder is None:
            raise TransportError("SUBREQUEST_HTTP_ERROR", "no such service")
        answer = responder(body) if callable(responder) else responder
        if isinstance(answer, Exception):
            raise answer
        # The executor merges into responses, so canned data must not be shared across calls.
        return copy.deepcopy(answer)

    def bodies(self, service: str) -> list[dict[str, Any]]:
        """Bodies sent to ``service``, in order."""
        return [r.body for r in self.requests if r.service == service]
