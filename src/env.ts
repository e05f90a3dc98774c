import { keyOf, type SigningKey, type TokenConfig } from "./domain/tokens";

/**
 * The Worker's bindings, vars and secrets: generated from wrangler.toml by
 * `npm run cf-typegen` (worker-configuration.d.ts; CI fails when it is stale).
 * They are typed as present, yet the code below still checks them: a deploy or
 * a test may leave one out.
 */
export type Env = Cloudflare.Env;

const MIN_SECRET_LENGTH = 32;
const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
/** However it is configured, no token lives longer than this. */
export const MAX_TTL_SECONDS = 30 * 24 * 3600;

const DEFAULT_D1_TIMEOUT_MS = 10_000;

export function d1TimeoutMs(env: Env): number {
  const value = Number(env.D1_TIMEOUT_MS ?? DEFAULT_D1_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_D1_TIMEOUT_MS;
}

// Key ids are digests: computed once per secret list, not per request.
const keysBySecret = new Map<string, Promise<SigningKey[]>>();

/**
 * Token settings from the environment, or null when a secret is missing or
 * too short (a typo in a rotation must not silently weaken signing).
 */
export async function tokenConfig(env: Env): Promise<TokenConfig | null> {
  const configured = env.JWT_SECRET ?? "";
  const secrets = configured.split(/[\s,]+/).filter(Boolean);
  if (!secrets.length || secrets.some((secret) => secret.length < MIN_SECRET_LENGTH)) return null;
  let keys = keysBySecret.get(configured);
  if (!keys) {
    keys = Promise.all(secrets.map(keyOf));
    keysBySecret.set(configured, keys);
  }
  const ttl = Number(env.JWT_TTL_SECONDS ?? DEFAULT_TTL_SECONDS);
  return {
    keys: await keys,
    issuer: env.JWT_ISSUER ?? "conduit-edge",
    audience: env.JWT_AUDIENCE ?? "conduit-edge-api",
    ttlSeconds: Number.isInteger(ttl) && ttl > 0 ? Math.min(ttl, MAX_TTL_SECONDS) : DEFAULT_TTL_SECONDS,
  };
}
