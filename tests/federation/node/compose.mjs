// Composes subgraph SDLs into an Apollo Federation v2 supergraph SDL printed on stdout.
// Usage: node compose.mjs name1=path1.graphql[@url] name2=path2.graphql[@url] > supergraph.graphql
// Without @url a subgraph gets http://<name>.invalid/graphql; tests rewrite URLs anyway.
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

function parseArg(arg) {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new Error(`expected name=path.graphql[@url], got ${arg}`);
  const name = arg.slice(0, eq);
  const rest = arg.slice(eq + 1);
  const at = rest.indexOf("@");
  const path = at >= 0 ? rest.slice(0, at) : rest;
  const url = at >= 0 ? rest.slice(at + 1) : `http://${name}.invalid/graphql`;
  return { name, url, typeDefs: parse(readFileSync(path, "utf8")) };
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node compose.mjs name=path.graphql[@url] ...");
  process.exit(2);
}
const result = composeServices(args.map(parseArg));
if (result.errors) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.error(`hint: ${hint.definition.code}: ${hint.message}`);
process.stdout.write(result.supergraphSdl + "\n");
