"""Human-readable printout of a query plan, in the style of Apollo's query planner."""

from __future__ import annotations

from graphql import (
    FieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from supergraph.plan import (
    ContextRewrite,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    Sequence,
    Subscription,
)

__all__ = ["print_plan"]

_INDENT = "  "


def print_plan(plan: QueryPlan) -> str:
    """Print ``plan`` as Apollo prints query plans (``QueryPlan { Sequence { Fetch ... } }``)."""
    if plan.node is None:
        return "QueryPlan {\n}"
    return "QueryPlan {\n" + _print_node(plan.node, 1) + ",\n}"


def _print_node(node: PlanNode, depth: int) -> str:
    pad = _INDENT * depth
    match node:
        case Fetch():
            return _print_fetch(node, depth)
        case Flatten():
            path = ".".join(node.path)
            inner = _print_node(node.node, depth + 1)
            return f'{pad}Flatten(path: "{path}") {{\n{inner},\n{pad}}}'
        case Sequence() | Parallel():
            children = "".join(_print_node(child, depth + 1) + ",\n" for child in node.nodes)
            return f"{pad}{node.kind} {{\n{children}{pad}}}"
        case Subscription():
            return _print_subscription(node, depth)
    raise TypeError(f"unknown plan node {node!r}")


def _print_subscription(node: Subscription, depth: int) -> str:
    """Apollo's layout: ``Subscription { Primary: { Fetch }, Rest: { ... } }``."""
    pad = _INDENT * depth
    inner = _INDENT * (depth + 1)
    primary = _print_node(node.primary, depth + 2)
    text = f"{pad}Subscription {{\n{inner}Primary: {{\n{primary}\n{inner}}}"
    if node.rest is not None:
        rest = _print_node(node.rest, depth + 2)
        text += f",\n{inner}Rest: {{\n{rest}\n{inner}}}"
    return text + f"\n{pad}}}"


def _print_fetch(fetch: Fetch, depth: int) -> str:
    pad = _INDENT * depth
    body_depth = depth + 1
    parts: list[str] = []
    if fetch.requires is not None:
        parts.append(_indent_block(print_ast(fetch.requires), body_depth) + " =>")
    parts.append(_indent_block(print_ast(_fetched_selection(fetch.operation)), body_depth))
    rewrites = ""
    if fetch.input_rewrites:
        pairs = ", ".join(f"{src} -> {dst}" for src, dst in fetch.input_rewrites)
        rewrites = f", inputRewrites: [{pairs}]"
    if fetch.context_rewrites:
        reads = ", ".join(_print_context_rewrite(rewrite) for rewrite in fetch.context_rewrites)
        rewrites += f", contextRewrites: [{reads}]"
    return (
        f'{pad}Fetch(service: "{fetch.service}"{rewrites}) {{\n' + "\n".join(parts) + f"\n{pad}}}"
    )


def _print_context_rewrite(rewrite: ContextRewrite) -> str:
    """``$var <- ../Account { currency }``: the variable, how far up, and what it reads."""
    selection = " ".join(print_ast(rewrite.selection).split())
    return f"${rewrite.variable} <- {'../' * rewrite.up}{rewrite.type_condition} {selection}"


def _fetched_selection(operation: str) -> SelectionSetNode:
    """The selection the fetch asks for: under ``_entities`` for entity fetches."""
    document = parse(operation, no_location=True)
    definition = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    selections = definition.selection_set.selections
    only = selections[0] if len(selections) == 1 else None
    if (
        isinstance(only, FieldNode)
        and only.name.value == "_entities"
        and only.alias is None
        and only.selection_set is not None
    ):
        return only.selection_set
    return definition.selection_set


def _indent_block(text: str, depth: int) -> str:
    pad = _INDENT * depth
    return "\n".join(pad + line for line in text.splitlines())
