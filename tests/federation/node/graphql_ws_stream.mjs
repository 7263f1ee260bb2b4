// Subscribes with the real `graphql-ws` client to several operations on one connection and prints
// each message as one JSON line the moment it arrives; exits after `count` results.
// Usage: node graphql_ws_stream.mjs <ws-url> <json list of requests> <count> [authorization]
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, requests, count, authorization] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: authorization ? { Authorization: authorization } : {},
  retryAttempts: 0,
  on: { connected: () => console.log(JSON.stringify({ connected: true })) },
});

let received = 0;
const finish = (code) => {
  client.dispose();
  process.exit(code);
};

JSON.parse(requests).forEach((request, index) => {
  client.subscribe(request, {
    next: (value) => {
      console.log(JSON.stringify({ index, next: value }));
      received += 1;
      if (received >= Number(count)) finish(0);
    },
    error: (error) => {
      const reason = Array.isArray(error) ? error : String(error?.reason ?? error);
      console.log(JSON.stringify({ index, error: reason }));
      finish(2);
    },
    complete: () => console.log(JSON.stringify({ index, complete: true })),
  });
});
setTimeout(() => finish(1), 60000);
