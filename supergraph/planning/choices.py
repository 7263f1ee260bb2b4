"""Choices between subgraphs recorded while planning, and the alternatives the search tries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["Decision", "DecisionKey", "alternatives", "search_budget"]

# (kind, position..., field, subgraph): one choice, recognisable across planning runs
DecisionKey = tuple[object, ...]

# Trial plans per operation: at most this many, fewer for large plans (each trial replans
# everything, so the budget shrinks as the plan grows), never fewer than the minimum.
_MAX_TRIALS = 24
_MIN_TRIALS = 4
_TRIAL_FETCHES = 240


@dataclass(frozen=True, slots=True)
class Decision:
    """One choice: ``options`` in greedy preference order, ``chosen`` among them.

    ``family`` groups like choices at different positions (the same field of the same
    type, reached from the same subgraph), which the search switches together first.
    """

    family: DecisionKey
    options: tuple[str, ...]
    chosen: str


def search_budget(fetches: int) -> int:
    """How many alternative plans to try for a greedy plan with ``fetches`` fetches."""
    return max(_MIN_TRIALS, min(_MAX_TRIALS, _TRIAL_FETCHES // max(fetches, 1)))


def alternatives(
    decisions: Mapping[DecisionKey, Decision], overrides: Mapping[DecisionKey, str]
) -> Iterator[dict[DecisionKey, str]]:
    """Override sets to try, each one change away from ``overrides``.

    First every option for a whole family of choices at once (aliased copies of one
    selection gain together), then every option for one choice.
    """
    families: dict[DecisionKey, list[DecisionKey]] = {}
    for key, decision in decisions.items():
        families.setdefault(decision.family, []).append(key)
    for keys in families.values():
        if len(keys) < 2:
            continue
        options = dict.fromkeys(o for key in keys for o in decisions[key].options)
        for option in options:
            changed = {
                key: option
                for key in keys
                if option in decisions[key].options and decisions[key].chosen != option
            }
            if changed:
                yield {**overrides, **changed}
    for key, decision in decisions.items():
        for option in decision.options:
            if option != decision.chosen:
                yield {**overrides, key: option}
