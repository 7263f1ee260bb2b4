// Serves the benchmark's four subgraphs (accounts, inventory, products, reviews) from one Node
// process, one port each, plus a non-federated "monolith" of the same data when asked.
// Usage: node subgraphs.mjs [--base-port 4201] [--no-cache] [--monolith PORT]
// Ports: accounts base, inventory base+1, products base+2, reviews base+3.
// GET /stats answers {"requests": n} and POST /stats/reset zeroes it (per port).
// Answers are cached by request body: the data is static, and the cache keeps the subgraphs
// far cheaper than any gateway in front of them, so they are never the bottleneck.
import { readFileSync } from "node:fs";
import http from "node:http";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { execute, parse, validate } from "graphql";
import { buildSchema } from "graphql";
import * as data from "./data.mjs";

const SDL_DIR = new URL("../subgraphs/", import.meta.url);

const RESOLVERS = {
  accounts: {
    Query: {
      me: () => data.USERS[0],
      user: (_, { id }) => data.USER_BY_ID.get(id) ?? null,
      users: () => data.USERS,
    },
    User: { __resolveReference: (ref) => data.USER_BY_ID.get(ref.id) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: (ref) => ({ ...ref, ...inStockOf(ref.upc) }),
      shippingEstimate: (product) => data.shippingEstimate(product),
    },
  },
  products: {
    Query: { topProducts: (_, { first }) => data.PRODUCTS.slice(0, first ?? 5) },
    Product: { __resolveReference: (ref) => data.PRODUCT_BY_UPC.get(ref.upc) ?? null },
  },
  reviews: {
    Review: {
      __resolveReference: (ref) => data.REVIEW_BY_ID.get(ref.id) ?? null,
      product: (review) => ({ upc: review.upc }),
      author: () => data.AUTHOR,
    },
    User: {
      __resolveReference: (ref) => ({ id: ref.id }),
      reviews: () => data.USER_REVIEWS,
    },
    Product: {
      __resolveReference: (ref) => ({ upc: ref.upc }),
      reviews: (product) => data.REVIEWS_BY_UPC.get(product.upc) ?? [],
    },
  },
};

function inStockOf(upc) {
  return { inStock: data.PRODUCT_BY_UPC.get(upc)?.inStock ?? null };
}

const MONOLITH_SDL = `
  type Query { me: User  user(id: ID!): User  users: [User]  topProducts(first: Int = 5): [Product] }
  type User { id: ID!  name: String  username: String  birthday: Int  reviews: [Review] }
  type Review { id: ID!  body: String  product: Product  author: User }
  type Product {
    upc: String!  name: String  price: Int  weight: Int
    inStock: Boolean  shippingEstimate: Int  reviews: [Review]
  }
`;

const MONOLITH_ROOT = {
  me: () => data.USERS[0],
  user: ({ id }) => data.USER_BY_ID.get(id) ?? null,
  users: () => data.USERS,
  topProducts: ({ first }) => data.PRODUCTS.slice(0, first ?? 5),
};

function monolithSchema() {
  const schema = buildSchema(MONOLITH_SDL);
  const fields = (name) => schema.getType(name).getFields();
  fields("User").reviews.resolve = () => data.USER_REVIEWS;
  fields("Review").product.resolve = (review) => data.PRODUCT_BY_UPC.get(review.upc);
  fields("Review").author.resolve = () => data.USERS[0];
  fields("Product").reviews.resolve = (product) => data.REVIEWS_BY_UPC.get(product.upc) ?? [];
  fields("Product").shippingEstimate.resolve = (product) => data.shippingEstimate(product);
  return schema;
}

function subgraphSchema(name) {
  const typeDefs = parse(readFileSync(new URL(`${name}.graphql`, SDL_DIR), "utf8"));
  return buildSubgraphSchema([{ typeDefs, resolvers: RESOLVERS[name] }]);
}

const documents = new Map();

function documentFor(schema, query) {
  let entry = documents.get(query);
  if (entry && entry.schema === schema) return entry;
  const document = parse(query);
  entry = { schema, document, errors: validate(schema, document) };
  documents.set(query, entry);
  return entry;
}

async function answer(schema, rootValue, body) {
  const { query, variables, operationName } = JSON.parse(body);
  const { document, errors } = documentFor(schema, query);
  if (errors.length > 0) return JSON.stringify({ errors });
  const result = await execute({
    schema,
    document,
    rootValue,
    variableValues: variables,
    operationName,
  });
  return JSON.stringify(result);
}

function serve(schema, rootValue, port, useCache) {
  const cache = new Map();
  const stats = { requests: 0 };
  const server = http.createServer((req, res) => {
    if (req.url.startsWith("/stats")) {
      if (req.method === "POST") stats.requests = 0;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(stats));
      return;
    }
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      stats.requests += 1;
      const body = Buffer.concat(chunks).toString("utf8");
      let payload = useCache ? cache.get(body) : undefined;
      if (payload === undefined) {
        try {
          payload = await answer(schema, rootValue, body);
        } catch (error) {
          payload = JSON.stringify({ errors: [{ message: String(error) }] });
        }
        if (useCache && cache.size < 10000) cache.set(body, payload);
      }
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(payload),
      });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 120_000;
  server.listen(port, "127.0.0.1");
}

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const basePort = Number(option("--base-port", "4201"));
const useCache = !process.argv.includes("--no-cache");
const monolithPort = option("--monolith", null);
if (monolithPort) {
  serve(monolithSchema(), MONOLITH_ROOT, Number(monolithPort), false);
  console.log(`monolith ready on ${monolithPort}`);
} else {
  ["accounts", "inventory", "products", "reviews"].forEach((name, index) => {
    serve(subgraphSchema(name), undefined, basePort + index, useCache);
  });
  console.log(`subgraphs ready on ${basePort}-${basePort + 3} (cache ${useCache ? "on" : "off"})`);
}
