import { drizzle } from "drizzle-orm/d1";
import type { D1Client } from "./metered";
import * as schema from "./schema";

export type Db = ReturnType<typeof openDb>;

// Built per request from the client it is given (a metered D1 session; in
// tests, possibly a wrapped binding), so the caller decides what the database is.
// Drizzle only calls prepare() and batch(), which sessions and bindings share.
export function openDb(client: D1Client) {
  return drizzle(client as D1Database, { schema });
}
