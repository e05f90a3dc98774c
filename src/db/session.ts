import type { D1Client } from "./metered";

// D1 read replication through the Sessions API. A request starts a session
// either where the client's last one ended (its bookmark, so it reads its own
// writes even from a replica) or, without one, at any replica for reads and at
// the primary for writes. With replication off (local development) the same
// calls run against the one database.

export const BOOKMARK_HEADER = "X-D1-Bookmark";

// D1 bookmarks look like 00000000-00000005-00000000-<32 hex>; anything else is
// ignored rather than handed to D1.
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/i;

export function validBookmark(header: string | undefined): string | null {
  const value = header?.trim();
  return value && BOOKMARK.test(value) ? value : null;
}

export type D1Session = D1Client & { getBookmark(): string | null };

export function openSession(binding: D1Database, bookmark: string | null, readOnly: boolean): D1Session {
  return binding.withSession(bookmark ?? (readOnly ? "first-unconstrained" : "first-primary"));
}

/**
 * A session opened at its first statement, so that what runs before (the
 * cache) can still say where it must start: `startAt()` is asked then.
 */
export function lazySession(binding: D1Database, startAt: () => string | null, readOnly: boolean): D1Session {
  let session: D1Session | null = null;
  const open = () => {
    session ??= openSession(binding, startAt(), readOnly);
    return session;
  };
  return {
    prepare: (sql) => open().prepare(sql),
    batch: (statements) => open().batch(statements),
    getBookmark: () => session?.getBookmark() ?? null,
  };
}
