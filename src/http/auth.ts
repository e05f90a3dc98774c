import { createMiddleware } from "hono/factory";
import type { Viewer } from "../domain/context";
import { unauthenticated } from "../domain/errors";
import { readToken, type TokenConfig } from "../domain/tokens";
import { requireViewer } from "../domain/viewer";
import type { AppEnv } from "./context";

const SCHEME = /^(?:Token|Bearer) +(\S+) *$/i;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const INVALID = "token is invalid or expired";

/**
 * The caller named by the Authorization header: null when there is none; a
 * header that is present but not a valid token is refused, even on routes
 * where auth is optional. A header that is not `Token <credential>` (or
 * `Bearer`) is a format error; a credential that is not a valid JWT, whatever
 * its shape, is an invalid token.
 */
export async function viewerFrom(header: string | undefined, config: TokenConfig, now: Date): Promise<Viewer | null> {
  if (header === undefined || header.trim() === "") return null;
  const token = SCHEME.exec(header.trim())?.[1];
  if (!token) throw unauthenticated("Authorization must be 'Token <jwt>' or 'Bearer <jwt>'");
  const claims = JWT.test(token) ? await readToken(config, token, now) : null;
  if (!claims) throw unauthenticated(INVALID);
  return { ...claims, token };
}

/**
 * For routes that need a signed-in caller: says so before the body is read,
 * so an anonymous write hears 401 rather than a 422 about a body it may not send.
 */
export const signedIn = createMiddleware<AppEnv>(async (c, next) => {
  requireViewer(c.var.ctx);
  await next();
});
