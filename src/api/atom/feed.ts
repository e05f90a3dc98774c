import { escapeAttribute, escapeText } from "../xml/codec";

// Atom 1.0 documents (RFC 4287), written by hand: a feed is a dozen element
// kinds of text, and the XML codec's escaping (which replaces what XML 1.0
// cannot carry and keeps CR, tab and LF as references) makes any stored text
// well-formed. A generator library would add bundle for no gain.

export const ATOM_MEDIA_TYPE = "application/atom+xml";
const ATOM_NAMESPACE = "http://www.w3.org/2005/Atom";

/** Where an entry's or a feed's `alternate` link leads: the REST API's JSON. */
const ALTERNATE_TYPE = "application/json";

export type AtomEntry = {
  /** A URN that never changes (stableId). */
  id: string;
  title: string;
  /** The article in the REST API. */
  link: string;
  author: { name: string; uri: string };
  /** RFC 3339 date-times. */
  published: string;
  updated: string;
  summary: string;
  categories: readonly string[];
};

export type AtomFeed = {
  id: string;
  title: string;
  /** RFC 3339: when the newest entry was last updated. */
  updated: string;
  /** The feed's own URL, and the same list in the REST API. */
  self: string;
  alternate: string;
  entries: readonly AtomEntry[];
};

const textElement = (name: string, value: string) => `<${name}>${escapeText(value)}</${name}>`;
const link = (rel: string, type: string, href: string) => `<link rel="${rel}" type="${type}" href="${escapeAttribute(href)}"/>`;

function entryXml(entry: AtomEntry): string {
  return [
    "<entry>",
    textElement("id", entry.id),
    textElement("title", entry.title),
    link("alternate", ALTERNATE_TYPE, entry.link),
    `<author>${textElement("name", entry.author.name)}${textElement("uri", entry.author.uri)}</author>`,
    textElement("published", entry.published),
    textElement("updated", entry.updated),
    ...entry.categories.map((term) => `<category term="${escapeAttribute(term)}"/>`),
    textElement("summary", entry.summary),
    "</entry>",
  ].join("");
}

/** The feed as an Atom document: text constructs are `type="text"` (the default), so nothing in them is markup. */
export function atomXml(feed: AtomFeed): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="${ATOM_NAMESPACE}">`,
    textElement("id", feed.id),
    textElement("title", feed.title),
    textElement("updated", feed.updated),
    link("self", ATOM_MEDIA_TYPE, feed.self),
    link("alternate", ALTERNATE_TYPE, feed.alternate),
    ...feed.entries.map(entryXml),
    "</feed>",
    "",
  ].join("\n");
}

// Ids are name-based UUIDs (RFC 9562 version 5) under a namespace of this
// application's own, so they are URNs (RFC 4287 §4.2.6 wants an IRI that never
// changes) computed from facts that never change: an article's row id and
// creation time, a feed's filter. Not its URL: the slug follows the title, and
// the host name is the deployment's.
const NAMESPACE = Uint8Array.from("7a41b3502b904fe5b450a0487a0695af".match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
const encoder = new TextEncoder();

/** The version 5 UUID of `name` in `namespace` (16 bytes), as RFC 9562 §5.5 computes it. */
export async function uuidV5(namespace: Uint8Array, name: string): Promise<string> {
  const named = encoder.encode(name);
  const input = new Uint8Array(namespace.length + named.length);
  input.set(namespace);
  input.set(named, namespace.length);
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-1", input)).slice(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `urn:uuid:…` for a name in this application's namespace: the same name, the same id, forever. */
export const stableId = async (name: string): Promise<string> => `urn:uuid:${await uuidV5(NAMESPACE, name)}`;
