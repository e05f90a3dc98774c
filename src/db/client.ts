import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof openDb>;

// Built per request from the binding it is given, so a caller (a test, later a
// D1 session) decides what the database is.
export function openDb(binding: D1Database) {
  return drizzle(binding, { schema });
}
