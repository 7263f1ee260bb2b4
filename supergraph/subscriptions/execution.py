"""Runs one streamed operation: subscribes upstream, runs the rest of the plan per event, shapes."""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from supergraph.edge.authorization import AuthState, PolicyHook, denied_errors
from supergraph.edge.tokens import Claims
from supergraph.execution import RequestContext, execute_plan
from supergraph.plan import QueryPlan, Subscription
from supergraph.router import PreparedOperation, Router
from supergraph.subscriptions.protocol import SubscriptionFailed, error, from_subgraph
from supergraph.subscriptions.upstream import SubscriptionTransport

__all__ = ["StreamRequest", "SubscriptionRunner", "TokenVerifier", "authorization_of"]

# Verifies a bearer token: its claims (or an awaitable of them); raises when refused.
TokenVerifier = Callable[[str], object]
"""Checks a bearer token; raises when it is invalid or expired."""


@dataclass(frozen=True, slots=True)
class StreamRequest:
    """A GraphQL request arriving over a streaming protocol."""

    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None
    extensions: Mapping[str, Any] | None = None

    @classmethod
    def from_payload(cls, payload: Any) -> StreamRequest:
        """Read ``{query, variables, operationName, extensions}``; raise on a malformed one."""
        if not isinstance(payload, Mapping) or not isinstance(payload.get("query"), str):
            raise SubscriptionFailed([error("'query' must be a string", "BAD_REQUEST")])
        variables = payload.get("variables")
        operation_name = payload.get("operationName")
        extensions = payload.get("extensions")
        if variables is not None and not isinstance(variables, Mapping):
            raise SubscriptionFailed([error("'variables' must be an object", "BAD_REQUEST")])
        if operation_name is not None and not isinstance(operation_name, str):
            raise SubscriptionFailed([error("'operationName' must be a string", "BAD_REQUEST")])
        return cls(
            payload["query"],
            variables,
            operation_name,
            extensions if isinstance(extensions, Mapping) else None,
        )


def authorization_of(*sources: Mapping[str, Any] | None) -> str | None:
    """The first ``Authorization`` value (any case) among connection params and headers."""
    for source in sources:
        for key, value in (source or {}).items():
            if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
                return value
    return None


class SubscriptionRunner:
    """Turns requests into streams of GraphQL responses for the streaming protocols."""

    def __init__(
        self,
        router: Router,
        transport: SubscriptionTransport | None,
        *,
        verify_token: TokenVerifier | None = None,
        policy_hook: PolicyHook | None = None,
    ) -> None:
        self.router = router
        self.transport = transport
        self.verify_token = verify_token
        self.policy_hook = policy_hook

    async def authenticate(self, authorization: str | None) -> object | None:
        """The verified claims; refuses a value the verifier rejects (absent is fine)."""
        if authorization is None or self.verify_token is None:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SubscriptionFailed([error("Malformed Authorization header", "UNAUTHENTICATED")])
        try:
            claims = self.verify_token(token.strip())
            return await claims if inspect.isawaitable(claims) else claims
        except Exception:
            raise SubscriptionFailed(
                [error("Invalid or expired token", "UNAUTHENTICATED")]
            ) from None

    async def prepare(
        self, request: StreamRequest, authorization: str | None = None
    ) -> PreparedOperation:
        """Parse, validate, authorize and plan; raise :class:`SubscriptionFailed` on errors."""
        auth = await self._auth_state(authorization)
        prepared = self.router.prepare(request.query, request.operation_name, auth)
        if isinstance(prepared, dict):
            raise SubscriptionFailed(list(prepared.get("errors") or ()))
        return prepared

    async def _auth_state(self, authorization: str | None) -> AuthState | None:
        """What @authenticated/@requiresScopes/@policy see, as the HTTP edge computes it."""
        rules = self.router.access_rules
        if rules.empty:
            return None
        claims = await self.authenticate(authorization)
        return await rules.state_for(
            claims if isinstance(claims, Claims) else None, self.policy_hook
        )

    async def stream(
        self,
        prepared: PreparedOperation,
        request: StreamRequest,
        authorization: str | None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield one response per event (one in all for queries and mutations).

        Raises :class:`SubscriptionFailed` when the subscription cannot start or its
        subgraph stream breaks.
        """
        headers = {"authorization": authorization} if authorization else {}
        headers |= self.router.subgraph_headers
        if prepared.kind != "subscription":
            yield await self.router.execute_prepared(
                prepared, request.variables, headers, request.extensions
            )
            return
        variables = self.router.coerce_variables(prepared, request.variables)
        if isinstance(variables, list):
            raise SubscriptionFailed(variables)
        node = prepared.plan.node
        if not isinstance(node, Subscription) or self.transport is None:
            message = "This router cannot stream this subscription from its subgraphs."
            raise SubscriptionFailed([error(message, "SUBSCRIPTION_NOT_SUPPORTED")])
        primary = node.primary
        body: dict[str, Any] = {
            "query": primary.operation,
            "variables": {k: variables[k] for k in primary.variable_usages if k in variables},
        }
        events = self.transport.subscribe(primary.service, body, headers)
        async with aclosing(events):
            async for event in events:
                yield await self._response(prepared, node, event, variables, headers)

    async def _response(
        self,
        prepared: PreparedOperation,
        node: Subscription,
        event: dict[str, Any],
        variables: dict[str, Any],
        headers: dict[str, str],
    ) -> dict[str, Any]:
        data = event.get("data")
        service = node.primary.service
        errors = [from_subgraph(e, service) for e in event.get("errors") or ()]
        if not isinstance(data, dict):
            return {"errors": errors, "data": None} if errors else {"data": None}
        if node.rest is not None:
            _, rest_errors = await execute_plan(
                QueryPlan(node=node.rest),
                variables=variables,
                transport=self.router.transport,
                request_context=RequestContext(headers=headers),
                schema=self.router.api_schema,
                data=data,
            )
            errors.extend(rest_errors)
        if prepared.denied:
            errors.extend(denied_errors(prepared.denied, data))
        shaped, errors = prepared.compiled.shape(data, errors, variables)
        return {"errors": errors, "data": shaped} if errors else {"data": shaped}
