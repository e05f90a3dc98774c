import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { LOCAL_LIMITS, rateLimitMode, wranglerConfig } from "../../scripts/dev-config.mjs";
import { type RunningWorker, startWorker } from "./support/worker";

// `npm run dev` serves local rate limits, high enough for a frontend's own
// end-to-end suite; `CONDUIT_RATE_LIMITS=production npm run dev` serves
// wrangler.toml's. Both through the function scripts/dev.mjs uses, and the
// Worker started with each (one client address, as every local request is).

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const raw = (file: string) => experimental_readRawConfig({ config: file }).rawConfig as Record<string, any>;

describe("the rate limits of npm run dev", () => {
  it("differ from wrangler.toml in the limits only, and allow 300 sign-ups and 1,000 other writes a minute", () => {
    const production = raw(path.join(ROOT, "wrangler.toml"));
    const { $comment, ...local } = raw(wranglerConfig(ROOT, "local"));
    expect($comment).toContain("scripts/dev-config.mjs");
    const limits = Object.fromEntries(local.ratelimits.map((r: any) => [r.name, r.simple]));
    expect(limits.AUTH_CLIENT_LIMITER.limit).toBeGreaterThanOrEqual(300);
    expect(limits.WRITE_CLIENT_LIMITER.limit).toBeGreaterThanOrEqual(1_300);
    for (const limiter of Object.values<any>(limits)) expect(limiter.period).toBe(60);
    const withoutLimits = (config: Record<string, any>) => ({
      ...config,
      ratelimits: config.ratelimits.map((r: any) => ({ ...r, simple: { ...r.simple, limit: 0 } })),
    });
    expect(withoutLimits(local)).toEqual(withoutLimits(production));
    expect(Object.keys(LOCAL_LIMITS).sort()).toEqual(production.ratelimits.map((r: any) => r.name).sort());
  });

  it("are wrangler.toml's own with CONDUIT_RATE_LIMITS=production; another value is refused", () => {
    expect(rateLimitMode(undefined)).toBe("local");
    expect(rateLimitMode("production")).toBe("production");
    expect(wranglerConfig(ROOT, "production")).toBe(path.join(ROOT, "wrangler.toml"));
    expect(() => rateLimitMode("prod")).toThrow(/use local or production/);
  });
});

describe("one client address, served like npm run dev", () => {
  const workers: RunningWorker[] = [];
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
  });

  const post = (worker: RunningWorker, route: string, body: unknown, token?: string) =>
    fetch(`${worker.url}${route}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Token ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  /**
   * One sign-up, then `count - 1` more attempts for the same username: each
   * counts against the limits like a new account (the limit is checked first),
   * without the cost of hashing a password each time. The statuses, in order.
   */
  async function signUps(worker: RunningWorker, count: number) {
    const run = Math.random().toString(36).slice(2, 8);
    const statuses: number[] = [];
    let token = "";
    for (let i = 0; i < count; i++) {
      const user = { username: `e2e${run}`, email: `e2e${run}${i}@example.com`, password: "end to end password" };
      const reply = await post(worker, "/api/users", { user });
      if (reply.status === 201) token = (await reply.json()).user.token;
      else await reply.arrayBuffer();
      statuses.push(reply.status);
    }
    return { statuses, token };
  }

  // Past production's 30 sign-ups and 120 writes a minute; that the local
  // limits reach 300 and 1,000 the configuration test above shows.
  it("local limits: 40 sign-ups and 130 writes in a row, none refused", async () => {
    const worker = await startWorker({ limits: "local" });
    workers.push(worker);
    const { statuses, token } = await signUps(worker, 40);
    expect(statuses[0]).toBe(201);
    expect(new Set(statuses.slice(1)), "the same username again: taken, not throttled").toEqual(new Set([422]));
    // Writes: favorite and unfavorite a seeded article, two at a time.
    const slug = (await (await fetch(`${worker.url}/api/articles?limit=1`)).json()).articles[0].slug;
    const writes: number[] = [];
    for (let i = 0; i < 130; i += 2) {
      const batch = [0, 1].map((j) =>
        fetch(`${worker.url}/api/articles/${slug}/favorite`, {
          method: (i + j) % 2 ? "DELETE" : "POST",
          headers: { Authorization: `Token ${token}` },
        }).then(async (reply) => {
          await reply.arrayBuffer();
          return reply.status;
        }),
      );
      writes.push(...(await Promise.all(batch)));
    }
    expect(new Set(writes)).toEqual(new Set([200]));
  });

  it("CONDUIT_RATE_LIMITS=production: the 31st sign-up of the minute is a 429", async () => {
    const worker = await startWorker({ limits: "production" });
    workers.push(worker);
    const { statuses } = await signUps(worker, 31);
    expect(statuses.slice(0, 30).every((status) => status !== 429)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});
