// Bindings only the tests have (vitest.config.ts); the Worker's own come from
// worker-configuration.d.ts, generated from wrangler.toml.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    TEST_TIGHT_LIMITER: RateLimit;
    /** ../shared/jsonapi/schema-1.0.json, absent when that file is (vitest.config.ts). */
    TEST_JSONAPI_SCHEMA?: Record<string, unknown>;
    /** ../shared/realworld/openapi.yml, parsed; absent when that file is (vitest.config.ts). */
    TEST_REALWORLD_OPENAPI?: Record<string, any>;
  }
}
