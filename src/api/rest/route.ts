import type { Hono } from "hono";
import type * as v from "valibot";
import type { Context } from "../../domain/context";
import type { PageCursors } from "../../domain/cursor";
import type { AppEnv } from "../../http/context";
import { cachedAnswer } from "../../http/kv-cache";
import { routeChecks } from "../../http/limits";
import { parseInput } from "../validate";
import { ownMediaNegotiation, restNegotiation } from "../xml/middleware";
import { readRestBody } from "./body";

// A REST route is one declaration: its contract (method, path, who may call
// it, what it reads and answers, how it fails) and its handler. `mountRest`
// registers it with Hono, adding what the contract implies (content
// negotiation, the 401 for a required token, the write limit, the KV cache,
// parsing of the path, query and body with their schemas), and the OpenAPI
// document is generated from the same declarations (src/openapi/rest.ts), so
// the two cannot disagree.
//
// Statuses every route shares are added by the generator, not declared here:
// 401 for a token that is present but invalid (even where auth is optional),
// 503 when D1 or the configuration fails, 304 for a conditional GET, 429 for
// any write, and 400/413/415/422 for a route that reads a body.

type Schema = v.GenericSchema;

/** Where the REST sub-app is mounted (app.ts); links in answers begin with it. */
export const REST_BASE = "/api";

export type RestTag = "Index" | "User and Authentication" | "Profile" | "Articles" | "Comments" | "Favorites" | "Tags" | "Feeds";

/** Statuses that depend on what the route does, beyond the shared ones. */
export type RouteError = 403 | 404 | 422;

/** `example`: an error body (`errors`) this route can answer with. */
export type RouteErrorDoc = { status: RouteError; description: string; example?: Record<string, string[]> };

/** `/articles/:slug/comments/:id` → `"slug" | "id"`. */
type ParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

type Parsed<S> = S extends Schema ? v.InferOutput<S> : undefined;

/** What a handler receives: the path parameters (typed by `params`, else strings), the query and the body, parsed. */
export type RouteInput<Path extends string, Params, Query, Body> = {
  params: Params extends Schema ? v.InferOutput<Params> : Record<ParamNames<Path>, string>;
  query: Parsed<Query>;
  body: Parsed<Body>;
};

/**
 * What only the OpenAPI document says of a route: its prose, examples and the
 * failures it lists. Declarations write it `OPENAPI && {...}` (src/build.d.ts),
 * so the Worker bundle carries none of it.
 */
export type RestRouteDoc = {
  description: string;
  /** The success answer's description. */
  answer: string;
  /** `invalid`: a 422 body for it (default: the example's first field, blank). */
  body?: { description: string; example: unknown; invalid?: Record<string, string[]> };
  /** An own-media answer, described. */
  media?: { description: string; example: string };
  errors: RouteErrorDoc[];
};

/**
 * A route that answers in a media type of its own (an Atom feed) instead of
 * the contract's JSON (or its XML twin): callers are negotiated against
 * `type`, its handler returns the document, and errors stay REST errors.
 */
export type OwnMedia = { type: string };

/** What the handler of an own-media route returns: the document and when what it shows last changed. */
export type MediaDocument = { body: string; lastModified: Date | null };

export type RestRoute<
  Path extends string = string,
  Params extends Schema | undefined = undefined,
  Query extends Schema | undefined = undefined,
  Body extends Schema | undefined = undefined,
  Answer extends Schema | undefined = undefined,
  Media extends OwnMedia | undefined = undefined,
> = {
  operationId: string;
  method: "get" | "post" | "put" | "delete";
  /** Below /api, Hono style (`:slug`). */
  path: Path;
  tag: RestTag;
  summary: string;
  /** `required`: anonymous callers get 401 before the body is read. */
  auth: "none" | "optional" | "required";
  /** Anonymous answers come from the KV cache, keyed by the parsed path and query. */
  cache?: "public";
  /** Path parameters that are not plain strings. */
  params?: Params;
  query?: Query;
  body?: { schema: Body };
  /** A 204 has no `schema` and its handler answers nothing; an own-media route has `media` instead. */
  success: { status: 200 | 201 | 204; schema?: Answer; media?: undefined } | { status: 200; schema?: undefined; media: Media };
  doc: RestRouteDoc | false;
  /**
   * Returns the document of an own-media route, else the success schema's
   * output, else nothing (a 204). A page of a list hands its cursors to
   * `answer.paginate`, which links the pages next to it.
   */
  handle(
    ctx: Context,
    input: RouteInput<Path, Params, Query, Body>,
    answer: RouteAnswer,
  ): Promise<Media extends OwnMedia ? MediaDocument : Answer extends Schema ? v.InferOutput<Answer> : void>;
};

/** What a handler may add to its answer besides the body. */
export type RouteAnswer = {
  /**
   * A page of a list as the body, without its cursors: those become the
   * pages next to it, as `Link` header entries (RFC 8288) `rel="next"`
   * (`after` the page's last item) and `rel="prev"` (`before` its first),
   * absolute URLs of the same route and parameters, the page's cursor in
   * place of `offset`. The body stays the contract's.
   */
  paginate<Listed extends { page: PageCursors }>(listed: Listed): Omit<Listed, "page">;
};

/** The query parameters that say where a page starts: a link to another page replaces them. */
const PAGE_START = new Set(["offset", "after", "before"]);

/** The Link header of a page of `route` (see RouteAnswer), from what the route parsed: unknown parameters are not echoed. */
function pageLinkHeader(url: string, route: AnyRestRoute, params: Record<string, string>, query: object, page: PageCursors) {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && !PAGE_START.has(name)) kept[name] = String(value);
  }
  const link = (name: string, cursor: string | undefined, rel: string) =>
    cursor === undefined
      ? []
      : [`<${new URL(restHref(route.path, params, { ...kept, [name]: cursor }), url).href}>; rel="${rel}"`];
  return [
    ...(page.hasNext ? link("after", page.cursors.at(-1), "next") : []),
    ...(page.hasPrevious ? link("before", page.cursors[0], "prev") : []),
  ].join(", ");
}

/** Declares a route; the identity, so that TypeScript infers each route's own types. */
export const restRoute = <
  const Path extends string,
  Params extends Schema | undefined = undefined,
  Query extends Schema | undefined = undefined,
  Body extends Schema | undefined = undefined,
  Answer extends Schema | undefined = undefined,
  Media extends OwnMedia | undefined = undefined,
>(
  route: RestRoute<Path, Params, Query, Body, Answer, Media>,
) => route;

/** A route of any types, as tables of routes hold them (each route's own types were checked where it was declared). */
export type AnyRestRoute = RestRoute<string, any, any, any, any, any>;

/**
 * The link to a route with its path parameters filled in (percent-encoded)
 * and the query's defined values: `restHref("/articles/:slug", { slug })` is
 * `/api/articles/how-to`. Links are path-absolute, like JSON:API's: one
 * answer is right for every host name the Worker is reached by.
 */
export function restHref<const Path extends string>(
  path: Path,
  params: Record<ParamNames<Path>, string>,
  query: Record<string, string | undefined> = {},
): string {
  const values: Record<string, string> = params;
  const filled = path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name] ?? ""));
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, value);
  const queryString = search.toString();
  return `${REST_BASE}${filled}${queryString ? `?${queryString}` : ""}`;
}

/** Registers each route on `app` with the middleware its declaration implies. */
export function mountRest(app: Hono<AppEnv>, routes: readonly AnyRestRoute[]): void {
  for (const route of routes) {
    const media = route.success.media;
    const negotiation = media ? ownMediaNegotiation(media.type) : restNegotiation;
    app.on(route.method.toUpperCase(), [route.path], negotiation, ...routeChecks(route), async (c) => {
      const input = {
        params: route.params ? parseInput(route.params, c.req.param()) : c.req.param(),
        query: route.query ? parseInput(route.query, c.req.query()) : undefined,
        body: route.body ? await readRestBody(c.req.raw, route.body.schema) : undefined,
      };
      const paginate = <Listed extends { page: PageCursors }>({ page, ...body }: Listed): Omit<Listed, "page"> => {
        const header = pageLinkHeader(c.req.url, route, c.req.param(), input.query ?? {}, page);
        if (header) c.header("Link", header);
        return body;
      };
      const respond = async () => {
        const answer = await route.handle(c.var.ctx, input, { paginate });
        if (media) {
          const { body, lastModified }: MediaDocument = answer;
          if (lastModified) c.header("Last-Modified", lastModified.toUTCString());
          return c.body(body, 200, { "Content-Type": `${media.type}; charset=utf-8` });
        }
        return route.success.status === 204 ? c.body(null, 204) : c.json(answer, route.success.status);
      };
      return route.cache ? cachedAnswer(c, [route.operationId, input.params, input.query], respond) : respond();
    });
  }
}
