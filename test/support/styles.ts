import { expect } from "vitest";
import type { Reply } from "./api";
import { expectDocument } from "./jsonapi";
import { jsonOfXml } from "./xml";

// What the tables of authorization.test.ts and hostile.test.ts need to speak
// every API style: how a REST body is written as XML, what media type each
// style answers with, and each style's errors read into one shape
// (name → messages) so a row can name the error it expects.

export type Style = "rest" | "xml" | "jsonapi" | "graphql";

/** The Content-Type of every answer with a body, per style. */
export const CONTENT_TYPES: Record<Style, string> = {
  rest: "application/json; charset=utf-8",
  xml: "application/xml; charset=utf-8",
  jsonapi: "application/vnd.api+json",
  graphql: "application/graphql-response+json; charset=utf-8",
};

export const XML = "application/xml";

const escapeXml = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

function element(name: string, value: unknown): string {
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (Array.isArray(value)) {
    // Lists are named like REST's (tagList), their items singular (tag).
    const item = name === "tagList" ? "tag" : "item";
    return value.length ? `<${name}>${value.map((v) => element(item, v)).join("")}</${name}>` : `<${name}/>`;
  }
  if (typeof value === "object") {
    return `<${name}>${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join("")}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A REST request envelope ({article: {...}}) as the XML body the API reads. */
export function toXml(envelope: unknown): string {
  const [root, value] = Object.entries(envelope as Record<string, unknown>)[0] ?? ["empty", {}];
  const body = element(root, value);
  const withNs = body.replace(/^<(\w+)/, '<$1 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"');
  return `<?xml version="1.0" encoding="UTF-8"?>${withNs}`;
}

/** An XML answer read back into the JSON shape (null for an empty body). */
export const xmlBody = (text: string): any => (text ? jsonOfXml(text) : null);

/**
 * The errors of an error answer, after checking the structure its style
 * prescribes, as name → messages:
 *   rest, xml  the field of `errors` → its messages
 *   jsonapi    each error object's `code` → its `detail`s
 *   graphql    each error's `extensions.code` → its `message`s
 */
export function errorsOf(style: Style, reply: Reply, label = "reply"): Record<string, string[]> {
  expect(reply.headers.get("content-type"), `${label}: media type`).toBe(CONTENT_TYPES[style]);
  const add = (into: Record<string, string[]>, name: unknown, message: unknown) => {
    expect(typeof name === "string" && name.length > 0, `${label}: error name ${String(name)}`).toBe(true);
    expect(typeof message === "string" && message.length > 0, `${label}: error message ${String(message)}`).toBe(true);
    into[name as string] = [...(into[name as string] ?? []), message as string];
    return into;
  };
  switch (style) {
    case "rest":
    case "xml": {
      const body = style === "rest" ? reply.body : xmlBody(reply.text);
      expect(Object.keys(body ?? {}), label).toEqual(["errors"]);
      const errors: Record<string, string[]> = {};
      for (const [field, messages] of Object.entries(body.errors as Record<string, unknown>)) {
        expect(Array.isArray(messages) && messages.length > 0, `${label}: errors.${field}`).toBe(true);
        for (const message of messages as unknown[]) add(errors, field || "(none)", message);
      }
      return errors;
    }
    case "jsonapi": {
      const doc = expectDocument(reply);
      expect(Array.isArray(doc.errors), `${label}: a JSON:API error document`).toBe(true);
      return (doc.errors as { code: string; detail: string }[]).reduce(
        (into, error) => add(into, error.code, error.detail),
        {} as Record<string, string[]>,
      );
    }
    case "graphql": {
      const body = reply.body as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
      expect(
        Object.keys(body ?? {}).every((key) => key === "data" || key === "errors" || key === "extensions"),
        label,
      ).toBe(true);
      expect(Array.isArray(body.errors) && body.errors.length > 0, `${label}: errors`).toBe(true);
      // A request that did not execute has no data at all (GraphQL over HTTP).
      if (reply.status >= 400) expect("data" in body, `${label}: data on a request that did not execute`).toBe(false);
      return (body.errors ?? []).reduce(
        (into, error) => add(into, error.extensions?.code, error.message),
        {} as Record<string, string[]>,
      );
    }
  }
}
