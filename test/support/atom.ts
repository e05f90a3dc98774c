import { parseXml, XmlElement } from "@rgrove/parse-xml";
import { parseFeed } from "@rowanmanning/feed-parser";
import { expect } from "vitest";
import type { Reply } from "./api";

// Reads an Atom answer twice: with a strict XML 1.0 parser (it refuses what is
// not well-formed, and gives each element's text exactly), and with a feed
// parser from npm, the way a feed reader would (it resolves links against the
// feed's URL and reads dates, authors and categories its own way).

export const ATOM_TYPE = "application/atom+xml; charset=utf-8";
const ATOM_NAMESPACE = "http://www.w3.org/2005/Atom";
/** RFC 3339 date-time, as Atom requires (RFC 4287 §3.3). */
export const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** One entry exactly as written (strict parse). */
export type RawEntry = {
  id: string;
  title: string;
  link: { href: string; rel: string; type: string };
  author: { name: string; uri: string };
  published: string;
  updated: string;
  summary: string;
  categories: string[];
  /** The names of every child element, to prove what is (not) there. */
  elements: string[];
};

export type ReadFeed = {
  /** The feed's own elements, exactly as written. */
  raw: { id: string; title: string; updated: string; links: { href: string; rel: string; type: string }[] };
  entries: RawEntry[];
  /** What the feed reader made of it. */
  reader: ReturnType<typeof parseFeed>;
};

const children = (element: XmlElement, name: string) =>
  element.children.filter((child) => child instanceof XmlElement).filter((child) => child.name === name);
const only = (element: XmlElement, name: string) => {
  const found = children(element, name);
  expect(found, `exactly one <${name}> in <${element.name}>`).toHaveLength(1);
  return found[0] as XmlElement;
};
const textOf = (element: XmlElement, name: string) => only(element, name).text;
const linkOf = (link: XmlElement) => ({
  href: link.attributes.href ?? "",
  rel: link.attributes.rel ?? "",
  type: link.attributes.type ?? "",
});

/** Fails unless the answer is a well-formed Atom feed with what RFC 4287 requires; its content, read both ways. */
export function readFeed(reply: Reply, url = "http://localhost/api/articles.atom"): ReadFeed {
  expect(reply.status, reply.text.slice(0, 300)).toBe(200);
  expect(reply.headers.get("content-type")).toBe(ATOM_TYPE);
  const document = parseXml(reply.text);
  const feed = document.root;
  if (!feed) throw new Error("no root element");
  expect(feed.name).toBe("feed");
  expect(feed.attributes.xmlns).toBe(ATOM_NAMESPACE);
  const raw = {
    id: textOf(feed, "id"),
    title: textOf(feed, "title"),
    updated: textOf(feed, "updated"),
    links: children(feed, "link").map(linkOf),
  };
  expect(raw.updated).toMatch(RFC_3339);
  const entries = children(feed, "entry").map((entry): RawEntry => {
    const author = only(entry, "author");
    const parsed = {
      id: textOf(entry, "id"),
      title: textOf(entry, "title"),
      link: linkOf(only(entry, "link")),
      author: { name: textOf(author, "name"), uri: textOf(author, "uri") },
      published: textOf(entry, "published"),
      updated: textOf(entry, "updated"),
      summary: textOf(entry, "summary"),
      categories: children(entry, "category").map((category) => category.attributes.term ?? ""),
      elements: entry.children.filter((child) => child instanceof XmlElement).map((child) => child.name),
    };
    expect(parsed.published).toMatch(RFC_3339);
    expect(parsed.updated).toMatch(RFC_3339);
    return parsed;
  });
  // The feed reader resolves relative links against where the feed came from.
  const reader = parseFeed(reply.text.replace(/<feed xmlns="[^"]+"/, (open) => `${open} xml:base="${url}"`));
  expect(reader.meta.type).toBe("atom");
  expect(reader.items).toHaveLength(entries.length);
  return { raw, entries, reader };
}
