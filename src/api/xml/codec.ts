import { EntityDecoder } from "@nodable/entities";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { HttpError } from "../../http/problem";

// The XML representation of the REST resources, by one convention both ways:
// the root element is named like the JSON envelope (<user>, <article>,
// <articles> with <articlesCount>, <comments>, <tags>), one element per field,
// arrays as repeated children named for one item (<tagList><tag>…</tag>),
// null as an empty element marked xsi:nil="true". Errors are
// <errors><error field="title">can't be blank</error></errors>.

const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const ITEM_OF: Record<string, string> = { articles: "article", comments: "comment", tags: "tag", tagList: "tag" };

// Characters XML 1.0 cannot carry at all, even escaped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the ones XML forbids.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;

const escapeText = (text: string) =>
  text.replace(NOT_XML, "\uFFFD").replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
const escapeAttribute = (text: string) => escapeText(text).replaceAll('"', "&quot;");

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name} xsi:nil="true"/>`;
  return `<${name}>${content(name, value)}</${name}>`;
}

function content(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => element(ITEM_OF[name] ?? "item", item)).join("");
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

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Only the predefined entities and character references can occur (no
  // DOCTYPE gets this far); they shrink text, so the body cap bounds the work.
  // XML's five named entities and character references (&#60;, &#x3C;), which
  // fast-xml-parser 5.12 leaves undecoded unless given a decoder that allows them.
  entityDecoder: new EntityDecoder({
    numericAllowed: true,
    limit: { maxTotalExpansions: 2_000_000, maxExpandedLength: 2_000_000 },
  }),
  isArray: (name) => name === "tag",
});

type Node = string | { [key: string]: Node | Node[] };

/** Element content as the JSON value the same field would have. */
function fieldValue(name: string, node: Node | Node[] | undefined): unknown {
  if (node === undefined) return undefined;
  if (Array.isArray(node)) return node.map((item) => fieldValue(name, item));
  if (typeof node === "string") return name === "tagList" ? (node.trim() === "" ? [] : node) : node;
  if (node["@nil"] === "true") return null;
  const children = Object.entries(node).filter(([key]) => !key.startsWith("@"));
  if (name === "tagList") {
    const tags = node.tag;
    return tags === undefined ? [] : fieldValue("tag", tags);
  }
  if (children.length === 1 && children[0]?.[0] === "#text") return children[0][1];
  if (children.length === 0) return "";
  return Object.fromEntries(children.map(([key, child]) => [key, fieldValue(key, child)]));
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
  if (XMLValidator.validate(text) !== true) throw new HttpError(400, "request body is not valid XML");
  let document: Record<string, Node>;
  try {
    document = parser.parse(text) as Record<string, Node>;
  } catch {
    // Past the parser's own limits (nesting over 100 levels, say).
    throw new HttpError(400, "request body is not valid XML");
  }
  const roots = Object.entries(document).filter(([key]) => !key.startsWith("?") && !key.startsWith("@"));
  if (roots.length !== 1 || !roots[0]) throw new HttpError(400, "request body is not valid XML");
  const [root, node] = roots[0];
  return { [root]: fieldValue(root, node) };
}
