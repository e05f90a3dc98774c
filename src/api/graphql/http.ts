import {
  type DocumentNode,
  execute as executeOperation,
  type FormattedExecutionResult,
  type GraphQLError,
  type GraphQLFormattedError,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import type { Context as HonoContext } from "hono";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { parseAccept } from "hono/utils/accept";
import { readJsonBody } from "../../http/body";
import { entityTag } from "../../http/cache";
import type { AppEnv } from "../../http/context";
import { RETRY_AFTER_SECONDS } from "../../http/limits";
import { HttpError, type Problem } from "../../http/problem";
import { type ErrorLog, formatError, problemError } from "./errors";
import { IDE_CSP, idePage } from "./ide";
import { graphqlLimits, limitExtensions, limitsRule } from "./limits";
import { createLoaders } from "./loaders";
import { executableSchema, fieldResolver, schemaSdl } from "./schema";

// GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/),
// written out here: it is small, and owning it lets the request run in the
// same per-request context as REST (src/app.ts: D1 session, viewer, cache
// invalidation, Server-Timing) and map errors through the same Problem.
//
// - POST with an `application/json` body {query, operationName?, variables?,
//   extensions?}; GET with the same as URL parameters (variables and
//   extensions JSON-encoded). GET runs queries only: a mutation is 405.
// - The response is `application/graphql-response+json` unless the client's
//   Accept prefers `application/json` (missing Accept and `*/*` get the
//   former). An Accept that allows neither is 406.
// - With `application/graphql-response+json`, a request that does not
//   execute (syntax, validation, a limit, variables) is 400 without `data`;
//   anything that executes is 200, errors in fields included. With
//   `application/json` all of those are 200, as the specification asks.
// - A malformed request (bad JSON, no `query`, parameters of the wrong type)
//   is 400 either way; a body that is not JSON is 415, over 1 MiB 413.
// - A present but invalid token is refused before parsing with 401, like
//   REST; a revoked token is found by the operation itself (in its first D1
//   batch) and is an UNAUTHENTICATED error in the response.

export const GRAPHQL_RESPONSE = "application/graphql-response+json";
const JSON_TYPE = "application/json";
const HTML = "text/html";

/**
 * The offer the Accept header prefers: highest quality, then the most
 * specific match (`application/json` listed beside a wildcard means JSON),
 * then our order.
 * No header means any. Null when nothing offered is acceptable.
 */
export function negotiate(header: string | undefined, offers: readonly string[]): string | null {
  if (!header?.trim()) return offers[0] ?? null;
  const ranges = parseAccept(header)
    .map((range) => ({ ...range, type: range.type.trim().toLowerCase() }))
    .filter((range) => !range.params.charset || /^"?utf-?8"?$/i.test(range.params.charset));
  let best: string | null = null;
  let bestScore = [0, 0];
  for (const offer of offers) {
    const main = offer.split("/")[0];
    const match =
      ranges.find((range) => range.type === offer) ??
      ranges.find((range) => range.type === `${main}/*`) ??
      ranges.find((range) => range.type === "*/*" || range.type === "*");
    if (!match || match.q <= 0) continue;
    const score = [match.q, match.type === offer ? 3 : match.type.endsWith("/*") && match.type !== "*/*" ? 2 : 1];
    if (score[0]! > bestScore[0]! || (score[0] === bestScore[0] && score[1]! > bestScore[1]!)) {
      best = offer;
      bestScore = score;
    }
  }
  return best;
}

const responseTypeOf = (c: HonoContext<AppEnv>) => negotiate(c.req.header("accept"), [GRAPHQL_RESPONSE, JSON_TYPE]);

function respond(c: HonoContext<AppEnv>, type: string, status: number, body: FormattedExecutionResult) {
  c.header("Cache-Control", "no-store");
  c.header("Vary", "Accept, Authorization");
  return c.body(JSON.stringify(body), status as 200, { "Content-Type": `${type}; charset=utf-8` });
}

/** A failure outside execution (raised here or by the per-request middleware), as a GraphQL response. */
export function graphqlProblem(c: HonoContext<AppEnv>, problem: Problem) {
  return respond(c, responseTypeOf(c) ?? GRAPHQL_RESPONSE, problem.status, { errors: [problemError(problem)] });
}

export const isGraphqlPath = (path: string) => path === "/graphql" || path.startsWith("/graphql/");

/** GET /graphql from a browser (Accept prefers text/html): the IDE. Runs before the per-request context. */
export const graphqlIde = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== "GET" || negotiate(c.req.header("accept"), [GRAPHQL_RESPONSE, JSON_TYPE, HTML]) !== HTML) return next();
  c.header("Cache-Control", "no-cache");
  c.header("Vary", "Accept");
  c.header("Content-Security-Policy", IDE_CSP);
  return c.html(idePage());
});

type Params = {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown> | null;
};

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The request parameters, or 400 if they are not well-formed. */
function paramsOf(raw: Record<string, unknown>): Params {
  const { query, operationName, variables, extensions } = raw;
  if (typeof query !== "string") throw new HttpError(400, "query must be a string");
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
    throw new HttpError(400, "operationName must be a string");
  }
  if (variables !== undefined && variables !== null && !isMap(variables)) throw new HttpError(400, "variables must be an object");
  if (extensions !== undefined && extensions !== null && !isMap(extensions))
    throw new HttpError(400, "extensions must be an object");
  return { query, operationName: operationName ?? null, variables: variables ?? null };
}

function paramsOfUrl(url: string): Params {
  const search = new URL(url).searchParams;
  const json = (name: string) => {
    const text = search.get(name);
    if (text === null || text === "") return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, `${name} must be JSON`);
    }
  };
  return paramsOf({
    query: search.get("query") ?? undefined,
    operationName: search.get("operationName") || undefined,
    variables: json("variables"),
    extensions: json("extensions"),
  });
}

async function paramsOfBody(request: Request): Promise<Params> {
  const body = await readJsonBody(request);
  if (!isMap(body)) throw new HttpError(400, "request body must be a JSON object");
  return paramsOf(body);
}

const TOO_MANY_TOKENS = /^Document contains more than \d+ tokens/;

async function run(c: HonoContext<AppEnv>) {
  const method = c.req.method === "HEAD" ? "GET" : c.req.method;
  if (method !== "GET" && method !== "POST") {
    c.header("Allow", "GET, POST");
    throw new HttpError(405, `${c.req.method} is not allowed: use GET or POST`);
  }
  const type = responseTypeOf(c);
  if (!type) throw new HttpError(406, `this endpoint answers ${GRAPHQL_RESPONSE} or ${JSON_TYPE}`);
  const params = method === "GET" ? paramsOfUrl(c.req.url) : await paramsOfBody(c.req.raw);
  const limits = graphqlLimits(c.env);
  // Request errors: 400 in the specification's media type, 200 in legacy JSON.
  const refuse = (errors: GraphQLFormattedError[]) => respond(c, type, type === GRAPHQL_RESPONSE ? 400 : 200, { errors });
  const log: ErrorLog = (error, cause) =>
    console.error(
      JSON.stringify({
        level: "error",
        requestId: c.var.requestId,
        graphql: { path: error.path, message: error.message },
        error:
          cause instanceof Error ? { name: cause.name, message: cause.message, cause: String(cause.cause ?? "") } : String(cause),
      }),
    );

  let document: DocumentNode;
  try {
    document = parse(params.query, { maxLexicalTokens: limits.maxTokens, maxComments: limits.maxTokens });
  } catch (error) {
    const syntax = error as GraphQLError;
    const formatted = formatError(syntax, "parse", log);
    const tooLong = TOO_MANY_TOKENS.test(syntax.message.replace(/^Syntax Error: /, ""));
    return refuse([tooLong ? { ...formatted, extensions: limitExtensions("tokens", limits.maxTokens) } : formatted]);
  }

  if (method === "GET" && getOperationAST(document, params.operationName)?.operation === "mutation") {
    c.header("Allow", "POST");
    throw new HttpError(405, "mutations must be sent with POST");
  }

  const rules = [
    ...specifiedRules,
    ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    limitsRule(limits, params.variables ?? {}),
  ];
  const schema = executableSchema();
  const invalid = validate(schema, document, rules, { hideSuggestions: !limits.introspection });
  if (invalid.length) return refuse(invalid.map((error) => formatError(error, "validation", log)));

  const result = await executeOperation({
    schema,
    document,
    operationName: params.operationName,
    variableValues: params.variables,
    contextValue: { ctx: c.var.ctx, loaders: createLoaders(c.var.ctx) },
    fieldResolver,
    hideSuggestions: !limits.introspection,
  });
  // Without `data` nothing ran: the variables or the operation name were wrong.
  if (!("data" in result)) return refuse((result.errors ?? []).map((error) => formatError(error, "request", log)));
  const errors = result.errors?.map((error) => formatError(error, "execution", log));
  if (errors?.some((error) => error.extensions?.code === "RATE_LIMITED")) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  return respond(c, type, 200, { data: result.data, ...(errors?.length ? { errors } : {}) });
}

export const graphqlRoutes = new Hono<AppEnv>();

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
