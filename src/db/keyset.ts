import { asc, desc, gt, lt, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** An item's place in a list (src/domain/cursor.ts): its id; in a search ranked by relevance, its score too. */
export type Position = { id: number; rank?: number };

/**
 * The rows to read for a page: `limit` of them from `offset`, or from the
 * item after (or before) a position. A page before a position is read
 * walking backwards, nearest first; the domain puts it back in order.
 */
export type PageWindow = { limit: number; offset: number; after?: Position; before?: Position };

/** Whether the page is read against the list's order (a page before a position). */
export const backwards = (page: PageWindow) => page.before !== undefined;

/**
 * The condition and order of a page in a list ordered by `id` (descending:
 * newest first): the ids past the page's position in the direction walked,
 * nearest first. Read with its `offset` (0 from a position), it stops after
 * the page, at any depth.
 */
export function idKeyset(id: SQLiteColumn, descending: boolean, page: PageWindow) {
  const walkDescending = descending !== backwards(page);
  const from = page.after ?? page.before;
  const where: SQL | undefined = from === undefined ? undefined : walkDescending ? lt(id, from.id) : gt(id, from.id);
  return { where, orderBy: walkDescending ? desc(id) : asc(id), offset: from === undefined ? page.offset : 0 };
}
