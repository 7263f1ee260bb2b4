// Runs graphql-http's GraphQL-over-HTTP server audit against a URL and prints the results as JSON.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
console.log(
  JSON.stringify(
    results.map(({ id, name, status, reason }) => ({ id, name, status, reason: reason ?? null })),
  ),
);
