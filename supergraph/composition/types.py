"""Type-reference helpers: Apollo's subtyping rules for merging field and argument types."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["is_strict_subtype", "is_subtype"]

IsDirectSubtype = Callable[[str, str], bool]


def _unwrap(ref: str) -> tuple[str, str]:
    if ref.endswith("!"):
        return "non_null", ref[:-1]
    if ref.startswith("["):
        return "list", ref[1:-1]
    return "named", ref


def is_subtype(ref: str, maybe_sub: str, direct: IsDirectSubtype) -> bool:
    """Whether `maybe_sub` equals `ref` or is a strict subtype of it."""
    return ref == maybe_sub or is_strict_subtype(ref, maybe_sub, direct)


def is_strict_subtype(ref: str, maybe_sub: str, direct: IsDirectSubtype) -> bool:
    """Apollo's default rules: direct, nonNullable_downgrade, list and non-null propagation.

    `direct(abstract, named)` says whether object/interface `named` implements interface
    (or is a member of union) `abstract`.
    """
    sub_kind, sub_inner = _unwrap(maybe_sub)
    kind, inner = _unwrap(ref)
    if sub_kind == "list":
        return kind == "list" and is_subtype(inner, sub_inner, direct)
    if sub_kind == "non_null":
        if kind == "non_null":
            return is_subtype(inner, sub_inner, direct)
        return is_subtype(ref, sub_inner, direct)
    return kind == "named" and direct(ref, maybe_sub)
