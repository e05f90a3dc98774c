import type { Hono, MiddlewareHandler } from "hono";
import type * as v from "valibot";
import type { Context } from "../../domain/context";
import { signedIn } from "../../http/auth";
import type { AppEnv } from "../../http/context";
import { publicCache } from "../../http/kv-cache";
import { writeLimit } from "../../http/limits";
import { parseInput } from "../validate";
import { readRestBody } from "./body";

// A REST route is one declaration: its contract (method, path, who may call
// it, what it reads and answers, how it fails) and its handler. `mountRest`
// registers it with Hono, adding what the contract implies (the 401 for a
// required token, the write limit, the KV cache, parsing of the path, query
// and body with their schemas), and the OpenAPI document is generated from the
// same declarations (src/openapi/rest.ts), so the two cannot disagree.
//
// Statuses every route shares are added by the generator, not declared here:
// 401 for a token that is present but invalid (even where auth is optional),
// 503 when D1 or the configuration fails, 304 for a conditional GET, 429 for
// any write, and 400/413/415/422 for a route that reads a body.

type Schema = v.GenericSchema;

export type RestTag = "Index" | "User and Authentication" | "Profile" | "Articles" | "Comments" | "Favorites" | "Tags";

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

export type RestRoute<
  Path extends string = string,
  Params extends Schema | undefined = undefined,
  Query extends Schema | undefined = undefined,
  Body extends Schema | undefined = undefined,
  Answer extends Schema | undefined = undefined,
> = {
  operationId: string;
  method: "get" | "post" | "put" | "delete";
  /** Below /api, Hono style (`:slug`). */
  path: Path;
  tag: RestTag;
  summary: string;
  description: string;
  /** `required`: anonymous callers get 401 before the body is read. */
  auth: "none" | "optional" | "required";
  /** Anonymous answers come from the KV cache; `comments` is the comment list of the `:slug` article. */
  cache?: "public" | "comments";
  /** Path parameters that are not plain strings. */
  params?: Params;
  query?: Query;
  /** `invalid`: a 422 body for it (default: the example's first field, blank). */
  body?: { schema: Body; description: string; example: unknown; invalid?: Record<string, string[]> };
  /** A 204 has no `schema` and its handler answers nothing. */
  success: { status: 200 | 201 | 204; description: string; schema?: Answer };
  errors: RouteErrorDoc[];
  handle(
    ctx: Context,
    input: RouteInput<Path, Params, Query, Body>,
  ): Promise<Answer extends Schema ? v.InferOutput<Answer> : void>;
};

/** Declares a route; the identity, so that TypeScript infers each route's own types. */
export const restRoute = <
  const Path extends string,
  Params extends Schema | undefined = undefined,
  Query extends Schema | undefined = undefined,
  Body extends Schema | undefined = undefined,
  Answer extends Schema | undefined = undefined,
>(
  route: RestRoute<Path, Params, Query, Body, Answer>,
) => route;

/** A route of any types, as tables of routes hold them (each route's own types were checked where it was declared). */
export type AnyRestRoute = RestRoute<string, any, any, any, any>;

const commentsOfSlug = publicCache((c) => c.req.param("slug") ?? "");
const anonymousCache = publicCache();

/** Registers each route on `app` with the middleware its declaration implies. */
export function mountRest(app: Hono<AppEnv>, routes: readonly AnyRestRoute[]): void {
  for (const route of routes) {
    const chain: MiddlewareHandler<AppEnv>[] = [];
    if (route.method !== "get") chain.push(writeLimit);
    if (route.auth === "required") chain.push(signedIn);
    if (route.cache) chain.push(route.cache === "comments" ? commentsOfSlug : anonymousCache);
    app.on(route.method.toUpperCase(), [route.path], ...chain, async (c) => {
      const input = {
        params: route.params ? parseInput(route.params, c.req.param()) : c.req.param(),
        query: route.query ? parseInput(route.query, c.req.query()) : undefined,
        body: route.body ? await readRestBody(c.req.raw, route.body.schema) : undefined,
      };
      const answer = await route.handle(c.var.ctx, input);
      if (route.success.status === 204) return c.body(null, 204);
      return c.json(answer, route.success.status);
    });
  }
}
