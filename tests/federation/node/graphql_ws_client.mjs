// Subscribes with the real `graphql-ws` client and prints every message as JSON lines.
// Usage: node graphql_ws_client.mjs <ws-url> <json request> [authorization]
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, request, authorization] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: authorization ? { Authorization: authorization } : {},
  retryAttempts: 0,
});

const out = [];
const finish = (code) => {
  console.log(JSON.stringify(out));
  client.dispose();
  process.exit(code);
};

client.subscribe(JSON.parse(request), {
  next: (value) => out.push({ next: value }),
  error: (error) => {
    out.push({ error: Array.isArray(error) ? error : String(error?.reason ?? error) });
    finish(0);
  },
  complete: () => {
    out.push({ complete: true });
    finish(0);
  },
});
setTimeout(() => finish(1), 20000);
