import type { Context, Hono } from "hono";
import type { AppEnv } from "../../http/context";
import { cachedAnswer } from "../../http/kv-cache";
import { routeChecks } from "../../http/limits";
import { type ResourceType, serializeDocument } from "./document";
import { failure, JSONAPI_MEDIA_TYPE } from "./errors";
import { asPageError, type ParsedQuery, parseQuery, type QueryRules } from "./query";

// A JSON:API route is one declaration: its contract (method, path, who may
// call it, which query parameters it takes, what it answers, how it fails) and
// its handler. `mountJsonApi` registers it with Hono, adding what the contract
// implies (the write limit, the 401 for a required token, the KV cache, the
// path ids and the query checked by its rules), and the OpenAPI document is
// generated from the same declarations (src/openapi/jsonapi.ts).

/** Path parameters, by what they name: ids are positive integers (else 404), `me` names the viewer. */
export type PathParameter = "article" | "comment" | "user" | "me" | "relationship";

/** A status a route documents beyond the ones every route has, with what causes it. */
export type JsonApiRouteErrors = Partial<Record<403 | 404 | 409 | 422 | 429, string>>;

/** What a handler answers: a document (and for a 201 its Location), or nothing for a 204. */
export type JsonApiAnswer = { document: unknown; location?: string } | undefined;

/**
 * What only the OpenAPI document says of a route: its prose, examples and the
 * statuses it lists. Declarations write it `OPENAPI && {...}` (src/build.d.ts),
 * so the Worker bundle carries none of it.
 */
export type JsonApiRouteDoc = {
  description?: string;
  /** The success answer's description, and an example document. */
  answer: string;
  example?: unknown;
  body?: { description: string; example: unknown };
  errors: JsonApiRouteErrors;
};

export type JsonApiRoute = {
  operationId: string;
  method: "get" | "post" | "patch" | "delete";
  /** Below /jsonapi, Hono style (`:id`). */
  path: string;
  summary: string;
  auth: "none" | "optional" | "required";
  /** The type of the primary data, that `include` and `fields[...]` speak of; none for the root. */
  type?: ResourceType | ((c: Context<AppEnv>) => ResourceType);
  /** The path parameters in order, by what they name. */
  params?: PathParameter[];
  query: QueryRules;
  body?: { schema: "JsonApiRequestDocument" | "JsonApiLinkageDocument" };
  success: { status: 200 | 201 | 204 };
  doc: JsonApiRouteDoc | false;
  /** Anonymous answers come from the KV cache (keyed by the parsed query), except where `unless` says a request's cannot be. */
  cache?: { unless?: (c: Context<AppEnv>) => boolean };
  handle(c: Context<AppEnv>, input: { query: ParsedQuery; ids: number[] }): Promise<JsonApiAnswer>;
};

/** Declares a route (the identity: it types the object literal). */
export const jsonApiRoute = (route: JsonApiRoute): JsonApiRoute => route;

/** An id in a path or linkage: a positive integer, else there is no such resource. */
export function numericId(value: string | undefined, what: "article" | "comment" | "profile"): number {
  const id = Number(value);
  if (!value || !/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(id)) throw failure(404, `${what} not found`);
  return id;
}

const NUMERIC: Partial<Record<PathParameter, "article" | "comment">> = { article: "article", comment: "comment" };

/** A document, its links (and a 201's Location) absolute on the origin the request came to. */
function send(c: Context<AppEnv>, status: 200 | 201, answer: { document: unknown; location?: string }) {
  const { origin } = new URL(c.req.url);
  const headers: Record<string, string> = { "Content-Type": JSONAPI_MEDIA_TYPE };
  if (answer.location) headers.Location = new URL(answer.location, origin).href;
  return c.body(serializeDocument(answer.document, origin), status, headers);
}

/** A parsed query in one canonical form (sets and maps as sorted lists). */
const identityOf = (query: ParsedQuery) => [
  query.include ? [...query.include].sort() : null,
  [...query.fields].map(([type, fields]) => [type, [...fields].sort()]).sort(),
  query.order,
  query.list,
];

export function mountJsonApi(app: Hono<AppEnv>, routes: readonly JsonApiRoute[]): void {
  for (const route of routes) {
    app.on(route.method.toUpperCase(), [route.path], ...routeChecks(route), async (c) => {
      const names = [...route.path.matchAll(/:(\w+)/g)].map(([, name = ""]) => name);
      // Ids first: a malformed one is a 404, whatever else is wrong with the request.
      const ids = (route.params ?? []).flatMap((kind, index) => {
        const what = NUMERIC[kind];
        return what ? [numericId(c.req.param(names[index] ?? ""), what)] : [];
      });
      const type = typeof route.type === "function" ? route.type(c) : (route.type ?? "root");
      const query = parseQuery(new URL(c.req.url), type, route.query);
      const respond = async () => {
        const answer = await route.handle(c, { query, ids }).catch((error: unknown) => {
          throw route.query.page ? asPageError(error) : error;
        });
        if (route.success.status === 204 || !answer) return c.body(null, 204);
        return send(c, route.success.status, answer);
      };
      if (!route.cache || route.cache.unless?.(c)) return respond();
      return cachedAnswer(c, [route.operationId, c.req.param(), identityOf(query)], respond);
    });
  }
}
