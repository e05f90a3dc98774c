// The app as `npm run bench` serves it where the cache is measured: the built
// Worker (the bench bundles this file around wrangler's output, imported as
// "conduit:app"), unchanged, in front of a KV that refuses what production's
// refuses — a second write to a key within one second
// (test/support/production-kv.ts). Bench only: never deployed.
//
// Production's limit is per key across every isolate, so the limit and its
// log live in one place, the gate (`KvGate`, a Worker of its own that every
// front Worker reaches through the GATE service binding); each front Worker
// reads KV directly and writes through the gate. Several front Workers on one
// database and one KV namespace are several isolates of one deployment.
//
// Bench-only paths:
//   GET /__bench/kv           what the gate saw (summary below), DELETE forgets it
//   GET /__bench/token?user=N a token for user N, signed as the app signs its own
//                             (users seeded with SQL have no password to log in with)
//
// BENCH_ORIGIN (a var): the origin the app is shown for every request, as all
// isolates of one deployment serve one host (answers are cached per origin,
// and each front Worker listens on a port of its own).

import { WorkerEntrypoint } from "cloudflare:workers";
import app from "conduit:app";
import { issueToken } from "../src/domain/tokens";
import { tokenConfig } from "../src/env";
import { lost, productionKv, tooFrequent } from "../test/support/production-kv";

let limited = null;
const gated = (env) => {
  limited ??= productionKv(env.CACHE);
  return limited;
};

/** A key's writes: attempts, accepted, refused, and the most attempts within one second. */
function summary(writes) {
  const keys = new Map();
  for (const { key, at, refused } of writes) {
    let stats = keys.get(key);
    if (!stats) {
      stats = { key, attempts: 0, accepted: 0, refused: 0, first: at, last: at, peak: 0, second: -1, inSecond: 0 };
      keys.set(key, stats);
    }
    stats.attempts += 1;
    stats[refused ? "refused" : "accepted"] += 1;
    stats.last = at;
    const second = Math.floor(at / 1000);
    stats.inSecond = second === stats.second ? stats.inSecond + 1 : 1;
    stats.second = second;
    stats.peak = Math.max(stats.peak, stats.inSecond);
  }
  const byKind = (prefix) => [...keys.values()].filter((stats) => stats.key.startsWith(prefix));
  const hottest = (list) => list.reduce((top, stats) => (top && top.attempts >= stats.attempts ? top : stats), null);
  const strip = (stats) => stats && { key: stats.key, attempts: stats.attempts, accepted: stats.accepted, peak: stats.peak };
  const stamps = writes.filter((write) => write.key.startsWith("stamp:"));
  const count = (list, refused) => list.reduce((n, stats) => n + stats[refused], 0);
  return {
    writes: writes.length,
    first: writes[0]?.at ?? null,
    last: writes.at(-1)?.at ?? null,
    keys: keys.size,
    hottest: strip(hottest([...keys.values()])),
    hottestStamp: strip(hottest(byKind("stamp:"))),
    hottestAnswer: strip(hottest(byKind("answer:"))),
    peakPerSecond: Math.max(0, ...[...keys.values()].map((stats) => stats.peak)),
    stampWrites: stamps.length,
    stampsRefused: count(byKind("stamp:"), "refused"),
    stampsLost: lost(stamps).length,
    answerWrites: count(byKind("answer:"), "attempts"),
    answersRefused: count(byKind("answer:"), "refused"),
    acceptedTooOften: tooFrequent(writes).length,
  };
}

/** A stamp's D1 bookmark (the value is `<time>@<bookmark>`, src/http/kv-cache.ts); bookmarks sort in history order. */
const bookmarkOf = (value) => (typeof value === "string" ? value.slice(value.indexOf("@") + 1) : "");

/**
 * Per stamp key: the newest bookmark accepted, and the refused writes not yet
 * covered. A refused stamp is only lost if KV never holds a stamp at least as
 * new in D1's history: neither the one it already held when it refused (an
 * isolate that wrote a newer stamp first), nor one accepted later (a write
 * retried by any isolate carries it too). `lost()` counts every refused write
 * after which the key was never written, so it counts these too.
 */
const stampBookmarks = new Map();
function trackStamp(key, value, refused) {
  if (!key.startsWith("stamp:")) return;
  const bookmark = bookmarkOf(value);
  let entry = stampBookmarks.get(key);
  if (!entry) {
    entry = { newest: "", refused: [] };
    stampBookmarks.set(key, entry);
  }
  if (refused) {
    if (!bookmark || bookmark > entry.newest) entry.refused.push(bookmark);
    return;
  }
  if (bookmark > entry.newest) entry.newest = bookmark;
  entry.refused = entry.refused.filter((pending) => pending && pending > bookmark);
}
const uncoveredStamps = () => [...stampBookmarks.values()].reduce((n, entry) => n + entry.refused.length, 0);

/** The gate: every KV write of every front Worker, under production's per-key limit. */
export class KvGate extends WorkerEntrypoint {
  async put(key, value, options) {
    try {
      await gated(this.env).kv.put(key, value, options);
    } catch (error) {
      trackStamp(key, value, true);
      throw error;
    }
    trackStamp(key, value, false);
  }
  report() {
    return { ...summary(gated(this.env).writes), stampsUncovered: uncoveredStamps() };
  }
  reset() {
    gated(this.env).writes.length = 0;
    stampBookmarks.clear();
  }
}

/** The app's CACHE: reads from KV itself, writes through the gate (which throws as production's KV would). */
function gatedCache(env) {
  const put = (key, value, options) => env.GATE.put(key, value, options);
  return new Proxy(env.CACHE, {
    get(target, property) {
      if (property === "put") return put;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const appEnvs = new WeakMap();
function appEnvOf(env) {
  let appEnv = appEnvs.get(env);
  if (!appEnv) {
    appEnv = { ...env, CACHE: gatedCache(env) };
    appEnvs.set(env, appEnv);
  }
  return appEnv;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/kv") {
      if (request.method === "DELETE") {
        await env.GATE.reset();
        return new Response(null, { status: 204 });
      }
      return Response.json(await env.GATE.report());
    }
    if (url.pathname === "/__bench/token") {
      const config = await tokenConfig(env);
      const userId = Number(url.searchParams.get("user"));
      if (!config || !Number.isSafeInteger(userId)) return new Response("no token", { status: 400 });
      return Response.json({ token: await issueToken(config, { userId, tokenVersion: 0 }, new Date()) });
    }
    const shown = env.BENCH_ORIGIN ? new Request(new URL(`${url.pathname}${url.search}`, env.BENCH_ORIGIN), request) : request;
    return app.fetch(shown, appEnvOf(env), ctx);
  },
};
