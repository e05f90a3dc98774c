import { parseXml, XmlElement } from "@rgrove/parse-xml";
import { expect } from "vitest";

// Reads the API's XML answers back into their JSON shape with a strict,
// spec-compliant parser of its own (not the API's codec), so tests can compare
// an XML answer with its JSON twin and know it is well-formed XML 1.0.

/** Lists of the REST envelopes, and the element of one item. */
const LISTS: Record<string, string> = { articles: "article", comments: "comment", tags: "tag", tagList: "tag", routes: "route" };
const BOOLEAN = new Set(["favorited", "following"]);
const NUMBER = new Set(["favoritesCount", "articlesCount", "id"]);

const elementsOf = (element: XmlElement, name?: string) =>
  element.children.filter((child) => child instanceof XmlElement).filter((child) => !name || child.name === name);

function typed(element: XmlElement): unknown {
  const { name } = element;
  if (element.attributes["xsi:nil"] === "true") return null;
  if (Object.hasOwn(LISTS, name)) return elementsOf(element, LISTS[name]).map(typed);
  const children = elementsOf(element);
  if (children.length === 0) {
    const { text } = element;
    return BOOLEAN.has(name) ? text === "true" : NUMBER.has(name) ? Number(text) : text;
  }
  return Object.fromEntries(children.map((child) => [child.name, typed(child)]));
}

/** An XML answer as the JSON body its JSON twin would have. */
export function jsonOfXml(text: string): unknown {
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const root = parseXml(text).root;
  if (!root) throw new Error("an XML answer without a root element");
  if (root.name === "articles") {
    const [count] = elementsOf(root, "articlesCount");
    return { articles: elementsOf(root, "article").map(typed), articlesCount: Number(count?.text) };
  }
  if (root.name === "errors") {
    const errors: Record<string, string[]> = {};
    for (const error of elementsOf(root, "error")) {
      const field = error.attributes.field ?? "";
      errors[field] = [...(errors[field] ?? []), error.text];
    }
    return { errors };
  }
  return { [root.name]: typed(root) };
}
