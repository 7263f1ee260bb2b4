// Answers a batch of GraphQL operations with @apollo/gateway, for the differential corpus test.
// stdin: {"supergraphSdl": "...", "queries": [{"id", "query", "variables", "operationName"}]}
// stdout: a JSON list with one {"data", "errors"} response per query, in order.
// Each subgraph request carries the header x-corpus-query: <id> so the subgraph server can
// attribute (and count) calls per query.
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";

class TaggedDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    request.http.headers.set("x-corpus-query", String(context.queryId ?? ""));
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const input = await readStdin();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const gateway = new ApolloGateway({
  supergraphSdl: input.supergraphSdl,
  buildService: ({ url }) => new TaggedDataSource({ url }),
  logger: quiet,
});
const server = new ApolloServer({ gateway, introspection: true, logger: quiet, includeStacktraceInErrorResponses: false });
await server.start();
const responses = [];
for (const q of input.queries) {
  const response = await server.executeOperation(
    { query: q.query, variables: q.variables ?? undefined, operationName: q.operationName ?? undefined },
    { contextValue: { queryId: q.id } },
  );
  const result = response.body.kind === "single" ? response.body.singleResult : { errors: [{ message: "incremental" }] };
  responses.push({ data: result.data, errors: result.errors });
}
await server.stop();
process.stdout.write(JSON.stringify(responses));
