import { expect } from "vitest";
import { type CallOptions, call, type Reply } from "./api";

// JSON:API requests through the app, as a client sends them, and a checker of
// the document structure JSON:API 1.1 prescribes, run on every response.

export const MEDIA_TYPE = "application/vnd.api+json";

/** A link as the API writes it for a request to the test's default origin (test/support/api.ts). */
export const absolute = (path: string) => `http://localhost${path}`;

export type JsonApiOptions = {
  token?: string | null;
  /** A request document, sent as application/vnd.api+json. */
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
  env?: CallOptions["env"];
  origin?: string;
};

export async function jsonapi<T = any>(method: string, path: string, options: JsonApiOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: MEDIA_TYPE, ...options.headers };
  let rawBody = options.rawBody;
  if (options.body !== undefined) {
    rawBody = JSON.stringify(options.body);
    headers["Content-Type"] ??= MEDIA_TYPE;
  }
  return call<T>(method, path, {
    token: options.token,
    headers,
    ...(rawBody === undefined ? {} : { rawBody }),
    ...(options.env ? { env: options.env } : {}),
    ...(options.origin ? { origin: options.origin } : {}),
  });
}

type Json = Record<string, any>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

const TYPES = ["articles", "users", "comments", "tags"];
// Member names: globally allowed characters at both ends, - and _ inside.
const MEMBER_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_-]*[a-zA-Z0-9])?$/;

function onlyMembers(object: Json, allowed: string[], where: string) {
  for (const key of Object.keys(object)) expect(allowed, `${where}: unexpected member "${key}"`).toContain(key);
}

function expectLinks(links: unknown, allowed: string[], where: string) {
  expect(isObject(links), `${where}.links is an object`).toBe(true);
  onlyMembers(links as Json, allowed, `${where}.links`);
  for (const [name, link] of Object.entries(links as Json)) {
    if (link === null) continue;
    expect(typeof link, `${where}.links.${name}`).toBe("string");
    // Absolute, as clients resolve links and the JSON:API schema requires; brackets percent-encoded.
    expect(link as string, `${where}.links.${name} is a URL of this API`).toMatch(/^https?:\/\/[^/]+\/jsonapi(?:\/|\?|$)/);
    expect(link as string, `${where}.links.${name} encodes [ and ]`).not.toMatch(/[[\]]/);
  }
}

function expectIdentifier(identifier: unknown, where: string) {
  expect(isObject(identifier), `${where} is a resource identifier`).toBe(true);
  onlyMembers(identifier as Json, ["type", "id", "meta"], where);
  expect(TYPES, `${where}.type`).toContain((identifier as Json).type);
  expect(typeof (identifier as Json).id, `${where}.id`).toBe("string");
  expect((identifier as Json).id, `${where}.id`).not.toBe("");
}

function expectResource(resource: unknown, where: string) {
  expect(isObject(resource), `${where} is a resource object`).toBe(true);
  const object = resource as Json;
  onlyMembers(object, ["type", "id", "attributes", "relationships", "links", "meta"], where);
  expectIdentifier({ type: object.type, id: object.id }, where);
  const fields: string[] = [];
  if ("attributes" in object) {
    expect(isObject(object.attributes), `${where}.attributes`).toBe(true);
    fields.push(...Object.keys(object.attributes));
  }
  if ("relationships" in object) {
    expect(isObject(object.relationships), `${where}.relationships`).toBe(true);
    for (const [name, relationship] of Object.entries<any>(object.relationships)) {
      const at = `${where}.relationships.${name}`;
      expect(isObject(relationship), at).toBe(true);
      onlyMembers(relationship, ["links", "data", "meta"], at);
      expect("links" in relationship || "data" in relationship || "meta" in relationship, `${at} has links, data or meta`).toBe(
        true,
      );
      if ("links" in relationship) expectLinks(relationship.links, ["self", "related"], at);
      if ("data" in relationship && relationship.data !== null) {
        if (Array.isArray(relationship.data))
          for (const [i, item] of relationship.data.entries()) expectIdentifier(item, `${at}[${i}]`);
        else expectIdentifier(relationship.data, `${at}.data`);
      }
      fields.push(name);
    }
  }
  for (const field of fields) {
    expect(field, `${where}: field name`).toMatch(MEMBER_NAME);
    expect(["type", "id"], `${where}: a field may not be called type or id`).not.toContain(field);
  }
  expect(new Set(fields).size, `${where}: attributes and relationships share one namespace`).toBe(fields.length);
  if ("links" in object) expectLinks(object.links, ["self"], where);
  if ("meta" in object) expect(isObject(object.meta), `${where}.meta`).toBe(true);
}

function expectError(error: unknown, where: string) {
  expect(isObject(error), where).toBe(true);
  const object = error as Json;
  onlyMembers(object, ["id", "links", "status", "code", "title", "detail", "source", "meta"], where);
  expect(object.status, `${where}.status is the HTTP status as a string`).toMatch(/^[45]\d\d$/);
  for (const member of ["code", "title", "detail"]) expect(typeof object[member], `${where}.${member}`).toBe("string");
  if ("source" in object) {
    expect(isObject(object.source), `${where}.source`).toBe(true);
    onlyMembers(object.source, ["pointer", "parameter", "header"], `${where}.source`);
    expect(Object.keys(object.source).length, `${where}.source has one member`).toBe(1);
    if ("pointer" in object.source) expect(object.source.pointer, `${where}.source.pointer`).toMatch(/^(?:\/[^/]*)*$/);
  }
}

const keyOf = (resource: Json) => `${resource.type}:${resource.id}`;

/**
 * Checks a response document against the structure of JSON:API 1.1: top
 * level, resource objects, relationships and linkage, links, compound
 * documents (unique resources, full linkage), error objects. Returns the body.
 * `sparse`: the request had fieldsets, which may cut the linkage to an
 * included resource (the one exception to full linkage).
 */
export function expectDocument<T = any>(reply: Reply<T>, { sparse = false } = {}): any {
  const where = `${reply.status} document`;
  expect(reply.headers.get("content-type"), `${where}: media type`).toBe(MEDIA_TYPE);
  const doc = reply.body as any;
  expect(isObject(doc), `${where} is a JSON object`).toBe(true);
  onlyMembers(doc, ["jsonapi", "data", "errors", "meta", "links", "included"], where);
  expect(doc.jsonapi, `${where}.jsonapi`).toEqual({ version: "1.1" });
  expect("data" in doc || "errors" in doc || "meta" in doc, `${where} has data, errors or meta`).toBe(true);
  expect("data" in doc && "errors" in doc, `${where}: data and errors never together`).toBe(false);
  if ("included" in doc) expect("data" in doc, `${where}: included only with data`).toBe(true);
  if ("meta" in doc) expect(isObject(doc.meta), `${where}.meta`).toBe(true);
  if ("links" in doc) expectLinks(doc.links, ["self", "related", "describedby", "first", "last", "prev", "next"], where);

  if ("errors" in doc) {
    expect(reply.status, `${where}: errors come with an error status`).toBeGreaterThanOrEqual(400);
    expect(Array.isArray(doc.errors) && doc.errors.length > 0, `${where}.errors is a non-empty array`).toBe(true);
    for (const [i, error] of doc.errors.entries()) expectError(error, `${where}.errors[${i}]`);
    for (const error of doc.errors) expect(Number(error.status), `${where}: error status`).toBe(reply.status);
    return doc;
  }

  if (!("data" in doc)) return doc;
  const primary: Json[] = doc.data === null ? [] : Array.isArray(doc.data) ? doc.data : [doc.data];
  for (const [i, resource] of primary.entries()) expectResource(resource, `${where}.data[${i}]`);
  const included: Json[] = doc.included ?? [];
  expect(Array.isArray(included), `${where}.included is an array`).toBe(true);
  for (const [i, resource] of included.entries()) expectResource(resource, `${where}.included[${i}]`);

  // Compound documents: each type and id once, and every included resource
  // reachable from primary data through relationship linkage.
  const all = [...primary, ...included];
  const keys = all.map(keyOf);
  expect(new Set(keys).size, `${where}: each resource once (${keys.join(", ")})`).toBe(keys.length);
  const byKey = new Map(all.map((resource) => [keyOf(resource), resource]));
  const reached = new Set(primary.map(keyOf));
  const queue = [...primary];
  while (queue.length) {
    const resource = queue.shift() as Json;
    for (const relationship of Object.values<any>(resource.relationships ?? {})) {
      const linkage = relationship.data == null ? [] : Array.isArray(relationship.data) ? relationship.data : [relationship.data];
      for (const identifier of linkage) {
        const key = keyOf(identifier);
        if (reached.has(key) || !byKey.has(key)) continue;
        reached.add(key);
        queue.push(byKey.get(key) as Json);
      }
    }
  }
  if (!sparse) {
    for (const resource of included)
      expect(reached.has(keyOf(resource)), `${where}: full linkage of ${keyOf(resource)}`).toBe(true);
  }
  return doc;
}

/** The error objects of an error response, after checking its structure and status. */
export function expectErrors(reply: Reply, status: number): any[] {
  expect(reply.status, reply.text).toBe(status);
  return expectDocument(reply).errors;
}

/** A request document for one resource. */
export const resource = (type: string, fields: { id?: string; attributes?: Json; relationships?: Json } = {}) => ({
  data: { type, ...fields },
});

/** A to-many linkage document. */
export const linkage = (type: string, ...ids: (string | number)[]) => ({ data: ids.map((id) => ({ type, id: String(id) })) });

/** Registers through JSON:API; the token comes back in the document's meta. */
export async function registerJsonApi(username: string, password = "correct horse battery") {
  const reply = await jsonapi("POST", "/jsonapi/users", {
    body: resource("users", { attributes: { username, email: `${username}@example.com`, password } }),
  });
  if (reply.status !== 201) throw new Error(`register failed: ${reply.status} ${reply.text}`);
  return { id: reply.body.data.id as string, username, token: reply.body.meta.token as string };
}

export type ArticleFields = { title?: string; description?: string; body?: string; tags?: string[] };

/** Creates an article through JSON:API; returns its resource object. */
export async function createArticleJsonApi(token: string, fields: ArticleFields = {}) {
  const attributes = {
    title: fields.title ?? `Title ${Math.random().toString(36).slice(2, 9)}`,
    description: fields.description ?? "A description",
    body: fields.body ?? "The body of the article",
  };
  const reply = await jsonapi("POST", "/jsonapi/articles", {
    token,
    body: resource("articles", {
      attributes,
      ...(fields.tags ? { relationships: { tags: linkage("tags", ...fields.tags) } } : {}),
    }),
  });
  if (reply.status !== 201) throw new Error(`create article failed: ${reply.status} ${reply.text}`);
  return reply.body.data as { id: string; attributes: Record<string, any>; relationships: Record<string, any> };
}

/** Comments on an article through JSON:API; returns the comment's resource object. */
export async function commentJsonApi(token: string, articleId: string, body: string) {
  const reply = await jsonapi("POST", "/jsonapi/comments", {
    token,
    body: resource("comments", {
      attributes: { body },
      relationships: { article: { data: { type: "articles", id: articleId } } },
    }),
  });
  if (reply.status !== 201) throw new Error(`comment failed: ${reply.status} ${reply.text}`);
  return reply.body.data as { id: string; attributes: Record<string, any> };
}
