import { XMLParser } from "fast-xml-parser";
import { expect } from "vitest";

// Reads the API's XML back into its JSON shape with an independent parser, so
// tests can compare an XML answer with its JSON twin.

// Reads our XML back into the JSON shape: repeated items become arrays,
// xsi:nil becomes null, and the typed fields get their JSON types back.
export const reader = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  jPath: true,
  isArray: (name, path) => name === "tag" || name === "error" || path === "articles.article" || path === "comments.comment",
});
const BOOLEAN = new Set(["favorited", "following"]);
const NUMBER = new Set(["favoritesCount", "articlesCount", "id"]);

function typed(name: string, node: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => typed(name, item));
  if (node === "" && (name === "tagList" || name === "comments" || name === "tags" || name === "articles")) return [];
  if (typeof node === "string") return BOOLEAN.has(name) ? node === "true" : NUMBER.has(name) ? Number(node) : node;
  const element = node as Record<string, unknown>;
  if (element["@nil"] === "true") return null;
  const children = Object.entries(element).filter(([key]) => !key.startsWith("@"));
  if (name === "tagList" || name === "tags") return typed("tag", element.tag ?? []);
  if (name === "comments") return typed("comment", element.comment ?? []);
  return Object.fromEntries(children.map(([key, value]) => [key, typed(key, value)]));
}

export function jsonOfXml(text: string): unknown {
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const document = reader.parse(text) as Record<string, Record<string, unknown>>;
  const [root, node] = Object.entries(document).find(([key]) => !key.startsWith("?")) ?? [];
  if (root === "articles") {
    return { articles: typed("article", node?.article ?? []), articlesCount: Number(node?.articlesCount) };
  }
  if (root === "errors") {
    const errors: Record<string, string[]> = {};
    for (const error of (node?.error ?? []) as Record<string, string>[]) {
      const field = error["@field"] ?? "";
      errors[field] = [...(errors[field] ?? []), error["#text"] ?? ""];
    }
    return { errors };
  }
  return { [root ?? ""]: typed(root ?? "", node) };
}
