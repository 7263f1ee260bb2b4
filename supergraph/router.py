"""The Router facade: parse, validate, plan (cached), execute and shape one GraphQL request."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from supergraph.edge.authorization import (
    AccessRules,
    AuthState,
    DeniedField,
    authorize_document,
    denied_errors,
    read_access_rules,
)
from supergraph.edge.cost import CostRules, estimate_cost, read_cost_rules
from supergraph.edge.limits import OperationLimits, limit_errors, measure
from supergraph.edge.settings import RouterSettings
from supergraph.edge.tracing import router_tracer
from supergraph.execution import CompiledOperation, RequestContext, execute_plan
from supergraph.json_types import GraphQLResponse, JSONError, JSONObject
from supergraph.plan import QueryPlan
from supergraph.printer import print_plan
from supergraph.transport import HttpTransport, Transport

__all__ = ["Planner", "PreparedOperation", "Router", "build_router"]

Planner = Callable[[DocumentNode, "str | None"], QueryPlan]

_FORWARDED_HEADERS = ("authorization",)
_QUERY_PLAN_HEADER = "x-taskforge-query-plan"
_COST_HEADER = "x-taskforge-cost"


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    """A parsed, validated and planned operation, reused for every request with its text."""

    document: DocumentNode
    compiled: CompiledOperation
    plan: QueryPlan
    denied: tuple[DeniedField, ...] = ()

    @property
    def kind(self) -> str:
        """``query``, ``mutation`` or ``subscription``."""
        return self.compiled.kind


def _error(message: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, **extra, "extensions": {"code": code}}


def _graphql_error(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Case-insensitive lookup that stays O(1) for lower-cased or case-insensitive maps."""
    if not headers:
        return None
    value = headers.get(name)
    if value is not None:
        return value
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None


def _wants(
    headers: Mapping[str, str] | None,
    extensions: Mapping[str, Any] | None,
    extension: str,
    header: str,
) -> bool:
    """Whether the client asked for an extra (by request extension or header)."""
    if extensions and extensions.get(extension):
        return True
    return _header(headers, header) in ("1", "true")


class Router:
    """Answers GraphQL requests over a supergraph through an injected transport."""

    def __init__(
        self,
        api_schema: GraphQLSchema,
        planner: Planner,
        transport: Transport,
        *,
        cache_size: int = 1024,
        forwarded_headers: tuple[str, ...] = _FORWARDED_HEADERS,
        access_rules: AccessRules | None = None,
        limits: OperationLimits = OperationLimits(),
        max_tokens: int | None = None,
        introspection: bool = True,
        cost_rules: CostRules | None = None,
        max_cost: int | None = None,
        merge_entity_fetches: bool = True,
        subgraph_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.api_schema = api_schema
        self.subgraph_headers = {k.lower(): v for k, v in (subgraph_headers or {}).items()}
        self.merge_entity_fetches = merge_entity_fetches
        self.planner = planner
        self.transport = transport
        self.access_rules = access_rules or AccessRules({}, {}, frozenset(), frozenset())
        self.limits = limits
        self.max_tokens = max_tokens
        self.introspection = introspection
        self.cost_rules = cost_rules or CostRules({}, {}, {})
        self.max_cost = max_cost
        self.tracer = router_tracer()
        self.cache_hits = 0
        self.cache_misses = 0
        self._cache_size = cache_size
        self._forwarded = tuple(name.lower() for name in forwarded_headers)
        self._prepared: OrderedDict[
            tuple[str, str | None, AuthState | None], PreparedOperation | GraphQLResponse
        ] = OrderedDict()
        self._printed: dict[int, tuple[QueryPlan, str]] = {}

    def prepare(
        self, query: str, operation_name: str | None = None, auth: AuthState | None = None
    ) -> PreparedOperation | GraphQLResponse:
        """The prepared operation, or a GraphQL error response.

        Cached by text, name and (when the supergraph has authorization directives) auth state.
        """
        key = (query, operation_name, None if self.access_rules.empty else auth or AuthState())
        cached = self._prepared.get(key)
        if cached is not None:
            self.cache_hits += 1
            self._prepared.move_to_end(key)
            return cached
        self.cache_misses += 1
        with self.tracer.start_as_current_span(
            "router.plan", attributes={"graphql.operation.name": operation_name or ""}
        ):
            prepared = self._prepare(query, operation_name, key[2])
        self._prepared[key] = prepared
        if len(self._prepared) > self._cache_size:
            self._prepared.popitem(last=False)
        return prepared

    def _prepare(
        self, query: str, operation_name: str | None, auth: AuthState | None
    ) -> PreparedOperation | GraphQLResponse:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            if "tokens. Parsing aborted" in error.message:
                return {"errors": [_graphql_error(error, "MAX_TOKENS_LIMIT")]}
            return {"errors": [_graphql_error(error, "GRAPHQL_PARSE_FAILED")]}
        refused = self._limit_errors(document, operation_name)
        if refused:
            return {"errors": refused}
        validation_errors = validate(self.api_schema, document)
        if validation_errors:
            return {
                "errors": [
                    _graphql_error(e, "GRAPHQL_VALIDATION_FAILED") for e in validation_errors
                ]
            }
        try:
            compiled = CompiledOperation(self.api_schema, document, operation_name)
        except GraphQLError as error:
            return {"errors": [_graphql_error(error, "GRAPHQL_VALIDATION_FAILED")]}
        if compiled.has_introspection and not self.introspection:
            return {"errors": [_error("Introspection is disabled.", "INTROSPECTION_DISABLED")]}
        planned: DocumentNode = document
        denied: tuple[DeniedField, ...] = ()
        if auth is not None:
            planned, denied = authorize_document(
                self.api_schema, document, compiled.operation, self.access_rules, auth
            )
        try:
            plan = self.planner(planned, operation_name)
        except Exception as error:
            message = f"Query planning failed: {error}"
            return {"errors": [_error(message, "QUERY_PLANNING_FAILED")]}
        return PreparedOperation(document, compiled, plan, denied)

    def _limit_errors(self, document: DocumentNode, operation_name: str | None) -> list[JSONError]:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        errors: list[JSONError] = []
        for definition in document.definitions:
            if getattr(definition, "operation", None) is None:
                continue
            name = definition.name.value if definition.name else None  # type: ignore[attr-defined]
            if operation_name is None or name == operation_name:
                shape = measure(definition, fragments)  # type: ignore[arg-type]
                errors.extend(limit_errors(shape, self.limits))
        return errors

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
        auth: AuthState | None = None,
    ) -> dict[str, Any]:
        """Run one GraphQL request and return the response (never raises for bad input)."""
        prepared = self.prepare(query, operation_name, auth)
        if isinstance(prepared, dict):
            return prepared
        return await self.execute_prepared(prepared, variables, headers, extensions)

    async def execute_prepared(
        self,
        prepared: PreparedOperation,
        variables: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run an operation returned by :meth:`prepare`."""
        if prepared.kind == "subscription":
            message = (
                "Subscriptions stream over WebSocket (graphql-transport-ws), SSE "
                "(Accept: text/event-stream) or multipart HTTP "
                '(Accept: multipart/mixed;subscriptionSpec="1.0"), not a single JSON response.'
            )
            return {"errors": [_error(message, "SUBSCRIPTION_NOT_SUPPORTED")]}
        coerced = self.coerce_variables(prepared, variables)
        if isinstance(coerced, list):
            return {"errors": coerced}
        compiled = prepared.compiled
        wants_cost = _wants(headers, extensions, "cost", _COST_HEADER)
        cost = None
        if self.max_cost is not None or wants_cost:
            cost = estimate_cost(
                self.api_schema, compiled.operation, compiled.fragments, self.cost_rules, coerced
            )
            if self.max_cost is not None and cost > self.max_cost:
                return {"errors": [self._too_expensive(cost)]}
        data, errors = await execute_plan(
            prepared.plan,
            variables=coerced,
            transport=self.transport,
            request_context=RequestContext(headers=self._forward(headers)),
            schema=self.api_schema,
            merge_entity_fetches=self.merge_entity_fetches,
        )
        if prepared.denied:
            errors.extend(denied_errors(prepared.denied, data))
        if compiled.has_introspection:
            introspection, introspection_errors = compiled.introspect(coerced)
            data.update(introspection or {})
            errors.extend(introspection_errors)
        shaped, errors = compiled.shape(data, errors, coerced)
        response: dict[str, Any] = (
            {"errors": errors, "data": shaped} if errors else {"data": shaped}
        )
        if _wants(headers, extensions, "queryPlan", _QUERY_PLAN_HEADER):
            response["extensions"] = {"queryPlan": self.printed_plan(prepared.plan)}
        if wants_cost:
            response.setdefault("extensions", {})["cost"] = {
                "estimated": cost,
                "max": self.max_cost,
            }
        return response

    def _too_expensive(self, cost: int) -> dict[str, Any]:
        message = f"The operation's estimated cost {cost} exceeds the limit {self.max_cost}."
        error = _error(message, "COST_ESTIMATED_TOO_EXPENSIVE")
        error["extensions"]["cost"] = {"estimated": cost, "max": self.max_cost}
        return error

    def coerce_variables(
        self, prepared: PreparedOperation, variables: Mapping[str, Any] | None
    ) -> JSONObject | list[JSONError]:
        """Coerced variables, or BAD_USER_INPUT errors."""
        definitions = prepared.compiled.operation.variable_definitions
        if not definitions:
            return {}
        if variables is not None and not isinstance(variables, Mapping):
            return [_error("Variables must be a JSON object.", "BAD_USER_INPUT")]
        result = get_variable_values(self.api_schema, definitions, dict(variables or {}))
        if isinstance(result, list):
            return [_graphql_error(e, "BAD_USER_INPUT") for e in result]
        return result.coerced

    def _forward(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        forwarded: dict[str, str] = {}
        for name in self._forwarded:
            value = _header(headers, name)
            if value is not None:
                forwarded[name] = value
        return forwarded | self.subgraph_headers if self.subgraph_headers else forwarded

    def printed_plan(self, plan: QueryPlan) -> str:
        """The plan's printout, computed once per plan."""
        cached = self._printed.get(id(plan))
        if cached is not None and cached[0] is plan:
            return cached[1]
        text = print_plan(plan)
        if len(self._printed) > self._cache_size:
            self._printed.clear()
        self._printed[id(plan)] = (plan, text)
        return text

    async def aclose(self) -> None:
        """Release the transport's pooled connections."""
        close = getattr(self.transport, "aclose", None)
        if close is not None:
            await close()


def build_router(
    supergraph_sdl: str,
    transport: Transport | None = None,
    settings: RouterSettings | None = None,
    **options: Any,
) -> Router:
    """A Router for a supergraph SDL, over HTTP to the subgraph URLs unless told otherwise.

    Limits and header forwarding come from ``settings`` (the environment by default),
    authorization rules from the SDL; ``options`` override any :class:`Router` argument.
    """
    settings = settings or RouterSettings()
    from supergraph.loading import load_supergraph
    from supergraph.planning import plan_operation

    supergraph = load_supergraph(supergraph_sdl)

    def planner(document: DocumentNode, operation_name: str | None) -> QueryPlan:
        return plan_operation(supergraph, document, operation_name)

    if transport is None:
        transport = HttpTransport(
            {graph.name: graph.url for graph in supergraph.graphs.values()},
            timeout=settings.subgraph_timeout_seconds,
            deduplicate=settings.deduplicate_subgraph_fetches,
        )
    options.setdefault("access_rules", read_access_rules(supergraph_sdl))
    forwarded = [*settings.propagate_request_headers]
    if settings.client_address_header:
        forwarded.append(settings.client_address_header)
    options.setdefault("forwarded_headers", tuple(forwarded))
    options.setdefault("subgraph_headers", settings.subgraph_headers)
    options.setdefault(
        "limits",
        OperationLimits(settings.max_depth, settings.max_aliases, settings.max_root_fields),
    )
    options.setdefault("max_tokens", settings.max_tokens)
    options.setdefault("introspection", settings.introspection)
    options.setdefault("cost_rules", read_cost_rules(supergraph_sdl, settings.cost_list_size))
    options.setdefault("max_cost", settings.max_cost)
    options.setdefault("merge_entity_fetches", settings.merge_entity_fetches)
    return Router(supergraph.api_schema, planner, transport, **options)
