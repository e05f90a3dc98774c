import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { rest } from "./api/rest/routes";
import { openDb } from "./db/client";
import { DomainError } from "./domain/errors";
import { tokenConfig } from "./env";
import { viewerFrom } from "./http/auth";
import type { AppEnv } from "./http/context";
import { HttpError, type Problem, toProblem } from "./http/problem";

export const app = new Hono<AppEnv>();

app.use(
  cors({
    origin: "*",
    allowMethods: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "X-Request-Id"],
    exposeHeaders: ["X-Request-Id"],
    maxAge: 86_400,
  }),
);
app.use(requestId());
app.use(
  secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: "DENY",
    crossOriginResourcePolicy: "cross-origin",
  }),
);
// Hono's c.json() says `application/json`; the contract wants the charset too.
app.use(async (c, next) => {
  await next();
  if (c.res.headers.get("content-type") === "application/json") {
    c.res.headers.set("content-type", "application/json; charset=utf-8");
  }
});

// Per request: the caller (from the Authorization header) and a Drizzle client
// over the binding this request was given.
app.use("/api/*", async (c, next) => {
  const tokens = tokenConfig(c.env);
  if (!tokens) {
    console.error(
      JSON.stringify({
        level: "error",
        requestId: c.var.requestId,
        error: "JWT_SECRET is missing or shorter than 32 characters",
      }),
    );
    throw new DomainError("unavailable", "the service is not configured");
  }
  const now = () => new Date();
  const viewer = await viewerFrom(c.req.header("authorization"), tokens, now());
  c.set("ctx", { db: openDb(c.env.DB), viewer, now, tokens });
  await next();
});

app.route("/api", rest);

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
  return c.json(renderRestProblem(problem), problem.status as 400);
});
