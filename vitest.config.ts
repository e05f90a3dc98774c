import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { parse as parseYaml } from "yaml";
import { readShared } from "./scripts/shared.mjs";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // The JSON:API 1.0 schema (CC0), which every JSON:API response of the tests
  // must meet (test/support/jsonapi-schema.ts). It lives outside the project,
  // in ../shared (scripts/shared.mjs), so it is read here, in Node, and handed
  // to the Workers runtime as a binding, as the migrations are. (A Vite `?raw`
  // import would need server.fs.allow and a path relative to the test file
  // that differs between a clone and a git worktree.) Missing: the binding is
  // absent and the validation says it is skipped; in CI readShared throws.
  const jsonApiSchema = readShared("jsonapi/schema-1.0.json");
  // The RealWorld contract (realworld/openapi.yml, MIT) that test/openapi.test.ts
  // holds the generated document to: YAML, parsed here, the same way.
  const realWorldContract = readShared("realworld/openapi.yml");
  return {
    // The tests generate the OpenAPI document too (test/openapi.test.ts), from
    // the route declarations' prose, which the Worker bundle leaves out
    // (src/build.d.ts).
    define: { OPENAPI: "true" },
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // The suite writes the same cache stamps many times a second; the
            // local KV does not enforce KV's one write per second per key, so
            // only test/kv-limits.test.ts (which wraps KV to enforce it) keeps
            // the production interval.
            CACHE_STAMP_INTERVAL_MS: "0",
            ...(jsonApiSchema === null ? {} : { TEST_JSONAPI_SCHEMA: JSON.parse(jsonApiSchema) }),
            ...(realWorldContract === null ? {} : { TEST_REALWORLD_OPENAPI: parseYaml(realWorldContract) }),
            // Tests only; production reads JWT_SECRET from `wrangler secret put`.
            JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
          },
          // Every request of the suite comes from one client: the limits of
          // wrangler.toml would throttle it. test/limits.test.ts swaps in the
          // tight TEST_* limiters where it means to hit a limit.
          ratelimits: {
            AUTH_ACCOUNT_LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } },
            AUTH_CLIENT_LIMITER: { namespace_id: "1002", simple: { limit: 1_000_000, period: 60 } },
            WRITE_CLIENT_LIMITER: { namespace_id: "1003", simple: { limit: 1_000_000, period: 60 } },
            READ_BYPASS_LIMITER: { namespace_id: "1004", simple: { limit: 1_000_000, period: 60 } },
            GRAPHQL_CLIENT_LIMITER: { namespace_id: "1005", simple: { limit: 1_000_000, period: 60 } },
            TEST_TIGHT_LIMITER: { namespace_id: "9001", simple: { limit: 3, period: 60 } },
          },
        },
      }),
    ],
    test: {
      projects: [
        {
          // Inherits the Workers plugin above: these suites run inside workerd.
          extends: true,
          test: {
            name: "workers",
            // A guard against a hang, not a speed check: on a loaded 2-core machine a
            // test that makes a dozen requests with storage snapshots can pass 5 s.
            testTimeout: 30_000,
            setupFiles: ["./test/support/apply-migrations.ts"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/node/**"],
          },
        },
        {
          // Suites that drive a real `wrangler dev` and headless Chromium from Node.
          test: {
            name: "node",
            environment: "node",
            include: ["test/node/**/*.test.ts"],
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
