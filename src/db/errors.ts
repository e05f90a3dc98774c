import { DrizzleQueryError } from "drizzle-orm/errors";

// D1 reports constraint failures as text. Every place that needs to tell one
// from another asks here, so the message format is read in one place.

function messagesOf(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    parts.push(e.message);
  }
  return parts.join(" | ");
}

/**
 * True when `error` is a UNIQUE violation of the column named. Only SQLite's
 * own list of columns is read: the wrapping messages quote the whole statement,
 * which names other unique columns too.
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  const failed = /UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/i.exec(messagesOf(error));
  return failed?.[1]?.split(", ").some((name) => name === column || name.endsWith(`.${column}`)) ?? false;
}

export function isForeignKeyViolation(error: unknown): boolean {
  return /FOREIGN KEY constraint failed/i.test(messagesOf(error));
}

/** True when `error` came from the database layer rather than from our code. */
export function isDatabaseError(error: unknown): boolean {
  if (error instanceof DrizzleQueryError) return true;
  return error instanceof Error && /\bD1_|SQLITE_|D1 /.test(messagesOf(error));
}
