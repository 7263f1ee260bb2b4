"""Prometheus-style metrics kept in process and rendered in the text exposition format."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from supergraph.json_types import GraphQLResponse, JSONObject
from supergraph.plan import OperationKind
from supergraph.transport import Transport

__all__ = ["LATENCY_BUCKETS", "Metrics", "TimedTransport"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]


def _labels(labels: Mapping[str, str]) -> Labels:
    return tuple(sorted(labels.items()))


def _format(labels: Labels, extra: tuple[tuple[str, str], ...] = ()) -> str:
    pairs = (*labels, *extra)
    if not pairs:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class _Histogram:
    __slots__ = ("buckets", "count", "sum")

    def __init__(self) -> None:
        self.buckets = [0] * len(LATENCY_BUCKETS)
        self.count = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.count += 1
        self.sum += value
        for index, bound in enumerate(LATENCY_BUCKETS):
            if value <= bound:
                self.buckets[index] += 1


class Metrics:
    """Counters and latency histograms by name and labels."""

    def __init__(self) -> None:
        self._counters: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))
        self._histograms: dict[str, dict[Labels, _Histogram]] = defaultdict(dict)
        self._gauges: dict[str, Any] = {}
        self._help: dict[str, str] = {}

    def count(self, name: str, help_text: str, amount: float = 1, **labels: str) -> None:
        self._help.setdefault(name, help_text)
        self._counters[name][_labels(labels)] += amount

    def observe(self, name: str, help_text: str, seconds: float, **labels: str) -> None:
        self._help.setdefault(name, help_text)
        series = self._histograms[name]
        key = _labels(labels)
        histogram = series.get(key)
        if histogram is None:
            histogram = series[key] = _Histogram()
        histogram.observe(seconds)

    def gauge(self, name: str, help_text: str, read: Any) -> None:
        """A value read when metrics are rendered (``read`` is a zero-argument callable)."""
        self._help[name] = help_text
        self._gauges[name] = read

    def render(self) -> str:
        lines: list[str] = []
        for name, series in sorted(self._counters.items()):
            lines += [f"# HELP {name} {self._help[name]}", f"# TYPE {name} counter"]
            lines += [f"{name}{_format(k)} {v:g}" for k, v in sorted(series.items())]
        for name, histograms in sorted(self._histograms.items()):
            lines += [f"# HELP {name} {self._help[name]}", f"# TYPE {name} histogram"]
            for key, histogram in sorted(histograms.items()):
                lines += self._histogram_lines(name, key, histogram)
        for name, read in sorted(self._gauges.items()):
            lines += [f"# HELP {name} {self._help[name]}", f"# TYPE {name} counter"]
            lines.append(f"{name} {read():g}")
        return "\n".join(lines) + "\n"

    @staticmethod
    def _histogram_lines(name: str, key: Labels, histogram: _Histogram) -> list[str]:
        lines = [
            f"{name}_bucket{_format(key, (('le', f'{bound:g}'),))} {count}"
            for bound, count in zip(LATENCY_BUCKETS, histogram.buckets, strict=True)
        ]
        lines.append(f"{name}_bucket{_format(key, (('le', '+Inf'),))} {histogram.count}")
        lines.append(f"{name}_sum{_format(key)} {histogram.sum:g}")
        lines.append(f"{name}_count{_format(key)} {histogram.count}")
        return lines


class TimedTransport:
    """Wraps a transport to record each subgraph fetch's latency and failures."""

    def __init__(self, inner: Transport, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    async def send(
        self,
        service: str,
        body: JSONObject,
        headers: Mapping[str, str],
        *,
        kind: OperationKind | None = None,
    ) -> GraphQLResponse:
        started = time.perf_counter()
        outcome = "error"
        try:
            response = await self.inner.send(service, body, headers, kind=kind)
            outcome = "ok"
            return response
        finally:
            self.metrics.observe(
                "taskforge_subgraph_fetch_seconds",
                "Latency of subgraph fetches.",
                time.perf_counter() - started,
                subgraph=service,
                outcome=outcome,
            )

    async def aclose(self) -> None:
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()
