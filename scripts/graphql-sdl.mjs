// Writes schema.graphql, the GraphQL schema as SDL, from src/api/graphql/sdl.ts
// (printed exactly as GET /graphql/schema.graphql serves it).
// test/graphql-transport.test.ts fails while the committed file differs.
// Node runs the TypeScript module directly (type stripping, Node >= 22.18).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildSchema } from "graphql";
import { printSdl, typeDefs } from "../src/api/graphql/sdl.ts";

const target = path.join(import.meta.dirname, "..", "schema.graphql");
writeFileSync(target, printSdl(buildSchema(typeDefs)));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
