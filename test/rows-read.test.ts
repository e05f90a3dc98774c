import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, type Reply, registerUser, serverTiming, type TestUser } from "./support/api";

// D1 bills and throttles by rows read. Every read endpoint reads rows in
// proportion to the page it answers, not to the tables: the bound below holds
// with 20,000 articles as it would with 20 million. Rows are D1's own
// `meta.rows_read`, as Server-Timing reports them (`d1;…;rows=N`).

const ARTICLES = 20_000;
const TAGS = 200;
const AUTHORS = 300;
/** A page of 20 reads its 20 rows, their authors and tags, the counter, and the viewer check. */
const PAGE_BOUND = 200;

function rowsOf(reply: Reply): number {
  const { rows, header } = serverTiming(reply);
  if (Number.isNaN(rows)) throw new Error(`no rows in Server-Timing: ${header}`);
  return rows;
}

let reader: TestUser;
let heavy: TestUser;
let author: string;
let slug: string;

beforeAll(async () => {
  reader = await registerUser({ username: "reader" });
  heavy = await registerUser({ username: "heavy" });
  const run = (sql: string) => env.DB.prepare(sql).run();
  // Authors 3..302, then one statement each for 20,000 articles, their tags
  // (tag0 on every third article, one of 200 on the rest, a topic on every
  // second), favorites (the heavy user favorites every 4th article) and
  // follows (the reader follows 100 authors).
  await run(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${AUTHORS})
     INSERT INTO users (username, username_key, email, email_key, password_hash, created_at, updated_at)
     SELECT 'author' || i, 'author' || i, 'author' || i || '@example.com', 'author' || i || '@example.com', 'x', 0, 0 FROM n`,
  );
  await run(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ARTICLES})
     INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
     SELECT 'article-' || i, 'Article ' || i, 'About ' || i, 'Body ' || i, 3 + (i % ${AUTHORS}), i, i FROM n`,
  );
  await run(
    `INSERT INTO article_tags (article_id, tag, position)
     SELECT id, CASE WHEN id % 3 = 0 THEN 'tag0' ELSE 'tag' || (id % ${TAGS}) END, 0 FROM articles
     UNION ALL SELECT id, 'topic' || (id % 17), 1 FROM articles WHERE id % 2 = 0`,
  );
  await run(`INSERT INTO favorites (user_id, article_id) SELECT 2, id FROM articles WHERE id % 4 = 0`);
  await run(`INSERT INTO follows (follower_id, followee_id) SELECT 1, id FROM users WHERE id BETWEEN 3 AND 102`);
  author = "author7";
  slug = "article-12345";
}, 120_000);

describe("rows read per uncached page, at 20,000 articles", () => {
  it.each([
    ["the first page", () => "/api/articles"],
    ["the most used tag", () => "/api/articles?tag=tag0"],
    ["a rarely used tag", () => "/api/articles?tag=tag199"],
    ["an author's articles", () => `/api/articles?author=${author}`],
    ["a heavy user's favorites", () => `/api/articles?favorited=${heavy.username}`],
    ["an article", () => `/api/articles/${slug}`],
    ["its comments", () => `/api/articles/${slug}/comments`],
    ["a profile", () => `/api/profiles/${author}`],
    ["the tags", () => "/api/tags"],
    ["JSON:API articles", () => "/jsonapi/articles?include=author,tags"],
  ])(`%s reads at most ${PAGE_BOUND} rows`, async (_, path) => {
    const reply = await call("GET", path(), { token: reader.token });
    expect(reply.status, path()).toBe(200);
    expect(rowsOf(reply), path()).toBeLessThanOrEqual(PAGE_BOUND);
  });

  it("a page further in also reads what it skips (an article and its author each), no more: deep pages are what cursors are for", async () => {
    const reply = await call("GET", "/api/articles?offset=100", { token: reader.token });
    expect(rowsOf(reply)).toBeLessThanOrEqual(PAGE_BOUND + 2 * 100);
  });

  it.each([
    ["the article list", "/api/articles", 5_000],
    ["the most used tag", "/api/articles?tag=tag0", 5_000],
    ["a heavy user's favorites", "/api/articles?favorited=heavy", 4_000],
    ["an author's articles", "/api/articles?author=author7", 40],
    ["the feed", "/api/articles/feed", 5_000],
  ])(`%s, deep by cursor, reads no more than a first page: at most ${PAGE_BOUND} rows`, async (_, path, depth) => {
    // The cursor of the item at that depth: from the Link of the page that ends there (its own cost is not the point).
    const separator = path.includes("?") ? "&" : "?";
    const skipped = await call("GET", `${path}${separator}offset=${depth - 20}`, { token: reader.token });
    const next = /<([^>]+)>; rel="next"/.exec(skipped.headers.get("link") ?? "")?.[1];
    expect(next, path).toBeDefined();
    const deep = await call("GET", next as string, { token: reader.token });
    expect(deep.status, path).toBe(200);
    expect(deep.body.articles.length, path).toBeGreaterThan(0);
    expect(rowsOf(deep), path).toBeLessThanOrEqual(PAGE_BOUND);
  });

  it("a feed of 100 followed authors reads a page, not the follow list", async () => {
    const reply = await call("GET", "/api/articles/feed", { token: reader.token });
    expect(reply.status).toBe(200);
    expect(reply.body.articles).toHaveLength(20);
    expect(rowsOf(reply)).toBeLessThanOrEqual(PAGE_BOUND);
  });

  it("counts every match, exactly, from the maintained counters", async () => {
    const count = async (query: string, sql: string) => {
      const reply = await call("GET", `/api/articles${query}`, { token: reader.token });
      const expected = await env.DB.prepare(sql).first<{ n: number }>();
      expect(reply.body.articlesCount, query).toBe(expected?.n);
    };
    await count("", "SELECT count(*) AS n FROM articles");
    await count("?tag=tag0", "SELECT count(*) AS n FROM article_tags WHERE tag = 'tag0'");
    await count(
      `?author=${author}`,
      `SELECT count(*) AS n FROM articles WHERE author_id = (SELECT id FROM users WHERE username_key = '${author}')`,
    );
    await count(`?favorited=${heavy.username}`, "SELECT count(*) AS n FROM favorites WHERE user_id = 2");
    await count(
      `/feed`,
      "SELECT count(*) AS n FROM articles WHERE author_id IN (SELECT followee_id FROM follows WHERE follower_id = 1)",
    );
  });
});
