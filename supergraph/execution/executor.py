"""Runs a query plan: fetches through a transport, merges results, collects errors."""

from __future__ import annotations

import asyncio
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    is_abstract_type,
    parse,
)

from supergraph.execution.context import aliased_operation, context_values
from supergraph.execution.merging import merged_operation, merged_variables
from supergraph.execution.representations import dedup_key, requires_shape
from supergraph.json_types import GraphQLResponse, JSONError, JSONList, JSONObject, ResponsePath
from supergraph.plan import Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from supergraph.transport import Transport, TransportError

__all__ = ["RequestContext", "deep_merge", "execute_plan"]

# A response path as a chain (parent chain, last segment), () at the root: walking a Flatten
# path then costs one pair per object and step; _flat spells a path out only when reported.
Chain = tuple[Any, ...]
Target = tuple[JSONObject, Chain]
# (response key of one _entities field, its representations, the objects behind each)
Batch = tuple[str, list[JSONObject], list[list[Target]]]

_MISSING = object()
_TYPE_CONDITION = "... on "
_ENTITIES = "_entities"
# Stands in for an _entities answer of the wrong length, which merge_entities reports.
_MALFORMED = "malformed"
# A subgraph's answer as one entity fetch sees it, and the response key of its _entities.
Answer = tuple[GraphQLResponse | TransportError, str]


@dataclass(frozen=True, slots=True)
class _Queued:
    """An entity fetch waiting one loop turn for siblings that go to the same subgraph."""

    fetch: Fetch
    variables: dict[str, Any]
    answer: asyncio.Future[Answer] | None


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Per-request inputs the executor passes to every subgraph call."""

    headers: Mapping[str, str] = field(default_factory=dict)


def deep_merge(target: JSONObject, source: JSONObject, abstract: Container[str] = ()) -> None:
    """Merge ``source`` into ``target``: dicts recursively, lists element-wise.

    An existing ``__typename`` is kept, except that a concrete name replaces an
    ``abstract`` one (an ``@interfaceObject`` subgraph only knows the interface's name).
    """
    for key, value in source.items():
        existing = target.get(key, _MISSING)
        if existing is _MISSING:
            target[key] = value
        elif key == "__typename":
            if existing in abstract and value not in abstract:
                target[key] = value
        elif isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value, abstract)
        elif isinstance(existing, list) and isinstance(value, list):
            _merge_lists(existing, value, abstract)
        else:
            target[key] = value


def _merge_lists(target: JSONList, source: JSONList, abstract: Container[str]) -> None:
    for index, value in enumerate(source):
        if index >= len(target):
            target.append(value)
            continue
        existing = target[index]
        if isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value, abstract)
        elif isinstance(existing, list) and isinstance(value, list):
            _merge_lists(existing, value, abstract)
        else:
            target[index] = value


_abstract_names: dict[int, tuple[GraphQLSchema, frozenset[str]]] = {}


def _abstract_type_names(schema: GraphQLSchema | None) -> frozenset[str]:
    if schema is None:
        return frozenset()
    cached = _abstract_names.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    names = frozenset(name for name, type_ in schema.type_map.items() if is_abstract_type(type_))
    _abstract_names[id(schema)] = (schema, names)
    return names


async def execute_plan(
    plan: QueryPlan,
    *,
    variables: Mapping[str, Any],
    transport: Transport,
    request_context: RequestContext | None = None,
    schema: GraphQLSchema | None = None,
    data: JSONObject | None = None,
    merge_entity_fetches: bool = True,
) -> tuple[JSONObject, list[JSONError]]:
    """Run ``plan`` and return the merged raw data and the collected errors.

    ``schema`` (the API schema) lets ``requires`` fragments on abstract types match
    concrete objects; without it only exact type names match. ``data`` is root data the
    plan starts from (a subscription event), merged into in place. With
    ``merge_entity_fetches``, entity fetches to one subgraph that become ready in the same
    loop turn (the branches of a ``Parallel``) go as one request, ``_entities`` aliased ``_i``.
    """
    if data is None:
        data = {}
    if plan.node is None:
        return data, []
    run = _Run(variables, transport, request_context or RequestContext(), schema)
    run.merge = merge_entity_fetches
    run.root = data
    await run.node(plan.node, [(data, ())])
    return data, run.errors


class _Group:
    """Queued fetches with one operation and the same other variables: one ``_entities``."""

    __slots__ = ("fetch", "index", "others", "representations")

    def __init__(self, fetch: Fetch, others: dict[str, Any]) -> None:
        self.fetch = fetch
        self.others = others
        self.representations: list[JSONObject] = []
        self.index: dict[bytes, int] = {}

    def add(self, representation: JSONObject) -> int:
        """The position of ``representation`` in the shared list, appending it when new."""
        key = dedup_key(representation)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.representations)
            self.representations.append(representation)
        return found

    def variables(self) -> dict[str, Any]:
        return {**self.others, "representations": self.representations}


class _Run:
    """The state of one plan execution."""

    __slots__ = (
        "abstract",
        "errors",
        "headers",
        "merge",
        "queued",
        "root",
        "schema",
        "transport",
        "variables",
    )

    def __init__(
        self,
        variables: Mapping[str, Any],
        transport: Transport,
        context: RequestContext,
        schema: GraphQLSchema | None,
    ) -> None:
        self.variables = variables
        self.transport = transport
        self.headers = context.headers
        self.schema = schema
        self.abstract = _abstract_type_names(schema)
        self.errors: list[JSONError] = []
        self.root: JSONObject = {}
        self.merge = True
        self.queued: dict[str, list[_Queued]] = {}

    async def node(self, node: PlanNode, targets: list[Target]) -> None:
        match node:
            case Fetch():
                await self.fetch(node, targets)
            case Flatten(path=path, node=inner):
                found = _walk(targets, path)
                if found:
                    await self.node(inner, found)
            case Sequence(nodes=nodes):
                for child in nodes:
                    await self.node(child, targets)
            case Parallel(nodes=nodes):
                await asyncio.gather(*(self.node(child, targets) for child in nodes))

    async def fetch(self, fetch: Fetch, targets: list[Target]) -> None:
        if fetch.requires is None:
            await self.root_fetch(fetch, targets)
        else:
            await self.entity_fetch(fetch, targets)

    def fetch_variables(self, fetch: Fetch) -> dict[str, Any]:
        variables = self.variables
        return {name: variables[name] for name in fetch.variable_usages if name in variables}

    async def root_fetch(self, fetch: Fetch, targets: list[Target]) -> None:
        body = _body(fetch, self.fetch_variables(fetch))
        response = await self.send(fetch, body)
        if isinstance(response, TransportError):
            prefix = _flat(targets[0][1]) if len(targets) == 1 else ()
            for key in _root_response_keys(fetch.operation):
                self.errors.append(_failure_error(fetch.service, response, (*prefix, key)))
            return
        data = response.get("data")
        if isinstance(data, dict):
            for obj, _ in targets:
                deep_merge(obj, data, self.abstract)
        only = _flat(targets[0][1]) if len(targets) == 1 else None
        for error in response.get("errors") or ():
            self.errors.append(_subgraph_error(fetch.service, error, _prefixed(error, only)))

    async def entity_fetch(self, fetch: Fetch, targets: list[Target]) -> None:
        assert fetch.requires is not None
        if fetch.context_rewrites:
            await self.contextual_fetch(fetch, targets)
            return
        representations, owners = self.representations(fetch, targets)
        if not representations:
            return
        variables = self.fetch_variables(fetch)
        variables["representations"] = representations
        if self.merge:
            response, key = await self.merged_send(fetch, variables)
        else:
            response, key = await self.send(fetch, _body(fetch, variables)), _ENTITIES
        self.merge_entities(fetch, response, [(key, representations, owners)])

    async def merged_send(self, fetch: Fetch, variables: dict[str, Any]) -> Answer:
        """Send with the entity fetches to the same subgraph queued in this loop turn."""
        queue = self.queued.get(fetch.service)
        if queue is not None:
            waiting: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
            queue.append(_Queued(fetch, variables, waiting))
            return await waiting
        queue = [_Queued(fetch, variables, None)]
        self.queued[fetch.service] = queue
        try:
            # Sibling branches of a Parallel reach their fetches before this task resumes.
            await asyncio.sleep(0)
            del self.queued[fetch.service]
            if len(queue) == 1:
                return await self.send(fetch, _body(fetch, variables)), _ENTITIES
            answers = await self.send_queued(queue)
        except BaseException as exc:
            if self.queued.get(fetch.service) is queue:
                del self.queued[fetch.service]
            for queued in queue[1:]:
                if queued.answer is not None and not queued.answer.done():
                    queued.answer.set_exception(exc)
            raise
        for queued, answer in zip(queue[1:], answers[1:], strict=True):
            assert queued.answer is not None
            queued.answer.set_result(answer)
        return answers[0]

    async def send_queued(self, queue: list[_Queued]) -> list[Answer]:
        """One request for the queue: fetches with the same operation share one ``_entities``
        (their representations concatenated, de-duplicated), different ones are aliased."""
        groups: dict[tuple[str, bytes], _Group] = {}
        members: list[tuple[_Group, list[int], bool]] = []
        for queued in queue:
            others = {k: v for k, v in queued.variables.items() if k != "representations"}
            group_key = (queued.fetch.operation, _variables_key(others))
            group = groups.get(group_key)
            leads = group is None
            if group is None:
                group = groups[group_key] = _Group(queued.fetch, others)
            indices = [group.add(r) for r in queued.variables["representations"]]
            members.append((group, indices, leads))
        views = await self.send_groups(list(groups.values()))
        answers: list[Answer] = []
        for group, indices, leads in members:
            response, key = views[id(group)]
            answers.append(
                (_sliced(response, key, indices, len(group.representations), leads), key)
            )
        return answers

    async def send_groups(self, groups: list[_Group]) -> dict[int, Answer]:
        if len(groups) == 1:
            fetch = groups[0].fetch
            return {
                id(groups[0]): (
                    await self.send(fetch, _body(fetch, groups[0].variables())),
                    _ENTITIES,
                )
            }
        operation = merged_operation(tuple(group.fetch.operation for group in groups))
        if operation is None:
            responses = await asyncio.gather(
                *(self.send(g.fetch, _body(g.fetch, g.variables())) for g in groups)
            )
            return {id(g): (r, _ENTITIES) for g, r in zip(groups, responses, strict=True)}
        first = groups[0].fetch
        variables = merged_variables([group.variables() for group in groups])
        response = await self.send(first, _body(first, variables, operation))
        keys = [f"_{index}" for index in range(len(groups))]
        return {
            id(g): (_answer_for(response, key, keys), key)
            for g, key in zip(groups, keys, strict=True)
        }

    async def contextual_fetch(self, fetch: Fetch, targets: list[Target]) -> None:
        """Objects grouped by their @fromContext values; one aliased _entities per group."""
        by_values: dict[bytes, tuple[dict[str, Any], list[Target]]] = {}
        for target in targets:
            values = context_values(fetch, self.root, _flat(target[1]), self.schema)
            by_values.setdefault(dedup_key(values), (values, []))[1].append(target)
        variables = self.fetch_variables(fetch)
        batches: list[Batch] = []
        for values, grouped in by_values.values():
            representations, owners = self.representations(fetch, grouped)
            if not representations:
                continue
            suffix = "" if len(by_values) == 1 else f"_{len(batches)}"
            variables.update({f"{name}{suffix}": value for name, value in values.items()})
            variables[f"representations{suffix}"] = representations
            batches.append((f"_{len(batches)}" if suffix else "_entities", representations, owners))
        if not batches:
            return
        operation = fetch.operation
        if len(by_values) > 1:
            names = tuple(rewrite.variable for rewrite in fetch.context_rewrites)
            operation = aliased_operation(fetch.operation, names, len(batches))
        response = await self.send(fetch, _body(fetch, variables, operation))
        self.merge_entities(fetch, response, batches)

    def merge_entities(
        self, fetch: Fetch, response: GraphQLResponse | TransportError, batches: list[Batch]
    ) -> None:
        first_path = _flat(batches[0][2][0][0][1])
        if isinstance(response, TransportError):
            self.errors.append(_failure_error(fetch.service, response, first_path))
            return
        data = response.get("data")
        for key, representations, _ in batches:
            entities = data.get(key) if isinstance(data, dict) else None
            if entities is not None and (
                not isinstance(entities, list) or len(entities) != len(representations)
            ):
                bad = TransportError(
                    "SUBREQUEST_MALFORMED_RESPONSE", "invalid _entities in response"
                )
                self.errors.append(_failure_error(fetch.service, bad, first_path))
                return
        for key, _, owners in batches:
            entities = data.get(key) if isinstance(data, dict) else None
            for entity, owned in zip(entities or (), owners, strict=False):
                if isinstance(entity, dict):
                    for obj, _ in owned:
                        deep_merge(obj, entity, self.abstract)
        owners_by_key = {key: owners for key, _, owners in batches}
        for error in response.get("errors") or ():
            path = _entity_path(error, owners_by_key)
            self.errors.append(_subgraph_error(fetch.service, error, path))

    def representations(
        self, fetch: Fetch, targets: list[Target]
    ) -> tuple[list[JSONObject], list[list[Target]]]:
        assert fetch.requires is not None
        shape = requires_shape(fetch.requires, self.schema)
        rewrites = dict(fetch.input_rewrites)
        representations: list[JSONObject] = []
        owners: list[list[Target]] = []
        seen: dict[bytes, int] = {}
        for target in targets:
            representation = shape.build(target[0])
            if representation is None:
                continue
            if rewrites:
                typename = representation.get("__typename")
                if isinstance(typename, str):
                    representation["__typename"] = rewrites.get(typename, typename)
            key = dedup_key(representation)
            index = seen.get(key)
            if index is None:
                seen[key] = len(representations)
                representations.append(representation)
                owners.append([target])
            else:
                owners[index].append(target)
        return representations, owners

    async def send(self, fetch: Fetch, body: JSONObject) -> GraphQLResponse | TransportError:
        try:
            response = await self.transport.send(
                fetch.service, body, self.headers, kind=fetch.operation_kind
            )
        except TransportError as exc:
            return exc
        if not _is_graphql_response(response):
            return TransportError("SUBREQUEST_MALFORMED_RESPONSE", "invalid GraphQL response")
        return response


def _body(fetch: Fetch, variables: dict[str, Any], operation: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"query": operation or fetch.operation, "variables": variables}
    if fetch.operation_name:
        body["operationName"] = fetch.operation_name
    return body


def _answer_for(
    response: GraphQLResponse | TransportError, key: str, keys: list[str]
) -> GraphQLResponse | TransportError:
    """One merged fetch's view of the shared answer: its errors (unplaced ones go to the first)."""
    if isinstance(response, TransportError):
        return response
    errors = [
        error
        for error in response.get("errors") or ()
        if _error_key(error, keys) == key or (key == keys[0] and _error_key(error, keys) is None)
    ]
    return {"data": response.get("data"), "errors": errors}


def _variables_key(variables: dict[str, Any]) -> bytes:
    """Equal for equal variables; unique when they cannot be serialized (files)."""
    try:
        return dedup_key(variables)
    except TypeError:
        return str(id(variables)).encode()


def _sliced(
    response: GraphQLResponse | TransportError, key: str, indices: list[int], size: int, leads: bool
) -> GraphQLResponse | TransportError:
    """One fetch's part of a shared ``_entities``: its entities, their errors re-indexed."""
    if isinstance(response, TransportError):
        return response
    data = response.get("data")
    entities = data.get(key) if isinstance(data, dict) else None
    if isinstance(entities, list) and len(entities) == size:
        entities = [entities[index] for index in indices]
    elif entities is not None:
        entities = _MALFORMED
    errors: list[Any] = []
    for error in response.get("errors") or ():
        path = error.get("path") if isinstance(error, dict) else None
        if isinstance(path, list) and len(path) > 1 and path[0] == key:
            errors.extend(
                {**error, "path": [key, mine, *path[2:]]}
                for mine, index in enumerate(indices)
                if index == path[1]
            )
        elif leads:
            errors.append(error)
    return {"data": {key: entities} if isinstance(data, dict) else data, "errors": errors}


def _error_key(error: Any, keys: list[str]) -> str | None:
    path = error.get("path") if isinstance(error, dict) else None
    if isinstance(path, list) and path and path[0] in keys:
        return str(path[0])
    return None


def _is_graphql_response(response: Any) -> bool:
    if not isinstance(response, dict):
        return False
    data = response.get("data")
    errors = response.get("errors")
    return (data is None or isinstance(data, dict)) and (errors is None or isinstance(errors, list))


def _walk(targets: list[Target], path: tuple[str, ...]) -> list[Target]:
    current: list[tuple[Any, Chain]] = list(targets)
    for segment in path:
        current = _step(current, segment)
    return [(obj, at) for obj, at in current if isinstance(obj, dict)]


def _flat(chain: Chain) -> ResponsePath:
    segments: list[str | int] = []
    while chain:
        chain, segment = chain
        segments.append(segment)
    segments.reverse()
    return tuple(segments)


def _step(current: list[tuple[Any, Chain]], segment: str) -> list[tuple[Any, Chain]]:
    found: list[tuple[Any, Chain]] = []
    if segment == "@":
        for value, at in current:
            if isinstance(value, list):
                found.extend((item, (at, i)) for i, item in enumerate(value) if item is not None)
        return found
    if segment.startswith(_TYPE_CONDITION):
        name = segment[len(_TYPE_CONDITION) :].strip()
        return [(v, at) for v, at in current if isinstance(v, dict) and v.get("__typename") == name]
    for value, at in current:
        if isinstance(value, dict):
            child = value.get(segment)
            if child is not None:
                found.append((child, (at, segment)))
        elif isinstance(value, list):
            found.extend(_step([(item, (at, i)) for i, item in enumerate(value)], segment))
    return found


@lru_cache(maxsize=256)
def _root_response_keys(operation: str) -> tuple[str, ...]:
    """The root response keys of a subgraph operation (to place a failed fetch's errors)."""
    try:
        document = parse(operation, no_location=True)
    except GraphQLError:
        return ()
    keys: list[str] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    keys.append(selection.alias.value if selection.alias else selection.name.value)
    return tuple(keys)


def _failure_error(service: str, exc: TransportError, path: ResponsePath | None) -> JSONError:
    error: dict[str, Any] = {"message": f"HTTP fetch failed from '{service}': {exc.message}"}
    if path:
        error["path"] = list(path)
    error["extensions"] = {"code": exc.code, "serviceName": service}
    return error


def _prefixed(error: Any, prefix: ResponsePath | None) -> list[str | int] | None:
    path = error.get("path") if isinstance(error, dict) else None
    if not isinstance(path, list):
        return None
    if prefix is None:
        return None
    return [*prefix, *path]


def _entity_path(
    error: Any, owners_by_key: Mapping[str, list[list[Target]]]
) -> list[str | int] | None:
    path = error.get("path") if isinstance(error, dict) else None
    if not isinstance(path, list) or len(path) < 2 or path[0] not in owners_by_key:
        return None
    owners = owners_by_key[path[0]]
    index = path[1]
    if not isinstance(index, int) or not 0 <= index < len(owners):
        return None
    return [*_flat(owners[index][0][1]), *path[2:]]


def _subgraph_error(service: str, error: Any, path: list[str | int] | None) -> JSONError:
    if not isinstance(error, dict):
        return {"message": str(error), "extensions": {"serviceName": service}}
    out: dict[str, Any] = {"message": str(error.get("message", "Subgraph error"))}
    if path is not None:
        out["path"] = path
    extensions = error.get("extensions")
    out["extensions"] = {
        **(extensions if isinstance(extensions, dict) else {}),
        "serviceName": service,
    }
    return out
