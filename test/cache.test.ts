import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../src/env";
import { call, createArticle, type Reply, registerUser, type TestUser, testEnv, timing, unique } from "./support/api";

// The KV response cache, Server-Timing, ETag/304 and D1 bookmarks. Every
// invalidation test primes the cache first (a read, then a second read that
// must be a hit), writes, and checks the next anonymous read is fresh.

/** Reads `path` anonymously until it is a cache hit, proving it is cached. */
async function prime(path: string): Promise<Reply> {
  const first = await call("GET", path);
  expect(first.status, path).toBe(200);
  const second = await call("GET", path);
  expect(timing(second), path).toEqual({ cache: "hit", d1: 0 });
  expect(second.body).toEqual(first.body);
  return second;
}

/** The next anonymous read of `path`: must come from D1, not from the cache. */
async function fresh(path: string): Promise<Reply> {
  const reply = await call("GET", path);
  expect(timing(reply).cache, path).toBe("miss");
  return reply;
}

async function scene() {
  const author = await registerUser();
  const reader = await registerUser();
  const tag = unique("tag");
  const article = await createArticle(author, { tagList: [tag] });
  await call("POST", `/api/articles/${article.slug}/comments`, { token: reader.token, body: { comment: { body: "first" } } });
  return { author, reader, tag, article };
}

const listOf = (author: TestUser) => `/api/articles?author=${author.username}`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the KV cache of anonymous reads", () => {
  it("misses, then hits with no D1 round trip and the same body, on every cacheable route", async () => {
    const { author, article } = await scene();
    for (const path of [
      "/api/articles",
      listOf(author),
      `/api/articles/${article.slug}`,
      `/api/articles/${article.slug}/comments`,
      `/api/profiles/${author.username}`,
      "/api/tags",
      `/api/articles?search=${encodeURIComponent(article.title)}`,
    ]) {
      const first = await call("GET", path);
      expect(timing(first), path).toEqual({ cache: "miss", d1: 1 });
      const second = await call("GET", path);
      expect(timing(second), path).toEqual({ cache: "hit", d1: 0 });
      expect(second.text, path).toBe(first.text);
      expect(second.headers.get("etag"), path).toBe(first.headers.get("etag"));
      expect(second.headers.get("content-type"), path).toBe("application/json; charset=utf-8");
      expect(second.headers.get("cache-control"), path).toBe("public, max-age=0, must-revalidate");
    }
  });

  it("shares one entry between orderings of the same query parameters", async () => {
    const { author, tag } = await scene();
    await call("GET", `/api/articles?tag=${tag}&author=${author.username}`);
    const reordered = await call("GET", `/api/articles?author=${author.username}&tag=${tag}`);
    expect(timing(reordered).cache).toBe("hit");
  });

  it("never gives a signed-in caller a shared body: it bypasses the cache and sees its own flags", async () => {
    const { author, reader, article } = await scene();
    await call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token });
    await call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token });
    await prime(`/api/articles/${article.slug}`);
    const signedIn = await call("GET", `/api/articles/${article.slug}`, { token: reader.token });
    expect(timing(signedIn)).toEqual({ cache: "bypass", d1: 1 });
    expect(signedIn.body.article).toMatchObject({ favorited: true, author: { following: true } });
    expect(signedIn.headers.get("cache-control")).toBe("private, no-cache");
    const anonymous = await call("GET", `/api/articles/${article.slug}`);
    expect(anonymous.body.article).toMatchObject({ favorited: false, author: { following: false } });
  });

  it("bypasses the cache for Cache-Control: no-cache and for a client holding a D1 bookmark", async () => {
    const { article } = await scene();
    const path = `/api/articles/${article.slug}`;
    await prime(path);
    expect(timing(await call("GET", path, { headers: { "Cache-Control": "no-cache" } }))).toEqual({ cache: "bypass", d1: 1 });
    const bookmark = "00000000-00000005-00000000-00000000000000000000000000000000";
    expect(timing(await call("GET", path, { headers: { "X-D1-Bookmark": bookmark } }))).toEqual({ cache: "bypass", d1: 1 });
  });

  it("does not cache errors", async () => {
    for (let i = 0; i < 2; i++) {
      const reply = await call("GET", "/api/articles/not-there-yet");
      expect(reply.status).toBe(404);
      expect(timing(reply)).toEqual({ cache: "miss", d1: 1 });
      expect(reply.headers.get("cache-control")).toBe("no-store");
    }
  });
});

describe("invalidation: the next anonymous read after a write is fresh", () => {
  it("after an article is created: lists, tags and the author's profile page", async () => {
    const { author, tag } = await scene();
    await prime(listOf(author));
    await prime("/api/tags");
    await prime(`/api/articles?tag=${tag}`);
    const created = await createArticle(author, { tagList: [tag, unique("newtag")] });
    expect((await fresh(listOf(author))).body.articles[0].slug).toBe(created.slug);
    expect((await fresh("/api/tags")).body.tags).toContain(created.tagList[1]);
    expect((await fresh(`/api/articles?tag=${tag}`)).body.articlesCount).toBe(2);
  });

  it("after an article is updated: the article, its new slug and the lists", async () => {
    const { author, article } = await scene();
    await prime(`/api/articles/${article.slug}`);
    await prime(listOf(author));
    const title = unique("Retitled ");
    const updated = await call("PUT", `/api/articles/${article.slug}`, {
      token: author.token,
      body: { article: { title, body: "new body" } },
    });
    expect(updated.status).toBe(200);
    expect((await fresh(`/api/articles/${article.slug}`)).status).toBe(404);
    expect((await fresh(`/api/articles/${updated.body.article.slug}`)).body.article).toMatchObject({ title, body: "new body" });
    expect((await fresh(listOf(author))).body.articles[0].title).toBe(title);
  });

  it("after an article is created, updated or deleted: a search for its words", async () => {
    const { author } = await scene();
    const [before, after] = [unique("before"), unique("after")];
    const searchFor = (word: string) => `/api/articles?search=${word}`;
    await prime(searchFor(before));
    const { slug } = await createArticle(author, { title: `Title ${before}` });
    expect((await fresh(searchFor(before))).body.articles.map((a: { slug: string }) => a.slug)).toEqual([slug]);
    await prime(searchFor(before));
    await prime(searchFor(after));
    const updated = await call("PUT", `/api/articles/${slug}`, { token: author.token, body: { article: { body: after } } });
    expect(updated.status).toBe(200);
    expect((await fresh(searchFor(after))).body.articlesCount).toBe(1);
    expect((await fresh(searchFor(before))).body.articles[0].snippet).toBe(`Title <mark>${before}</mark>`);
    await prime(searchFor(after));
    expect((await call("DELETE", `/api/articles/${slug}`, { token: author.token })).status).toBe(204);
    expect((await fresh(searchFor(after))).body).toEqual({ articles: [], articlesCount: 0 });
  });

  it("after an article is deleted: it, its comments and the lists", async () => {
    const { author, article } = await scene();
    await prime(`/api/articles/${article.slug}`);
    await prime(`/api/articles/${article.slug}/comments`);
    await prime(listOf(author));
    expect((await call("DELETE", `/api/articles/${article.slug}`, { token: author.token })).status).toBe(204);
    expect((await fresh(`/api/articles/${article.slug}`)).status).toBe(404);
    expect((await fresh(`/api/articles/${article.slug}/comments`)).status).toBe(404);
    expect((await fresh(listOf(author))).body).toEqual({ articles: [], articlesCount: 0 });
  });

  it("after a favorite and an unfavorite: the count in the article and the lists, and the favorited filter", async () => {
    const { author, reader, article } = await scene();
    const favoritedBy = `/api/articles?favorited=${reader.username}`;
    await prime(`/api/articles/${article.slug}`);
    await prime(listOf(author));
    await prime(favoritedBy);
    await call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token });
    expect((await fresh(`/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(1);
    expect((await fresh(listOf(author))).body.articles[0].favoritesCount).toBe(1);
    expect((await fresh(favoritedBy)).body.articlesCount).toBe(1);
    await prime(favoritedBy);
    await call("DELETE", `/api/articles/${article.slug}/favorite`, { token: reader.token });
    expect((await fresh(`/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(0);
    expect((await fresh(favoritedBy)).body.articlesCount).toBe(0);
  });

  it("after a comment is added or deleted: that article's comments, and only those", async () => {
    const { reader, article } = await scene();
    const other = await createArticle(reader);
    const comments = `/api/articles/${article.slug}/comments`;
    await prime(comments);
    await prime(`/api/articles/${other.slug}/comments`);
    await prime(`/api/articles/${article.slug}`);
    const added = await call("POST", comments, { token: reader.token, body: { comment: { body: "second" } } });
    expect((await fresh(comments)).body.comments.map((c: { body: string }) => c.body)).toEqual(["second", "first"]);
    // Comments appear nowhere else, so nothing else was dropped.
    expect(timing(await call("GET", `/api/articles/${other.slug}/comments`)).cache).toBe("hit");
    expect(timing(await call("GET", `/api/articles/${article.slug}`)).cache).toBe("hit");
    await prime(comments);
    await call("DELETE", `${comments}/${added.body.comment.id}`, { token: reader.token });
    expect((await fresh(comments)).body.comments.map((c: { body: string }) => c.body)).toEqual(["first"]);
  });

  it("after a profile update: the profile, the author inside cached articles, lists and comments", async () => {
    const { author, reader, article } = await scene();
    const comments = `/api/articles/${article.slug}/comments`;
    for (const path of [`/api/profiles/${author.username}`, `/api/articles/${article.slug}`, listOf(author), comments]) {
      await prime(path);
    }
    const change = { bio: "Now with a bio", image: "https://example.com/a.png" };
    await call("PUT", "/api/user", { token: author.token, body: { user: change } });
    await call("PUT", "/api/user", { token: reader.token, body: { user: change } });
    expect((await fresh(`/api/profiles/${author.username}`)).body.profile).toMatchObject(change);
    expect((await fresh(`/api/articles/${article.slug}`)).body.article.author).toMatchObject(change);
    expect((await fresh(listOf(author))).body.articles[0].author).toMatchObject(change);
    expect((await fresh(comments)).body.comments[0].author).toMatchObject(change);
  });

  it("after a rename: the old name is gone and the new one found", async () => {
    const { author, article } = await scene();
    await prime(`/api/profiles/${author.username}`);
    await prime(`/api/articles/${article.slug}`);
    const username = unique("renamed");
    await call("PUT", "/api/user", { token: author.token, body: { user: { username } } });
    expect((await fresh(`/api/profiles/${author.username}`)).status).toBe(404);
    expect((await fresh(`/api/articles/${article.slug}`)).body.article.author.username).toBe(username);
  });

  it("a follow changes nothing anonymous readers see, so cached views stay valid and correct", async () => {
    const { author, reader } = await scene();
    await prime(`/api/profiles/${author.username}`);
    await call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token });
    const anonymous = await call("GET", `/api/profiles/${author.username}`);
    expect(timing(anonymous).cache).toBe("hit");
    expect(anonymous.body.profile.following).toBe(false);
    const follower = await call("GET", `/api/profiles/${author.username}`, { token: reader.token });
    expect(follower.body.profile.following).toBe(true);
  });

  it("a password or email change changes nothing public, so cached views stay", async () => {
    const { author } = await scene();
    await prime(`/api/profiles/${author.username}`);
    await call("PUT", "/api/user", { token: author.token, body: { user: { email: `${unique("new")}@example.com` } } });
    expect(timing(await call("GET", `/api/profiles/${author.username}`)).cache).toBe("hit");
  });
});

/** The test env with KV replaced: every call throws, or never answers. */
function brokenKv(mode: "throws" | "hangs"): Env {
  const fail = () => (mode === "throws" ? Promise.reject(new Error("KV is down")) : new Promise<never>(() => {}));
  const kv = { get: fail, getWithMetadata: fail, put: fail, delete: fail, list: fail };
  return { ...testEnv, CACHE: kv as unknown as KVNamespace };
}

describe("when KV fails", () => {
  for (const mode of ["throws", "hangs"] as const) {
    it(`answers reads from D1 and still performs writes when KV ${mode}`, async () => {
      vi.spyOn(console, "warn").mockImplementation(() => {});
      const { author, article } = await scene();
      const broken = brokenKv(mode);
      for (const path of [
        "/api/articles",
        `/api/articles/${article.slug}`,
        `/api/articles/${article.slug}/comments`,
        "/api/tags",
      ]) {
        const reply = await call("GET", path, { env: broken });
        expect(reply.status, path).toBe(200);
        expect(timing(reply), path).toEqual({ cache: "bypass", d1: 1 });
      }
      const update = await call("PUT", `/api/articles/${article.slug}`, {
        token: author.token,
        body: { article: { body: "written while KV was down" } },
        env: broken,
      });
      expect(update.status).toBe(200);
      const stored = await env.DB.prepare("SELECT body FROM articles WHERE slug = ?")
        .bind(article.slug)
        .first<{ body: string }>();
      expect(stored?.body).toBe("written while KV was down");
    });
  }
});

describe("Server-Timing", () => {
  it("is on every response, errors and unknown routes included", async () => {
    for (const [method, path] of [
      ["GET", "/api/user"],
      ["GET", "/api/nowhere"],
      ["GET", "/"],
      ["OPTIONS", "/api/articles"],
      ["POST", "/api/users"],
    ] as const) {
      const reply = await call(method, path);
      expect(reply.headers.get("server-timing"), `${method} ${path}`).toMatch(/^cache;desc=bypass, d1;desc=0;dur=0\.0;rows=0$/);
    }
  });

  it("counts a write's two round trips", async () => {
    const { reader, article } = await scene();
    const reply = await call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token });
    expect(timing(reply)).toEqual({ cache: "bypass", d1: 2 });
  });
});

describe("ETag and 304", () => {
  it("answers 304 with no body to a matching If-None-Match, from the cache", async () => {
    const { article } = await scene();
    const path = `/api/articles/${article.slug}`;
    const first = await call("GET", path);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    for (const ifNoneMatch of [etag!, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const again = await call("GET", path, { headers: { "If-None-Match": ifNoneMatch } });
      expect(again.status, ifNoneMatch).toBe(304);
      expect(again.text).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      expect(again.headers.get("content-type")).toBeNull();
      expect(again.headers.get("access-control-allow-origin")).toBe("*");
      expect(timing(again)).toEqual({ cache: "hit", d1: 0 });
    }
    expect((await call("GET", path, { headers: { "If-None-Match": '"stale"' } })).status).toBe(200);
  });

  it("changes the ETag when the resource changes", async () => {
    const { author, article } = await scene();
    const path = `/api/articles/${article.slug}`;
    const etag = (await call("GET", path)).headers.get("etag")!;
    await call("PUT", path, { token: author.token, body: { article: { body: "changed" } } });
    const after = await call("GET", path, { headers: { "If-None-Match": etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
  });

  it("gives signed-in GETs a private ETag too, and 304 on a match", async () => {
    const user = await registerUser();
    const first = await call("GET", "/api/user", { token: user.token });
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    expect(first.headers.get("vary")).toContain("Authorization");
    const again = await call("GET", "/api/user", { token: user.token, headers: { "If-None-Match": first.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });

  it("marks writes and errors as not to be stored", async () => {
    const user = await registerUser();
    const write = await call("PUT", "/api/user", { token: user.token, body: { user: { bio: "x" } } });
    expect(write.headers.get("cache-control")).toBe("no-store");
    expect(write.headers.get("etag")).toBeNull();
  });
});

describe("D1 bookmarks", () => {
  /** The test env with DB.withSession recorded. */
  function recordingSessions() {
    const opened: string[] = [];
    const db = {
      prepare: (sql: string) => testEnv.DB.prepare(sql),
      batch: (statements: D1PreparedStatement[]) => testEnv.DB.batch(statements),
      withSession: (constraint: string) => {
        opened.push(constraint);
        return testEnv.DB.withSession(constraint);
      },
    };
    return { env: { ...testEnv, DB: db as unknown as D1Database }, opened };
  }

  it("returns a bookmark after every D1 request and continues from one sent back", async () => {
    const user = await registerUser();
    const write = await call("PUT", "/api/user", { token: user.token, body: { user: { bio: "bookmarked" } } });
    const bookmark = write.headers.get("x-d1-bookmark");
    expect(bookmark).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);

    const sessions = recordingSessions();
    const read = await call("GET", `/api/profiles/${user.username}`, {
      headers: { "X-D1-Bookmark": bookmark! },
      env: sessions.env,
    });
    expect(read.status).toBe(200);
    expect(read.body.profile.bio).toBe("bookmarked");
    expect(sessions.opened).toEqual([bookmark]);
    expect(read.headers.get("x-d1-bookmark")).toMatch(/^[0-9a-f-]{59}$/);
  });

  it("fills the cache after a write from a session that starts at that write, so a lagging replica cannot", async () => {
    const { author, article } = await scene();
    const path = `/api/articles/${article.slug}`;
    await prime(path);
    const write = await call("PUT", path, { token: author.token, body: { article: { body: "after the write" } } });
    const written = write.headers.get("x-d1-bookmark");
    expect(written).toMatch(/^[0-9a-f-]{59}$/);
    const sessions = recordingSessions();
    const miss = await call("GET", path, { env: sessions.env });
    expect(timing(miss).cache).toBe("miss");
    expect(sessions.opened).toEqual([written]);
    expect(miss.body.article.body).toBe("after the write");
  });

  it("opens no D1 session at all for a cache hit", async () => {
    const { article } = await scene();
    await prime(`/api/articles/${article.slug}`);
    const sessions = recordingSessions();
    const hit = await call("GET", `/api/articles/${article.slug}`, { env: sessions.env });
    expect(timing(hit)).toEqual({ cache: "hit", d1: 0 });
    expect(sessions.opened).toEqual([]);
    expect(hit.headers.get("x-d1-bookmark")).toBeNull();
  });

  it("starts reads at any replica and writes at the primary when no bookmark is sent, ignoring malformed ones", async () => {
    const user = await registerUser();
    const sessions = recordingSessions();
    await call("GET", "/api/tags", { env: sessions.env, headers: { "Cache-Control": "no-cache" } });
    await call("PUT", "/api/user", { token: user.token, body: { user: { bio: "x" } }, env: sessions.env });
    await call("GET", "/api/tags", {
      env: sessions.env,
      headers: { "X-D1-Bookmark": "'; DROP TABLE users; --", "Cache-Control": "no-cache" },
    });
    expect(sessions.opened).toEqual(["first-unconstrained", "first-primary", "first-unconstrained"]);
  });

  it("lets a browser read the bookmark and timing headers across origins", async () => {
    const reply = await call("GET", "/api/tags", { headers: { Origin: "https://app.example" } });
    const exposed = reply.headers.get("access-control-expose-headers")?.toLowerCase() ?? "";
    for (const header of ["x-d1-bookmark", "server-timing", "etag"]) expect(exposed).toContain(header);
    expect(reply.headers.get("timing-allow-origin")).toBe("*");
  });
});

describe("invalidation is scoped to what a write changed", () => {
  /** Primes every path, writes, then expects exactly `dropped` to be read again. */
  async function expectDropped(paths: string[], write: () => Promise<unknown>, dropped: string[]) {
    for (const path of paths) await prime(path);
    await write();
    for (const path of paths) {
      expect(timing(await call("GET", path)).cache, path).toBe(dropped.includes(path) ? "miss" : "hit");
    }
  }

  it("a favorite drops the article and the lists showing it, not other articles, comments, profiles or tags", async () => {
    const { author, reader, article, tag } = await scene();
    const other = await createArticle(reader, { tagList: [unique("elsewhere")] });
    const [page, list, tagged] = [`/api/articles/${article.slug}`, listOf(author), `/api/articles?tag=${tag}`];
    const untouched = [
      `/api/articles/${other.slug}`,
      `/api/articles/${article.slug}/comments`,
      `/api/profiles/${author.username}`,
      "/api/tags",
      listOf(reader),
    ];
    await expectDropped([page, list, tagged, ...untouched], () => call("POST", `${page}/favorite`, { token: reader.token }), [
      page,
      list,
      tagged,
    ]);
  });

  it("a comment drops its article's comment list only", async () => {
    const { author, reader, article } = await scene();
    const comments = `/api/articles/${article.slug}/comments`;
    await expectDropped(
      [comments, `/api/articles/${article.slug}`, listOf(author), "/api/tags"],
      () => call("POST", comments, { token: reader.token, body: { comment: { body: "more" } } }),
      [comments],
    );
  });

  it("a new article drops the lists it joins and the tag ranking, not other tags', other authors' or any article's page", async () => {
    const { author, reader, article, tag } = await scene();
    const otherTag = unique("othertag");
    await createArticle(reader, { tagList: [otherTag] });
    const joined = ["/api/articles", listOf(author), `/api/articles?tag=${tag}`, "/api/tags"];
    const untouched = [`/api/articles?tag=${otherTag}`, listOf(reader), `/api/articles/${article.slug}`];
    await expectDropped([...joined, ...untouched], () => createArticle(author, { tagList: [tag] }), joined);
  });

  it("a retag drops the old and the new tag's lists and the ranking, and the article", async () => {
    const { author, article, tag } = await scene();
    const next = unique("next");
    const [page, oldTag, newTag] = [`/api/articles/${article.slug}`, `/api/articles?tag=${tag}`, `/api/articles?tag=${next}`];
    await expectDropped(
      [page, oldTag, newTag, "/api/tags", `/api/profiles/${author.username}`],
      () => call("PUT", page, { token: author.token, body: { article: { tagList: [next] } } }),
      [page, oldTag, newTag, "/api/tags"],
    );
  });

  it("a profile change drops what shows that user, and nothing about others", async () => {
    const { author, reader, article } = await scene();
    const theirs = await createArticle(reader);
    const shown = [`/api/profiles/${author.username}`, `/api/articles/${article.slug}`, listOf(author)];
    const untouched = [`/api/profiles/${reader.username}`, `/api/articles/${theirs.slug}`, "/api/tags"];
    await expectDropped(
      [...shown, ...untouched],
      () => call("PUT", "/api/user", { token: author.token, body: { user: { bio: unique("bio") } } }),
      shown,
    );
  });
});

describe("the cache's keys and its bypass", () => {
  it("keys an answer on the parameters the route reads: unknown ones, and their order, make no new entry", async () => {
    const { author, tag } = await scene();
    await prime(`/api/articles?tag=${tag}&author=${author.username}`);
    for (const path of [
      `/api/articles?author=${author.username}&tag=${tag}`,
      `/api/articles?tag=${tag}&author=${author.username}&junk=${unique("x")}`,
      `/api/articles?tag=${tag}&author=${author.username}&limit=20&offset=0`,
    ]) {
      expect(timing(await call("GET", path)).cache, path).toBe("hit");
    }
  });

  it("lets anonymous no-cache and bookmark reads through to D1 within a per-client budget, and serves the cache past it", async () => {
    const { article } = await scene();
    const path = `/api/articles/${article.slug}`;
    const tight = { ...testEnv, READ_BYPASS_LIMITER: env.TEST_TIGHT_LIMITER };
    const headers = { "Cache-Control": "no-cache", "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250)}` };
    await prime(path);
    const outcomes: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(timing(await call("GET", path, { headers, env: tight })).cache);
    // The tight limiter allows 3 a minute.
    expect(outcomes).toEqual(["bypass", "bypass", "bypass", "hit", "hit"]);
  });
});
