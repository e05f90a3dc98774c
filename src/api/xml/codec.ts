import { parseXml, XmlElement } from "@rgrove/parse-xml";
import { HttpError } from "../../http/problem";

// The XML representation of the REST resources, by one convention both ways:
// the root element is named like the JSON envelope (<user>, <article>,
// <articles> with <articlesCount>, <comments>, <tags>), one element per field,
// arrays as repeated children named for one item (<tagList><tag>…</tag>),
// null as an empty element marked xsi:nil="true". Errors are
// <errors><error field="title">can't be blank</error></errors>.

const XSI = "http://www.w3.org/2001/XMLSchema-instance";
/** Lists and the name of one item, both ways (a Map: element names are the client's, never Object.prototype's). */
const ITEM_OF = new Map([
  ["articles", "article"],
  ["comments", "comment"],
  ["tags", "tag"],
  ["tagList", "tag"],
]);

// Characters XML 1.0 cannot carry at all, even escaped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the ones XML forbids.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;

// A raw CR would reach the reader as LF (XML 1.0 §2.11), and a raw tab or
// line feed in an attribute as a space (§3.3.3): written as references, they
// arrive as stored.
const escapeText = (text: string) =>
  text
    .replace(NOT_XML, "\uFFFD")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("\r", "&#13;");
const escapeAttribute = (text: string) =>
  escapeText(text).replaceAll('"', "&quot;").replaceAll("\n", "&#10;").replaceAll("\t", "&#9;");

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name} xsi:nil="true"/>`;
  return `<${name}>${content(name, value)}</${name}>`;
}

function content(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => element(ITEM_OF.get(name) ?? "item", item)).join("");
  if (typeof value === "object" && value !== null) {
    return Object.entries(value)
      .map(([key, field]) => element(key, field))
      .join("");
  }
  return escapeText(String(value));
}

/** The XML document for a REST JSON payload. */
export function toXml(payload: unknown): string {
  const entries = typeof payload === "object" && payload !== null ? Object.entries(payload) : [];
  const [first] = entries;
  let root = first?.[0] ?? "response";
  let inner: string;
  if (root === "errors") {
    inner = Object.entries((first?.[1] ?? {}) as Record<string, string[]>)
      .flatMap(([field, messages]) =>
        messages.map((message) => `<error field="${escapeAttribute(field)}">${escapeText(message)}</error>`),
      )
      .join("");
  } else if (entries.length === 1) {
    const value = first?.[1];
    if (value === null) return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns:xsi="${XSI}" xsi:nil="true"/>`;
    inner = content(root, value);
  } else {
    // { articles: [...], articlesCount: n }: the list's items, then the other fields.
    root = first?.[0] ?? "response";
    inner =
      content(root, first?.[1]) +
      entries
        .slice(1)
        .map(([key, value]) => element(key, value))
        .join("");
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns:xsi="${XSI}">${inner}</${root}>`;
}

/** A DOCTYPE (and with it any entity declaration) is refused before parsing. */
const DECLARATIONS = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i;

/** The name without its namespace prefix: <a:title> is the field title. */
const localName = (name: string) => name.slice(name.lastIndexOf(":") + 1);

/** Deeper than any body the API reads (root, field, list item): a bound on the work, not a rule of the contract. */
const MAX_DEPTH = 100;

const isNil = (element: XmlElement) =>
  Object.entries(element.attributes).some(([name, value]) => localName(name) === "nil" && value === "true");

/** Element content as the JSON value the same field would have. */
function fieldValue(element: XmlElement, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new HttpError(400, "request body is not valid XML");
  if (isNil(element)) return null;
  const name = localName(element.name);
  const children = element.children.filter((child) => child instanceof XmlElement);
  const item = ITEM_OF.get(name);
  if (item !== undefined) {
    if (children.length === 0) return element.text.trim() === "" ? [] : element.text;
    return children.filter((child) => localName(child.name) === item).map((child) => fieldValue(child, depth + 1));
  }
  if (children.length === 0) return element.text;
  const fields = new Map<string, unknown>();
  for (const child of children) {
    const key = localName(child.name);
    const value = fieldValue(child, depth + 1);
    const seen = fields.get(key);
    // A repeated element is a list, which the schemas then refuse for a scalar field.
    fields.set(key, seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]);
  }
  return Object.fromEntries(fields);
}

/**
 * A REST body sent as XML, as the object its JSON twin would parse to:
 * <article><title>…</title><tagList><tag>a</tag></tagList></article> is
 * {"article": {"title": "…", "tagList": ["a"]}}. Validation is then the same.
 */
export function fromXml(text: string): unknown {
  if (DECLARATIONS.test(text)) {
    throw new HttpError(400, "XML bodies may not contain a DOCTYPE or entity declarations");
  }
  let root: XmlElement | null;
  try {
    // Only XML's five named entities and character references can occur (no
    // DOCTYPE gets this far); they shrink text, so the body cap bounds the work.
    root = parseXml(text, { ignoreUndefinedEntities: true }).root;
  } catch {
    // Not well-formed, or nested deeper than the parser's recursion goes.
    throw new HttpError(400, "request body is not valid XML");
  }
  if (!root) throw new HttpError(400, "request body is not valid XML");
  return { [localName(root.name)]: fieldValue(root, 1) };
}
