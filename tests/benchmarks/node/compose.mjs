// Composes the benchmark subgraphs into a supergraph with @apollo/composition, printed on stdout.
// Usage: node compose.mjs name=path.graphql@url ...
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

function service(arg) {
  const [name, rest] = arg.split(/=(.*)/s);
  const [path, url] = rest.split(/@(.*)/s);
  return { name, url, typeDefs: parse(readFileSync(path, "utf8")) };
}

const result = composeServices(process.argv.slice(2).map(service));
if (result.errors) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}
process.stdout.write(result.supergraphSdl + "\n");
