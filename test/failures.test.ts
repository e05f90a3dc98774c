import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createArticle, registerUser, testEnv, unique } from "./support/api";
import { count, probeD1 } from "./support/d1";

// What clients see when a dependency fails: a clear 503 (500 for a bug of
// ours), never internals, and nothing half-written.

const INTERNALS = /D1_ERROR|SQLITE|constraint|Network connection|drizzle|select |insert |\bat [\w.<>]+ \(/i;
const UNAVAILABLE = { errors: { body: ["the database is temporarily unavailable, please retry"] } };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("when D1 fails", () => {
  it("answers every endpoint with 503 and no internals when the first round trip fails", async () => {
    const user = await registerUser();
    const article = await createArticle(user);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const requests: [string, string, Parameters<typeof call>[2]][] = [
      ["GET", "/api/articles", {}],
      ["GET", "/api/articles/feed", { token: user.token }],
      ["GET", `/api/articles/${article.slug}`, {}],
      ["GET", `/api/articles/${article.slug}/comments`, {}],
      ["GET", `/api/profiles/${user.username}`, {}],
      ["GET", "/api/tags", {}],
      ["GET", "/api/user", { token: user.token }],
      ["POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } }],
      [
        "POST",
        "/api/users",
        { body: { user: { username: unique("u"), email: `${unique("e")}@example.com`, password: "safe-pw-1" } } },
      ],
      ["PUT", "/api/user", { token: user.token, body: { user: { bio: "x" } } }],
      ["POST", `/api/profiles/${user.username}/follow`, { token: user.token }],
      ["POST", "/api/articles", { token: user.token, body: { article: { title: "t", description: "d", body: "b" } } }],
      ["PUT", `/api/articles/${article.slug}`, { token: user.token, body: { article: { body: "changed" } } }],
      ["DELETE", `/api/articles/${article.slug}`, { token: user.token }],
      ["POST", `/api/articles/${article.slug}/favorite`, { token: user.token }],
      ["POST", `/api/articles/${article.slug}/comments`, { token: user.token, body: { comment: { body: "c" } } }],
    ];
    for (const [method, path, options] of requests) {
      const reply = await call(method, path, { ...options, env: probeD1({ failTrip: 1 }).env });
      expect(reply.status, `${method} ${path}`).toBe(503);
      expect(reply.body, `${method} ${path}`).toEqual(UNAVAILABLE);
      expect(reply.text, `${method} ${path}`).not.toMatch(INTERNALS);
      expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
    }
    expect((await call("GET", `/api/articles/${article.slug}`)).body.article.body).toBe("The body of the article");
  });

  it("logs the failure as one JSON line with the request id, the cause kept out of the response", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const reply = await call("GET", "/api/tags", { env: probeD1({ failTrip: 1 }).env });
    expect(reply.status).toBe(503);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? "{}");
    expect(entry).toMatchObject({ level: "error", requestId: reply.headers.get("x-request-id"), path: "/api/tags", status: 503 });
    expect(JSON.stringify(entry.error)).toContain("Network connection lost");
  });

  it("leaves nothing written when the second round trip of a write fails", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticle(author);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const title = unique("Never stored ");
    const fail = () => probeD1({ failTrip: 2 }).env;

    const name = unique("ghost");
    const register = { user: { username: name, email: `${name}@example.com`, password: "safe-pw-1" } };
    expect((await call("POST", "/api/users", { body: register, env: fail() })).status).toBe(503);
    expect(await count("SELECT count(*) AS n FROM users WHERE username = ?", name)).toBe(0);

    const create = { article: { title, description: "d", body: "b", tagList: ["t1"] } };
    expect((await call("POST", "/api/articles", { token: author.token, body: create, env: fail() })).status).toBe(503);
    expect(await count("SELECT count(*) AS n FROM articles WHERE title = ?", title)).toBe(0);

    const favorite = await call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token, env: fail() });
    expect(favorite.status).toBe(503);
    expect(await count("SELECT count(*) AS n FROM favorites")).toBe(0);

    const comment = { comment: { body: "lost" } };
    const commented = await call("POST", `/api/articles/${article.slug}/comments`, {
      token: reader.token,
      body: comment,
      env: fail(),
    });
    expect(commented.status).toBe(503);
    expect(await count("SELECT count(*) AS n FROM comments")).toBe(0);
  });

  it("rolls back a whole batch when SQLite rejects a statement inside it", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticle(author, { tagList: ["kept"] });
    vi.spyOn(console, "error").mockImplementation(() => {});
    // The second round trip is the write batch; the first only reads.
    const poisoned = () => probeD1({ poisonTrip: 2 }).env;
    const usersBefore = await count("SELECT count(*) AS n FROM users");

    const title = unique("Rolled back ");
    const create = { article: { title, description: "d", body: "b", tagList: ["a", "b"] } };
    expect((await call("POST", "/api/articles", { token: author.token, body: create, env: poisoned() })).status).toBe(503);
    expect(await count("SELECT count(*) AS n FROM articles WHERE title = ?", title)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM article_tags WHERE tag IN ('a', 'b')")).toBe(0);

    const update = { article: { title: unique("Changed "), body: "changed", tagList: ["replaced"] } };
    const updated = await call("PUT", `/api/articles/${article.slug}`, { token: author.token, body: update, env: poisoned() });
    expect(updated.status).toBe(503);
    const stored = (await call("GET", `/api/articles/${article.slug}`)).body.article;
    expect(stored).toMatchObject({ slug: article.slug, body: "The body of the article", tagList: ["kept"] });
    expect(stored.updatedAt).toBe(article.updatedAt);

    const favorite = await call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token, env: poisoned() });
    expect(favorite.status).toBe(503);
    expect(await count("SELECT count(*) AS n FROM favorites")).toBe(0);
    expect(await count("SELECT favorites_count AS n FROM articles WHERE slug = ?", article.slug)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM users")).toBe(usersBefore);
  });

  it("answers 503 when a D1 round trip does not answer in time, and writes nothing", async () => {
    const user = await registerUser();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const slow = (trip: number) => ({ ...probeD1({ hangTrip: trip }).env, D1_TIMEOUT_MS: "100" });
    const read = await call("GET", "/api/tags", { env: slow(1) });
    expect(read.status).toBe(503);
    expect(read.body).toEqual(UNAVAILABLE);
    const title = unique("Timed out ");
    const write = await call("POST", "/api/articles", {
      token: user.token,
      body: { article: { title, description: "d", body: "b" } },
      env: slow(2),
    });
    expect(write.status).toBe(503);
    expect(await count("SELECT count(*) AS n FROM articles WHERE title = ?", title)).toBe(0);
  });

  it("answers 500 without details for an unexpected error that is not the database's", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const probe = probeD1({ failTrip: 1, error: () => new TypeError("cannot read properties of undefined (reading 'id')") });
    const reply = await call("GET", "/api/tags", { env: probe.env });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ errors: { body: ["internal error"] } });
    expect(reply.text).not.toContain("reading");
  });
});

describe("when the Worker is not configured", () => {
  it("answers 503 on every API route while JWT_SECRET is missing or too short", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { JWT_SECRET: _, ...withoutSecret } = testEnv;
    for (const broken of [withoutSecret, { ...testEnv, JWT_SECRET: "too-short" }]) {
      for (const path of ["/api/tags", "/api/articles", "/api/user"]) {
        const reply = await call("GET", path, { env: broken });
        expect(reply.status, path).toBe(503);
        expect(reply.body).toEqual({ errors: { body: ["the service is not configured"] } });
      }
    }
  });
});
