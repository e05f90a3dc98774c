declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    CACHE: KVNamespace;
    JWT_SECRET: string;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    TEST_TIGHT_LIMITER: RateLimit;
  }
}
