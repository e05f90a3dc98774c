import { createMiddleware } from "hono/factory";
import { openDb } from "../db/client";
import { meterD1 } from "../db/metered";
import { BOOKMARK_HEADER, lazySession, validBookmark } from "../db/session";
import type { Scope } from "../domain/context";
import { DomainError } from "../domain/errors";
import { checkViewer } from "../domain/viewer";
import { d1TimeoutMs, tokenConfig } from "../env";
import { viewerFrom } from "./auth";
import type { AppEnv } from "./context";
import { invalidate } from "./kv-cache";
import { clientOf, limiterFor } from "./limits";
import { logEvent } from "./log";

/**
 * What every operation runs in, the same for REST, GraphQL and JSON:API: the
 * caller (from the Authorization header), a metered D1 session (continuing
 * from the client's bookmark, if any), the rate limiter, and the record of
 * what reads showed and writes changed, which the KV cache stores with an
 * answer or drops the answers of once the operation is done.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const tokens = await tokenConfig(c.env);
  if (!tokens) {
    logEvent("error", c.var.requestId, { error: "JWT_SECRET is missing, or one of its keys is shorter than 32 characters" });
    throw new DomainError("unavailable", "the service is not configured");
  }
  const bookmark = validBookmark(c.req.header(BOOKMARK_HEADER));
  const readOnly = c.req.method === "GET" || c.req.method === "HEAD";
  // A cache miss may name where reads must start (see http/kv-cache.ts).
  const session = lazySession(c.env.DB, () => bookmark ?? c.var.readAfter ?? null, readOnly);
  const { db, meter } = meterD1(session, d1TimeoutMs(c.env));
  c.set("meter", meter);
  c.set("bookmark", bookmark);
  const now = () => new Date();
  const viewer = await viewerFrom(c.req.header("authorization"), tokens, now());
  const changed: Scope[] = [];
  const shown: Scope[] = [];
  c.set("shown", shown);
  c.set("reached", () => session.getBookmark());
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
    changed: (...scopes) => changed.push(...scopes),
    shown: (...scopes) => shown.push(...scopes),
    client: clientOf(c.req.raw),
    limit: limiterFor(c.env, (message) => logEvent("error", c.var.requestId, { error: message })),
  });
  await next();
  // A revoked token is refused even where the answer needed no D1 (it then
  // costs one round trip); a request refused before D1 for another reason
  // keeps that answer, and its cost of none.
  if (c.res.status < 400) await checkViewer(c.var.ctx);
  const reached = session.getBookmark();
  if (changed.length) invalidate(c, changed, reached);
  if (reached) c.res.headers.set(BOOKMARK_HEADER, reached);
});
