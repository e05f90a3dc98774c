import { describe, expect, it } from "vitest";
import { call, createArticle, registerUser, type TestUser, unique } from "./support/api";
import { rows } from "./support/d1";

// Articles: create, slugs, get, update, delete and list, through the REST
// routes, checking both the replies and what D1 holds afterwards.

const storedArticle = async (slug: string) =>
  (
    await rows<{ id: number; title: string; description: string; body: string; updated_at: number }>(
      "SELECT id, title, description, body, updated_at FROM articles WHERE slug = ?",
      slug,
    )
  )[0];

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SUFFIX = "[0-9a-z]{6}";
const path = (slug: string) => `/api/articles/${encodeURIComponent(slug)}`;
const newArticle = (overrides: Record<string, unknown> = {}) => ({
  article: { title: unique("Title "), description: "About it", body: "Words", ...overrides },
});

async function expectInvalid(user: TestUser, article: Record<string, unknown>, errors: Record<string, string[]>) {
  const reply = await call("POST", "/api/articles", { token: user.token, body: { article } });
  expect(reply.status).toBe(422);
  expect(reply.body).toEqual({ errors });
}

describe("POST /api/articles", () => {
  it("returns 201 with the full article shape, tags in alphabetical order without duplicates", async () => {
    const user = await registerUser();
    const title = unique("Shape ");
    const [zeta, alpha, mid] = [unique("zeta"), unique("alpha"), unique("mid")];
    const reply = await call("POST", "/api/articles", {
      token: user.token,
      body: { article: { title, description: "Desc", body: "Body text", tagList: [zeta, alpha, zeta, mid] } },
    });
    expect(reply.status).toBe(201);
    const article = reply.body.article;
    expect(article).toEqual({
      slug: title.toLowerCase().replace(" ", "-"),
      title,
      description: "Desc",
      body: "Body text",
      tagList: [alpha, mid, zeta],
      createdAt: expect.stringMatching(ISO),
      updatedAt: article.createdAt,
      favorited: false,
      favoritesCount: 0,
      author: { username: user.username, bio: null, image: null, following: false },
    });
    const tags = await rows(
      "SELECT t.tag FROM article_tags t JOIN articles a ON a.id = t.article_id WHERE a.slug = ? ORDER BY t.position",
      article.slug,
    );
    expect(tags.map((t) => t.tag)).toEqual([zeta, alpha, mid]);
  });

  it("refuses an anonymous caller with 401 and stores nothing", async () => {
    const body = newArticle();
    const reply = await call("POST", "/api/articles", { body });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ errors: { body: ["authentication is required"] } });
    expect(await rows("SELECT id FROM articles WHERE title = ?", body.article.title)).toEqual([]);
  });

  it("refuses anonymous writes with 401 before looking at the body, on every write route with a body", async () => {
    const routes: [string, string][] = [
      ["POST", "/api/articles"],
      ["PUT", "/api/articles/any-slug"],
      ["POST", "/api/articles/any-slug/comments"],
      ["PUT", "/api/user"],
    ];
    for (const [method, path] of routes) {
      for (const rawBody of ['{"article":{"title":" "}}', "{not json", ""]) {
        const reply = await call(method, path, { rawBody, headers: { "Content-Type": "text/plain" } });
        expect(reply.status, `${method} ${path} ${rawBody}`).toBe(401);
        expect(reply.body).toEqual({ errors: { body: ["authentication is required"] } });
      }
    }
  });

  it("rejects missing title, description and body with 'is required' per field", async () => {
    const user = await registerUser();
    await expectInvalid(user, {}, { title: ["is required"], description: ["is required"], body: ["is required"] });
    await expectInvalid(user, { description: "d", body: "b" }, { title: ["is required"] });
    const notObject = await call("POST", "/api/articles", { token: user.token, body: { article: "text" } });
    expect(notObject.status).toBe(422);
    expect(notObject.body).toEqual({ errors: { article: ["must be an object"] } });
  });

  const tooMany = Array.from({ length: 21 }, (_, i) => unique(`many${i}-`));
  it.each([
    ["a blank title", { title: "   " }, { title: ["can't be blank"] }],
    ["an over-long title", { title: "x".repeat(201) }, { title: ["is too long (maximum is 200 characters)"] }],
    ["a blank description", { description: " " }, { description: ["can't be blank"] }],
    ["a whitespace-only body", { body: " \n " }, { body: ["can't be blank"] }],
    ["a tagList that is not an array", { tagList: "one,two" }, { tagList: ["must be an array of strings"] }],
    ["more than 20 tags", { tagList: tooMany }, { tagList: ["can't have more than 20 tags"] }],
    ["a blank tag", { tagList: ["fine", "  "] }, { tagList: ["can't contain blank tags"] }],
    ["a tag over 40 characters", { tagList: ["x".repeat(41)] }, { tagList: ["can't contain tags longer than 40 characters"] }],
  ])("rejects %s with 422 and stores nothing", async (_, fields, errors) => {
    const user = await registerUser();
    await expectInvalid(user, { ...newArticle().article, ...fields }, errors);
    const stored = await rows(
      "SELECT a.id FROM articles a JOIN users u ON u.id = a.author_id WHERE u.username = ?",
      user.username,
    );
    expect(stored).toEqual([]);
    expect(await rows("SELECT tag FROM article_tags WHERE tag = ?", tooMany[0])).toEqual([]);
  });

  it("trims title and tags, and accepts 20 distinct tags sent with duplicates", async () => {
    const user = await registerUser();
    const tags = Array.from({ length: 20 }, (_, i) => unique(`t${i}-`));
    const reply = await call("POST", "/api/articles", {
      token: user.token,
      body: newArticle({ title: "  Padded Title  ", tagList: [...tags, ` ${tags[0]} `, tags[1], tags[2]] }),
    });
    expect(reply.status).toBe(201);
    expect(reply.body.article.title).toBe("Padded Title");
    expect(reply.body.article.tagList).toEqual([...tags].sort());
  });

  it("ignores slug, author, favoritesCount and createdAt sent by the client", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const title = unique("Mass ");
    const reply = await call("POST", "/api/articles", {
      token: user.token,
      body: newArticle({
        title,
        slug: "chosen-by-client",
        author: { username: other.username },
        favoritesCount: 99,
        favorited: true,
        createdAt: "2000-01-01T00:00:00.000Z",
      }),
    });
    expect(reply.status).toBe(201);
    const article = reply.body.article;
    expect(article.slug).not.toBe("chosen-by-client");
    expect(article.author.username).toBe(user.username);
    expect(article.favoritesCount).toBe(0);
    expect(article.favorited).toBe(false);
    expect(article.createdAt).not.toBe("2000-01-01T00:00:00.000Z");
    const [stored] = await rows(
      "SELECT a.slug, a.favorites_count, u.username FROM articles a JOIN users u ON u.id = a.author_id WHERE a.title = ?",
      title,
    );
    expect(stored).toEqual({ slug: article.slug, favorites_count: 0, username: user.username });
  });
});

describe("slugs", () => {
  it("turns 'Hello World' into 'hello-world'", async () => {
    const article = await createArticle(await registerUser(), { title: "Hello World" });
    expect(article.slug).toBe("hello-world");
  });

  it("gives a second article with the same title a distinct suffixed slug", async () => {
    const user = await registerUser();
    const title = unique("Twin ");
    const first = await createArticle(user, { title });
    const second = await createArticle(user, { title });
    expect(second.slug).not.toBe(first.slug);
    expect(second.slug).toMatch(new RegExp(`^${first.slug}-${SUFFIX}$`));
    expect((await call("GET", path(second.slug))).body.article.title).toBe(title);
  });

  it("keeps CJK and Arabic letters and serves the article at that slug", async () => {
    const user = await registerUser();
    const cjk = await createArticle(user, { title: "你好 世界" });
    const arabic = await createArticle(user, { title: "مرحبا بالعالم" });
    expect(cjk.slug).toBe("你好-世界");
    expect(arabic.slug).toBe("مرحبا-بالعالم");
    expect((await call("GET", path(cjk.slug))).body.article.title).toBe("你好 世界");
    expect((await call("GET", path(arabic.slug))).body.article.title).toBe("مرحبا بالعالم");
  });

  it("falls back to 'article' for an emoji-only title", async () => {
    const article = await createArticle(await registerUser(), { title: "🎉🚀✨" });
    expect(article.slug).toMatch(new RegExp(`^article(-${SUFFIX})?$`));
    expect((await call("GET", path(article.slug))).status).toBe(200);
  });

  it("never gives the title 'Feed' the slug 'feed', and /articles/feed stays the feed", async () => {
    const user = await registerUser();
    const article = await createArticle(user, { title: "Feed" });
    expect(article.slug).toMatch(new RegExp(`^feed-${SUFFIX}$`));
    expect((await call("GET", path(article.slug))).body.article.title).toBe("Feed");
    const feed = await call("GET", "/api/articles/feed", { token: user.token });
    expect(feed.status).toBe(200);
    expect(feed.body).toEqual({ articles: [], articlesCount: 0 });
  });

  it("gives every one of several concurrent same-title articles its own slug", async () => {
    const user = await registerUser();
    const title = unique("Race ");
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => call("POST", "/api/articles", { token: user.token, body: newArticle({ title }) })),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(replies.map((r) => r.body.article.slug)).size).toBe(5);
    expect(await rows("SELECT id FROM articles WHERE title = ?", title)).toHaveLength(5);
  });

  it("caps the slug of a long title at 80 characters on a word boundary", async () => {
    const article = await createArticle(await registerUser(), { title: `${"word ".repeat(30)}${unique("end")}` });
    expect(article.slug).toBe(Array.from({ length: 16 }, () => "word").join("-"));
  });
});

describe("GET /api/articles/:slug", () => {
  it("returns 200 with the body, also for an anonymous caller", async () => {
    const user = await registerUser();
    const created = await createArticle(user, { body: "Full body here", tagList: ["get"] });
    const mine = await call("GET", path(created.slug), { token: user.token });
    const anonymous = await call("GET", path(created.slug));
    expect(mine.status).toBe(200);
    expect(anonymous.status).toBe(200);
    expect(mine.body.article).toEqual(created);
    expect(anonymous.body.article.body).toBe("Full body here");
  });

  it("returns 404 with 'article not found' for an unknown slug", async () => {
    const reply = await call("GET", path(unique("missing-")));
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errors: { body: ["article not found"] } });
  });

  it("refuses an invalid token with 401 even though auth is optional", async () => {
    const created = await createArticle(await registerUser());
    const reply = await call("GET", path(created.slug), { token: "abc.def.ghi" });
    expect(reply.status).toBe(401);
    expect(reply.body.errors.body).toHaveLength(1);
  });
});

describe("PUT /api/articles/:slug", () => {
  const update = (slug: string, article: Record<string, unknown>, token?: string) =>
    call("PUT", path(slug), { token: token ?? null, body: { article } });

  it("changes the title and moves the slug with it; the old slug is 404", async () => {
    const user = await registerUser();
    const created = await createArticle(user);
    const title = unique("Renamed ");
    const reply = await update(created.slug, { title }, user.token);
    expect(reply.status).toBe(200);
    expect(reply.body.article.title).toBe(title);
    expect(reply.body.article.slug).toBe(title.toLowerCase().replace(" ", "-"));
    expect((await call("GET", path(created.slug))).status).toBe(404);
    expect((await call("GET", path(reply.body.article.slug))).body.article.title).toBe(title);
  });

  it("changes description and body, and updatedAt strictly increases", async () => {
    const user = await registerUser();
    const created = await createArticle(user);
    const reply = await update(created.slug, { description: "New desc", body: "New body" }, user.token);
    expect(reply.status).toBe(200);
    expect(reply.body.article).toMatchObject({ slug: created.slug, description: "New desc", body: "New body" });
    expect(reply.body.article.createdAt).toBe(created.createdAt);
    expect(Date.parse(reply.body.article.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    const again = await update(created.slug, { body: "Newer body" }, user.token);
    expect(Date.parse(again.body.article.updatedAt)).toBeGreaterThan(Date.parse(reply.body.article.updatedAt));
    expect(await storedArticle(created.slug)).toMatchObject({ description: "New desc", body: "Newer body" });
  });

  it("replaces the tagList, and clears it with []", async () => {
    const user = await registerUser();
    const created = await createArticle(user, { tagList: ["old1", "old2"] });
    const replaced = await update(created.slug, { tagList: ["new2", "new1"] }, user.token);
    expect(replaced.body.article.tagList).toEqual(["new1", "new2"]);
    const cleared = await update(created.slug, { tagList: [] }, user.token);
    expect(cleared.body.article.tagList).toEqual([]);
    const { id } = (await storedArticle(created.slug))!;
    expect(await rows("SELECT tag FROM article_tags WHERE article_id = ?", id)).toEqual([]);
  });

  it("keeps the slug, including its suffix, when the title is sent unchanged", async () => {
    const user = await registerUser();
    const title = unique("Same ");
    await createArticle(user, { title });
    const second = await createArticle(user, { title });
    const reply = await update(second.slug, { title }, user.token);
    expect(reply.status).toBe(200);
    expect(reply.body.article.slug).toBe(second.slug);
  });

  it("gives a title that collides with another article's slug a suffix, leaving the other alone", async () => {
    const user = await registerUser();
    const taken = await createArticle(user);
    const mover = await createArticle(user);
    const reply = await update(mover.slug, { title: taken.title }, user.token);
    expect(reply.status).toBe(200);
    expect(reply.body.article.slug).toMatch(new RegExp(`^${taken.slug}-${SUFFIX}$`));
    expect((await call("GET", path(taken.slug))).body.article.slug).toBe(taken.slug);
  });

  it("never renames an article to the slug 'feed'", async () => {
    const user = await registerUser();
    const created = await createArticle(user);
    const reply = await update(created.slug, { title: "Feed" }, user.token);
    expect(reply.body.article.slug).toMatch(new RegExp(`^feed-${SUFFIX}$`));
  });

  it("ignores slug, favoritesCount and createdAt sent in an update", async () => {
    const user = await registerUser();
    const created = await createArticle(user);
    const reply = await update(
      created.slug,
      { body: "Edited", slug: "hijacked", favoritesCount: 7, createdAt: "2000-01-01T00:00:00.000Z" },
      user.token,
    );
    expect(reply.status).toBe(200);
    expect(reply.body.article).toMatchObject({
      slug: created.slug,
      body: "Edited",
      favoritesCount: 0,
      createdAt: created.createdAt,
    });
    expect(await rows("SELECT favorites_count FROM articles WHERE slug = ?", created.slug)).toEqual([{ favorites_count: 0 }]);
  });

  it("refuses another user with 403 and changes nothing in D1", async () => {
    const author = await registerUser();
    const created = await createArticle(author, { title: unique("Mine "), tagList: ["keep"] });
    const before = await storedArticle(created.slug);
    const reply = await update(created.slug, { title: "Stolen", body: "Stolen", tagList: [] }, (await registerUser()).token);
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ errors: { body: ["only the author can update this article"] } });
    expect(await storedArticle(created.slug)).toEqual(before);
    expect(await rows("SELECT tag FROM article_tags WHERE article_id = ?", before!.id)).toEqual([{ tag: "keep" }]);
  });

  it("refuses an anonymous caller with 401", async () => {
    const created = await createArticle(await registerUser());
    const reply = await update(created.slug, { body: "anon" });
    expect(reply.status).toBe(401);
    expect((await storedArticle(created.slug))!.body).not.toBe("anon");
  });

  it("returns 404 for an unknown slug", async () => {
    const reply = await update(unique("nope-"), { body: "x" }, (await registerUser()).token);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errors: { body: ["article not found"] } });
  });

  it("rejects a blank title with 422 and keeps the old title", async () => {
    const user = await registerUser();
    const created = await createArticle(user);
    const reply = await update(created.slug, { title: " " }, user.token);
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errors: { title: ["can't be blank"] } });
    expect((await storedArticle(created.slug))!.title).toBe(created.title);
  });

  it("rejects an update that changes nothing with 422 and leaves updatedAt alone", async () => {
    const user = await registerUser();
    const created = await createArticle(user);
    const reply = await update(created.slug, {}, user.token);
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errors: { article: ["needs at least one field"] } });
    expect((await call("GET", path(created.slug))).body.article.updatedAt).toBe(created.updatedAt);
  });
});

describe("DELETE /api/articles/:slug", () => {
  it("returns 204 with an empty body, then the article is 404", async () => {
    const user = await registerUser();
    const created = await createArticle(user);
    const reply = await call("DELETE", path(created.slug), { token: user.token });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect((await call("GET", path(created.slug))).status).toBe(404);
    expect((await call("DELETE", path(created.slug), { token: user.token })).status).toBe(404);
  });

  it("refuses another user with 403 and the article still exists", async () => {
    const created = await createArticle(await registerUser());
    const reply = await call("DELETE", path(created.slug), { token: (await registerUser()).token });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ errors: { body: ["only the author can delete this article"] } });
    expect((await call("GET", path(created.slug))).status).toBe(200);
  });

  it("removes the article's comments, tags and favorites rows", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const tag = unique("gone");
    const created = await createArticle(author, { tagList: [tag] });
    const { id } = (await storedArticle(created.slug))!;
    expect((await call("POST", `${path(created.slug)}/favorite`, { token: reader.token })).status).toBe(200);
    const comment = await call("POST", `${path(created.slug)}/comments`, {
      token: reader.token,
      body: { comment: { body: "Hi" } },
    });
    expect(comment.status).toBe(200);
    expect((await call("DELETE", path(created.slug), { token: author.token })).status).toBe(204);
    for (const table of [
      "articles WHERE id",
      "article_tags WHERE article_id",
      "favorites WHERE article_id",
      "comments WHERE article_id",
    ]) {
      expect(await rows(`SELECT count(*) AS n FROM ${table} = ?`, id)).toEqual([{ n: 0 }]);
    }
  });
});

describe("GET /api/articles", () => {
  const list = (query: string, token?: string) => call("GET", `/api/articles?${query}`, { token: token ?? null });

  it("lists newest first, without bodies, with the total count and limit/offset pages", async () => {
    const user = await registerUser();
    const tag = unique("page");
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createArticle(user, { tagList: [tag] })).slug);
    const all = await list(`tag=${tag}`);
    expect(all.status).toBe(200);
    expect(all.body.articlesCount).toBe(5);
    expect(all.body.articles.map((a: any) => a.slug)).toEqual([...created].reverse());
    for (const item of all.body.articles) expect(item).not.toHaveProperty("body");
    const page = await list(`tag=${tag}&limit=2&offset=2`);
    expect(page.body.articlesCount).toBe(5);
    expect(page.body.articles.map((a: any) => a.slug)).toEqual([created[2], created[1]]);
    const past = await list(`tag=${tag}&offset=5`);
    expect(past.body).toEqual({ articles: [], articlesCount: 5 });
  });

  it("filters by author case-insensitively, and by tag and author combined", async () => {
    const alice = await registerUser({ username: unique("Alice") });
    const bob = await registerUser();
    const tag = unique("combo");
    const aliceTagged = await createArticle(alice, { tagList: [tag] });
    const aliceOther = await createArticle(alice);
    await createArticle(bob, { tagList: [tag] });
    const byAuthor = await list(`author=${alice.username.toUpperCase()}`);
    expect(byAuthor.body.articlesCount).toBe(2);
    expect(byAuthor.body.articles.map((a: any) => a.slug)).toEqual([aliceOther.slug, aliceTagged.slug]);
    const combined = await list(`tag=${tag}&author=${alice.username}`);
    expect(combined.body.articlesCount).toBe(1);
    expect(combined.body.articles.map((a: any) => a.slug)).toEqual([aliceTagged.slug]);
  });

  it("filters by favorited user", async () => {
    const author = await registerUser();
    const fan = await registerUser();
    const liked = await createArticle(author);
    await createArticle(author);
    await call("POST", `${path(liked.slug)}/favorite`, { token: fan.token });
    const reply = await list(`favorited=${fan.username}`);
    expect(reply.body.articlesCount).toBe(1);
    expect(reply.body.articles.map((a: any) => a.slug)).toEqual([liked.slug]);
  });

  it("returns an empty list with count 0 for an unknown author, tag or favoriting user", async () => {
    expect((await list(`author=${unique("nobody")}`)).body).toEqual({ articles: [], articlesCount: 0 });
    expect((await list(`tag=${unique("notag")}`)).body).toEqual({ articles: [], articlesCount: 0 });
    expect((await list(`favorited=${unique("nobody")}`)).body).toEqual({ articles: [], articlesCount: 0 });
  });

  it.each([
    ["limit=0", { limit: ["must be at least 1"] }],
    ["limit=101", { limit: ["must be at most 100"] }],
    ["limit=abc", { limit: ["must be an integer"] }],
    ["offset=-1", { offset: ["must be at least 0"] }],
  ])("rejects %s with 422 and a field message", async (query, errors) => {
    const reply = await list(query);
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errors });
  });

  it("shows favorited and following for the signed-in viewer only", async () => {
    const author = await registerUser();
    const viewer = await registerUser();
    const tag = unique("viewer");
    const liked = await createArticle(author, { tagList: [tag] });
    const other = await createArticle(author, { tagList: [tag] });
    await call("POST", `${path(liked.slug)}/favorite`, { token: viewer.token });
    await call("POST", `/api/profiles/${author.username}/follow`, { token: viewer.token });
    const seen = await list(`tag=${tag}`, viewer.token);
    const flags = (a: any) => [a.slug, a.favorited, a.favoritesCount, a.author.following];
    expect(seen.body.articles.map(flags)).toEqual([
      [other.slug, false, 0, true],
      [liked.slug, true, 1, true],
    ]);
    const anonymous = await list(`tag=${tag}`);
    expect(anonymous.body.articles.map(flags)).toEqual([
      [other.slug, false, 0, false],
      [liked.slug, false, 1, false],
    ]);
  });
});
