import { describe, expect, it } from "vitest";
import { call, createArticle, registerUser, type TestUser, unique } from "./support/api";
import { rows } from "./support/d1";

// Favorites, the personal feed and the tag list. GET /api/tags returns at most
// 100 tags, so this file keeps the number of distinct tags it creates small.

const favoritePath = (slug: string) => `/api/articles/${encodeURIComponent(slug)}/favorite`;
const favorite = (slug: string, user: TestUser) => call("POST", favoritePath(slug), { token: user.token });
const unfavorite = (slug: string, user: TestUser) => call("DELETE", favoritePath(slug), { token: user.token });
const follow = (author: TestUser, user: TestUser) =>
  call("POST", `/api/profiles/${author.username}/follow`, { token: user.token });

async function favoriteRows(slug: string) {
  return rows<{ user_id: number }>(
    "SELECT f.user_id FROM favorites f JOIN articles a ON a.id = f.article_id WHERE a.slug = ?",
    slug,
  );
}

async function storedCount(slug: string) {
  const [row] = await rows<{ favorites_count: number }>("SELECT favorites_count FROM articles WHERE slug = ?", slug);
  return row?.favorites_count;
}

describe("POST /api/articles/:slug/favorite", () => {
  it("returns 200 with favorited true and favoritesCount 1", async () => {
    const article = await createArticle(await registerUser());
    const reply = await favorite(article.slug, await registerUser());
    expect(reply.status).toBe(200);
    expect(reply.body.article).toMatchObject({ slug: article.slug, favorited: true, favoritesCount: 1 });
    expect(await storedCount(article.slug)).toBe(1);
  });

  it("is idempotent: favoriting twice keeps the count at 1 and one favorites row", async () => {
    const article = await createArticle(await registerUser());
    const fan = await registerUser();
    await favorite(article.slug, fan);
    const again = await favorite(article.slug, fan);
    expect(again.status).toBe(200);
    expect(again.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
    expect(await favoriteRows(article.slug)).toHaveLength(1);
    expect(await storedCount(article.slug)).toBe(1);
  });

  it("refuses an anonymous caller with 401 and stores nothing", async () => {
    const article = await createArticle(await registerUser());
    const reply = await call("POST", favoritePath(article.slug));
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ errors: { body: ["authentication is required"] } });
    expect(await favoriteRows(article.slug)).toEqual([]);
  });

  it("returns 404 for an unknown slug", async () => {
    const reply = await favorite(unique("missing-"), await registerUser());
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errors: { body: ["article not found"] } });
  });

  it("shows the favorite in the favorited filter, and other viewers see the count but favorited false", async () => {
    const author = await registerUser();
    const fan = await registerUser();
    const article = await createArticle(author);
    await favorite(article.slug, fan);
    const listed = await call("GET", `/api/articles?favorited=${fan.username}`, { token: fan.token });
    expect(listed.body.articlesCount).toBe(1);
    expect(listed.body.articles[0]).toMatchObject({ slug: article.slug, favorited: true, favoritesCount: 1 });
    for (const token of [author.token, (await registerUser()).token, null]) {
      const seen = await call("GET", `/api/articles/${article.slug}`, { token });
      expect(seen.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
    }
  });
  it("combines the favorited filter with tag and author filters", async () => {
    const [alice, bob, fan] = [await registerUser(), await registerUser(), await registerUser()];
    const tag = unique("fav tag & more");
    const wanted = await createArticle(alice, { tagList: [tag] });
    for (const article of [wanted, await createArticle(alice), await createArticle(bob, { tagList: [tag] })]) {
      await favorite(article.slug, fan);
    }
    const query = `favorited=${fan.username}&tag=${encodeURIComponent(tag)}&author=${alice.username}`;
    const reply = await call("GET", `/api/articles?${query}`);
    expect(reply.body.articlesCount).toBe(1);
    expect(reply.body.articles.map((a: any) => a.slug)).toEqual([wanted.slug]);
  });

  it("returns 404 once the article has been deleted", async () => {
    const author = await registerUser();
    const article = await createArticle(author);
    await call("DELETE", `/api/articles/${article.slug}`, { token: author.token });
    expect((await favorite(article.slug, await registerUser())).status).toBe(404);
  });
});

describe("DELETE /api/articles/:slug/favorite", () => {
  it("unfavorites: favorited false, count 0 and no favorites row", async () => {
    const article = await createArticle(await registerUser());
    const fan = await registerUser();
    await favorite(article.slug, fan);
    const reply = await unfavorite(article.slug, fan);
    expect(reply.status).toBe(200);
    expect(reply.body.article).toMatchObject({ favorited: false, favoritesCount: 0 });
    expect(await favoriteRows(article.slug)).toEqual([]);
    expect(await storedCount(article.slug)).toBe(0);
  });

  it("succeeds when the article was not favorited, leaving other users' favorites alone", async () => {
    const article = await createArticle(await registerUser());
    await favorite(article.slug, await registerUser());
    const reply = await unfavorite(article.slug, await registerUser());
    expect(reply.status).toBe(200);
    expect(reply.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
    expect(await favoriteRows(article.slug)).toHaveLength(1);
  });

  it("refuses an anonymous caller with 401 and 404s an unknown slug", async () => {
    const article = await createArticle(await registerUser());
    expect((await call("DELETE", favoritePath(article.slug))).status).toBe(401);
    expect((await unfavorite(unique("missing-"), await registerUser())).status).toBe(404);
  });
});

describe("concurrent favorites", () => {
  it("counts exactly 10 when 10 users favorite at once, and 0 after all unfavorite at once", async () => {
    const article = await createArticle(await registerUser());
    const fans: TestUser[] = [];
    for (let i = 0; i < 10; i++) fans.push(await registerUser());

    const favorited = await Promise.all(fans.map((fan) => favorite(article.slug, fan)));
    expect(favorited.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(favorited.every((r) => r.body.article.favorited === true)).toBe(true);
    expect((await call("GET", `/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(10);
    expect(await storedCount(article.slug)).toBe(10);
    expect(await favoriteRows(article.slug)).toHaveLength(10);

    const unfavorited = await Promise.all(fans.map((fan) => unfavorite(article.slug, fan)));
    expect(unfavorited.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await call("GET", `/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(0);
    expect(await storedCount(article.slug)).toBe(0);
    expect(await favoriteRows(article.slug)).toEqual([]);
  });
  it("keeps one favorites row when the same user favorites 5 times at once", async () => {
    const article = await createArticle(await registerUser());
    const fan = await registerUser();
    const replies = await Promise.all(Array.from({ length: 5 }, () => favorite(article.slug, fan)));
    expect(replies.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(await favoriteRows(article.slug)).toHaveLength(1);
    expect(await storedCount(article.slug)).toBe(1);
  });
});

describe("GET /api/articles/feed", () => {
  const feed = (user: TestUser, query = "") => call("GET", `/api/articles/feed${query}`, { token: user.token });

  it("refuses an anonymous caller with 401", async () => {
    const reply = await call("GET", "/api/articles/feed");
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ errors: { body: ["authentication is required"] } });
  });

  it("is empty for a user who follows no one, even when others have written", async () => {
    await createArticle(await registerUser());
    const reply = await feed(await registerUser());
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ articles: [], articlesCount: 0 });
  });

  it("shows only followed authors' articles, newest first, with following true and no body", async () => {
    const followed = await registerUser();
    const ignored = await registerUser();
    const reader = await registerUser();
    const first = await createArticle(followed);
    await createArticle(ignored);
    const second = await createArticle(followed);
    await follow(followed, reader);

    const reply = await feed(reader);
    expect(reply.status).toBe(200);
    expect(reply.body.articlesCount).toBe(2);
    expect(reply.body.articles.map((a: any) => a.slug)).toEqual([second.slug, first.slug]);
    for (const item of reply.body.articles) {
      expect(item).not.toHaveProperty("body");
      expect(item.author).toEqual({ username: followed.username, bio: null, image: null, following: true });
    }
  });

  it("drops an author's articles after unfollowing", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    await createArticle(author);
    await follow(author, reader);
    expect((await feed(reader)).body.articlesCount).toBe(1);
    await call("DELETE", `/api/profiles/${author.username}/follow`, { token: reader.token });
    expect((await feed(reader)).body).toEqual({ articles: [], articlesCount: 0 });
  });

  it("pages with limit and offset while articlesCount stays the total", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const slugs: string[] = [];
    for (let i = 0; i < 4; i++) slugs.push((await createArticle(author)).slug);
    await follow(author, reader);
    const page = await feed(reader, "?limit=2&offset=1");
    expect(page.status).toBe(200);
    expect(page.body.articlesCount).toBe(4);
    expect(page.body.articles.map((a: any) => a.slug)).toEqual([slugs[2], slugs[1]]);
  });

  it.each([
    ["?limit=0", { limit: ["must be at least 1"] }],
    ["?limit=x", { limit: ["must be an integer"] }],
    ["?offset=-5", { offset: ["must be at least 0"] }],
  ])("rejects %s with 422 and a field message", async (query, errors) => {
    const reply = await feed(await registerUser(), query);
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errors });
  });
});

describe("GET /api/tags", () => {
  it("returns 200 {tags: [...]} including tags of created articles, also anonymously", async () => {
    const user = await registerUser();
    const [a, b] = [unique("tagA"), unique("tagB")];
    await createArticle(user, { tagList: [a, b] });
    const reply = await call("GET", "/api/tags");
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["tags"]);
    expect(reply.body.tags).toEqual(expect.arrayContaining([a, b]));
    const signedIn = await call("GET", "/api/tags", { token: user.token });
    expect(signedIn.body.tags).toEqual(reply.body.tags);
  });

  it("lists the most used tags first", async () => {
    const user = await registerUser();
    const [once, twice, thrice] = [unique("once"), unique("twice"), unique("thrice")];
    await createArticle(user, { tagList: [once, twice, thrice] });
    await createArticle(user, { tagList: [twice, thrice] });
    await createArticle(user, { tagList: [thrice] });
    const { tags } = (await call("GET", "/api/tags")).body as { tags: string[] };
    expect(tags.indexOf(thrice)).toBeGreaterThanOrEqual(0);
    expect(tags.indexOf(thrice)).toBeLessThan(tags.indexOf(twice));
    expect(tags.indexOf(twice)).toBeLessThan(tags.indexOf(once));
  });

  it("drops a tag when its only article is deleted, and keeps one still in use", async () => {
    const user = await registerUser();
    const [lonely, shared] = [unique("lonely"), unique("shared")];
    const doomed = await createArticle(user, { tagList: [lonely, shared] });
    await createArticle(user, { tagList: [shared] });
    expect((await call("GET", "/api/tags")).body.tags).toEqual(expect.arrayContaining([lonely, shared]));
    expect((await call("DELETE", `/api/articles/${doomed.slug}`, { token: user.token })).status).toBe(204);
    const { tags } = (await call("GET", "/api/tags")).body as { tags: string[] };
    expect(tags).not.toContain(lonely);
    expect(tags).toContain(shared);
  });

  it("drops a tag when it is removed from its only article by an update", async () => {
    const user = await registerUser();
    const [dropped, kept] = [unique("dropped"), unique("kept")];
    const article = await createArticle(user, { tagList: [dropped] });
    await call("PUT", `/api/articles/${article.slug}`, { token: user.token, body: { article: { tagList: [kept] } } });
    const { tags } = (await call("GET", "/api/tags")).body as { tags: string[] };
    expect(tags).not.toContain(dropped);
    expect(tags).toContain(kept);
  });
});
