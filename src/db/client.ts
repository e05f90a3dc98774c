import { drizzle } from "drizzle-orm/d1";
import type { D1Client } from "./metered";

export type Db = ReturnType<typeof openDb>;

// Built per request from the client it is given (a metered D1 session; in
// tests, possibly a wrapped binding), so the caller decides what the database is.
// Drizzle only calls prepare() and batch(), which sessions and bindings share.
// No `schema` option: relational queries are not used, and building their
// config on every request would be most of a cache hit's cost.
export function openDb(client: D1Client) {
  return drizzle(client as D1Database);
}
