"""Local names of directives from `@link`ed specs in a supergraph, honouring `as:` and `import:`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import DocumentNode, SchemaDefinitionNode, SchemaExtensionNode, value_from_ast_untyped

__all__ = ["directive_arguments", "linked_directives"]


def directive_arguments(directive: Any) -> dict[str, Any]:
    """A directive node's arguments as plain Python values."""
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}


def _links(document: DocumentNode) -> list[dict[str, Any]]:
    return [
        directive_arguments(directive)
        for definition in document.definitions
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode)
        for directive in definition.directives or ()
        if directive.name.value == "link"
    ]


def _imports(raw: Any) -> dict[str, str]:
    imports: dict[str, str] = {}
    for item in raw or ():
        name, alias = (item.get("name"), item.get("as")) if isinstance(item, dict) else (item, None)
        imports[str(name).removeprefix("@")] = str(alias or name).removeprefix("@")
    return imports


def linked_directives(
    document: DocumentNode, specs: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    """Local directive name -> directive name, for each ``spec: (directives...)`` that is linked.

    A spec's own-named directive is ``@<prefix>``, others ``@<prefix>__<name>`` unless imported.
    """
    names: dict[str, str] = {}
    for args in _links(document):
        url = str(args.get("url") or "").rstrip("/")
        parts = url.split("/")
        spec = parts[-2] if len(parts) >= 2 else ""
        if spec not in specs:
            continue
        prefix = str(args.get("as") or spec)
        imports = _imports(args.get("import"))
        for directive in specs[spec]:
            default = prefix if directive == spec else f"{prefix}__{directive}"
            names[imports.get(directive, default)] = directive
    return names
