import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createArticle, type Reply, registerUser, type TestUser, unique } from "./support/api";
import { expectUnchanged, type Snapshot, snapshot } from "./support/snapshot";

// The authorization matrix: every operation that needs a signed-in caller,
// against every kind of caller. A denial must change nothing (storage
// snapshot before and after); a success must have its effect, done as the
// caller and nobody else.
//
// Callers:
//   anonymous      no Authorization header
//   revoked        the owner's own token from before a password change
//   stranger       another signed-in user
//   owner          the user who owns the resource (the profile, the article,
//                  the comment); for operations on no resource, a signed-in user
//   articleAuthor  (comment deletion only) the author of the article the
//                  comment is on, who is not the comment's author
//
// The table has a `style` column so other API styles (XML, JSON:API, GraphQL)
// can add their own rows and transports; only "rest" exists today.

type Style = "rest";
type Actor = "anonymous" | "revoked" | "stranger" | "owner" | "articleAuthor";
type User = TestUser & { id: number };
type Users = { owner: User; stranger: User; articleAuthor: User; revokedToken: string };

/** What each cell acts on, created fresh for every cell. */
type Target = {
  /** An article by the owner. */
  slug: string;
  articleId: number;
  /** A comment by the owner on an article by articleAuthor. */
  commentSlug: string;
  commentId: number;
};

type Sent = { method: string; path: string; body?: unknown };
type EffectContext = { reply: Reply; actor: User; users: Users; target: Target; sent: Sent; before: Snapshot };
type Outcome =
  | { status: 401 | 403 | 404 | 422; errors: Record<string, string[]> }
  | { status: 200 | 201 | 204; effect: (ctx: EffectContext) => Promise<void> };

type Operation = {
  style: Style;
  name: string;
  request: (users: Users, target: Target) => Sent;
  /** Makes the state the operation acts on exist (e.g. a favorite to remove); runs before the snapshot. */
  prepare?: (users: Users, target: Target, actor: Actor) => Promise<void>;
  /** Outcomes for signed-in, valid callers; anonymous and revoked callers always get 401. */
  outcomes: Partial<Record<"stranger" | "owner" | "articleAuthor", Outcome>>;
};

// --- storage helpers ----------------------------------------------------------

async function rows<T = Record<string, any>>(sql: string, ...binds: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(sql)
      .bind(...binds)
      .all<T>()
  ).results;
}
const articleRow = async (id: number) => (await rows("SELECT * FROM articles WHERE id = ?", id))[0];
const follows = (follower: number, followee: number) =>
  rows("SELECT * FROM follows WHERE follower_id = ? AND followee_id = ?", follower, followee);
const favorites = (user: number, article: number) =>
  rows("SELECT * FROM favorites WHERE user_id = ? AND article_id = ?", user, article);

const ONLY_AUTHOR_UPDATE = { body: ["only the author can update this article"] };
const ONLY_AUTHOR_DELETE = { body: ["only the author can delete this article"] };
const ONLY_AUTHOR_COMMENT = { body: ["only the author can delete this comment"] };
const SELF_FOLLOW = { username: ["you cannot follow yourself"] };

const unchanged = async ({ before }: EffectContext) => expectUnchanged(before);

// --- the operations -----------------------------------------------------------

const OPERATIONS: Operation[] = [
  {
    style: "rest",
    name: "GET /api/user",
    request: () => ({ method: "GET", path: "/api/user" }),
    outcomes: Object.fromEntries(
      (["stranger", "owner"] as const).map((who) => [
        who,
        {
          status: 200,
          effect: async (ctx: EffectContext) => {
            expect(ctx.reply.body.user).toMatchObject({ username: ctx.actor.username, email: ctx.actor.email });
            await unchanged(ctx);
          },
        },
      ]),
    ),
  },
  {
    style: "rest",
    name: "PUT /api/user",
    request: () => ({ method: "PUT", path: "/api/user", body: { user: { bio: unique("bio ") } } }),
    outcomes: Object.fromEntries(
      (["stranger", "owner"] as const).map((who) => [
        who,
        {
          status: 200,
          effect: async ({ reply, actor, sent }: EffectContext) => {
            const bio = (sent.body as { user: { bio: string } }).user.bio;
            expect(reply.body.user).toMatchObject({ username: actor.username, bio });
            expect((await rows("SELECT bio FROM users WHERE id = ?", actor.id))[0]?.bio).toBe(bio);
            // Only the caller's own account: nobody else got the bio.
            expect(await rows("SELECT id FROM users WHERE bio = ?", bio)).toEqual([{ id: actor.id }]);
          },
        },
      ]),
    ),
  },
  {
    style: "rest",
    name: "POST /api/profiles/:username/follow",
    request: (u) => ({ method: "POST", path: `/api/profiles/${u.owner.username}/follow` }),
    prepare: async (u) => {
      await call("DELETE", `/api/profiles/${u.owner.username}/follow`, { token: u.stranger.token });
    },
    outcomes: {
      stranger: {
        status: 200,
        effect: async ({ reply, actor, users }) => {
          expect(reply.body.profile).toMatchObject({ username: users.owner.username, following: true });
          expect(await follows(actor.id, users.owner.id)).toHaveLength(1);
        },
      },
      owner: { status: 422, errors: SELF_FOLLOW },
    },
  },
  {
    style: "rest",
    name: "DELETE /api/profiles/:username/follow",
    request: (u) => ({ method: "DELETE", path: `/api/profiles/${u.owner.username}/follow` }),
    // The stranger follows the owner, so an unfollow that should be refused has something to remove.
    prepare: async (u) => {
      await call("POST", `/api/profiles/${u.owner.username}/follow`, { token: u.stranger.token });
      expect(await follows(u.stranger.id, u.owner.id)).toHaveLength(1);
    },
    outcomes: {
      stranger: {
        status: 200,
        effect: async ({ reply, actor, users }) => {
          expect(reply.body.profile).toMatchObject({ username: users.owner.username, following: false });
          expect(await follows(actor.id, users.owner.id)).toEqual([]);
        },
      },
      owner: { status: 422, errors: SELF_FOLLOW },
    },
  },
  {
    style: "rest",
    name: "POST /api/articles",
    request: () => ({
      method: "POST",
      path: "/api/articles",
      body: { article: { title: unique("Matrix "), description: "d", body: "b", tagList: [] } },
    }),
    outcomes: Object.fromEntries(
      (["stranger", "owner"] as const).map((who) => [
        who,
        {
          status: 201,
          effect: async ({ reply, actor }: EffectContext) => {
            expect(reply.body.article.author.username).toBe(actor.username);
            const [row] = await rows("SELECT author_id FROM articles WHERE slug = ?", reply.body.article.slug);
            expect(row?.author_id).toBe(actor.id);
          },
        },
      ]),
    ),
  },
  {
    style: "rest",
    name: "PUT /api/articles/:slug",
    request: (_, t) => ({ method: "PUT", path: `/api/articles/${t.slug}`, body: { article: { body: unique("changed ") } } }),
    outcomes: {
      stranger: { status: 403, errors: ONLY_AUTHOR_UPDATE },
      owner: {
        status: 200,
        effect: async ({ reply, target, sent }) => {
          const body = (sent.body as { article: { body: string } }).article.body;
          expect(reply.body.article.body).toBe(body);
          expect((await articleRow(target.articleId))?.body).toBe(body);
        },
      },
    },
  },
  {
    style: "rest",
    name: "DELETE /api/articles/:slug",
    request: (_, t) => ({ method: "DELETE", path: `/api/articles/${t.slug}` }),
    outcomes: {
      stranger: { status: 403, errors: ONLY_AUTHOR_DELETE },
      owner: {
        status: 204,
        effect: async ({ reply, target }) => {
          expect(reply.text).toBe("");
          expect(await articleRow(target.articleId)).toBeUndefined();
        },
      },
    },
  },
  {
    style: "rest",
    name: "POST /api/articles/:slug/favorite",
    request: (_, t) => ({ method: "POST", path: `/api/articles/${t.slug}/favorite` }),
    outcomes: Object.fromEntries(
      (["stranger", "owner"] as const).map((who) => [
        who,
        {
          status: 200,
          effect: async ({ reply, actor, target }: EffectContext) => {
            expect(reply.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
            expect(await favorites(actor.id, target.articleId)).toHaveLength(1);
            expect((await articleRow(target.articleId))?.favorites_count).toBe(1);
          },
        },
      ]),
    ),
  },
  {
    style: "rest",
    name: "DELETE /api/articles/:slug/favorite",
    request: (_, t) => ({ method: "DELETE", path: `/api/articles/${t.slug}/favorite` }),
    // Owner and stranger have both favorited: a refused unfavorite has something to remove.
    prepare: async (u, t) => {
      for (const user of [u.owner, u.stranger]) {
        expect((await call("POST", `/api/articles/${t.slug}/favorite`, { token: user.token })).status).toBe(200);
      }
    },
    outcomes: Object.fromEntries(
      (["stranger", "owner"] as const).map((who) => [
        who,
        {
          status: 200,
          effect: async ({ reply, actor, target }: EffectContext) => {
            expect(reply.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
            expect(await favorites(actor.id, target.articleId)).toEqual([]);
            expect(await rows("SELECT * FROM favorites WHERE article_id = ?", target.articleId)).toHaveLength(1);
          },
        },
      ]),
    ),
  },
  {
    style: "rest",
    name: "POST /api/articles/:slug/comments",
    request: (_, t) => ({ method: "POST", path: `/api/articles/${t.slug}/comments`, body: { comment: { body: unique("c ") } } }),
    outcomes: Object.fromEntries(
      (["stranger", "owner"] as const).map((who) => [
        who,
        {
          status: 200,
          effect: async ({ reply, actor, target }: EffectContext) => {
            expect(reply.body.comment.author.username).toBe(actor.username);
            const [row] = await rows("SELECT * FROM comments WHERE id = ?", reply.body.comment.id);
            expect(row).toMatchObject({ author_id: actor.id, article_id: target.articleId });
          },
        },
      ]),
    ),
  },
  {
    style: "rest",
    name: "DELETE /api/articles/:slug/comments/:id",
    request: (_, t) => ({ method: "DELETE", path: `/api/articles/${t.commentSlug}/comments/${t.commentId}` }),
    outcomes: {
      stranger: { status: 403, errors: ONLY_AUTHOR_COMMENT },
      articleAuthor: { status: 403, errors: ONLY_AUTHOR_COMMENT },
      owner: {
        status: 204,
        effect: async ({ target }) => expect(await rows("SELECT * FROM comments WHERE id = ?", target.commentId)).toEqual([]),
      },
    },
  },
  {
    style: "rest",
    name: "GET /api/articles/feed",
    request: () => ({ method: "GET", path: "/api/articles/feed" }),
    outcomes: Object.fromEntries(
      (["stranger", "owner"] as const).map((who) => [
        who,
        {
          status: 200,
          effect: async (ctx: EffectContext) => {
            expect(Array.isArray(ctx.reply.body.articles)).toBe(true);
            expect(typeof ctx.reply.body.articlesCount).toBe("number");
            await unchanged(ctx);
          },
        },
      ]),
    ),
  },
];

// --- transports, one per style --------------------------------------------------

const TRANSPORTS: Record<Style, (sent: Sent, token: string | null) => Promise<Reply>> = {
  rest: (sent, token) => call(sent.method, sent.path, { token, ...(sent.body === undefined ? {} : { body: sent.body }) }),
};

// --- the matrix -------------------------------------------------------------------

type Cell = { op: Operation; actor: Actor; outcome: Outcome };

const DENIED_ANONYMOUS: Outcome = { status: 401, errors: { body: ["authentication is required"] } };
const DENIED_REVOKED: Outcome = { status: 401, errors: { body: ["token is no longer valid"] } };

const CELLS: Cell[] = OPERATIONS.flatMap((op) => [
  { op, actor: "anonymous" as const, outcome: DENIED_ANONYMOUS },
  { op, actor: "revoked" as const, outcome: DENIED_REVOKED },
  ...(Object.entries(op.outcomes) as [Actor, Outcome][]).map(([actor, outcome]) => ({ op, actor, outcome })),
]);

function tokenOf(users: Users, actor: Actor): string | null {
  switch (actor) {
    case "anonymous":
      return null;
    case "revoked":
      return users.revokedToken;
    default:
      return users[actor].token;
  }
}

async function withId(user: TestUser): Promise<User> {
  const [row] = await rows<{ id: number }>("SELECT id FROM users WHERE username = ?", user.username);
  if (!row) throw new Error(`no user ${user.username}`);
  return { ...user, id: row.id };
}

async function freshTarget(users: Users): Promise<Target> {
  const article = await createArticle(users.owner);
  const other = await createArticle(users.articleAuthor);
  const posted = await call("POST", `/api/articles/${other.slug}/comments`, {
    token: users.owner.token,
    body: { comment: { body: "the owner's comment" } },
  });
  expect(posted.status).toBe(200);
  const [row] = await rows<{ id: number }>("SELECT id FROM articles WHERE slug = ?", article.slug);
  return { slug: article.slug, articleId: row?.id ?? 0, commentSlug: other.slug, commentId: posted.body.comment.id };
}

function titleOf({ op, actor, outcome }: Cell): string {
  const who = actor === "revoked" ? "the owner's revoked token" : actor === "articleAuthor" ? "the article's author" : actor;
  if (outcome.status >= 400) {
    const [field, [message] = []] = Object.entries((outcome as { errors: Record<string, string[]> }).errors)[0] ?? [];
    return `[${op.style}] ${op.name} by ${who} is refused with ${outcome.status} (${field}: ${message}) and changes nothing`;
  }
  return `[${op.style}] ${op.name} by ${who} succeeds with ${outcome.status}, acting as the caller`;
}

describe("authorization matrix", () => {
  let users: Users;
  beforeAll(async () => {
    const owner = await withId(await registerUser({ username: unique("owner") }));
    // The owner's token from before a password change: revoked.
    const revokedToken = owner.token;
    const changed = await call("PUT", "/api/user", { token: owner.token, body: { user: { password: "a brand new password" } } });
    expect(changed.status).toBe(200);
    users = {
      owner: { ...owner, password: "a brand new password", token: changed.body.user.token },
      stranger: await withId(await registerUser({ username: unique("stranger") })),
      articleAuthor: await withId(await registerUser({ username: unique("author") })),
      revokedToken,
    };
  });

  it("covers every operation for anonymous, revoked, stranger and owner callers", () => {
    expect(OPERATIONS).toHaveLength(12);
    for (const op of OPERATIONS) {
      const actors = CELLS.filter((cell) => cell.op === op).map((cell) => cell.actor);
      expect(actors, op.name).toEqual(expect.arrayContaining(["anonymous", "revoked", "stranger", "owner"]));
    }
    expect(CELLS).toHaveLength(12 * 4 + 1);
  });

  for (const cell of CELLS) {
    it(titleOf(cell), async () => {
      const { op, actor, outcome } = cell;
      const target = await freshTarget(users);
      await op.prepare?.(users, target, actor);
      const sent = op.request(users, target);
      const before = await snapshot();
      const reply = await TRANSPORTS[op.style](sent, tokenOf(users, actor));
      const label = `${op.name} by ${actor}: ${reply.text.slice(0, 300)}`;

      expect(reply.status, label).toBe(outcome.status);
      if ("errors" in outcome) {
        expect(reply.body, label).toEqual({ errors: outcome.errors });
        expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
        if (outcome.status === 401) expect(reply.headers.get("www-authenticate")).toBe('Token realm="conduit"');
        await expectUnchanged(before, label);
      } else {
        const actorUser = actor === "anonymous" || actor === "revoked" ? users.owner : users[actor];
        await outcome.effect({ reply, actor: actorUser, users, target, sent, before });
      }
    });
  }
});

describe("authorization comes first, validation before ownership", () => {
  let owner: User;
  let stranger: User;
  beforeAll(async () => {
    owner = await withId(await registerUser());
    stranger = await withId(await registerUser());
  });

  it("answers 401 to an anonymous write before reading its body, even when the body is broken", async () => {
    const article = await createArticle(owner);
    const junk = { rawBody: '{"broken', headers: { "Content-Type": "text/plain" } };
    const before = await snapshot();
    for (const [method, path] of [
      ["PUT", "/api/user"],
      ["POST", `/api/profiles/${owner.username}/follow`],
      ["DELETE", `/api/profiles/${owner.username}/follow`],
      ["POST", "/api/articles"],
      ["PUT", `/api/articles/${article.slug}`],
      ["DELETE", `/api/articles/${article.slug}`],
      ["POST", `/api/articles/${article.slug}/favorite`],
      ["DELETE", `/api/articles/${article.slug}/favorite`],
      ["POST", `/api/articles/${article.slug}/comments`],
      ["DELETE", `/api/articles/${article.slug}/comments/1`],
    ] as const) {
      const reply = await call(method, path, junk);
      expect(reply.status, `${method} ${path}`).toBe(401);
      expect(reply.body, `${method} ${path}`).toEqual({ errors: { body: ["authentication is required"] } });
    }
    await expectUnchanged(before);
  });

  it("answers 422 to a stranger's invalid update of someone's article and 403 to a valid one, changing nothing", async () => {
    const article = await createArticle(owner);
    const before = await snapshot();
    const invalid = await call("PUT", `/api/articles/${article.slug}`, {
      token: stranger.token,
      body: { article: { title: "" } },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual({ errors: { title: ["can't be blank"] } });
    const valid = await call("PUT", `/api/articles/${article.slug}`, {
      token: stranger.token,
      body: { article: { title: "Mine" } },
    });
    expect(valid.status).toBe(403);
    await expectUnchanged(before);
  });

  it("does not let a comment be deleted through the slug of another article, not even the caller's own", async () => {
    const article = await createArticle(owner);
    const posted = await call("POST", `/api/articles/${article.slug}/comments`, {
      token: owner.token,
      body: { comment: { body: "stays" } },
    });
    const strangersArticle = await createArticle(stranger);
    const before = await snapshot();
    for (const token of [stranger.token, owner.token]) {
      const reply = await call("DELETE", `/api/articles/${strangersArticle.slug}/comments/${posted.body.comment.id}`, { token });
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ errors: { body: ["comment not found"] } });
    }
    await expectUnchanged(before);
  });

  it("does not let a stranger's token act on an article by naming it in a different case or with a trailing slash", async () => {
    const article = await createArticle(owner);
    const before = await snapshot();
    for (const path of [`/api/articles/${article.slug.toUpperCase()}`, `/api/articles/${article.slug}/`]) {
      const reply = await call("DELETE", path, { token: stranger.token });
      expect(reply.status, path).toBe(404);
    }
    await expectUnchanged(before);
  });
});
