import { Hono } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { graphqlIde, graphqlProblem, graphqlRoutes, isGraphqlPath } from "./api/graphql/http";
import { isJsonApiPath, jsonApiProblem } from "./api/jsonapi/errors";
import { jsonapi } from "./api/jsonapi/routes";
import { rest } from "./api/rest/routes";
import { restRepresentation } from "./api/xml/middleware";
import { openDb } from "./db/client";
import { meterD1 } from "./db/metered";
import { BOOKMARK_HEADER, lazySession, validBookmark } from "./db/session";
import type { Change } from "./domain/context";
import { DomainError } from "./domain/errors";
import { rateLimited } from "./domain/limits";
import { d1TimeoutMs, tokenConfig } from "./env";
import { viewerFrom } from "./http/auth";
import { conditionalGet, invalidate } from "./http/cache";
import type { AppEnv } from "./http/context";
import { clientOf, limiterFor, RETRY_AFTER_SECONDS } from "./http/limits";
import { HttpError, type Problem, toProblem } from "./http/problem";
import { service } from "./service/routes";

export const app = new Hono<AppEnv>();

// What the request cost, on every response: whether the KV cache answered and
// how many D1 round trips were made (a batch is one) and how long they took.
app.use(async (c, next) => {
  await next();
  const meter = c.var.meter ?? { trips: 0, ms: 0 };
  c.res.headers.set("Server-Timing", `cache;desc=${c.var.cache ?? "bypass"}, d1;desc=${meter.trips};dur=${meter.ms.toFixed(1)}`);
  c.res.headers.set("Timing-Allow-Origin", "*");
});
app.use(
  cors({
    origin: "*",
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", BOOKMARK_HEADER, "If-None-Match", "Cache-Control"],
    exposeHeaders: ["X-Request-Id", BOOKMARK_HEADER, "Server-Timing", "ETag"],
    maxAge: 86_400,
  }),
);
app.use(requestId());
app.use(
  secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: "DENY",
    crossOriginResourcePolicy: "cross-origin",
    // The HTML pages (src/service/) set a Content-Security-Policy of their own.
    overwrite: false,
  }),
);
// Hono's c.json() says `application/json`; the contract wants the charset too.
app.use(async (c, next) => {
  await next();
  if (c.res.headers.get("content-type") === "application/json") {
    c.res.headers.set("content-type", "application/json; charset=utf-8");
  }
});

// Per request: the caller (from the Authorization header), a metered D1
// session (continuing from the client's bookmark, if any) and the record of
// what writes changed, which drops the cached views they affect. The same for
// REST (/api), GraphQL (/graphql) and JSON:API (/jsonapi).
const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const tokens = await tokenConfig(c.env);
  if (!tokens) {
    console.error(
      JSON.stringify({
        level: "error",
        requestId: c.var.requestId,
        error: "JWT_SECRET is missing, or one of its keys is shorter than 32 characters",
      }),
    );
    throw new DomainError("unavailable", "the service is not configured");
  }
  const bookmark = validBookmark(c.req.header(BOOKMARK_HEADER));
  const readOnly = c.req.method === "GET" || c.req.method === "HEAD";
  // A cache miss may name where reads must start (see http/cache.ts).
  const session = lazySession(c.env.DB, () => bookmark ?? c.var.readAfter ?? null, readOnly);
  const { db, meter } = meterD1(session, d1TimeoutMs(c.env));
  c.set("meter", meter);
  c.set("bookmark", bookmark);
  const now = () => new Date();
  const viewer = await viewerFrom(c.req.header("authorization"), tokens, now());
  const changes: Change[] = [];
  const client = clientOf(c.req.raw);
  const limit = limiterFor(c.env, (message) =>
    console.error(JSON.stringify({ level: "error", requestId: c.var.requestId, error: message })),
  );
  // The Drizzle client is built on first use: a cache hit never needs one.
  let drizzleDb: ReturnType<typeof openDb> | undefined;
  c.set("ctx", {
    get db() {
      drizzleDb ??= openDb(db);
      return drizzleDb;
    },
    viewer,
    now,
    tokens,
    changed: (change) => changes.push(change),
    client,
    limit,
  });
  // A blanket limit on writes per client, on top of the per-operation ones.
  // GraphQL counts each mutation instead (a POST may be a query).
  if (!readOnly && c.req.method !== "OPTIONS" && !isGraphqlPath(c.req.path) && !(await limit("write-client", client))) {
    throw rateLimited();
  }
  await next();
  const reached = session.getBookmark();
  if (changes.length) await invalidate(c, changes, reached);
  if (reached) c.res.headers.set(BOOKMARK_HEADER, reached);
});
app.use("/api/*", requestContext);
app.use("/api/*", conditionalGet);
app.use("/api/*", restRepresentation);
app.use("/jsonapi/*", requestContext, conditionalGet);
// A browser gets the IDE before any of the per-request work.
app.use("/graphql", graphqlIde, requestContext);

app.route("/api", rest);
app.route("/graphql", graphqlRoutes);
app.route("/jsonapi", jsonapi);
// Landing page, health check, OpenAPI document, interactive docs.
app.route("/", service);

app.notFound(() => {
  throw new HttpError(404, "no such route");
});

function renderRestProblem(problem: Problem) {
  const errors = Object.keys(problem.fields).length ? problem.fields : { body: [problem.message] };
  return { errors };
}

app.onError((error, c) => {
  const problem = toProblem(error);
  if (problem.status >= 500) {
    console.error(
      JSON.stringify({
        level: "error",
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        status: problem.status,
        error:
          error instanceof Error ? { name: error.name, message: error.message, cause: String(error.cause ?? "") } : String(error),
      }),
    );
  }
  if (problem.status === 401) c.header("WWW-Authenticate", 'Token realm="conduit"');
  if (problem.status === 429) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  if (isGraphqlPath(c.req.path)) return graphqlProblem(c, problem);
  if (isJsonApiPath(c.req.path)) return jsonApiProblem(c, problem);
  return c.json(renderRestProblem(problem), problem.status as 400);
});
