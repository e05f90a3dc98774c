import type { PageWindow, Position } from "../db/keyset";
import type { Context } from "./context";
import { invalid } from "./errors";
import type { SigningKey } from "./tokens";

// Cursors for keyset pagination: a cursor names an item's position in a list
// (its id, and in a search ranked by relevance its score too), never an
// offset, so the page after it costs the same at any depth, and a walk
// through a list that changes meanwhile neither repeats nor skips the items
// that stay in it (in id order; a relevance score moves with the corpus).
//
// A cursor is `c1.<position>.<mac>`: the position in base64url, then the
// first 96 bits of an HMAC-SHA256 of it under a key derived from the newest
// token signing key (any configured key is accepted, so rotating keys keeps
// cursors working for a token lifetime). The position also names the list
// kind and order it belongs to, so a cursor is refused (422) anywhere but
// where it was given, and one that was altered or forged is refused too.

export type { Position };

const VERSION = "c1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAC_BYTES = 12;

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function fromBase64url(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

// One CryptoKey per signing key, for the isolate's lifetime (keys are few).
const macKeys = new Map<string, Promise<CryptoKey>>();

function macKey(key: SigningKey): Promise<CryptoKey> {
  let cryptoKey = macKeys.get(key.kid);
  if (!cryptoKey) {
    // A key of its own, derived from the token secret: a cursor's MAC can never pass for a token's signature.
    cryptoKey = crypto.subtle
      .importKey("raw", key.secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((secret) => crypto.subtle.sign("HMAC", secret, encoder.encode("conduit cursor key v1")))
      .then((derived) => crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
    macKeys.set(key.kid, cryptoKey);
  }
  return cryptoKey;
}

async function macOf(key: SigningKey, payload: string): Promise<Uint8Array> {
  const signature = await crypto.subtle.sign("HMAC", await macKey(key), encoder.encode(payload));
  return new Uint8Array(signature, 0, MAC_BYTES);
}

const payloadOf = (list: string, position: Position) =>
  [list, position.id, ...(position.rank === undefined ? [] : [position.rank])].join(":");

/** The cursor of `position` in the list `list` (its kind and order, e.g. `articles:newest`). */
export async function encodeCursor(ctx: Context, list: string, position: Position): Promise<string> {
  const [key] = ctx.tokens.keys;
  if (!key) throw new Error("no signing key configured");
  const payload = payloadOf(list, position);
  return `${VERSION}.${base64url(encoder.encode(payload))}.${base64url(await macOf(key, payload))}`;
}

const ID = /^[1-9]\d{0,15}$/;

/**
 * The position a cursor names in `list`; a 422 on `field` for anything that
 * is not a cursor this server gave for that list.
 */
export async function decodeCursor(ctx: Context, list: string, cursor: string, field: string): Promise<Position> {
  const refused = () => invalid({ [field]: ["is not a valid cursor"] });
  const [version, encoded, mac, ...rest] = cursor.split(".");
  if (version !== VERSION || !encoded || !mac || rest.length) throw refused();
  const bytes = fromBase64url(encoded);
  const given = fromBase64url(mac);
  if (!bytes || !given || given.length !== MAC_BYTES) throw refused();
  const payload = decoder.decode(bytes);
  let genuine = false;
  for (const key of ctx.tokens.keys) {
    const expected = await macOf(key, payload);
    // Every byte is compared, so the time taken says nothing about where a forgery differs.
    let difference = 0;
    for (let index = 0; index < MAC_BYTES; index++) difference |= (expected[index] ?? 0) ^ (given[index] ?? 0);
    genuine ||= difference === 0;
  }
  if (!genuine) throw refused();
  const parts = payload.split(":");
  const [kind, order, id, rank] = parts;
  if (`${kind}:${order}` !== list || parts.length > 4 || !id || !ID.test(id)) throw refused();
  const position: Position = { id: Number(id) };
  if (rank === undefined) return position;
  const score = Number(rank);
  if (!rank || !Number.isFinite(score)) throw refused();
  return { ...position, rank: score };
}

/** Where a page of a list starts: at an offset (the RealWorld contract), or after or before a cursor's item. */
export type PageStart = PageWindow;

const fromCursor = (start: PageStart) => start.after !== undefined || start.before !== undefined;

/** The rows to read for a page: from a cursor, one more than the page (pageOf drops it). */
export const windowOf = (start: PageStart): PageWindow => (fromCursor(start) ? { ...start, limit: start.limit + 1 } : start);

/** A page's query (limit, offset, and at most one cursor) with its cursor read; a 422 for a mix. */
export async function pageStartOf(
  ctx: Context,
  list: string,
  page: { limit: number; offset: number; after?: string | undefined; before?: string | undefined },
): Promise<PageStart> {
  const { limit, offset, after, before } = page;
  if (after !== undefined && before !== undefined) throw invalid({ before: ["cannot be combined with after"] });
  if ((after !== undefined || before !== undefined) && offset !== 0) {
    throw invalid({ offset: ["cannot be combined with a cursor"] });
  }
  return {
    limit,
    offset,
    ...(after === undefined ? {} : { after: await decodeCursor(ctx, list, after, "after") }),
    ...(before === undefined ? {} : { before: await decodeCursor(ctx, list, before, "before") }),
  };
}

/** Where a page sits in its list: the cursor of each item, and whether items come after and before it. */
export type PageCursors = { cursors: string[]; hasNext: boolean; hasPrevious: boolean };

/**
 * A page's cursors from the rows read for it. A page after or before a
 * cursor is read with one row more than asked for, in the direction walked
 * (a page before a cursor comes nearest-first): that row tells whether the
 * walk goes on, and is dropped. An offset page knows its neighbours from
 * `total`, the list's length.
 */
export async function pageOf<Row>(
  ctx: Context,
  list: string,
  start: PageStart,
  read: Row[],
  positionOf: (row: Row) => Position,
  total?: number,
): Promise<{ rows: Row[]; page: PageCursors }> {
  const keyset = fromCursor(start);
  const more = keyset && read.length > start.limit;
  const walked = more ? read.slice(0, start.limit) : read;
  const rows = start.before === undefined ? walked : walked.reverse();
  const cursors = await Promise.all(rows.map((row) => encodeCursor(ctx, list, positionOf(row))));
  // From a cursor, the items on its other side were there when it was given (the cursor's own item at least).
  const hasNext = start.before !== undefined ? true : keyset ? more : start.offset + rows.length < (total ?? 0);
  const hasPrevious = start.after !== undefined ? true : start.before !== undefined ? more : start.offset > 0;
  return { rows, page: { cursors, hasNext, hasPrevious } };
}
