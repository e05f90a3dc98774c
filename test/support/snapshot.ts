import { env } from "cloudflare:workers";
import { expect } from "vitest";

// The state of storage, captured so that a test can assert that a request
// changed nothing: every row of every application table of D1, and the KV keys
// that a write changes.
//
// D1: the tables are read from sqlite_master, so a table added by a later
// migration is covered without touching this file. SQLite's own tables
// (sqlite_%, e.g. sqlite_sequence), D1's (d1_%, e.g. d1_migrations) and the
// runtime's (_cf_%) are not application state and are left out. Rows are
// rendered as JSON with sorted keys and sorted within their table, so the
// snapshot does not depend on the order SQLite happens to return them in.
//
// KV: only keys starting with "stamp:" are compared. Those are the cache's
// invalidation stamps (src/http/kv-cache.ts); every write that changes
// something an anonymous reader can see stores one, so a refused request that
// stores one has reported a change it should not have made. The other keys
// ("answer:…") are cached answers, which any anonymous GET may add: filling
// the cache is not a change of state, and counting it would make every
// anonymous read look like a write. A write whose effect is invisible to anonymous
// readers (follow, email change) bumps no generation; the D1 rows catch those.

export type Snapshot = {
  /** Table name → its rows as canonical JSON, sorted. */
  tables: Record<string, string[]>;
  /** KV key → value, for the keys compared (see above). */
  kv: Record<string, string | null>;
  /** SHA-256 of all of the above, for a cheap equality test. */
  digest: string;
};

const INTERNAL_TABLE = /^(?:sqlite_|d1_|_cf_)/i;
/** The KV keys compared; see the comment at the top of this file. */
export const KV_STATE_PREFIX = "stamp:";

/** JSON with object keys sorted at every level, so equal rows render equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner instanceof ArrayBuffer) return { blob: [...new Uint8Array(inner)] };
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
      return sorted;
    }
    return inner;
  });
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Names of the application tables, sorted. */
export async function tableNames(db: D1Database = env.DB): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all<{ name: string }>();
  return results.map((row) => row.name).filter((name) => !INTERNAL_TABLE.test(name));
}

async function tableRows(db: D1Database, table: string): Promise<string[]> {
  const { results } = await db.prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`).all<Record<string, unknown>>();
  return results.map(canonicalJson).sort();
}

async function kvState(kv: KVNamespace, prefix: string): Promise<Record<string, string | null>> {
  const names: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page: KVNamespaceListResult<unknown, string> = await kv.list({ prefix, ...(cursor ? { cursor } : {}) });
    names.push(...page.keys.map((key) => key.name));
    if (page.list_complete) break;
    cursor = page.cursor;
  }
  names.sort();
  const values = await Promise.all(names.map((name) => kv.get(name, "text")));
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? null]));
}

/** Captures the state of D1 and of the KV keys that writes change. */
export async function snapshot(db: D1Database = env.DB, kv: KVNamespace = env.CACHE): Promise<Snapshot> {
  const names = await tableNames(db);
  const rows = await Promise.all(names.map((name) => tableRows(db, name)));
  const tables = Object.fromEntries(names.map((name, i) => [name, rows[i] ?? []]));
  const kvKeys = await kvState(kv, KV_STATE_PREFIX);
  return { tables, kv: kvKeys, digest: await sha256(canonicalJson({ tables, kv: kvKeys })) };
}

/**
 * Asserts that storage is as it was when `before` was taken. On a difference
 * the failure shows which table or key changed, not just two digests.
 */
export async function expectUnchanged(before: Snapshot, label = "storage", db?: D1Database, kv?: KVNamespace): Promise<void> {
  const after = await snapshot(db, kv);
  if (after.digest === before.digest) return;
  expect(after.tables, `${label}: D1 rows changed`).toEqual(before.tables);
  expect(after.kv, `${label}: KV generations changed`).toEqual(before.kv);
  expect(after.digest, label).toBe(before.digest);
}
