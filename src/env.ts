import type { TokenConfig } from "./domain/tokens";

export type Env = {
  DB: D1Database;
  CACHE: KVNamespace;
  JWT_SECRET?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  JWT_TTL_SECONDS?: string;
};

const MIN_SECRET_LENGTH = 32;

/** Token settings from the environment, or null when the secret is unusable. */
export function tokenConfig(env: Env): TokenConfig | null {
  const secret = env.JWT_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH) return null;
  const ttlSeconds = Number(env.JWT_TTL_SECONDS ?? 604_800);
  return {
    secret,
    issuer: env.JWT_ISSUER ?? "conduit-edge",
    audience: env.JWT_AUDIENCE ?? "conduit-edge-api",
    ttlSeconds: Number.isInteger(ttlSeconds) && ttlSeconds > 0 ? ttlSeconds : 604_800,
  };
}
