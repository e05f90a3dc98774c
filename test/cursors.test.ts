import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createArticle, type Reply, registerUser, type TestUser, timing, unique } from "./support/api";
import { gql, onlyError } from "./support/graphql";
import { absolute, jsonapi } from "./support/jsonapi";

// Keyset (cursor) pagination in every style: a walk through a list that
// changes meanwhile visits each item that stays in it exactly once, in order;
// REST carries the cursors in a Link header (the body stays the contract's),
// GraphQL in its connections, JSON:API in its page links; a cursor that is
// not one the server gave for that list is refused; and comment lists are
// bounded (100 by default) with the rest a cursor away.

/** The `rel` links of a Link header, by relation. */
function linksOf(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (header ?? "").split(/,\s*(?=<)/)) {
    const match = /^<([^>]+)>;\s*rel="(\w+)"$/.exec(part.trim());
    if (match) links[match[2] as string] = match[1] as string;
  }
  return links;
}

async function articlesBy(author: TestUser, count: number): Promise<string[]> {
  const slugs: string[] = [];
  for (let i = 0; i < count; i++) slugs.unshift((await createArticle(author, { title: unique(`Walk ${i} `) })).slug);
  return slugs;
}

/** Adds `count` comments to an article straight into D1 (the triggers keep its count), newest last. */
async function seedComments(slug: string, author: TestUser, count: number): Promise<number[]> {
  const article = await env.DB.prepare("SELECT id FROM articles WHERE slug = ?").bind(slug).first<{ id: number }>();
  const user = await env.DB.prepare("SELECT id FROM users WHERE username = ?").bind(author.username).first<{ id: number }>();
  const insert = env.DB.prepare(
    "INSERT INTO comments (article_id, author_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
  );
  const now = Date.now();
  const results = await env.DB.batch(
    Array.from({ length: count }, (_, i) => insert.bind(article?.id, user?.id, `comment ${i}`, now + i, now + i)),
  );
  return results.map((result) => (result.results[0] as { id: number }).id);
}

describe("REST: cursors in the Link header", () => {
  it("walks a list that changes meanwhile: every article that stays is seen once, in order, none twice", async () => {
    const author = await registerUser();
    const slugs = await articlesBy(author, 7);
    const deleted = slugs[4] as string;
    const seen: string[] = [];
    let url: string | undefined = `/api/articles?author=${author.username}&limit=3`;
    let pages = 0;
    while (url) {
      const reply: Reply = await call("GET", url);
      expect(reply.status).toBe(200);
      // The contract's body, unchanged: the cursors are in the header only.
      expect(Object.keys(reply.body).sort()).toEqual(["articles", "articlesCount"]);
      seen.push(...reply.body.articles.map((article: { slug: string }) => article.slug));
      if (++pages === 1) {
        // Between pages: two new articles, and one not yet seen is deleted.
        await articlesBy(author, 2);
        expect((await call("DELETE", `/api/articles/${deleted}`, { token: author.token })).status).toBe(204);
      }
      url = linksOf(reply.headers.get("link")).next;
      if (url) expect(url).toMatch(/^http:\/\/localhost\/api\/articles\?/);
    }
    expect(seen).toEqual(slugs.filter((slug) => slug !== deleted));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("links next and prev with the request's own parameters (not offset), absolute; none past the ends", async () => {
    const author = await registerUser();
    const slugs = await articlesBy(author, 5);
    const first = await call("GET", `/api/articles?author=${author.username}&limit=2&junk=1`);
    const links = linksOf(first.headers.get("link"));
    expect(Object.keys(links)).toEqual(["next"]);
    const next = new URL(links.next as string);
    expect([...next.searchParams.keys()].sort()).toEqual(["after", "author", "limit"]);
    const second = await call("GET", links.next as string);
    expect(second.body.articles.map((a: { slug: string }) => a.slug)).toEqual(slugs.slice(2, 4));
    expect(second.body.articlesCount).toBe(5);
    const around = linksOf(second.headers.get("link"));
    expect(Object.keys(around).sort()).toEqual(["next", "prev"]);
    const back = await call("GET", around.prev as string);
    expect(back.body.articles.map((a: { slug: string }) => a.slug)).toEqual(slugs.slice(0, 2));
    expect(Object.keys(linksOf(back.headers.get("link")))).toEqual(["next"]);
    const last = await call("GET", around.next as string);
    expect(last.body.articles.map((a: { slug: string }) => a.slug)).toEqual(slugs.slice(4));
    expect(Object.keys(linksOf(last.headers.get("link")))).toEqual(["prev"]);
    // An offset page links by cursor too.
    const byOffset = await call("GET", `/api/articles?author=${author.username}&limit=2&offset=2`);
    const offsetLinks = linksOf(byOffset.headers.get("link"));
    expect(new URL(offsetLinks.next as string).searchParams.has("offset")).toBe(false);
    expect((await call("GET", offsetLinks.prev as string)).body.articles).toEqual(back.body.articles);
  });

  it("replays the Link header from the KV cache, and lets browsers read it (CORS)", async () => {
    const author = await registerUser();
    await articlesBy(author, 3);
    const path = `/api/articles?author=${author.username}&limit=1`;
    const miss = await call("GET", path);
    const hit = await call("GET", path, { headers: { Origin: "https://app.example" } });
    expect(timing(hit).cache).toBe("hit");
    expect(hit.headers.get("link")).toBe(miss.headers.get("link"));
    expect(hit.headers.get("access-control-expose-headers")).toContain("Link");
  });

  it("pages the feed by cursor", async () => {
    const reader = await registerUser();
    const followed = await registerUser();
    const slugs = await articlesBy(followed, 3);
    await call("POST", `/api/profiles/${followed.username}/follow`, { token: reader.token });
    const first = await call("GET", "/api/articles/feed?limit=2", { token: reader.token });
    const next = linksOf(first.headers.get("link")).next as string;
    expect(next).toMatch(/^http:\/\/localhost\/api\/articles\/feed\?/);
    const second = await call("GET", next, { token: reader.token });
    expect(second.body.articles.map((a: { slug: string }) => a.slug)).toEqual(slugs.slice(2));
  });

  it("refuses with 422 a cursor that was altered, forged, of another list or malformed, and a mix of page starts", async () => {
    const author = await registerUser();
    const [slug] = await articlesBy(author, 2);
    const first = await call("GET", `/api/articles?author=${author.username}&limit=1`);
    const cursor = new URL(linksOf(first.headers.get("link")).next as string).searchParams.get("after") as string;
    await seedComments(slug as string, author, 2);
    const comments = await call("GET", `/api/articles/${slug}/comments?limit=1`);
    const commentCursor = new URL(linksOf(comments.headers.get("link")).next as string).searchParams.get("after") as string;
    const [version, payload, mac] = cursor.split(".") as [string, string, string];
    const forged = btoa(atob(payload).replace(/\d+$/, "1")).replace(/=+$/, "");
    for (const bad of [
      "",
      "c1",
      "c1..",
      `${version}.${forged}.${mac}`,
      `${version}.${payload}.${mac.slice(0, -2)}AA`,
      `c2.${payload}.${mac}`,
      `${cursor}.x`,
      commentCursor,
      "%00%ff",
      "x".repeat(5000),
    ]) {
      const reply = await call("GET", `/api/articles?after=${encodeURIComponent(bad)}`);
      expect(reply.status, bad).toBe(422);
      expect(reply.body, bad).toEqual({ errors: { after: [expect.any(String)] } });
    }
    const both = await call("GET", `/api/articles?after=${cursor}&before=${cursor}`);
    expect(both.status).toBe(422);
    expect(both.body).toEqual({ errors: { before: ["cannot be combined with after"] } });
    const withOffset = await call("GET", `/api/articles?after=${cursor}&offset=3`);
    expect(withOffset.status).toBe(422);
    expect(withOffset.body).toEqual({ errors: { offset: ["cannot be combined with a cursor"] } });
    // A comment cursor works where it was given, and only there.
    expect((await call("GET", `/api/articles/${slug}/comments?after=${commentCursor}`)).status).toBe(200);
    expect((await call("GET", `/api/articles/${slug}/comments?after=${cursor}`)).status).toBe(422);
  });

  it("pages search results by relevance: each match once, best first", async () => {
    const author = await registerUser();
    const word = unique("zephyr").replace(/[^a-z]/g, "");
    for (const [i, title] of ["one", "two", "three", "four", "five"].entries()) {
      await createArticle(author, { title: `${title} ${word}`, body: `${word} `.repeat(i + 1) });
    }
    const all = await call("GET", `/api/articles?search=${word}&limit=5`);
    const ranked = all.body.articles.map((a: { slug: string }) => a.slug);
    expect(ranked).toHaveLength(5);
    const seen: string[] = [];
    let url: string | undefined = `/api/articles?search=${word}&limit=2`;
    while (url) {
      const reply: Reply = await call("GET", url);
      seen.push(...reply.body.articles.map((a: { slug: string }) => a.slug));
      url = linksOf(reply.headers.get("link")).next;
    }
    expect(seen).toEqual(ranked);
  });
});

describe("comment lists are bounded", () => {
  it("REST: the newest 100 by default, the rest after the Link cursor or by offset; limit up to 100", async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);
    const ids = (await seedComments(slug, author, 105)).reverse();
    const first = await call("GET", `/api/articles/${slug}/comments`);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body)).toEqual(["comments"]);
    expect(first.body.comments.map((c: { id: number }) => c.id)).toEqual(ids.slice(0, 100));
    const next = linksOf(first.headers.get("link")).next as string;
    const rest = await call("GET", next);
    expect(rest.body.comments.map((c: { id: number }) => c.id)).toEqual(ids.slice(100));
    expect(linksOf(rest.headers.get("link")).next).toBeUndefined();
    const byOffset = await call("GET", `/api/articles/${slug}/comments?limit=10&offset=100`);
    expect(byOffset.body.comments.map((c: { id: number }) => c.id)).toEqual(ids.slice(100));
    const tooMany = await call("GET", `/api/articles/${slug}/comments?limit=101`);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body).toEqual({ errors: { limit: ["must be at most 100"] } });
  });

  it("keeps each article's count of comments exact through adds and deletes (comments_count)", async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);
    const countOf = async () =>
      (await env.DB.prepare("SELECT comments_count AS n FROM articles WHERE slug = ?").bind(slug).first<{ n: number }>())?.n;
    expect(await countOf()).toBe(0);
    const added = await call("POST", `/api/articles/${slug}/comments`, {
      token: author.token,
      body: { comment: { body: "hi" } },
    });
    await seedComments(slug, author, 3);
    expect(await countOf()).toBe(4);
    await call("DELETE", `/api/articles/${slug}/comments/${added.body.comment.id}`, { token: author.token });
    expect(await countOf()).toBe(3);
  });

  it("JSON:API: a page of 100 with meta.total and a next link; sort=createdAt pages the oldest first", async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);
    const ids = (await seedComments(slug, author, 103)).map(String);
    const { id } = (await env.DB.prepare("SELECT id FROM articles WHERE slug = ?").bind(slug).first<{ id: number }>()) ?? {};
    const first = await jsonapi("GET", `/jsonapi/articles/${id}/comments`);
    expect(first.status).toBe(200);
    expect(first.body.meta).toEqual({ total: 103 });
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual([...ids].reverse().slice(0, 100));
    expect(first.body.links.next).toMatch(
      new RegExp(`^${absolute(`/jsonapi/articles/${id}/comments?`).replace(/[?/.]/g, "\\$&")}`),
    );
    const rest = await jsonapi("GET", first.body.links.next);
    expect(rest.body.data.map((c: { id: string }) => c.id)).toEqual([...ids].reverse().slice(100));
    expect(rest.body.links.next).toBeNull();
    const oldest = await jsonapi("GET", `/jsonapi/articles/${id}/comments?sort=createdAt&page[limit]=2`);
    expect(oldest.body.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    const after = await jsonapi("GET", oldest.body.links.next);
    expect(after.body.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(2, 4));
    // An article that includes its comments carries the first page of them.
    const included = await jsonapi("GET", `/jsonapi/articles/${id}?include=comments`);
    expect(included.body.data.relationships.comments.data).toHaveLength(100);
  });

  it("GraphQL: a connection of at most 100, with totalCount, and a walk by cursor", async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);
    const ids = (await seedComments(slug, author, 103)).map(String).reverse();
    const page = async (after: string | null) =>
      (
        await gql(
          "query($slug: String!, $after: String) { comments(slug: $slug, first: 100, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }",
          { variables: { slug, after } },
        )
      ).body.data.comments;
    const first = await page(null);
    expect(first.totalCount).toBe(103);
    expect(first.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(ids.slice(0, 100));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await page(first.pageInfo.endCursor);
    expect(rest.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(ids.slice(100));
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const tooMany = await gql(`{ comments(slug: "${slug}", first: 101) { totalCount } }`);
    expect(onlyError(tooMany).extensions).toEqual({ code: "BAD_USER_INPUT", fields: { first: ["must be at most 100"] } });
  });
});

describe("GraphQL and JSON:API walks", () => {
  it("GraphQL: before pages back from a cursor; a walk under concurrent writes sees each remaining article once", async () => {
    const author = await registerUser();
    const slugs = await articlesBy(author, 6);
    const query =
      "query($a: String, $after: String, $before: String) { articles(author: $a, first: 2, after: $after, before: $before) { edges { node { slug } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    const page = async (variables: Record<string, string | null>) =>
      (await gql(query, { variables: { a: author.username, ...variables } })).body.data.articles;
    const seen: string[] = [];
    let after: string | null = null;
    let second: any;
    do {
      const current = await page({ after });
      second ??= seen.length ? current : undefined;
      seen.push(...current.edges.map((edge: { node: { slug: string } }) => edge.node.slug));
      if (seen.length === 2) {
        await articlesBy(author, 1);
        await call("DELETE", `/api/articles/${slugs[3]}`, { token: author.token });
      }
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(slugs.filter((slug) => slug !== slugs[3]));
    const back = await page({ before: second.pageInfo.startCursor });
    expect(back.edges.map((edge: { node: { slug: string } }) => edge.node.slug)).toEqual(slugs.slice(0, 2));
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it("GraphQL: a refused cursor fails its own field only, not the other pages read in the same batch", async () => {
    const author = await registerUser();
    const [good = "", bad = ""] = await articlesBy(author, 2);
    await seedComments(good, author, 3);
    const forged = "c1.AAAA.AAAAAAAAAAAAAAAA";
    const reply = await gql(
      `query($good: String!, $bad: String!, $u: String!) {
        good: article(slug: $good) { comments(first: 2) { totalCount edges { node { id } } } }
        bad: article(slug: $bad) { comments(after: "${forged}") { totalCount } }
        pages: profile(username: $u) { articles(first: 1) { totalCount } }
        forged: profile(username: $u) { articles(after: "${forged}") { totalCount } }
      }`,
      { variables: { good, bad, u: author.username } },
    );
    expect(reply.body.data).toEqual({
      good: { comments: { totalCount: 3, edges: [{ node: { id: expect.any(String) } }, { node: { id: expect.any(String) } }] } },
      bad: null,
      pages: { articles: { totalCount: 2 } },
      forged: null,
    });
    const refusals = (reply.body.errors ?? []).map((error) => [error.path, error.extensions?.code, error.extensions?.fields]);
    expect(refusals).toEqual(
      expect.arrayContaining([
        [["bad", "comments"], "BAD_USER_INPUT", { after: [expect.any(String)] }],
        [["forged", "articles"], "BAD_USER_INPUT", { after: [expect.any(String)] }],
      ]),
    );
    expect(refusals).toHaveLength(2);
  });

  it("JSON:API: next and prev links carry cursors; a tampered page[after] is a 400 naming it", async () => {
    const author = await registerUser();
    const slugs = await articlesBy(author, 5);
    const slugOf = (doc: any) => doc.data.map((article: { attributes: { slug: string } }) => article.attributes.slug);
    const first = await jsonapi("GET", `/jsonapi/articles?filter[author]=${author.username}&page[limit]=2`);
    expect(first.body.links.next).toContain("page%5Bafter%5D=");
    const second = await jsonapi("GET", first.body.links.next);
    expect(slugOf(second.body)).toEqual(slugs.slice(2, 4));
    expect(second.body.links.prev).toContain("page%5Bbefore%5D=");
    expect(slugOf((await jsonapi("GET", second.body.links.prev)).body)).toEqual(slugs.slice(0, 2));
    const tampered = await jsonapi("GET", `/jsonapi/articles?page[after]=c1.AAAA.AAAAAAAAAAAAAAAA`);
    expect(tampered.status).toBe(400);
    expect(tampered.body.errors[0]).toMatchObject({
      source: { parameter: "page[after]" },
      detail: "page[after] is not a valid cursor",
    });
  });
});
