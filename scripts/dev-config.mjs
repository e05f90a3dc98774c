// Which wrangler configuration local development serves with. wrangler.toml
// holds the production rate limits, which count every request from one client
// address in one bucket: on `npm run dev` that is every request, and a
// frontend's end-to-end suite (dozens of sign-ups a minute) would hit 429. So
// `npm run dev` serves a copy of wrangler.toml that differs in the limits
// only; `CONDUIT_RATE_LIMITS=production npm run dev` serves wrangler.toml
// itself, exactly the production limits. The tests of the limits use their own
// tight bindings (vitest.config.ts), not these.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { experimental_readRawConfig } from "wrangler";

/**
 * Per minute from one address, for local development: room for 300 sign-ups
 * and 1,000 other writes (a sign-up counts against both the auth and the write
 * limits), for a suite that logs the same test user in before each test, and
 * for a developer who reloads with the cache bypassed.
 */
export const LOCAL_LIMITS = {
  AUTH_ACCOUNT_LIMITER: 200,
  AUTH_CLIENT_LIMITER: 1_000,
  WRITE_CLIENT_LIMITER: 5_000,
  READ_BYPASS_LIMITER: 5_000,
  GRAPHQL_CLIENT_LIMITER: 10_000,
};

export const MODES = ["local", "production"];

/** `CONDUIT_RATE_LIMITS`: unset or `local` for local limits, `production` for wrangler.toml's. */
export function rateLimitMode(value = process.env.CONDUIT_RATE_LIMITS) {
  const mode = value === undefined || value === "" ? "local" : value;
  if (!MODES.includes(mode)) throw new Error(`CONDUIT_RATE_LIMITS is "${value}": use ${MODES.join(" or ")}`);
  return mode;
}

/**
 * The configuration file to serve `mode` with. The local one is written beside
 * wrangler.toml (and gitignored), so that its relative paths, .dev.vars and
 * the local state in .wrangler/ are the same as wrangler.toml's.
 */
export function wranglerConfig(root, mode) {
  const production = path.join(root, "wrangler.toml");
  if (mode === "production") return production;
  const { rawConfig } = experimental_readRawConfig({ config: production });
  for (const limiter of rawConfig.ratelimits ?? []) {
    const limit = LOCAL_LIMITS[limiter.name];
    if (limit === undefined) throw new Error(`scripts/dev-config.mjs has no local limit for ${limiter.name}`);
    limiter.simple = { ...limiter.simple, limit };
  }
  const local = path.join(root, ".wrangler.local.json");
  const note = "Written by scripts/dev-config.mjs from wrangler.toml for `npm run dev`: the same but for the rate limits.";
  writeFileSync(local, `${JSON.stringify({ $comment: note, ...rawConfig }, null, 2)}\n`);
  return local;
}
