import { parseXml, XmlDeclaration, type XmlDocument, XmlElement, XmlError, XmlText } from "@rgrove/parse-xml";
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
  ["routes", "route"],
]);

// Characters XML 1.0 cannot carry at all, even escaped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the ones XML forbids.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;

// A raw CR would reach the reader as LF (XML 1.0 §2.11), and a raw tab or
// line feed in an attribute as a space (§3.3.3): written as references, they
// arrive as stored. (The Atom feeds write their text with these too.)
export const escapeText = (text: string) =>
  text
    .replace(NOT_XML, "\uFFFD")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("\r", "&#13;");
export const escapeAttribute = (text: string) =>
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

/** Deeper than any body the API reads (root, field, list item): a bound on the work, not a rule of the contract. */
const MAX_DEPTH = 100;
const TOO_DEEP = `XML elements may not be nested more than ${MAX_DEPTH} levels deep`;

/**
 * The document, if it is well-formed XML 1.0; otherwise a 400 naming what is
 * wrong. The parser resolves no entity but XML's five and character
 * references, and refuses the rest: an undefined entity (&nbsp;), a reference
 * to a character XML cannot carry (&#0;, &#xD800;, &#xFFFE;), a raw control
 * character, unbalanced tags, a second root. So nothing the client wrote is
 * dropped or replaced on the way in: it is stored as written, or refused.
 */
function wellFormed(text: string): XmlDocument {
  try {
    return parseXml(text, { preserveXmlDeclaration: true });
  } catch (error) {
    // The parser recurses once per element: past its stack (thousands of
    // levels) it is far deeper than MAX_DEPTH anyway.
    if (error instanceof RangeError) throw new HttpError(400, TOO_DEEP);
    // The first line is the reason and its position; the rest quotes the body.
    if (error instanceof XmlError) throw new HttpError(400, `request body is not valid XML: ${error.message.split("\n")[0]}`);
    throw error;
  }
}

/** The name without its namespace prefix: <a:title> is the field title. */
const localName = (name: string) => name.slice(name.lastIndexOf(":") + 1);

const isNil = (element: XmlElement) =>
  Object.entries(element.attributes).some(([name, value]) => localName(name) === "nil" && value === "true");

/** Element content as the JSON value the same field would have; what has no JSON twin is refused, not dropped. */
function fieldValue(element: XmlElement, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new HttpError(400, TOO_DEEP);
  const { name } = element;
  const children = element.children.filter((child) => child instanceof XmlElement);
  // Text and CDATA; comments and processing instructions carry no data.
  const text = element.children
    .filter((child) => child instanceof XmlText)
    .map((child) => child.text)
    .join("");
  if (isNil(element)) {
    if (children.length > 0 || text !== "") throw new HttpError(400, `<${name}> is marked xsi:nil="true" but is not empty`);
    return null;
  }
  const item = ITEM_OF.get(localName(name));
  if (children.length === 0) return item !== undefined && text.trim() === "" ? [] : text;
  // Whitespace between child elements is layout; other text among them has no place in the JSON twin.
  if (text.trim() !== "") throw new HttpError(400, `<${name}> mixes text and elements`);
  if (item !== undefined) {
    return children.map((child) => {
      if (localName(child.name) !== item) throw new HttpError(400, `<${name}> may only contain <${item}> elements`);
      return fieldValue(child, depth + 1);
    });
  }
  // A Map, then Object.fromEntries: own properties only, so an element named
  // __proto__ or constructor is a field like any other, as in JSON.parse.
  const fields = new Map<string, unknown>();
  for (const child of children) {
    const key = localName(child.name);
    if (fields.has(key)) throw new HttpError(400, `<${name}> contains <${key}> more than once`);
    fields.set(key, fieldValue(child, depth + 1));
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
  const document = wellFormed(text);
  // The body was read as UTF-8; a document declaring another encoding would be read as text it does not contain.
  const declared = document.children.find((child) => child instanceof XmlDeclaration)?.encoding;
  if (declared && declared.toLowerCase() !== "utf-8") throw new HttpError(400, `XML bodies must be UTF-8, not ${declared}`);
  const root = document.root;
  if (!root) throw new HttpError(400, "request body is not valid XML: it has no root element"); // never: well-formed means one root
  return { [localName(root.name)]: fieldValue(root, 1) };
}
