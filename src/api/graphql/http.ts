import {
  execute,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  OperationTypeNode,
  validate,
} from "graphql";
import { createHandler, parseRequestParams } from "graphql-http";
import type { Context as HonoContext } from "hono";
import { createMiddleware } from "hono/factory";
import { requireWithinLimits } from "../../domain/limits";
import { preferredMediaType } from "../../http/accept";
import { readJsonBody } from "../../http/body";
import type { AppEnv } from "../../http/context";
import { entityTag } from "../../http/etag";
import { createApp } from "../../http/hono";
import { RETRY_AFTER_SECONDS } from "../../http/limits";
import { describeError, logEvent } from "../../http/log";
import { HttpError, type Problem } from "../../http/problem";
import { type ErrorLog, formatError, type Phase, problemError } from "./errors";
import { IDE_CSP, idePage } from "./ide";
import { graphqlLimits, limitsRule, MAX_RESPONSE_BYTES, parseWithin } from "./limits";
import { createLoaders } from "./loaders";
import type { GraphqlContext } from "./resolvers";
import { executableSchema, fieldResolver, ResponseBudget, schemaSdl } from "./schema";

// GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) on
// graphql-http, the specification's reference server: it checks the request
// parameters (URL parameters for GET, the JSON body for POST), parses,
// validates, refuses a mutation over GET (405), executes, and chooses the
// status. Its hooks keep our limits (limits.ts) and errors (errors.ts). Around
// it, a small wrapper keeps what is ours:
//
// - The response is `application/graphql-response+json` unless the client's
//   Accept prefers `application/json`: a missing Accept and `*/*` get the
//   former, the specification's default since 2025 (graphql-http still picks
//   JSON for those). An Accept that allows neither is 406.
// - The body is read under the 1 MiB cap (413), as JSON (415, 400), before
//   graphql-http sees it. Methods other than GET and POST are 405.
// - The operation runs in the same per-request context as REST (src/app.ts:
//   D1 session, viewer, cache invalidation, Server-Timing); refusals outside
//   execution are Problems, rendered by graphqlProblem.
//
// With `application/graphql-response+json`, a request that does not execute
// (syntax, validation, a limit, variables) is 400 without `data`; anything
// that executes is 200, errors in fields included. With `application/json`
// all of those are 200, as the specification asks. Malformed parameters (no
// `query`, `variables` that are not an object) are 400 either way.
// A present but invalid token is refused before parsing with 401, like REST;
// a revoked token is found by the operation itself (in its first D1 batch)
// and is an UNAUTHENTICATED error in the response.

export const GRAPHQL_RESPONSE = "application/graphql-response+json";
const JSON_TYPE = "application/json";
const HTML = "text/html";

const responseTypeOf = (c: HonoContext<AppEnv>) => preferredMediaType(c.req.header("accept"), [GRAPHQL_RESPONSE, JSON_TYPE]);

function respond(c: HonoContext<AppEnv>, type: string, status: number, body: string): Response {
  c.header("Cache-Control", "no-store");
  c.header("Vary", "Accept, Authorization");
  // A GraphQL-over-HTTP status (200, 400, or a Problem's); Hono types it as a literal union.
  return c.body(body, status as 200, { "Content-Type": `${type}; charset=utf-8` });
}

/** A failure outside execution (raised here or by the per-request middleware), as a GraphQL response. */
export function graphqlProblem(c: HonoContext<AppEnv>, problem: Problem): Response {
  if (problem.status === 429) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  return respond(c, responseTypeOf(c) ?? GRAPHQL_RESPONSE, problem.status, JSON.stringify({ errors: [problemError(problem)] }));
}

/** GET /graphql from a browser (Accept prefers text/html): the IDE. Runs before the per-request context. */
export const graphqlIde = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== "GET" || preferredMediaType(c.req.header("accept"), [GRAPHQL_RESPONSE, JSON_TYPE, HTML]) !== HTML)
    return next();
  c.header("Cache-Control", "no-cache");
  c.header("Vary", "Accept");
  c.header("Content-Security-Policy", IDE_CSP);
  return c.html(idePage());
});

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

async function jsonObjectOf(request: Request): Promise<Record<string, unknown>> {
  const body = await readJsonBody(request);
  if (!isMap(body)) throw new HttpError(400, "request body must be a JSON object");
  return body;
}

/**
 * graphql-http's handler for one request, made per request because its parse
 * and validate hooks see no request and the limits come from this request's
 * env. graphql-http formats the errors once the request is done; `phase`
 * records how far it got, which decides their code.
 *
 * This is graphql-http's core handler, the one `graphql-http/lib/use/fetch`
 * wraps: it takes the body we have read (the fetch adapter would read the
 * request again, without a cap) and lets an error thrown in a hook reach the
 * app's onError (the adapter answers it with a bare 500).
 */
function handlerFor(c: HonoContext<AppEnv>, type: string) {
  const limits = graphqlLimits(c.env);
  const hideSuggestions = !limits.introspection;
  const parseLimited = parseWithin(limits);
  // Read only for GraphQL errors, which arise once parsing has begun.
  let phase: Phase = "parse";
  const response = new ResponseBudget();
  const log: ErrorLog = (error, cause) =>
    logEvent("error", c.var.requestId, {
      graphql: { path: error.path, message: error.message },
      error: describeError(cause),
    });
  return createHandler<Request, undefined, GraphqlContext>({
    schema: executableSchema(),
    // An empty `operationName` (`?operationName=`) names nothing: no operation has an empty name.
    parseRequestParams: async (request) => {
      const params = await parseRequestParams(request);
      return "query" in params ? { ...params, operationName: params.operationName || undefined } : params;
    },
    context: () => ({ ctx: c.var.ctx, loaders: createLoaders(c.var.ctx), response }),
    parse: (source) => {
      phase = "parse";
      return parseLimited(source);
    },
    validationRules: (_request, args, specified) => [
      ...specified,
      ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
      limitsRule(limits, args.variableValues ?? {}),
    ],
    validate: (schema, document, rules) => {
      phase = "validation";
      return validate(schema, document, rules, { hideSuggestions });
    },
    // An operation graphql-http cannot pick (an unknown name, several and no
    // name) is left to execute, whose error says which. It is not a mutation,
    // the one thing graphql-http reads of it.
    getOperationAST: (document, name) =>
      getOperationAST(document, name) ?? ({ operation: OperationTypeNode.QUERY } as OperationDefinitionNode),
    execute: (args) => {
      phase = "execution";
      return execute({ ...args, fieldResolver, hideSuggestions });
    },
    // Without `data` nothing ran: the variables or the operation name were
    // wrong, a request error (graphql-http would answer it 200 in either type).
    onOperation: (_request, _args, result) => {
      if (response.exceeded) return [tooLarge(), { status: 200, statusText: "" }];
      if ("data" in result) return;
      const errors = (result.errors ?? []).map((error) => formatError(error, "request", log));
      return [JSON.stringify({ errors }), { status: type === GRAPHQL_RESPONSE ? 400 : 200, statusText: "" }];
    },
    formatError: (error) => {
      const formatted = formatError(error, phase, log);
      if (formatted.extensions.code === "RATE_LIMITED") c.header("Retry-After", String(RETRY_AFTER_SECONDS));
      return formatted;
    },
  });
}

/** The answer to a query whose response would pass the size cap: nothing of it, and why. */
const tooLarge = () =>
  JSON.stringify({
    data: null,
    errors: [
      {
        message: `the response would exceed ${MAX_RESPONSE_BYTES} bytes: ask for fewer or smaller pages`,
        extensions: { code: "RESPONSE_TOO_LARGE", limit: "response", max: MAX_RESPONSE_BYTES },
      },
    ],
  });

async function run(c: HonoContext<AppEnv>) {
  const method = c.req.method === "HEAD" ? "GET" : c.req.method;
  if (method !== "GET" && method !== "POST") {
    c.header("Allow", "GET, POST");
    throw new HttpError(405, `${c.req.method} is not allowed: use GET or POST`);
  }
  const type = responseTypeOf(c);
  if (!type) throw new HttpError(406, `this endpoint answers ${GRAPHQL_RESPONSE} or ${JSON_TYPE}`);
  // graphql-http gets the body read and parsed, and, as the Accept, the one
  // media type chosen above (its status rules follow it).
  const body = method === "POST" ? await jsonObjectOf(c.req.raw) : null;
  // Every request counts, queries too: the backstop behind the cost estimate (limits.ts).
  await requireWithinLimits(c.var.ctx, [["graphql-client", c.var.ctx.client]]);
  const handle = handlerFor(c, type);
  const [text, init] = await handle({
    method,
    url: c.req.url,
    headers: { accept: type, "content-type": JSON_TYPE },
    body,
    raw: c.req.raw,
    context: undefined,
  });
  // graphql-http's one refusal of its own: a mutation over GET.
  if (init.status === 405) {
    c.header("Allow", "POST");
    throw new HttpError(405, "mutations must be sent with POST");
  }
  // The count in ResponseBudget approximates the serialized size; this is the exact check.
  if (text && text.length > MAX_RESPONSE_BYTES / 3 && new TextEncoder().encode(text).length > MAX_RESPONSE_BYTES) {
    return respond(c, type, 200, tooLarge());
  }
  return respond(c, type, init.status, text ?? "");
}

export const graphqlRoutes = createApp();

graphqlRoutes.all("/", run);

graphqlRoutes.get("/schema.graphql", async (c) => {
  if (!graphqlLimits(c.env).introspection) throw new HttpError(404, "the schema is not published");
  const sdl = schemaSdl();
  const etag = await entityTag(sdl);
  c.header("Cache-Control", "public, max-age=300");
  c.header("ETag", etag);
  if (c.req.header("if-none-match") === etag) return c.body(null, 304);
  return c.body(sdl, 200, { "Content-Type": "text/plain; charset=utf-8" });
});
