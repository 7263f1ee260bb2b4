"""The router's executor: runs query plans and shapes responses to the client's operation."""

from supergraph.execution.executor import RequestContext, deep_merge, execute_plan
from supergraph.execution.shaping import CompiledOperation, shape_response

__all__ = [
    "CompiledOperation",
    "RequestContext",
    "deep_merge",
    "execute_plan",
    "shape_response",
]
