"""Mutable, mergeable selection trees the planner fills in and prints as subgraph selections."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    SelectionNode,
    SelectionSetNode,
    print_ast,
)

__all__ = ["FieldItem", "FragmentItem", "Tree"]


def _print_all(nodes: tuple[ArgumentNode, ...] | tuple[DirectiveNode, ...]) -> str:
    return " ".join(print_ast(node) for node in nodes)


@dataclass(eq=False)
class FieldItem:
    """A field in a subgraph selection; ``sub`` is None for leaves."""

    name: str
    alias: str | None
    arguments: tuple[ArgumentNode, ...] = ()
    directives: tuple[DirectiveNode, ...] = ()
    sub: Tree | None = None

    @property
    def response_key(self) -> str:
        return self.alias or self.name

    def to_ast(self) -> FieldNode:
        return FieldNode(
            alias=NameNode(value=self.alias) if self.alias else None,
            name=NameNode(value=self.name),
            arguments=self.arguments,
            directives=self.directives,
            selection_set=self.sub.to_ast() if self.sub is not None else None,
        )


@dataclass(eq=False)
class FragmentItem:
    """An inline fragment (``... on T @include(...)``) in a subgraph selection."""

    type_condition: str | None
    directives: tuple[DirectiveNode, ...]
    sub: Tree

    def to_ast(self, inherited: frozenset[tuple[str, ...]] = frozenset()) -> InlineFragmentNode:
        condition = self.type_condition
        return InlineFragmentNode(
            type_condition=NamedTypeNode(name=NameNode(value=condition)) if condition else None,
            directives=self.directives,
            selection_set=self.sub.to_ast(inherited),
        )


@dataclass(eq=False)
class Tree:
    """An ordered selection set whose equal fields and fragments merge."""

    items: dict[tuple[str, ...], FieldItem | FragmentItem] = field(default_factory=dict)
    _aliases: int = 0

    def field(
        self,
        name: str,
        *,
        alias: str | None = None,
        arguments: tuple[ArgumentNode, ...] = (),
        directives: tuple[DirectiveNode, ...] = (),
        composite: bool = False,
        first: bool = False,
    ) -> FieldItem:
        """The field with this response key and directives, created if missing."""
        key = ("field", alias or name, _print_all(directives))
        existing = self.items.get(key)
        if isinstance(existing, FieldItem):
            return existing
        item = FieldItem(name, alias, arguments, directives, Tree() if composite else None)
        self._insert(key, item, first)
        return item

    def added_field(
        self,
        name: str,
        *,
        arguments: tuple[ArgumentNode, ...] = (),
        composite: bool = False,
        first: bool = False,
    ) -> FieldItem:
        """A field the planner needs; aliased when its name is another field's response key."""
        arguments_text = _print_all(arguments)
        direct = self.items.get(("field", name, ""))
        if (
            isinstance(direct, FieldItem)
            and direct.name == name
            and _print_all(direct.arguments) == arguments_text
        ):
            return direct
        clash = direct is not None or any(
            item.name != name or _print_all(item.arguments) != arguments_text
            for item in self._fields_with_key(name)
        )
        if clash:
            alias = self._fresh_alias(name, arguments)
            return self.field(name, alias=alias, arguments=arguments, composite=composite)
        return self.field(name, arguments=arguments, composite=composite, first=first)

    def fragment(
        self, type_condition: str | None, directives: tuple[DirectiveNode, ...] = ()
    ) -> Tree:
        """The sub-tree of the inline fragment with this condition and directives."""
        key = ("fragment", type_condition or "", _print_all(directives))
        existing = self.items.get(key)
        if isinstance(existing, FragmentItem):
            return existing.sub
        item = FragmentItem(type_condition, directives, Tree())
        self._insert(key, item, False)
        return item.sub

    def merge(self, other: Tree) -> None:
        """Add every selection of ``other`` into this tree."""
        for item in other.items.values():
            if isinstance(item, FragmentItem):
                self.fragment(item.type_condition, item.directives).merge(item.sub)
                continue
            merged = self.field(
                item.name,
                alias=item.alias,
                arguments=item.arguments,
                directives=item.directives,
                composite=item.sub is not None,
            )
            if item.sub is not None and merged.sub is not None:
                merged.sub.merge(item.sub)

    def move_to_front(self, keys: list[tuple[str, ...]]) -> None:
        """Put these items first (keys an entity jump added read best up front)."""
        front = {key: self.items[key] for key in keys}
        self.items = {**front, **{k: v for k, v in self.items.items() if k not in front}}

    def to_ast(self, inherited: frozenset[tuple[str, ...]] = frozenset()) -> SelectionSetNode:
        """The selection set; leaves an enclosing level already selects are left out."""
        leaves = inherited | {
            key
            for key, item in self.items.items()
            if isinstance(item, FieldItem) and item.sub is None and not item.directives
        }
        selections: list[SelectionNode] = []
        for key, item in self.items.items():
            if isinstance(item, FragmentItem):
                fragment = item.to_ast(leaves)
                if fragment.selection_set.selections:
                    selections.append(fragment)
            elif key not in inherited or item.sub is not None:
                selections.append(item.to_ast())
        return SelectionSetNode(selections=tuple(selections))

    def _insert(self, key: tuple[str, ...], item: FieldItem | FragmentItem, first: bool) -> None:
        if not first:
            self.items[key] = item
            return
        self.items = {key: item, **self.items}

    def _fields_with_key(self, response_key: str) -> list[FieldItem]:
        found = [
            item
            for item in self.items.values()
            if isinstance(item, FieldItem) and item.response_key == response_key
        ]
        for item in self.items.values():
            if isinstance(item, FragmentItem):
                found.extend(item.sub._fields_with_key(response_key))
        return found

    def _fresh_alias(self, name: str, arguments: tuple[ArgumentNode, ...]) -> str:
        for item in self.items.values():
            if (
                isinstance(item, FieldItem)
                and item.alias
                and item.alias.startswith("__tf_")
                and item.name == name
                and _print_all(item.arguments) == _print_all(arguments)
            ):
                return item.alias
        self._aliases += 1
        return f"__tf_{self._aliases}_{name}"
