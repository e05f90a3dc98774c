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

/**
 * The signing secret of .dev.vars.example (test/env.test.ts reads the file to
 * check): public, so a Worker configured with it signs tokens anyone can forge.
 */
export const EXAMPLE_JWT_SECRET = "local-development-secret-do-not-use-in-production-0123456789";

/**
 * Why the Worker must not serve with this configuration, or null. Local
 * development is what `npm run dev` says it is (LOCAL_DEVELOPMENT "true", a
 * command-line var never deployed); anywhere else the example secret is refused.
 */
export function unsafeConfiguration(env: Env): string | null {
  const secrets = (env.JWT_SECRET ?? "").split(/[\s,]+/);
  if (!secrets.includes(EXAMPLE_JWT_SECRET) || env.LOCAL_DEVELOPMENT === "true") return null;
  return "JWT_SECRET is the public example value of .dev.vars.example: set a secret of your own (`wrangler secret put JWT_SECRET`); only `npm run dev` may use the example";
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
