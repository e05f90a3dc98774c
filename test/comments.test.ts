import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createArticle, registerUser, type TestUser, unique } from "./support/api";
import { one, rows } from "./support/d1";

type CommentRow = { id: number; article_id: number; author_id: number; body: string; created_at: number; updated_at: number };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const commentsPath = (slug: string) => `/api/articles/${encodeURIComponent(slug)}/comments`;
const commentPath = (slug: string, id: number | string) => `${commentsPath(slug)}/${id}`;

const addComment = (user: TestUser, slug: string, body: string) =>
  call("POST", commentsPath(slug), { token: user.token, body: { comment: { body } } });

/** The stored comment, or null when there is none. */
const commentRow = async (id: number) => (await rows<CommentRow>("SELECT * FROM comments WHERE id = ?", id))[0] ?? null;

const commentRowsOf = (slug: string) =>
  rows<CommentRow>("SELECT c.* FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.slug = ? ORDER BY c.id", slug);

const userId = async (username: string) => (await one<{ id: number }>("SELECT id FROM users WHERE username = ?", username)).id;

async function setup() {
  const author = await registerUser();
  const article = await createArticle(author);
  return { author, slug: article.slug };
}

describe("POST /api/articles/:slug/comments", () => {
  it("answers 200 with the comment (numeric id, ISO timestamps, body, author profile) and stores it", async () => {
    const { slug } = await setup();
    const commenter = await registerUser();
    const reply = await addComment(commenter, slug, "Great article!");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const comment = reply.body.comment;
    expect(Object.keys(reply.body)).toEqual(["comment"]);
    expect(Object.keys(comment).sort()).toEqual(["author", "body", "createdAt", "id", "updatedAt"]);
    expect(Number.isInteger(comment.id)).toBe(true);
    expect(comment.createdAt).toMatch(ISO);
    expect(comment.updatedAt).toBe(comment.createdAt);
    expect(comment.body).toBe("Great article!");
    expect(comment.author).toStrictEqual({ username: commenter.username, bio: null, image: null, following: false });

    const row = await commentRow(comment.id);
    expect(row).toMatchObject({ body: "Great article!", author_id: await userId(commenter.username) });
    expect(row!.created_at).toBe(Date.parse(comment.createdAt));
    expect(row!.updated_at).toBe(Date.parse(comment.updatedAt));
    expect(await commentRowsOf(slug)).toHaveLength(1);
  });

  it("keeps the body exactly as sent, including surrounding whitespace and unicode", async () => {
    const { slug } = await setup();
    const body = "  Ünïcödé 🎉 <b>not html</b>\nsecond line  ";
    const reply = await addComment(await registerUser(), slug, body);
    expect(reply.status).toBe(200);
    expect(reply.body.comment.body).toBe(body);
    expect((await commentRow(reply.body.comment.id))!.body).toBe(body);
  });

  it("refuses an anonymous caller with 401 and stores nothing", async () => {
    const { slug } = await setup();
    const reply = await call("POST", commentsPath(slug), { body: { comment: { body: "hi" } } });
    expect(reply.status).toBe(401);
    expect(reply.body).toStrictEqual({ errors: { body: ["authentication is required"] } });
    expect(await commentRowsOf(slug)).toHaveLength(0);
  });

  it("answers 404 article not found for an unknown slug", async () => {
    const user = await registerUser();
    const reply = await addComment(user, unique("no-such-article-"), "hello");
    expect(reply.status).toBe(404);
    expect(reply.body).toStrictEqual({ errors: { body: ["article not found"] } });
  });

  it("answers 422 with a field message for each invalid body, storing nothing", async () => {
    const { slug, author } = await setup();
    const cases: [unknown, Record<string, string[]>][] = [
      [{ comment: {} }, { body: ["is required"] }],
      [{ comment: { body: "" } }, { body: ["can't be blank"] }],
      [{ comment: { body: "   \n\t " } }, { body: ["can't be blank"] }],
      [{ comment: { body: 42 } }, { body: ["must be a string"] }],
      [{ comment: { body: null } }, { body: ["must be a string"] }],
      [{ comment: { body: "x".repeat(10_001) } }, { body: ["is too long (maximum is 10000 characters)"] }],
      [{}, { comment: ["is required"] }],
      [{ comment: "hi" }, { comment: ["must be an object"] }],
    ];
    for (const [body, errors] of cases) {
      const reply = await call("POST", commentsPath(slug), { token: author.token, body });
      expect(reply.status, JSON.stringify(body).slice(0, 60)).toBe(422);
      expect(reply.body).toStrictEqual({ errors });
    }
    expect(await commentRowsOf(slug)).toHaveLength(0);
  });

  it("accepts a body of exactly 10000 characters", async () => {
    const { slug, author } = await setup();
    const reply = await addComment(author, slug, "y".repeat(10_000));
    expect(reply.status).toBe(200);
    expect((await commentRow(reply.body.comment.id))!.body).toHaveLength(10_000);
  });

  it("answers 415 for a text/plain body and 400 for malformed JSON, storing nothing", async () => {
    const { slug, author } = await setup();
    const plain = await call("POST", commentsPath(slug), {
      token: author.token,
      rawBody: JSON.stringify({ comment: { body: "hi" } }),
      headers: { "Content-Type": "text/plain" },
    });
    expect(plain.status).toBe(415);
    expect(plain.body).toStrictEqual({ errors: { body: ["request body must be application/json or application/xml"] } });
    const broken = await call("POST", commentsPath(slug), {
      token: author.token,
      rawBody: '{"comment":{"body":"hi"}',
      headers: { "Content-Type": "application/json" },
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toStrictEqual({ errors: { body: ["request body is not valid JSON"] } });
    expect(await commentRowsOf(slug)).toHaveLength(0);
  });

  it("ignores client-supplied id, author and timestamps", async () => {
    const { slug, author } = await setup();
    const reply = await call("POST", commentsPath(slug), {
      token: author.token,
      body: {
        comment: { body: "mine", id: 999_999, author: { username: "someoneelse" }, createdAt: "2000-01-01T00:00:00.000Z" },
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.comment.id).not.toBe(999_999);
    expect(reply.body.comment.author.username).toBe(author.username);
    expect(reply.body.comment.createdAt).not.toBe("2000-01-01T00:00:00.000Z");
    expect(await commentRow(999_999)).toBeNull();
  });
});

describe("GET /api/articles/:slug/comments", () => {
  it("lists the article's comments newest first, anonymously", async () => {
    const { slug, author } = await setup();
    const other = await setup();
    const ids: number[] = [];
    for (const text of ["first", "second", "third"]) ids.push((await addComment(author, slug, text)).body.comment.id);
    await addComment(author, other.slug, "elsewhere");
    const reply = await call("GET", commentsPath(slug));
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["comments"]);
    expect(reply.body.comments.map((c: { id: number }) => c.id)).toEqual([...ids].reverse());
    expect(reply.body.comments.map((c: { body: string }) => c.body)).toEqual(["third", "second", "first"]);
    expect(reply.body.comments[0]).toStrictEqual({
      id: ids[2],
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      body: "third",
      author: { username: author.username, bio: null, image: null, following: false },
    });
  });

  it("sets author.following from the authenticated viewer's follows", async () => {
    const { slug } = await setup();
    const followed = await registerUser();
    const notFollowed = await registerUser();
    const viewer = await registerUser();
    await addComment(followed, slug, "from followed");
    await addComment(notFollowed, slug, "from not followed");
    expect((await call("POST", `/api/profiles/${followed.username}/follow`, { token: viewer.token })).status).toBe(200);

    const following = (reply: { body: { comments: { body: string; author: { following: boolean } }[] } }) =>
      Object.fromEntries(reply.body.comments.map((c) => [c.body, c.author.following]));
    expect(following(await call("GET", commentsPath(slug), { token: viewer.token }))).toEqual({
      "from followed": true,
      "from not followed": false,
    });
    expect(following(await call("GET", commentsPath(slug)))).toEqual({ "from followed": false, "from not followed": false });
    expect(following(await call("GET", commentsPath(slug), { token: notFollowed.token }))).toEqual({
      "from followed": false,
      "from not followed": false,
    });
  });

  it("answers 404 for an unknown article and an empty array for an article without comments", async () => {
    const missing = await call("GET", commentsPath(unique("missing-")));
    expect(missing.status).toBe(404);
    expect(missing.body).toStrictEqual({ errors: { body: ["article not found"] } });
    const { slug } = await setup();
    const empty = await call("GET", commentsPath(slug));
    expect(empty.status).toBe(200);
    expect(empty.body).toStrictEqual({ comments: [] });
  });
});

describe("DELETE /api/articles/:slug/comments/:id", () => {
  it("lets the comment's author delete it: 204 with an empty body, row gone, no longer listed", async () => {
    const { slug } = await setup();
    const commenter = await registerUser();
    const keep = (await addComment(commenter, slug, "keep")).body.comment.id;
    const gone = (await addComment(commenter, slug, "gone")).body.comment.id;
    const reply = await call("DELETE", commentPath(slug, gone), { token: commenter.token });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect(await commentRow(gone)).toBeNull();
    expect((await call("GET", commentsPath(slug))).body.comments.map((c: { id: number }) => c.id)).toEqual([keep]);
  });

  it("refuses another user, even the article's author, with 403 and keeps the row", async () => {
    const { slug, author } = await setup();
    const commenter = await registerUser();
    const id = (await addComment(commenter, slug, "mine")).body.comment.id;
    for (const intruder of [author, await registerUser()]) {
      const reply = await call("DELETE", commentPath(slug, id), { token: intruder.token });
      expect(reply.status).toBe(403);
      expect(reply.body).toStrictEqual({ errors: { body: ["only the author can delete this comment"] } });
    }
    expect(await commentRow(id)).not.toBeNull();
  });

  it("refuses an anonymous caller with 401 and keeps the row", async () => {
    const { slug, author } = await setup();
    const id = (await addComment(author, slug, "mine")).body.comment.id;
    const reply = await call("DELETE", commentPath(slug, id));
    expect(reply.status).toBe(401);
    expect(reply.body).toStrictEqual({ errors: { body: ["authentication is required"] } });
    expect(await commentRow(id)).not.toBeNull();
  });

  it("answers 404 comment not found for an unknown id", async () => {
    const { slug, author } = await setup();
    const reply = await call("DELETE", commentPath(slug, 987_654_321), { token: author.token });
    expect(reply.status).toBe(404);
    expect(reply.body).toStrictEqual({ errors: { body: ["comment not found"] } });
  });

  it("answers 404 for a comment of a different article addressed under this slug, and keeps it", async () => {
    const first = await setup();
    const second = await setup();
    const id = (await addComment(first.author, first.slug, "on the first article")).body.comment.id;
    const reply = await call("DELETE", commentPath(second.slug, id), { token: first.author.token });
    expect(reply.status).toBe(404);
    expect(reply.body).toStrictEqual({ errors: { body: ["comment not found"] } });
    expect(await commentRow(id)).not.toBeNull();
  });

  it("answers 404 article not found for an unknown slug", async () => {
    const { slug, author } = await setup();
    const id = (await addComment(author, slug, "mine")).body.comment.id;
    const reply = await call("DELETE", commentPath(unique("nope-"), id), { token: author.token });
    expect(reply.status).toBe(404);
    expect(reply.body).toStrictEqual({ errors: { body: ["article not found"] } });
    expect(await commentRow(id)).not.toBeNull();
  });

  it("answers 422 on the id field for ids that are not positive integers", async () => {
    const { slug, author } = await setup();
    const cases: [string, string][] = [
      ["abc", "must be an integer"],
      ["1.5", "must be an integer"],
      ["1e3", "must be an integer"],
      ["12345678901234567", "must be an integer"],
      ["0", "must be a positive integer"],
      ["-1", "must be a positive integer"],
      ["9007199254740993", "must be a positive integer"],
    ];
    for (const [id, message] of cases) {
      const reply = await call("DELETE", commentPath(slug, id), { token: author.token });
      expect(reply.status, id).toBe(422);
      expect(reply.body, id).toStrictEqual({ errors: { id: [message] } });
    }
  });
});

describe("comments and their article", () => {
  it("deleting the article removes its comments", async () => {
    const { slug, author } = await setup();
    const commenter = await registerUser();
    await addComment(commenter, slug, "one");
    await addComment(author, slug, "two");
    const { id: articleId } = (await env.DB.prepare("SELECT id FROM articles WHERE slug = ?")
      .bind(slug)
      .first<{ id: number }>())!;
    expect(await commentRowsOf(slug)).toHaveLength(2);
    expect((await call("DELETE", `/api/articles/${slug}`, { token: author.token })).status).toBe(204);
    const { results } = await env.DB.prepare("SELECT id FROM comments WHERE article_id = ?").bind(articleId).all();
    expect(results).toEqual([]);
    expect((await call("GET", commentsPath(slug))).status).toBe(404);
  });
});

describe("concurrent deletes", () => {
  it("the author deleting one comment twice at once gets one 204 and one 404, and the row is gone", async () => {
    const { slug, author } = await setup();
    const id = (await addComment(author, slug, "delete me twice")).body.comment.id;
    const replies = await Promise.all([
      call("DELETE", commentPath(slug, id), { token: author.token }),
      call("DELETE", commentPath(slug, id), { token: author.token }),
    ]);
    expect(replies.map((reply) => reply.status).sort()).toEqual([204, 404]);
    const notFound = replies.find((reply) => reply.status === 404);
    expect(notFound?.body).toStrictEqual({ errors: { body: ["comment not found"] } });
    expect(await commentRow(id)).toBeNull();
  });
});
