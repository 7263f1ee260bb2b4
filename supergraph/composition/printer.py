"""Print a supergraph model exactly the way @apollo/composition prints a supergraph SDL."""

from __future__ import annotations

from collections.abc import Sequence

from .supergraph_model import (
    MergedArgument,
    MergedDirective,
    MergedField,
    MergedType,
    SupergraphModel,
)

__all__ = ["locale_sort_key", "print_supergraph"]

INDENT = "  "
KEYWORDS = {
    "object": "type",
    "interface": "interface",
    "union": "union",
    "enum": "enum",
    "input": "input",
    "scalar": "scalar",
}


def locale_sort_key(name: str) -> tuple[tuple[tuple[int, str], ...], tuple[int, ...]]:
    """Order names as JavaScript's `localeCompare` does for GraphQL names (ICU root collation).

    Underscore sorts before digits, digits before letters, letters ignore case first and
    lowercase wins ties.
    """
    primary = tuple((0, c) if c == "_" else (1, c) if c.isdigit() else (2, c.lower()) for c in name)
    tertiary = tuple(1 if c.isupper() else 0 for c in name)
    return primary, tertiary


def _block_string(value: str, prefer_multiple_lines: bool) -> str:
    single_line = "\n" not in value
    leading_space = value[:1] in (" ", "\t")
    multiple = not single_line or value.endswith(('"', "\\")) or prefer_multiple_lines
    result = "\n" if multiple and not (single_line and leading_space) else ""
    result += value
    if multiple:
        result += "\n"
    return '"""' + result.replace('"""', '\\"""') + '"""'


def _description(text: str | None, indentation: str = "", first_in_block: bool = True) -> str:
    if text is None:
        return ""
    block = _block_string(text, len(text) > 70)
    prefix = "\n" + indentation if indentation and not first_in_block else indentation
    return prefix + block.replace("\n", "\n" + indentation) + "\n"


def _directives_on_lines(directives: Sequence[str], end_with_newline: bool) -> str:
    if not directives:
        return ""
    joined = ("\n" + INDENT).join(directives)
    return "\n" + INDENT + joined + ("\n" if end_with_newline else "")


def _inline_directives(directives: Sequence[str]) -> str:
    return "".join(" " + d for d in directives)


def _argument(argument: MergedArgument) -> str:
    default = f" = {argument.default}" if argument.default is not None else ""
    return f"{argument.name}: {argument.type}{default}{_inline_directives(argument.directives)}"


def _arguments(arguments: Sequence[MergedArgument], indentation: str) -> str:
    if not arguments:
        return ""
    if all(a.description is None for a in arguments):
        return "(" + ", ".join(_argument(a) for a in arguments) + ")"
    inner = INDENT + indentation
    lines = [
        _description(a.description, inner, i == 0) + inner + _argument(a)
        for i, a in enumerate(arguments)
    ]
    return "(\n" + "\n".join(lines) + "\n" + indentation + ")"


def _field(merged_field: MergedField) -> str:
    default = f" = {merged_field.default}" if merged_field.default is not None else ""
    args = _arguments(merged_field.args, INDENT)
    return (
        f"{merged_field.name}{args}: {merged_field.type}{default}"
        f"{_inline_directives(merged_field.directives)}"
    )


def _block(items: Sequence[str]) -> str:
    return "{\n" + "\n".join(items) + "\n}" if items else ""


def _type(merged_type: MergedType) -> str:
    head = _description(merged_type.description) + KEYWORDS[merged_type.kind] + " "
    head += merged_type.name
    if merged_type.kind == "scalar":
        return head + _directives_on_lines(merged_type.directives, False)
    if merged_type.kind == "union":
        members = " = " + " | ".join(merged_type.members) if merged_type.members else ""
        return head + _directives_on_lines(merged_type.directives, bool(members)) + members
    if merged_type.interfaces:
        head += " implements " + " & ".join(merged_type.interfaces)
    if merged_type.kind == "enum":
        items = [
            _description(v.description, INDENT, i == 0)
            + INDENT
            + v.name
            + _inline_directives(v.directives)
            for i, v in enumerate(merged_type.values)
        ]
    else:
        items = [
            _description(f.description, INDENT, i == 0) + INDENT + _field(f)
            for i, f in enumerate(merged_type.fields)
        ]
    separator = " " if not merged_type.directives and items else ""
    return (
        head + _directives_on_lines(merged_type.directives, bool(items)) + separator + _block(items)
    )


def _schema(model: SupergraphModel) -> str:
    roots = [f"{INDENT}{op}: {name}" for op, name in model.roots]
    return "schema" + _directives_on_lines(model.links, True) + _block(roots)


def _graph_enum(model: SupergraphModel) -> str:
    values = [
        f'{INDENT}{g.enum_name} @join__graph(name: "{g.name}", url: "{g.url}")'
        for g in model.graphs
    ]
    return "enum join__Graph " + _block(values)


def _directive(directive: MergedDirective) -> str:
    repeatable = " repeatable" if directive.repeatable else ""
    return (
        f"{_description(directive.description)}directive @{directive.name}"
        f"{_arguments(directive.args, '')}{repeatable} on {' | '.join(directive.locations)}"
    )


def print_supergraph(model: SupergraphModel) -> str:
    """The supergraph SDL: schema, directive definitions, then types, sorted like Apollo."""
    directives = [*model.directive_definitions]
    directives += [(d.name, _directive(d)) for d in model.executable_directives]
    directives.sort(key=lambda d: locale_sort_key(d[0]))
    types = [(t.name, _type(t)) for t in model.types]
    types += [*model.spec_types, ("join__Graph", _graph_enum(model))]
    types.sort(key=lambda t: locale_sort_key(t[0]))
    parts = [_schema(model), *(d for _, d in directives), *(t for _, t in types)]
    return "\n\n".join(parts)
