import { describe, expect, it } from "vitest";
import { call, createArticle, type Reply, registerUser, type TestUser, unique } from "./support/api";
import { rows } from "./support/d1";

// Writes racing each other. The requests of each race are started together
// with Promise.all over app.fetch, in the one workerd that runs the tests:
// every request gets as far as its first await (a D1 call, a KV call, password
// hashing) before the next one starts, and they then interleave at every
// await, just as concurrent requests interleave in one isolate in production.
// That is real interleaving of the operations' round trips (each D1 batch is
// one transaction, the unit D1 serialises), which is what these tests need;
// requests in different isolates would interleave at the same points.
//
// Each test states its invariant as "no lost update" (every change counted
// exactly once) or "no duplicate" (one row per fact), and checks it in the
// replies, in what a later GET says, and in the rows themselves.

// Each race registers up to 20 users (a PBKDF2 hash each); with the other test
// files running alongside, that can take longer than vitest's default 5 s.
const SLOW = 60_000;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const statuses = (replies: Reply[]) => replies.map((r) => r.status).sort((a, b) => a - b);
const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser()));

async function idOf(table: "users" | "articles", column: "username" | "slug", value: string): Promise<number> {
  const [row] = await rows<{ id: number }>(`SELECT id FROM ${table} WHERE ${column} = ?`, value);
  if (!row) throw new Error(`no ${table} row with ${column} ${value}`);
  return row.id;
}

describe("concurrent favorites", { timeout: SLOW }, () => {
  it("20 users favoriting one article at once: replies count 1..20 once each, and GET, the column and the rows all say 20; all unfavoriting at once: 19..0, then 0", async () => {
    const author = await registerUser();
    const article = await createArticle(author);
    const articleId = await idOf("articles", "slug", article.slug);
    const fans = await users(20);
    const path = `/api/articles/${article.slug}/favorite`;

    const favorited = await Promise.all(fans.map((fan) => call("POST", path, { token: fan.token })));
    expect(statuses(favorited)).toEqual(Array(20).fill(200));
    for (const reply of favorited) expect(reply.body.article.favorited).toBe(true);
    // Each favorite's batch counts the rows committed before it plus its own:
    // 1..20, each exactly once, means no lost and no double-counted favorite.
    expect(favorited.map((r) => r.body.article.favoritesCount).sort((a, b) => a - b)).toEqual(range(1, 20));
    expect((await call("GET", `/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(20);
    expect((await rows("SELECT favorites_count FROM articles WHERE id = ?", articleId))[0]?.favorites_count).toBe(20);
    const favoriteRows = await rows<{ user_id: number }>("SELECT user_id FROM favorites WHERE article_id = ?", articleId);
    expect(favoriteRows).toHaveLength(20);
    expect(new Set(favoriteRows.map((r) => r.user_id)).size).toBe(20);

    const unfavorited = await Promise.all(fans.map((fan) => call("DELETE", path, { token: fan.token })));
    expect(statuses(unfavorited)).toEqual(Array(20).fill(200));
    for (const reply of unfavorited) expect(reply.body.article.favorited).toBe(false);
    expect(unfavorited.map((r) => r.body.article.favoritesCount).sort((a, b) => a - b)).toEqual(range(0, 19));
    expect((await call("GET", `/api/articles/${article.slug}`)).body.article.favoritesCount).toBe(0);
    expect((await rows("SELECT favorites_count FROM articles WHERE id = ?", articleId))[0]?.favorites_count).toBe(0);
    expect(await rows("SELECT * FROM favorites WHERE article_id = ?", articleId)).toEqual([]);
  });
});

describe("concurrent follows", { timeout: SLOW }, () => {
  it("one user following the same profile 10 times at once leaves exactly one row (no duplicate)", async () => {
    const [author, fan] = (await users(2)) as [TestUser, TestUser];
    const replies = await Promise.all(
      range(1, 10).map(() => call("POST", `/api/profiles/${author.username}/follow`, { token: fan.token })),
    );
    expect(statuses(replies)).toEqual(Array(10).fill(200));
    for (const reply of replies) expect(reply.body.profile).toMatchObject({ username: author.username, following: true });
    const followRows = await rows(
      "SELECT * FROM follows WHERE follower_id = ? AND followee_id = ?",
      await idOf("users", "username", fan.username),
      await idOf("users", "username", author.username),
    );
    expect(followRows).toHaveLength(1);
  });

  it("15 users following one profile at once leave exactly 15 rows (no lost follow), each seen as following", async () => {
    const author = await registerUser();
    const fans = await users(15);
    const replies = await Promise.all(
      fans.map((fan) => call("POST", `/api/profiles/${author.username}/follow`, { token: fan.token })),
    );
    expect(statuses(replies)).toEqual(Array(15).fill(200));
    const authorId = await idOf("users", "username", author.username);
    const followers = await rows<{ follower_id: number }>("SELECT follower_id FROM follows WHERE followee_id = ?", authorId);
    expect(followers).toHaveLength(15);
    expect(new Set(followers.map((r) => r.follower_id)).size).toBe(15);
    for (const fan of fans) {
      const profile = await call("GET", `/api/profiles/${author.username}`, { token: fan.token });
      expect(profile.body.profile.following, fan.username).toBe(true);
    }
  });
});

describe("concurrent registrations", { timeout: SLOW }, () => {
  it("registering one username at once in 8 spellings that fold together (case, fullwidth, Kelvin sign, long s) creates exactly one account", async () => {
    const base = unique("kiss").toLowerCase();
    const fullwidth = [...base].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join("");
    const spellings = [
      base,
      base.toUpperCase(),
      `${base[0]?.toUpperCase()}${base.slice(1)}`,
      fullwidth,
      base.replace("k", "\u212a"),
      base.replaceAll("s", "\u017f"),
      base.toUpperCase().replace("K", "\u212a"),
      fullwidth.toUpperCase(),
    ];
    expect(new Set(spellings).size).toBe(8);
    for (const spelling of spellings) expect(spelling.normalize("NFKC").toLowerCase()).toBe(base);

    const replies = await Promise.all(
      spellings.map((username, i) =>
        call("POST", "/api/users", { body: { user: { username, email: `${base}-${i}@example.com`, password: "safe-pass-1" } } }),
      ),
    );
    expect(statuses(replies)).toEqual([201, ...Array(7).fill(422)]);
    for (const loser of replies.filter((r) => r.status === 422)) {
      expect(loser.body).toEqual({ errors: { username: ["has already been taken"] } });
    }
    expect(await rows("SELECT id FROM users WHERE username_key = ?", base)).toHaveLength(1);
    const winner = replies.find((r) => r.status === 201);
    expect((await call("GET", "/api/user", { token: winner?.body.user.token })).status).toBe(200);
  });

  it("registering one email at once in 8 letter cases creates exactly one account", async () => {
    const local = unique("mail").toLowerCase();
    const emails = [
      `${local}@example.com`,
      `${local.toUpperCase()}@EXAMPLE.COM`,
      `${local}@Example.com`,
      `${local.toUpperCase()}@example.com`,
      `${local}@EXAMPLE.com`,
      `${local[0]?.toUpperCase()}${local.slice(1)}@example.com`,
      `${local}@example.COM`,
      `${local.toUpperCase()}@Example.Com`,
    ];
    expect(new Set(emails).size).toBe(8);
    const replies = await Promise.all(
      emails.map((email, i) =>
        call("POST", "/api/users", { body: { user: { username: `${local}_${i}`, email, password: "safe-pass-1" } } }),
      ),
    );
    expect(statuses(replies)).toEqual([201, ...Array(7).fill(422)]);
    expect(await rows("SELECT id FROM users WHERE email_key = ?", `${local}@example.com`)).toHaveLength(1);
    // The losers left no account behind under their own (distinct) usernames either.
    const prefix = `${local}_`;
    expect(await rows("SELECT id FROM users WHERE substr(username, 1, ?) = ?", prefix.length, prefix)).toHaveLength(1);
    // Each loser is told what clashed: the email (the usernames were all distinct).
    for (const loser of replies.filter((r) => r.status === 422)) {
      expect(loser.body).toEqual({ errors: { email: ["has already been taken"] } });
    }
  });
});

describe("concurrent profile updates", { timeout: SLOW }, () => {
  it("6 users changing their email to one new address at once: exactly one gets it, the rest hear 'email has already been taken'", async () => {
    const claimants = await users(6);
    const wanted = `${unique("claimed").toLowerCase()}@example.com`;
    const replies = await Promise.all(
      claimants.map((user, i) =>
        call("PUT", "/api/user", { token: user.token, body: { user: { email: i % 2 ? wanted.toUpperCase() : wanted } } }),
      ),
    );
    expect(statuses(replies)).toEqual([200, 422, 422, 422, 422, 422]);
    for (const loser of replies.filter((r) => r.status === 422)) {
      expect(loser.body).toEqual({ errors: { email: ["has already been taken"] } });
    }
    expect(await rows("SELECT id FROM users WHERE email_key = ?", wanted)).toHaveLength(1);
    // The losers kept their own addresses.
    for (const [i, user] of claimants.entries()) {
      if (replies[i]?.status === 422) {
        expect((await rows("SELECT email FROM users WHERE username = ?", user.username))[0]?.email).toBe(user.email);
      }
    }
  });

  it("6 users each taking a new distinct username and one shared new email at once: one succeeds, the rest hear that the email is taken", async () => {
    const claimants = await users(6);
    const wanted = `${unique("both").toLowerCase()}@example.com`;
    const replies = await Promise.all(
      claimants.map((user) =>
        call("PUT", "/api/user", { token: user.token, body: { user: { username: `${user.username}_new`, email: wanted } } }),
      ),
    );
    expect(statuses(replies)).toEqual([200, 422, 422, 422, 422, 422]);
    expect(await rows("SELECT id FROM users WHERE email_key = ?", wanted)).toHaveLength(1);
    for (const loser of replies.filter((r) => r.status === 422)) {
      expect(loser.body).toEqual({ errors: { email: ["has already been taken"] } });
    }
    // The losers kept their own names and addresses.
    for (const [i, user] of claimants.entries()) {
      if (replies[i]?.status === 422) {
        expect((await rows("SELECT email FROM users WHERE username = ?", user.username))[0]?.email).toBe(user.email);
      }
    }
  });
});

describe("concurrent comment deletes", { timeout: SLOW }, () => {
  it("the author deleting one comment 5 times at once gets exactly one 204 and four 404s, and the row is gone", async () => {
    const author = await registerUser();
    const article = await createArticle(author);
    const posted = await call("POST", `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: { comment: { body: "delete me five times" } },
    });
    const path = `/api/articles/${article.slug}/comments/${posted.body.comment.id}`;
    const replies = await Promise.all(range(1, 5).map(() => call("DELETE", path, { token: author.token })));
    expect(statuses(replies)).toEqual([204, 404, 404, 404, 404]);
    for (const reply of replies.filter((r) => r.status === 404)) {
      expect(reply.body).toEqual({ errors: { body: ["comment not found"] } });
    }
    expect(await rows("SELECT * FROM comments WHERE id = ?", posted.body.comment.id)).toEqual([]);
    expect((await call("GET", `/api/articles/${article.slug}/comments`)).body.comments).toEqual([]);
  });

  it("15 users commenting at once leave 15 comments with distinct ids (no lost insert)", async () => {
    const article = await createArticle(await registerUser());
    const commenters = await users(15);
    const replies = await Promise.all(
      commenters.map((user, i) =>
        call("POST", `/api/articles/${article.slug}/comments`, {
          token: user.token,
          body: { comment: { body: `comment ${i}` } },
        }),
      ),
    );
    expect(statuses(replies)).toEqual(Array(15).fill(200));
    expect(new Set(replies.map((r) => r.body.comment.id)).size).toBe(15);
    const listed = (await call("GET", `/api/articles/${article.slug}/comments`)).body.comments as { body: string }[];
    expect(listed.map((c) => c.body).sort()).toEqual(
      range(0, 14)
        .map((i) => `comment ${i}`)
        .sort(),
    );
  });
});

describe("concurrent article writes", { timeout: SLOW }, () => {
  it("10 articles created at once with the same title all get distinct slugs: one the plain slug, nine with a suffix", async () => {
    const author = await registerUser();
    const title = unique("Same Title ");
    const base = title.toLowerCase().replaceAll(" ", "-");
    const replies = await Promise.all(
      range(1, 10).map((i) =>
        call("POST", "/api/articles", { token: author.token, body: { article: { title, description: `d${i}`, body: "b" } } }),
      ),
    );
    expect(statuses(replies)).toEqual(Array(10).fill(201));
    const slugs = replies.map((r) => r.body.article.slug as string);
    expect(new Set(slugs).size).toBe(10);
    expect(slugs.filter((slug) => slug === base)).toHaveLength(1);
    for (const slug of slugs.filter((s) => s !== base)) expect(slug).toMatch(new RegExp(`^${base}-[0-9a-z]{6}$`));
    const stored = await rows<{ slug: string; description: string }>(
      "SELECT slug, description FROM articles WHERE title = ? ORDER BY description",
      title,
    );
    expect(stored).toHaveLength(10);
    // Each reply's slug is the row that holds that request's own description.
    for (const reply of replies) {
      expect(stored.find((row) => row.slug === reply.body.article.slug)?.description).toBe(reply.body.article.description);
    }
  });

  it("8 updates of one article at once by its author: each applies whole, updatedAt strictly increases, and the final state is exactly the last write", async () => {
    const author = await registerUser();
    const article = await createArticle(author, { tagList: ["before"] });
    const articleId = await idOf("articles", "slug", article.slug);
    const writes = range(1, 8).map((i) => ({ description: `description ${i}`, body: `body ${i}`, tagList: [`race${i}`] }));
    const replies = await Promise.all(
      writes.map((changes) => call("PUT", `/api/articles/${article.slug}`, { token: author.token, body: { article: changes } })),
    );
    expect(statuses(replies)).toEqual(Array(8).fill(200));

    // Every reply shows its own write whole: no field of another write mixed in.
    replies.forEach((reply, i) => {
      expect(reply.body.article).toMatchObject({ slug: article.slug, ...writes[i] });
      expect(Date.parse(reply.body.article.updatedAt)).toBeGreaterThan(Date.parse(article.updatedAt));
    });
    // Serialised in some order, each strictly later than the one before: 8 distinct times.
    const times = replies.map((r) => Date.parse(r.body.article.updatedAt));
    expect(new Set(times).size).toBe(8);

    // The stored article is the write that committed last, whole.
    const last = replies[times.indexOf(Math.max(...times))]?.body.article;
    const [row] = await rows("SELECT * FROM articles WHERE id = ?", articleId);
    expect(row).toMatchObject({ description: last.description, body: last.body, updated_at: Math.max(...times) });
    const tags = await rows<{ tag: string }>("SELECT tag FROM article_tags WHERE article_id = ? ORDER BY position", articleId);
    expect(tags.map((t) => t.tag)).toEqual(last.tagList);
    const fetched = await call("GET", `/api/articles/${article.slug}`, { token: author.token });
    expect(fetched.body.article).toMatchObject({ description: last.description, body: last.body, tagList: last.tagList });
  });

  it("6 title changes of one article at once: each is applied or finds the slug already moved (404), never 500, and the final row is the last applied", async () => {
    const author = await registerUser();
    const article = await createArticle(author);
    const articleId = await idOf("articles", "slug", article.slug);
    const titles = range(1, 6).map((i) => unique(`Renamed ${i} `));
    const replies = await Promise.all(
      titles.map((title) =>
        call("PUT", `/api/articles/${article.slug}`, { token: author.token, body: { article: { title, body: `for ${title}` } } }),
      ),
    );
    const applied = replies.filter((r) => r.status === 200);
    expect(applied.length).toBeGreaterThanOrEqual(1);
    expect(applied.length + replies.filter((r) => r.status === 404).length).toBe(6);
    for (const reply of replies.filter((r) => r.status === 404)) {
      expect(reply.body).toEqual({ errors: { body: ["article not found"] } });
    }
    for (const reply of applied) expect(reply.body.article.body).toBe(`for ${reply.body.article.title}`);
    const times = applied.map((r) => Date.parse(r.body.article.updatedAt));
    expect(new Set(times).size).toBe(applied.length);
    const last = applied[times.indexOf(Math.max(...times))]?.body.article;
    const stored = await rows("SELECT * FROM articles WHERE id = ?", articleId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ title: last.title, body: last.body, slug: last.slug });
    expect((await call("GET", `/api/articles/${last.slug}`)).body.article.title).toBe(last.title);
  });

  it("the author deleting one article 5 times at once gets exactly one 204 and four 404s", async () => {
    const author = await registerUser();
    const article = await createArticle(author);
    const replies = await Promise.all(
      range(1, 5).map(() => call("DELETE", `/api/articles/${article.slug}`, { token: author.token })),
    );
    expect(statuses(replies)).toEqual([204, 404, 404, 404, 404]);
    for (const reply of replies.filter((r) => r.status === 404)) {
      expect(reply.body).toEqual({ errors: { body: ["article not found"] } });
    }
    expect(await rows("SELECT * FROM articles WHERE slug = ?", article.slug)).toEqual([]);
  });
});

/** Every maintained counter equals a count of the rows it stands for. */
async function expectCountersExact() {
  const [articles] = await rows<{ value: number; n: number }>(
    "SELECT (SELECT value FROM counters WHERE name = 'articles') AS value, (SELECT count(*) FROM articles) AS n",
  );
  expect(articles?.value, "counters.articles").toBe(articles?.n);
  expect(
    await rows("SELECT tag, articles_count FROM tags EXCEPT SELECT tag, count(*) FROM article_tags GROUP BY tag"),
    "tags.articles_count",
  ).toEqual([]);
  expect(await rows("SELECT tag FROM article_tags EXCEPT SELECT tag FROM tags"), "every tag in use has its row").toEqual([]);
  expect(
    await rows(
      `SELECT id FROM users WHERE
         articles_count <> (SELECT count(*) FROM articles WHERE author_id = users.id)
      OR favorites_count <> (SELECT count(*) FROM favorites WHERE user_id = users.id)
      OR feed_count <> (SELECT count(*) FROM articles WHERE author_id IN (SELECT followee_id FROM follows WHERE follower_id = users.id))`,
    ),
    "users' counters",
  ).toEqual([]);
  expect(
    await rows(
      "SELECT id FROM articles WHERE favorites_count <> (SELECT count(*) FROM favorites WHERE article_id = articles.id)",
    ),
    "articles.favorites_count",
  ).toEqual([]);
  expect(
    await rows(
      `SELECT follower_id, article_id FROM feed_entries
       EXCEPT SELECT follows.follower_id, articles.id FROM follows JOIN articles ON articles.author_id = follows.followee_id`,
    ),
    "feed entries are exactly the followed authors' articles",
  ).toEqual([]);
}

describe("the maintained counters under concurrent writes", { timeout: SLOW }, () => {
  it("creates, favorites, follows, retags and deletes racing each other leave every total equal to a count of its rows", async () => {
    const authors = await users(4);
    const readers = await users(6);
    const tag = unique("shared");
    // Racing creates with one shared tag and one of their own.
    const created = await Promise.all(
      authors.flatMap((author, i) => [0, 1, 2].map((j) => createArticle(author, { tagList: [tag, `${tag}-${i}-${j}`] }))),
    );
    // Racing follows of every author, and favorites of every article.
    await Promise.all(
      readers.flatMap((reader) =>
        authors.map((author) => call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token })),
      ),
    );
    await Promise.all(
      readers.flatMap((reader) =>
        created.map((article) => call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token })),
      ),
    );
    await expectCountersExact();
    // Retags, unfollows, unfavorites and deletes racing each other.
    const [first, , third] = created;
    await Promise.all([
      ...authors.slice(0, 2).map((author, i) =>
        call("PUT", `/api/articles/${(i === 0 ? first : created[3])?.slug}`, {
          token: author.token,
          body: { article: { tagList: [`${tag}-retagged`] } },
        }),
      ),
      ...readers
        .slice(0, 3)
        .map((reader) => call("DELETE", `/api/profiles/${authors[3]?.username}/follow`, { token: reader.token })),
      ...readers.map((reader) => call("DELETE", `/api/articles/${third?.slug}/favorite`, { token: reader.token })),
      // created[3..5] are the second author's.
      ...created.slice(3, 6).map((article) => call("DELETE", `/api/articles/${article.slug}`, { token: authors[1]?.token })),
    ]);
    expect(await rows("SELECT id FROM articles WHERE slug IN (?, ?, ?)", ...created.slice(3, 6).map((a) => a.slug))).toEqual([]);
    await expectCountersExact();
    const totals = await call("GET", `/api/articles?tag=${tag}`);
    const [counted] = await rows<{ n: number }>("SELECT count(*) AS n FROM article_tags WHERE tag = ?", tag);
    expect(totals.body.articlesCount).toBe(counted?.n);
  });
});
