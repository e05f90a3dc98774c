import { describe, expect, it, vi } from "vitest";
import type { Env } from "../src/env";
import { forgetStamps } from "../src/http/kv-cache";
import { call, createArticle, registerUser, testEnv, timing } from "./support/api";
import { lost, productionKv, tooFrequent } from "./support/production-kv";

// The cache within KV's real limits. Local KV takes any number of writes to a
// key; production's refuses a second one within a second. Here the app runs
// against a KV that refuses as production's does (test/support/production-kv.ts)
// and with the production write interval for its invalidation stamps, and
// these tests prove that a burst of writes never writes a key more often than
// that, loses no invalidation, and leaves no answer stale past the bound the
// README gives: at once in the writing isolate, within about two seconds in
// any other (a folded stamp waits up to a second, another isolate trusts what
// it read for a second).

const SLOW = 30_000;

function limitedEnv() {
  const limited = productionKv(testEnv.CACHE);
  const env: Env = { ...testEnv, CACHE: limited.kv, CACHE_STAMP_INTERVAL_MS: "1000" };
  return { env, writes: limited.writes };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A new article, cached by an anonymous read; a reader to favorite it; the key of its stamp. */
async function cachedArticle(env: Env) {
  const author = await registerUser();
  const reader = await registerUser();
  const article = await createArticle(author);
  const page = `/api/articles/${article.slug}`;
  const { body } = await call("GET", `/jsonapi/articles?filter[slug]=${article.slug}`, {
    headers: { Accept: "application/vnd.api+json" },
  });
  await call("GET", page, { env });
  return { reader, page, stampOfArticle: `stamp:a:${body.data[0].id}` };
}

describe("the cache under a burst of writes, against a KV that refuses a second write to a key within a second", {
  timeout: SLOW,
}, () => {
  it("writes no key twice within a second, loses no invalidation, and every reader sees the last write", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const { env, writes } = limitedEnv();
    const author = await registerUser();
    const fans = await Promise.all(Array.from({ length: 12 }, () => registerUser()));
    const article = await createArticle(author, { tagList: ["burst"] });
    const page = `/api/articles/${article.slug}`;
    await call("GET", page, { env });
    expect(timing(await call("GET", page, { env })).cache).toBe("hit");

    // Twelve favorites and two new articles at once: the article's stamp, the
    // lists' and the ranking's are each invalidated many times in a second.
    await Promise.all([
      ...fans.map((fan) => call("POST", `${page}/favorite`, { token: fan.token, env })),
      createArticle(author, { tagList: ["burst"] }),
      createArticle(author, { tagList: ["burst"] }),
    ]);
    // This isolate saw every write at once.
    expect((await call("GET", page, { env })).body.article.favoritesCount).toBe(12);

    expect(tooFrequent(writes), "a key written twice within a second").toEqual([]);
    // One isolate folds its invalidations: KV never has to refuse it.
    expect(writes.filter((write) => write.refused)).toEqual([]);
    expect(lost(writes), "a refused stamp never written again").toEqual([]);
    // Twelve invalidations of the article were folded into a few stamp writes (one a second).
    const articleStamps = writes.filter((write) => write.key.startsWith("stamp:a:"));
    expect(articleStamps.length).toBeGreaterThan(0);
    expect(articleStamps.length).toBeLessThan(12);
    // Another isolate, knowing no stamps yet, reads them from KV: the answer
    // it is given (stored after the burst, or read again) shows every write.
    forgetStamps();
    expect((await call("GET", page, { env })).body.article.favoritesCount).toBe(12);
    expect((await call("GET", "/api/articles?tag=burst", { env })).body.articlesCount).toBe(3);
  });

  it("retries a stamp that another isolate's write made KV refuse, so no invalidation is lost, and the answer is fresh within the bound", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const { env, writes } = limitedEnv();
    const { reader, page, stampOfArticle } = await cachedArticle(env);
    // Another isolate has just stamped this article (KV will refuse ours for a second)…
    await env.CACHE.put(stampOfArticle, `${Date.now() - 5_000}@`);
    // …and our favorite happens now.
    const favorite = await call("POST", `${page}/favorite`, { token: reader.token, env });
    expect(favorite.status).toBe(200);
    const refused = writes.filter((write) => write.refused && write.key === stampOfArticle);
    expect(refused.length, "KV refused our stamp").toBeGreaterThan(0);
    expect(lost(writes), "and it was written again").toEqual([]);
    // Any isolate, a second later (its memory of stamps expires), reads the fresh article.
    forgetStamps();
    await sleep(1_100);
    expect((await call("GET", page, { env })).body.article.favoritesCount).toBe(1);
  });

  it("does not write a stamp over one in KV that is already newer (another isolate's): that one covers it", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const { env, writes } = limitedEnv();
    const { reader, page, stampOfArticle } = await cachedArticle(env);
    // Another isolate's stamp, newer than our coming write, was just stored.
    await env.CACHE.put(stampOfArticle, `${Date.now() + 60_000}@`);
    const favorite = await call("POST", `${page}/favorite`, { token: reader.token, env });
    expect(favorite.status).toBe(200);
    const ours = writes.filter((write) => write.key === stampOfArticle);
    // Only the other isolate's write: ours would take KV back in D1's history, so it is not made.
    expect(ours.map((write) => write.refused)).toEqual([false]);
    forgetStamps();
    await sleep(1_100);
    expect((await call("GET", page, { env })).body.article.favoritesCount).toBe(1);
  });
});
