import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import { call, type Reply, registerUser, type TestUser, testEnv, timing, unique } from "./support/api";
import { count, probeD1 } from "./support/d1";
import {
  commentJsonApi,
  createArticleJsonApi,
  expectDocument,
  expectErrors,
  jsonapi,
  linkage,
  MEDIA_TYPE,
  resource,
} from "./support/jsonapi";

// JSON:API over HTTP: the media type rules of the specification (415, 406),
// body limits, error objects for failures raised anywhere (auth, limits, D1),
// the KV cache and its invalidation by JSON:API writes, and the D1 round-trip
// budget of every JSON:API endpoint.

const countArticles = () => count("SELECT count(*) AS n FROM articles");

const newArticle = (title = unique("Media ")) => resource("articles", { attributes: { title, description: "d", body: "b" } });

describe("media types", () => {
  it("serves any Accept that allows application/vnd.api+json, and answers in it exactly", async () => {
    for (const accept of [
      undefined,
      "",
      "*/*",
      "application/*",
      MEDIA_TYPE,
      `${MEDIA_TYPE}; profile="https://example.com/profiles/x"`,
      `${MEDIA_TYPE};ext="https://jsonapi.org/ext/atomic", ${MEDIA_TYPE}`,
      `text/html, ${MEDIA_TYPE};q=0.5`,
      "text/html, */*;q=0.1",
      // What ky, ofetch and hand-written fetch wrappers send: a JSON:API document is JSON.
      "application/json",
      "application/json, text/plain, */*",
    ]) {
      const reply = await call("GET", "/jsonapi/tags", { headers: accept === undefined ? {} : { Accept: accept } });
      expect(reply.status, String(accept)).toBe(200);
      expect(reply.headers.get("content-type"), String(accept)).toBe(MEDIA_TYPE);
      expect(reply.headers.get("vary"), String(accept)).toMatch(/\bAccept\b/);
      expectDocument(reply);
    }
  });

  it("answers 406 when every JSON:API media type in Accept has parameters it cannot honour, or nothing acceptable is named", async () => {
    for (const accept of [
      `${MEDIA_TYPE}; charset=utf-8`,
      `${MEDIA_TYPE};ext="https://jsonapi.org/ext/atomic"`,
      `${MEDIA_TYPE}; version=1.1, */*`,
      `${MEDIA_TYPE};q=0`,
      // The spec's 406 holds even when application/json is listed beside it.
      `${MEDIA_TYPE}; charset=utf-8, application/json`,
      "text/html, application/xml",
    ]) {
      const reply = await call("GET", "/jsonapi/tags", { headers: { Accept: accept } });
      const errors = expectErrors(reply, 406);
      expect(errors[0], accept).toMatchObject({ status: "406", code: "not_acceptable", source: { header: "Accept" } });
      // What to send instead.
      expect(errors[0].detail, accept).toContain(`send Accept: ${MEDIA_TYPE}`);
    }
    // Before anything else, writes included: nothing is stored.
    const user = await registerUser();
    const before = await countArticles();
    const reply = await jsonapi("POST", "/jsonapi/articles", {
      token: user.token,
      body: newArticle(),
      headers: { Accept: "text/plain" },
    });
    expectErrors(reply, 406);
    expect(await countArticles()).toBe(before);
  });

  it("answers 415 for a request body that is not exactly application/vnd.api+json (a profile is fine)", async () => {
    const user = await registerUser();
    const before = await countArticles();
    for (const contentType of [
      "application/json",
      `${MEDIA_TYPE}; charset=utf-8`,
      `${MEDIA_TYPE};ext="https://jsonapi.org/ext/atomic"`,
      `${MEDIA_TYPE}; profile="x"; foo=bar`,
      "text/plain",
    ]) {
      const reply = await jsonapi("POST", "/jsonapi/articles", {
        token: user.token,
        body: newArticle(),
        headers: { "Content-Type": contentType },
      });
      const [error] = expectErrors(reply, 415);
      expect(error, contentType).toMatchObject({ code: "unsupported_media_type", source: { header: "Content-Type" } });
      expect(error.detail, contentType).toContain(`send Content-Type: ${MEDIA_TYPE}`);
    }
    const missing = await call("POST", "/jsonapi/articles", {
      token: user.token,
      rawBody: JSON.stringify(newArticle()),
      headers: { Accept: MEDIA_TYPE },
    });
    expectErrors(missing, 415);
    expect(await countArticles()).toBe(before);
    const withProfile = await jsonapi("POST", "/jsonapi/articles", {
      token: user.token,
      body: newArticle(),
      headers: { "Content-Type": `${MEDIA_TYPE}; profile="https://example.com/profiles/x"` },
    });
    expect(withProfile.status).toBe(201);
  });

  it("answers 400 for a body that is not JSON, empty or not UTF-8, and 413 past 1 MiB, declared or streamed", async () => {
    const user = await registerUser();
    const post = (rawBody: BodyInit) =>
      jsonapi("POST", "/jsonapi/articles", { token: user.token, rawBody, headers: { "Content-Type": MEDIA_TYPE } });
    expect(expectErrors(await post("{"), 400)[0].detail).toBe("request body is not valid JSON");
    expect(expectErrors(await post(""), 400)[0].detail).toBe("request body is empty");
    expect(expectErrors(await post(new Uint8Array([0x7b, 0xff, 0x7d])), 400)[0].detail).toBe("request body is not valid UTF-8");
    const big = JSON.stringify(
      resource("articles", { attributes: { title: "t", description: "d", body: "x".repeat(1024 * 1024) } }),
    );
    expect(expectErrors(await post(big), 413)[0]).toMatchObject({ status: "413", code: "too_large" });

    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"data":{"type":"articles","attributes":{"body":"'));
      },
      pull(controller) {
        if (sent >= 32) {
          controller.enqueue(new TextEncoder().encode('"}}}'));
          controller.close();
          return;
        }
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const before = await countArticles();
    expectErrors(await post(stream), 413);
    expect(sent).toBeLessThan(32);
    expect(await countArticles()).toBe(before);
  });

  it("lets a browser send PATCH and the JSON:API media type across origins", async () => {
    const reply = await call("OPTIONS", "/jsonapi/articles/1", {
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get("access-control-allow-methods")).toContain("PATCH");
  });
});

describe("errors raised outside the adapter are JSON:API error objects too", () => {
  it("401 for a bad token, with WWW-Authenticate, on a route where auth is optional", async () => {
    const reply = await jsonapi("GET", "/jsonapi/articles", { headers: { Authorization: "Token not.a.token" } });
    expect(expectErrors(reply, 401)[0]).toMatchObject({
      status: "401",
      code: "unauthenticated",
      title: "Authentication required",
    });
    expect(reply.headers.get("www-authenticate")).toBe('Token realm="conduit"');
  });

  it("429 when the write limit is reached, with Retry-After", async () => {
    const user = await registerUser();
    const limited: Env = { ...testEnv, WRITE_CLIENT_LIMITER: env.TEST_TIGHT_LIMITER };
    const client = { "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250) + 1}-${unique("c")}` };
    let reply: Reply | undefined;
    for (let i = 0; i < 5; i++) {
      reply = await jsonapi("POST", "/jsonapi/articles", {
        token: user.token,
        body: newArticle(),
        headers: client,
        env: limited,
      });
      if (reply.status === 429) break;
    }
    expect(expectErrors(reply as Reply, 429)[0]).toMatchObject({ code: "rate_limited", title: "Too many requests" });
    expect(reply?.headers.get("retry-after")).toBe("60");
  });

  it("503 when D1 fails, with no stack, SQL or driver message", async () => {
    const probe = probeD1({ failTrip: 1 });
    const reply = await jsonapi("GET", "/jsonapi/articles", { env: probe.env, headers: { "Cache-Control": "no-cache" } });
    const [error] = expectErrors(reply, 503);
    expect(error).toEqual({
      status: "503",
      code: "unavailable",
      title: "Service unavailable",
      detail: "the database is temporarily unavailable, please retry",
    });
    expect(reply.text).not.toMatch(/D1_ERROR|SELECT|at \w+ \(/);
  });

  it("leaves REST errors in the REST shape", async () => {
    const reply = await call("GET", "/api/articles/no-such-article");
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errors: { body: ["article not found"] } });
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });
});

describe("the KV cache", () => {
  async function scene() {
    const author = await registerUser();
    const reader = await registerUser();
    const tag = unique("cached");
    const article = await createArticleJsonApi(author.token, { tags: [tag] });
    await commentJsonApi(reader.token, article.id, "first");
    const authorId = expectDocument(await jsonapi("GET", "/jsonapi/users/me", { token: author.token })).data.id as string;
    return { author, reader, tag, article, authorId };
  }

  it("serves anonymous reads of articles, users and tags from KV, in the JSON:API media type, with ETag/304", async () => {
    const { article, authorId, tag } = await scene();
    for (const path of [
      "/jsonapi/articles",
      `/jsonapi/articles?filter[tag]=${tag}&include=author,tags&fields[users]=username`,
      `/jsonapi/articles/${article.id}`,
      `/jsonapi/users/${authorId}`,
      `/jsonapi/users/${authorId}/articles`,
      "/jsonapi/tags",
    ]) {
      const first = await jsonapi("GET", path);
      expect(timing(first), path).toEqual({ cache: "miss", d1: 1 });
      const second = await jsonapi("GET", path);
      expect(timing(second), path).toEqual({ cache: "hit", d1: 0 });
      expect(second.text, path).toBe(first.text);
      expect(second.headers.get("content-type"), path).toBe(MEDIA_TYPE);
      expect(second.headers.get("cache-control"), path).toBe("public, max-age=0, must-revalidate");
      expectDocument(second, { sparse: true });
      const etag = second.headers.get("etag") ?? "";
      const revalidated = await jsonapi("GET", path, { headers: { "If-None-Match": etag } });
      expect(revalidated.status, path).toBe(304);
      expect(timing(revalidated).d1, path).toBe(0);
    }
    // The same data through REST is another entry: each API's body is its own.
    const rest = await call("GET", `/api/articles/${article.attributes.slug}`);
    expect(rest.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("keys on the origin: two hosts of the same Worker never share a cached body, whose links name its host", async () => {
    const { article } = await scene();
    const path = `/jsonapi/articles/${article.id}?include=author`;
    const hosts = ["https://conduit.example", "http://localhost:8787", "https://other.example"];
    for (const origin of hosts) {
      const first = await jsonapi("GET", path, { origin });
      expect(timing(first), origin).toEqual({ cache: "miss", d1: 1 });
      expect(first.body.data.links.self, origin).toBe(`${origin}/jsonapi/articles/${article.id}`);
      expect(first.body.links.self, origin).toBe(`${origin}/jsonapi/articles/${article.id}?include=author`);
    }
    for (const origin of hosts) {
      const again = await jsonapi("GET", path, { origin });
      expect(timing(again), origin).toEqual({ cache: "hit", d1: 0 });
      expect(again.text, origin).not.toMatch(
        new RegExp(
          hosts
            .filter((host) => host !== origin)
            .join("|")
            .replaceAll(".", "\\."),
        ),
      );
      expect(again.body.data.relationships.comments.links.related).toBe(`${origin}/jsonapi/articles/${article.id}/comments`);
    }
  });

  it("shares one cached body between requests that differ in the order of their parameters, links and all", async () => {
    const { tag } = await scene();
    const first = await jsonapi("GET", `/jsonapi/articles?page[limit]=1&filter[tag]=${tag}`);
    const second = await jsonapi("GET", `/jsonapi/articles?filter%5Btag%5D=${tag}&page%5Blimit%5D=1`);
    expect(timing(second)).toEqual({ cache: "hit", d1: 0 });
    expect(second.body.links.self).toBe(`http://localhost/jsonapi/articles?filter%5Btag%5D=${tag}&page%5Blimit%5D=1`);
    expect(second.text).toBe(first.text);
  });

  it("caches comments and included comments, which a new comment drops; never signed-in reads", async () => {
    const { article, reader } = await scene();
    const paths = [
      `/jsonapi/articles/${article.id}/comments`,
      `/jsonapi/articles/${article.id}?include=comments.author`,
      "/jsonapi/articles?include=comments",
    ];
    for (const path of paths) {
      await jsonapi("GET", path);
      expect(timing(await jsonapi("GET", path)).cache, path).toBe("hit");
    }
    await jsonapi("GET", "/jsonapi/tags", { token: reader.token });
    expect(timing(await jsonapi("GET", "/jsonapi/tags", { token: reader.token })).cache).toBe("bypass");
    // A new comment shows at once in every comment view.
    await commentJsonApi(reader.token, article.id, "second");
    for (const path of paths) expect(timing(await jsonapi("GET", path)).cache, `${path} after a comment`).toBe("miss");
    const comments = expectDocument(await jsonapi("GET", `/jsonapi/articles/${article.id}/comments`));
    expect(comments.data.map((c: any) => c.attributes.body)).toEqual(["second", "first"]);
    const included = expectDocument(await jsonapi("GET", `/jsonapi/articles/${article.id}?include=comments`));
    expect(included.included).toHaveLength(2);
  });

  it("is invalidated by JSON:API writes exactly as by REST writes: what the write changed, and nothing else", async () => {
    const { author, reader, article, authorId } = await scene();
    const [list, page, profile, tags] = [
      "/jsonapi/articles",
      `/jsonapi/articles/${article.id}`,
      `/jsonapi/users/${authorId}`,
      "/jsonapi/tags",
    ];
    const paths = [list, page, profile, tags];
    // Each write, and the answers it changes (the others stay cached).
    const writes: [string, (user: TestUser) => Promise<Reply>, string[]][] = [
      [
        "update the article",
        (user) =>
          jsonapi("PATCH", `/jsonapi/articles/${article.id}`, {
            token: user.token,
            body: resource("articles", { id: article.id, attributes: { description: unique("d") } }),
          }),
        [list, page],
      ],
      [
        "favorite it",
        () =>
          jsonapi("POST", "/jsonapi/users/me/relationships/favorites", {
            token: reader.token,
            body: linkage("articles", article.id),
          }),
        [list, page],
      ],
      [
        "update the author's bio",
        (user) =>
          jsonapi("PATCH", "/jsonapi/users/me", {
            token: user.token,
            body: resource("users", { id: "me", attributes: { bio: unique("b") } }),
          }),
        [list, page, profile],
      ],
      // Without tags: the tag ranking is unchanged.
      ["create an article", (user) => jsonapi("POST", "/jsonapi/articles", { token: user.token, body: newArticle() }), [list]],
    ];
    for (const [name, write, changed] of writes) {
      for (const path of paths) {
        await jsonapi("GET", path);
        expect(timing(await jsonapi("GET", path)).cache, `${name}: ${path} primed`).toBe("hit");
      }
      const reply = await write(author);
      expect(reply.status, `${name}: ${reply.text}`).toBeLessThan(300);
      for (const path of paths) {
        expect(timing(await jsonapi("GET", path)).cache, `${name}: ${path} after`).toBe(changed.includes(path) ? "miss" : "hit");
      }
    }
    const fresh = expectDocument(await jsonapi("GET", `/jsonapi/articles/${article.id}`));
    expect(fresh.data.attributes.favoritesCount).toBe(1);
    // A delete drops the cached article too.
    await jsonapi("GET", `/jsonapi/articles/${article.id}`);
    expect((await jsonapi("DELETE", `/jsonapi/articles/${article.id}`, { token: author.token })).status).toBe(204);
    expectErrors(await jsonapi("GET", `/jsonapi/articles/${article.id}`), 404);
  });
});

describe("D1 round trips", () => {
  // Around the cache (a hit costs nothing and proves nothing here); the
  // Server-Timing count must be what the wrapped binding saw.
  async function tripsOf(method: string, path: string, options: Parameters<typeof jsonapi>[2] = {}) {
    const probe = probeD1();
    const reply = await jsonapi(method, path, {
      ...options,
      env: probe.env,
      headers: { ...options.headers, "Cache-Control": "no-cache" },
    });
    expect(timing(reply).d1, `Server-Timing of ${method} ${path}`).toBe(probe.trips.length);
    return { status: reply.status, trips: probe.trips.length };
  }

  it("costs one round trip for every read, includes and all, anonymous or signed in", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const tag = unique("rt");
    const article = await createArticleJsonApi(author.token, { tags: [tag] });
    const comment = await commentJsonApi(reader.token, article.id, "hello");
    const readerId = expectDocument(await jsonapi("GET", "/jsonapi/users/me", { token: reader.token })).data.id;
    await jsonapi("POST", "/jsonapi/users/me/relationships/following", {
      token: reader.token,
      body: linkage("users", article.relationships.author.data.id),
    });
    const authorId = article.relationships.author.data.id;
    const reads = [
      "/jsonapi/articles",
      `/jsonapi/articles?include=author,tags,comments.author&filter[tag]=${tag}&filter[author]=${author.username}&sort=createdAt&page[limit]=5`,
      `/jsonapi/articles?include=author,comments.author&filter[search]=${encodeURIComponent(article.attributes.title)}&filter[tag]=${tag}`,
      `/jsonapi/articles?include=comments&filter[search]=${encodeURIComponent(article.attributes.title)}&sort=-createdAt`,
      `/jsonapi/articles/${article.id}`,
      `/jsonapi/articles/${article.id}?include=author,tags,comments.author`,
      `/jsonapi/articles/${article.id}/comments?include=author,article.author,article.tags`,
      `/jsonapi/comments/${comment.id}?include=author,article.author`,
      `/jsonapi/users/${authorId}`,
      `/jsonapi/users/${authorId}/articles?include=comments`,
      "/jsonapi/tags",
    ];
    for (const path of reads) {
      for (const token of [null, reader.token]) {
        const { status, trips } = await tripsOf("GET", path, { token });
        expect(status, path).toBe(200);
        expect(trips, `GET ${path} ${token ? "signed in" : "anonymous"}`).toBe(1);
      }
    }
    for (const path of [
      "/jsonapi/feed?include=author,comments.author",
      "/jsonapi/users/me",
      `/jsonapi/users/${readerId}`,
      "/jsonapi/users/me/articles",
    ]) {
      expect(await tripsOf("GET", path, { token: reader.token }), path).toEqual({ status: 200, trips: 1 });
    }
    for (const path of [
      "/jsonapi/articles/999999",
      "/jsonapi/users/999999",
      "/jsonapi/comments/999999",
      "/jsonapi/users/999999/articles",
    ]) {
      expect(await tripsOf("GET", path), path).toEqual({ status: 404, trips: 1 });
    }
  });

  it("costs at most two round trips for every write", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const name = unique("rtw");
    const register = await tripsOf("POST", "/jsonapi/users", {
      body: resource("users", { attributes: { username: name, email: `${name}@example.com`, password: "safe-pass-1" } }),
    });
    expect(register).toEqual({ status: 201, trips: 2 });
    const me = { id: "me" };
    expect(
      await tripsOf("PATCH", "/jsonapi/users/me", {
        token: reader.token,
        body: resource("users", { ...me, attributes: { bio: "hi" } }),
      }),
    ).toEqual({
      status: 200,
      trips: 2,
    });
    const created = await tripsOf("POST", "/jsonapi/articles", {
      token: author.token,
      body: resource("articles", {
        attributes: { title: unique("RT "), description: "d", body: "b" },
        relationships: { tags: linkage("tags", "x", "y") },
      }),
    });
    expect(created).toEqual({ status: 201, trips: 2 });
    const article = await createArticleJsonApi(author.token);
    const patch = resource("articles", {
      id: article.id,
      attributes: { title: unique("RT2 ") },
      relationships: { tags: linkage("tags", "z") },
    });
    expect(await tripsOf("PATCH", `/jsonapi/articles/${article.id}`, { token: author.token, body: patch })).toEqual({
      status: 200,
      trips: 2,
    });

    const favorites = "/jsonapi/users/me/relationships/favorites";
    const following = "/jsonapi/users/me/relationships/following";
    const authorId = article.relationships.author.data.id;
    for (const method of ["POST", "DELETE"]) {
      expect(await tripsOf(method, favorites, { token: reader.token, body: linkage("articles", article.id) }), method).toEqual({
        status: 204,
        trips: 2,
      });
      expect(await tripsOf(method, following, { token: reader.token, body: linkage("users", authorId) }), method).toEqual({
        status: 204,
        trips: 2,
      });
    }
    expect(await tripsOf("POST", favorites, { token: reader.token, body: { data: [] } })).toEqual({ status: 204, trips: 1 });

    const comment = await tripsOf("POST", "/jsonapi/comments", {
      token: reader.token,
      body: resource("comments", {
        attributes: { body: "nice" },
        relationships: { article: { data: { type: "articles", id: article.id } } },
      }),
    });
    expect(comment).toEqual({ status: 201, trips: 2 });
    const commentId = expectDocument(await jsonapi("GET", `/jsonapi/articles/${article.id}/comments`)).data[0].id;
    expect(await tripsOf("DELETE", `/jsonapi/comments/${commentId}`, { token: reader.token })).toEqual({ status: 204, trips: 2 });
    expect(await tripsOf("DELETE", `/jsonapi/articles/${article.id}`, { token: author.token })).toEqual({
      status: 204,
      trips: 2,
    });
  });

  it("costs nothing for requests refused before the domain runs", async () => {
    const user = await registerUser();
    const refused: [string, string, Parameters<typeof jsonapi>[2], number][] = [
      ["GET", "/jsonapi/feed", {}, 401],
      ["GET", "/jsonapi/articles?page[limit]=0", {}, 400],
      ["GET", "/jsonapi/articles?include=nope", {}, 400],
      ["GET", "/jsonapi/articles/abc", {}, 404],
      ["GET", "/jsonapi/tags", { headers: { Accept: "text/html" } }, 406],
      ["POST", "/jsonapi/articles", { token: user.token, body: resource("articles", { attributes: {} }) }, 422],
      ["POST", "/jsonapi/articles", { token: user.token, body: resource("users") }, 409],
      [
        "POST",
        "/jsonapi/articles",
        { token: user.token, body: newArticle(), headers: { "Content-Type": "application/json" } },
        415,
      ],
      ["POST", "/jsonapi/users/me/relationships/favorites", { token: user.token, body: linkage("articles", 1, 2) }, 403],
      ["GET", "/jsonapi/articles", { headers: { Authorization: "Token a.b.c" } }, 401],
    ];
    for (const [method, path, options, status] of refused) {
      expect(await tripsOf(method, path, options), `${method} ${path}`).toEqual({ status, trips: 0 });
    }
  });
});
