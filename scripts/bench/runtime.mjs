// What `npm run bench` runs: the deployable bundle as wrangler builds it, the
// bench's front Worker around it (bench/front.js), their bindings, and the
// migrations applied to a fresh database.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build as esbuild } from "esbuild";

export const HOST = "127.0.0.1";
export const COMPATIBILITY = { compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat"] };
/** wrangler.toml's value, which the mix and the cached cases run with (the limit they are measured against). */
export const CACHE_STAMP_INTERVAL_MS = "1000";

/** The deployable bundle: `wrangler deploy --dry-run` into `outdir`. */
export function buildApp(root, outdir) {
  const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  const run = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`);
  const modules = readdirSync(outdir).filter((file) => /\.(m?js|cjs|wasm)$/.test(file));
  if (modules.length !== 1 || modules[0] !== "index.js") {
    throw new Error(`expected the bundle to be one index.js, found: ${modules.join(", ")}`);
  }
  const path = join(outdir, "index.js");
  const code = readFileSync(path);
  return { path, code: code.toString("utf8"), bytes: code.length, gzipBytes: gzipSync(code).length };
}

/** bench/front.js bundled around the built app (the bundle itself, not src/: what is measured is what deploys). */
export async function buildFront(root, appPath) {
  const result = await esbuild({
    entryPoints: [join(root, "bench", "front.js")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2023",
    external: ["cloudflare:*", "node:*"],
    logLevel: "silent",
    plugins: [
      {
        name: "conduit-app",
        setup(build) {
          build.onResolve({ filter: /^conduit:app$/ }, () => ({ path: appPath }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

const text = (value) => ({ type: "text", value });
const limiter = (namespace) => ({ type: "rate-limit", namespace, simple: { limit: 1_000_000_000, period: 60 } });

/**
 * The app's bindings as in wrangler.toml, on storage named `storage`. The rate
 * limiters are bound (so their calls are paid for, as in production) with a
 * limit no run reaches: the bench measures cost, not refusals.
 */
export function appEnv(storage, extra = {}) {
  return {
    DB: { type: "d1", id: `bench-${storage}` },
    CACHE: { type: "kv", id: `bench-${storage}-cache` },
    JWT_SECRET: text("bench-only-signing-secret-0123456789abcdef"),
    JWT_ISSUER: text("conduit-edge"),
    JWT_AUDIENCE: text("conduit-edge-api"),
    JWT_TTL_SECONDS: text("604800"),
    AUTH_ACCOUNT_LIMITER: limiter(`${storage}-1001`),
    AUTH_CLIENT_LIMITER: limiter(`${storage}-1002`),
    WRITE_CLIENT_LIMITER: limiter(`${storage}-1003`),
    READ_BYPASS_LIMITER: limiter(`${storage}-1004`),
    GRAPHQL_CLIENT_LIMITER: limiter(`${storage}-1005`),
    ...Object.fromEntries(Object.entries(extra).map(([name, value]) => [name, text(value)])),
  };
}

/**
 * The app behind bench/front.js, against the production-like KV: `isolates`
 * front Workers (names `${name}`, `${name}-2`, …) on one database and one KV
 * namespace, and their gate. Returns the Workers' configurations and the
 * names of the front Workers.
 */
export function gatedApp(name, frontCode, storage, isolates = 1) {
  const gate = `${name}-kv-gate`;
  const fronts = Array.from({ length: isolates }, (_, i) => (i === 0 ? name : `${name}-${i + 1}`));
  const env = {
    ...appEnv(storage, { CACHE_STAMP_INTERVAL_MS, ...(isolates > 1 ? { BENCH_ORIGIN: "http://conduit.bench" } : {}) }),
    GATE: { type: "worker", worker: gate, exportName: "KvGate" },
  };
  return {
    fronts,
    workers: [
      worker(gate, frontCode, { CACHE: appEnv(storage).CACHE }, { direct: false }),
      ...fronts.map((front) => worker(front, frontCode, env)),
    ],
  };
}

export function worker(name, code, env, { direct = true } = {}) {
  return {
    config: {
      name,
      ...COMPATIBILITY,
      manifest: { mainModule: "index.js", modules: { "index.js": { type: "esm", contents: code } } },
      env,
    },
    // A socket of the Worker's own in workerd: requests reach it without
    // passing through Miniflare's entry Worker (which roughly triples the cost
    // of a trivial request).
    ...(direct ? { dev: { unsafeDirectSockets: [{ host: HOST, port: 0 }] } } : {}),
  };
}

/** Every migration, in order, on a fresh database; how many there were. */
export async function migrate(root, db) {
  const dir = join(root, "migrations");
  const files = readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort();
  for (const file of files) {
    const statements = readFileSync(join(dir, file), "utf8")
      .split("--> statement-breakpoint")
      .map((sql) => sql.trim())
      .filter(Boolean);
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
  return files.length;
}
