import { describe, expect, it } from "vitest";
import { call, createArticle, registerUser, timing, unique } from "./support/api";
import { probeD1 } from "./support/d1";

// The round-trip budget: every read costs at most one D1 round trip, every
// write at most two (a batch counting as one), and a KV cache hit none. The
// D1 binding is wrapped so the count is what D1 actually saw, asserted per
// endpoint, signed in and not.

// Every request goes around the KV cache (a hit would cost nothing and prove
// nothing here); Server-Timing must report the same count the probe saw.
async function tripsOf(method: string, path: string, options: Parameters<typeof call>[2] = {}) {
  const probe = probeD1();
  const headers = { ...options.headers, "Cache-Control": "no-cache" };
  const reply = await call(method, path, { ...options, headers, env: probe.env });
  expect(timing(reply).d1, `Server-Timing of ${method} ${path}`).toBe(probe.trips.length);
  return { status: reply.status, trips: probe.trips.length };
}

describe("D1 round trips per endpoint", () => {
  it("costs one round trip for every read, anonymous or signed in", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticle(author, { tagList: [unique("tag")] });
    await call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token });
    await call("POST", `/api/articles/${article.slug}/comments`, { token: author.token, body: { comment: { body: "hi" } } });

    const reads: [string, string | null][] = [
      ["/api/articles", null],
      ["/api/articles", reader.token],
      [`/api/articles?tag=${article.tagList[0]}&author=${author.username}&favorited=${reader.username}&limit=5&offset=1`, null],
      [`/api/articles?author=${author.username}`, reader.token],
      ["/api/articles/feed", reader.token],
      [`/api/articles/${article.slug}`, null],
      [`/api/articles/${article.slug}`, reader.token],
      [`/api/articles/${article.slug}/comments`, null],
      [`/api/articles/${article.slug}/comments`, reader.token],
      [`/api/profiles/${author.username}`, null],
      [`/api/profiles/${author.username}`, reader.token],
      ["/api/tags", null],
      ["/api/tags", reader.token],
      ["/api/user", reader.token],
      [`/api/articles.atom?tag=${article.tagList[0]}`, null],
      ["/api/articles.atom", reader.token],
      [`/api/profiles/${author.username}/articles.atom`, null],
      [`/api/profiles/${author.username}/articles.atom?tag=${article.tagList[0]}`, reader.token],
      // A search: its ranked page, snippets and count, in the same one round trip.
      [`/api/articles?search=${encodeURIComponent(`${article.title} body*`)}`, null],
      [
        `/api/articles?search=${encodeURIComponent(article.title)}&tag=${article.tagList[0]}&author=${author.username}`,
        reader.token,
      ],
      [`/api/articles?search=${encodeURIComponent('"no such" words')}&limit=5&offset=5`, null],
    ];
    for (const [path, token] of reads) {
      const { status, trips } = await tripsOf("GET", path, { token });
      expect(status, path).toBe(200);
      expect(trips, `GET ${path} ${token ? "signed in" : "anonymous"}`).toBe(1);
    }
  });

  it("costs one round trip for a read that finds nothing", async () => {
    expect(await tripsOf("GET", "/api/articles/no-such-article")).toEqual({ status: 404, trips: 1 });
    expect(await tripsOf("GET", "/api/profiles/no-such-user")).toEqual({ status: 404, trips: 1 });
    expect(await tripsOf("GET", "/api/articles/no-such-article/comments")).toEqual({ status: 404, trips: 1 });
    expect(await tripsOf("GET", "/api/profiles/no-such-user/articles.atom")).toEqual({ status: 404, trips: 1 });
  });

  it("costs at most two round trips for every write", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const name = unique("writer");
    const email = `${name}@example.com`;

    const register = await tripsOf("POST", "/api/users", { body: { user: { username: name, email, password: "safe-pass-1" } } });
    expect(register).toEqual({ status: 201, trips: 2 });
    const login = await tripsOf("POST", "/api/users/login", { body: { user: { email, password: "safe-pass-1" } } });
    expect(login).toEqual({ status: 200, trips: 1 });
    expect(
      await tripsOf("PUT", "/api/user", { token: reader.token, body: { user: { bio: "hello", username: unique("r") } } }),
    ).toEqual({ status: 200, trips: 2 });

    const follow = `/api/profiles/${author.username}/follow`;
    expect(await tripsOf("POST", follow, { token: reader.token })).toEqual({ status: 200, trips: 2 });
    expect(await tripsOf("DELETE", follow, { token: reader.token })).toEqual({ status: 200, trips: 2 });

    const article = { title: unique("Budget "), description: "d", body: "b", tagList: ["x", "y"] };
    const created = await tripsOf("POST", "/api/articles", { token: author.token, body: { article } });
    expect(created).toEqual({ status: 201, trips: 2 });
    const slug = (await createArticle(author, { title: unique("Second ") })).slug;
    const update = { article: { title: unique("Renamed "), body: "new", tagList: ["z"] } };
    expect(await tripsOf("PUT", `/api/articles/${slug}`, { token: author.token, body: update })).toEqual({
      status: 200,
      trips: 2,
    });
    const renamed = (await call("GET", `/api/articles?author=${author.username}&limit=1`)).body.articles[0].slug as string;

    expect(await tripsOf("POST", `/api/articles/${renamed}/favorite`, { token: reader.token })).toEqual({
      status: 200,
      trips: 2,
    });
    expect(await tripsOf("DELETE", `/api/articles/${renamed}/favorite`, { token: reader.token })).toEqual({
      status: 200,
      trips: 2,
    });

    const comment = await tripsOf("POST", `/api/articles/${renamed}/comments`, {
      token: reader.token,
      body: { comment: { body: "nice" } },
    });
    expect(comment).toEqual({ status: 200, trips: 2 });
    const id = (await call("GET", `/api/articles/${renamed}/comments`)).body.comments[0].id as number;
    expect(await tripsOf("DELETE", `/api/articles/${renamed}/comments/${id}`, { token: reader.token })).toEqual({
      status: 204,
      trips: 2,
    });

    expect(await tripsOf("DELETE", `/api/articles/${renamed}`, { token: author.token })).toEqual({ status: 204, trips: 2 });
    expect(await tripsOf("POST", "/api/user/logout", { token: author.token })).toEqual({ status: 204, trips: 1 });
  });

  it("costs nothing for requests refused before the domain runs", async () => {
    expect(await tripsOf("GET", "/api/user")).toEqual({ status: 401, trips: 0 });
    expect(await tripsOf("GET", "/api/articles?limit=0")).toEqual({ status: 422, trips: 0 });
    expect(await tripsOf("GET", `/api/articles?search=${"x%20".repeat(17)}`)).toEqual({ status: 422, trips: 0 });
    expect(await tripsOf("POST", "/api/users", { body: { user: {} } })).toEqual({ status: 422, trips: 0 });
    expect(await tripsOf("GET", "/api/user", { headers: { Authorization: "Token a.b.c" } })).toEqual({ status: 401, trips: 0 });
  });
});
