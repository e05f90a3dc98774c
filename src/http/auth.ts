import { createMiddleware } from "hono/factory";
import type { Viewer } from "../domain/context";
import { unauthenticated } from "../domain/errors";
import { readToken, type TokenConfig } from "../domain/tokens";
import { requireViewer } from "../domain/viewer";
import type { AppEnv } from "./context";

const SCHEME = /^(?:Token|Bearer) +([\w-]+\.[\w-]+\.[\w-]+) *$/i;

/**
 * The caller named by the Authorization header: null when there is none; a
 * header that is present but not a valid token is refused, even on routes
 * where auth is optional.
 */
export async function viewerFrom(header: string | undefined, config: TokenConfig, now: Date): Promise<Viewer | null> {
  if (header === undefined || header.trim() === "") return null;
  const match = SCHEME.exec(header.trim());
  if (!match?.[1]) throw unauthenticated("Authorization must be 'Token <jwt>' or 'Bearer <jwt>'");
  const claims = await readToken(config, match[1], now);
  if (!claims) throw unauthenticated("token is invalid or expired");
  return { ...claims, token: match[1] };
}

/**
 * For routes that need a signed-in caller: says so before the body is read,
 * so an anonymous write hears 401 rather than a 422 about a body it may not send.
 */
export const signedIn = createMiddleware<AppEnv>(async (c, next) => {
  requireViewer(c.var.ctx);
  await next();
});
