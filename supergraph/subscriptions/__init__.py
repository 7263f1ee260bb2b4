"""Router-side subscriptions: plan ``Subscription`` nodes streamed to clients over WebSocket,
SSE and multipart HTTP, with subgraph streams over graphql-transport-ws."""

from supergraph.subscriptions.execution import StreamRequest, SubscriptionRunner, TokenVerifier
from supergraph.subscriptions.middleware import (
    SubscriptionOptions,
    SubscriptionsMiddleware,
    install_subscriptions,
    subscriptions_middleware,
)
from supergraph.subscriptions.protocol import SubscriptionFailed
from supergraph.subscriptions.upstream import (
    AsgiSubscriptionTransport,
    SubscriptionTransport,
    WebSocketSubscriptionTransport,
    subscription_transport_for,
)
from supergraph.subscriptions.websocket import LIMIT_EXCEEDED

__all__ = [
    "LIMIT_EXCEEDED",
    "AsgiSubscriptionTransport",
    "StreamRequest",
    "SubscriptionFailed",
    "SubscriptionOptions",
    "SubscriptionRunner",
    "SubscriptionTransport",
    "SubscriptionsMiddleware",
    "TokenVerifier",
    "WebSocketSubscriptionTransport",
    "install_subscriptions",
    "subscription_transport_for",
    "subscriptions_middleware",
]
