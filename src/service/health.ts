import type { Context } from "hono";
import { meterD1 } from "../db/metered";
import { withDeadline } from "../deadline";
import type { AppEnv } from "../http/context";
import type { Health } from "./schemas";
import { WORKER_VERSION } from "./version";

// For uptime checks: one trivial D1 query and one KV read, each given a short
// deadline, so a hung dependency reports "error" instead of hanging the check.

const DEADLINE_MS = 2_000;

async function answers(probe: () => Promise<unknown>): Promise<"ok" | "error"> {
  try {
    await withDeadline(probe(), DEADLINE_MS, () => new Error("no answer"));
    return "ok";
  } catch {
    return "error";
  }
}

/** Checks D1 and KV; the D1 query is metered, so Server-Timing tells its cost. */
export async function checkHealth(c: Context<AppEnv>): Promise<Health> {
  const { db, meter } = meterD1(c.env.DB, DEADLINE_MS);
  c.set("meter", meter);
  const [d1, kv] = await Promise.all([
    answers(() => db.prepare("SELECT 1").first()),
    answers(() => c.env.CACHE.get("health:probe")),
  ]);
  return { status: d1 === "ok" && kv === "ok" ? "ok" : "degraded", version: WORKER_VERSION, d1, kv };
}
