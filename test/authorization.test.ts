import { beforeAll, describe, expect, it } from "vitest";
import { call, createArticle, type Reply, registerUser, type TestUser, timing, unique } from "./support/api";
import { rows } from "./support/d1";
import { gql } from "./support/graphql";
import { jsonapi, linkage, resource } from "./support/jsonapi";
import { expectUnchanged, type Snapshot, snapshot } from "./support/snapshot";
import { errorsOf, type Style, toXml, XML, xmlBody } from "./support/styles";

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
// The table has a `style` column: "rest" (JSON), "xml" (the same REST routes
// in XML: every REST row is run again with XML bodies and answers), "graphql"
// (one mutation per row; a refusal is a 200 whose one error has the code of
// the REST status) and "jsonapi" (its own routes; a refusal is an error
// document with the same status and the domain's message).
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

/** For GraphQL: the document, its variables and the (one) root field it selects. */
type Sent = { method: string; path: string; body?: unknown; graphql?: { query: string; variables?: unknown; field: string } };
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

const articleRow = async (id: number) => (await rows("SELECT * FROM articles WHERE id = ?", id))[0];
const follows = (follower: number, followee: number) =>
  rows("SELECT * FROM follows WHERE follower_id = ? AND followee_id = ?", follower, followee);
const favorites = (user: number, article: number) =>
  rows("SELECT * FROM favorites WHERE user_id = ? AND article_id = ?", user, article);

const ONLY_AUTHOR_UPDATE = { body: ["only the author can update this article"] };
const ONLY_AUTHOR_DELETE = { body: ["only the author can delete this article"] };
const ONLY_AUTHOR_COMMENT = { body: ["only the author can delete this comment"] };
const SELF_FOLLOW = { username: ["is your own: you cannot follow yourself"] };

const unchanged = async ({ before }: EffectContext) => expectUnchanged(before);

// --- the operations -----------------------------------------------------------

/** The same outcome for the stranger and the owner (operations on the caller's own state). */
const anyone = (status: 200 | 201 | 204, effect: (ctx: EffectContext) => Promise<void>) =>
  Object.fromEntries((["stranger", "owner"] as const).map((who) => [who, { status, effect }]));

/**
 * An email change: the answer carries a fresh token and the one sent is
 * revoked (like a password change). The actor goes on with the fresh token
 * and the new email, so that later cells still act as them.
 */
const emailChanged =
  (tokenIn: (reply: Reply) => string, emailIn: (sent: Sent) => string) =>
  async ({ reply, actor, sent }: EffectContext) => {
    const email = emailIn(sent);
    const token = tokenIn(reply);
    expect(token).not.toBe(actor.token);
    expect((await call("GET", "/api/user", { token: actor.token })).status, "the token sent is revoked").toBe(401);
    expect((await call("GET", "/api/user", { token })).body.user).toMatchObject({ email, username: actor.username });
    expect(await rows("SELECT id FROM users WHERE email = ?", email)).toEqual([{ id: actor.id }]);
    actor.token = token;
    actor.email = email;
  };
const newEmail = () => `${unique("moved")}@example.com`;

const REST_OPERATIONS: Operation[] = [
  {
    style: "rest",
    name: "PUT /api/user changing the email",
    request: () => ({ method: "PUT", path: "/api/user", body: { user: { email: newEmail() } } }),
    outcomes: anyone(
      200,
      emailChanged(
        (reply) => reply.body.user.token,
        (sent) => (sent.body as { user: { email: string } }).user.email,
      ),
    ),
  },
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

// XML: every REST operation again, with XML bodies and answers (the
// transport reads the answer back into the JSON shape, so the effects hold).
const XML_OPERATIONS: Operation[] = REST_OPERATIONS.map((op) => ({ ...op, style: "xml" as const }));

// GraphQL: every mutation. Outcomes name the REST status of the domain's
// answer; the transport expects HTTP 200 with the code for it.
const ARTICLE_FIELDS = "slug body favorited favoritesCount author { username }";
const mutation = (field: string, query: string, variables?: unknown): Sent => ({
  method: "POST",
  path: "/graphql",
  graphql: { query, field, ...(variables === undefined ? {} : { variables }) },
});
const varsOf = (sent: Sent) => (sent.graphql?.variables ?? {}) as { input: Record<string, string> };
const data = (reply: Reply, field: string) => {
  expect(reply.body.errors, JSON.stringify(reply.body.errors)).toBeUndefined();
  return reply.body.data[field];
};

const GRAPHQL_OPERATIONS: Operation[] = [
  {
    style: "graphql",
    name: "updateUser changing the email",
    request: () =>
      mutation("updateUser", "mutation($input: UpdateUserInput!) { updateUser(input: $input) { email token } }", {
        input: { email: newEmail() },
      }),
    outcomes: anyone(
      200,
      emailChanged(
        (reply) => data(reply, "updateUser").token,
        (sent) => varsOf(sent).input.email ?? "",
      ),
    ),
  },
  {
    style: "graphql",
    name: "updateUser",
    request: () =>
      mutation("updateUser", "mutation($input: UpdateUserInput!) { updateUser(input: $input) { username bio } }", {
        input: { bio: unique("bio ") },
      }),
    outcomes: anyone(200, async ({ reply, actor, sent }) => {
      const { bio } = varsOf(sent).input;
      expect(data(reply, "updateUser")).toEqual({ username: actor.username, bio });
      expect(await rows("SELECT id FROM users WHERE bio = ?", bio)).toEqual([{ id: actor.id }]);
    }),
  },
  {
    style: "graphql",
    name: "followUser",
    request: (u) => mutation("followUser", `mutation { followUser(username: "${u.owner.username}") { username following } }`),
    prepare: async (u) => {
      await call("DELETE", `/api/profiles/${u.owner.username}/follow`, { token: u.stranger.token });
    },
    outcomes: {
      stranger: {
        status: 200,
        effect: async ({ reply, actor, users }) => {
          expect(data(reply, "followUser")).toEqual({ username: users.owner.username, following: true });
          expect(await follows(actor.id, users.owner.id)).toHaveLength(1);
        },
      },
      owner: { status: 422, errors: SELF_FOLLOW },
    },
  },
  {
    style: "graphql",
    name: "unfollowUser",
    request: (u) => mutation("unfollowUser", `mutation { unfollowUser(username: "${u.owner.username}") { username following } }`),
    prepare: async (u) => {
      await call("POST", `/api/profiles/${u.owner.username}/follow`, { token: u.stranger.token });
      expect(await follows(u.stranger.id, u.owner.id)).toHaveLength(1);
    },
    outcomes: {
      stranger: {
        status: 200,
        effect: async ({ reply, actor, users }) => {
          expect(data(reply, "unfollowUser")).toEqual({ username: users.owner.username, following: false });
          expect(await follows(actor.id, users.owner.id)).toEqual([]);
        },
      },
      owner: { status: 422, errors: SELF_FOLLOW },
    },
  },
  {
    style: "graphql",
    name: "createArticle",
    request: () =>
      mutation("createArticle", `mutation($input: CreateArticleInput!) { createArticle(input: $input) { ${ARTICLE_FIELDS} } }`, {
        input: { title: unique("Matrix "), description: "d", body: "b", tagList: [] },
      }),
    outcomes: anyone(200, async ({ reply, actor }) => {
      const created = data(reply, "createArticle");
      expect(created.author.username).toBe(actor.username);
      expect((await rows("SELECT author_id FROM articles WHERE slug = ?", created.slug))[0]?.author_id).toBe(actor.id);
    }),
  },
  {
    style: "graphql",
    name: "updateArticle",
    request: (_, t) =>
      mutation("updateArticle", `mutation($input: UpdateArticleInput!) { updateArticle(input: $input) { ${ARTICLE_FIELDS} } }`, {
        input: { slug: t.slug, body: unique("changed ") },
      }),
    outcomes: {
      stranger: { status: 403, errors: ONLY_AUTHOR_UPDATE },
      owner: {
        status: 200,
        effect: async ({ reply, target, sent }) => {
          const { body } = varsOf(sent).input;
          expect(data(reply, "updateArticle").body).toBe(body);
          expect((await articleRow(target.articleId))?.body).toBe(body);
        },
      },
    },
  },
  {
    style: "graphql",
    name: "deleteArticle",
    request: (_, t) => mutation("deleteArticle", `mutation { deleteArticle(slug: "${t.slug}") }`),
    outcomes: {
      stranger: { status: 403, errors: ONLY_AUTHOR_DELETE },
      owner: {
        status: 200,
        effect: async ({ reply, target }) => {
          expect(data(reply, "deleteArticle")).toBe(true);
          expect(await articleRow(target.articleId)).toBeUndefined();
        },
      },
    },
  },
  {
    style: "graphql",
    name: "favoriteArticle",
    request: (_, t) => mutation("favoriteArticle", `mutation { favoriteArticle(slug: "${t.slug}") { ${ARTICLE_FIELDS} } }`),
    outcomes: anyone(200, async ({ reply, actor, target }) => {
      expect(data(reply, "favoriteArticle")).toMatchObject({ favorited: true, favoritesCount: 1 });
      expect(await favorites(actor.id, target.articleId)).toHaveLength(1);
    }),
  },
  {
    style: "graphql",
    name: "unfavoriteArticle",
    request: (_, t) => mutation("unfavoriteArticle", `mutation { unfavoriteArticle(slug: "${t.slug}") { ${ARTICLE_FIELDS} } }`),
    prepare: async (u, t) => {
      for (const user of [u.owner, u.stranger]) {
        expect((await call("POST", `/api/articles/${t.slug}/favorite`, { token: user.token })).status).toBe(200);
      }
    },
    outcomes: anyone(200, async ({ reply, actor, target }) => {
      expect(data(reply, "unfavoriteArticle")).toMatchObject({ favorited: false, favoritesCount: 1 });
      expect(await favorites(actor.id, target.articleId)).toEqual([]);
      expect(await rows("SELECT * FROM favorites WHERE article_id = ?", target.articleId)).toHaveLength(1);
    }),
  },
  {
    style: "graphql",
    name: "addComment",
    request: (_, t) =>
      mutation("addComment", "mutation($input: AddCommentInput!) { addComment(input: $input) { id body author { username } } }", {
        input: { slug: t.slug, body: unique("c ") },
      }),
    outcomes: anyone(200, async ({ reply, actor, target }) => {
      const added = data(reply, "addComment");
      expect(added.author.username).toBe(actor.username);
      const [row] = await rows("SELECT * FROM comments WHERE id = ?", Number(added.id));
      expect(row).toMatchObject({ author_id: actor.id, article_id: target.articleId });
    }),
  },
  {
    style: "graphql",
    name: "deleteComment",
    request: (_, t) =>
      mutation("deleteComment", "mutation($input: DeleteCommentInput!) { deleteComment(input: $input) }", {
        input: { slug: t.commentSlug, id: String(t.commentId) },
      }),
    outcomes: {
      stranger: { status: 403, errors: ONLY_AUTHOR_COMMENT },
      articleAuthor: { status: 403, errors: ONLY_AUTHOR_COMMENT },
      owner: {
        status: 200,
        effect: async ({ reply, target }) => {
          expect(data(reply, "deleteComment")).toBe(true);
          expect(await rows("SELECT * FROM comments WHERE id = ?", target.commentId)).toEqual([]);
        },
      },
    },
  },
];

// JSON:API: every write, plus the viewer-only resources named by the owner's
// id, which is where "another user" is refused (at /users/me everyone acts on
// their own account).
const ONLY_VIEWER_UPDATE = { body: ["only the signed-in user can be updated, at /jsonapi/users/me"] };
const ONLY_VIEWER_RELATIONSHIPS = {
  body: ["only the signed-in user's relationships can be changed, at /jsonapi/users/me/relationships/…"],
};
const jsonBody = (sent: Sent) => sent.body as { data: { attributes: Record<string, string> } };
const bioUpdated = async ({ reply, actor, sent }: EffectContext) => {
  const { bio } = jsonBody(sent).data.attributes;
  expect(reply.body.data).toMatchObject({ type: "users", id: String(actor.id), attributes: { username: actor.username, bio } });
  expect(await rows("SELECT id FROM users WHERE bio = ?", bio)).toEqual([{ id: actor.id }]);
};
const favorited = async ({ reply, actor, target }: EffectContext) => {
  expect(reply.text).toBe("");
  expect(await favorites(actor.id, target.articleId)).toHaveLength(1);
  expect((await articleRow(target.articleId))?.favorites_count).toBe(1);
};

const JSONAPI_OPERATIONS: Operation[] = [
  {
    style: "jsonapi",
    name: "PATCH /jsonapi/users/me changing the email",
    request: () => ({
      method: "PATCH",
      path: "/jsonapi/users/me",
      body: resource("users", { id: "me", attributes: { email: newEmail() } }),
    }),
    outcomes: anyone(
      200,
      emailChanged(
        (reply) => reply.body.meta.token,
        (sent) => jsonBody(sent).data.attributes.email ?? "",
      ),
    ),
  },
  {
    style: "jsonapi",
    name: "PATCH /jsonapi/users/me",
    request: () => ({
      method: "PATCH",
      path: "/jsonapi/users/me",
      body: resource("users", { id: "me", attributes: { bio: unique("bio ") } }),
    }),
    outcomes: anyone(200, bioUpdated),
  },
  {
    style: "jsonapi",
    name: "PATCH /jsonapi/users/:ownerId",
    request: (u) => ({
      method: "PATCH",
      path: `/jsonapi/users/${u.owner.id}`,
      body: resource("users", { id: String(u.owner.id), attributes: { bio: unique("bio ") } }),
    }),
    outcomes: { stranger: { status: 403, errors: ONLY_VIEWER_UPDATE }, owner: { status: 200, effect: bioUpdated } },
  },
  {
    style: "jsonapi",
    name: "POST /jsonapi/articles",
    request: () => ({
      method: "POST",
      path: "/jsonapi/articles",
      body: resource("articles", { attributes: { title: unique("Matrix "), description: "d", body: "b" } }),
    }),
    outcomes: anyone(201, async ({ reply, actor }) => {
      expect(reply.body.data.relationships.author.data).toEqual({ type: "users", id: String(actor.id) });
      expect((await articleRow(Number(reply.body.data.id)))?.author_id).toBe(actor.id);
    }),
  },
  {
    style: "jsonapi",
    name: "PATCH /jsonapi/articles/:id",
    request: (_, t) => ({
      method: "PATCH",
      path: `/jsonapi/articles/${t.articleId}`,
      body: resource("articles", { id: String(t.articleId), attributes: { body: unique("changed ") } }),
    }),
    outcomes: {
      stranger: { status: 403, errors: ONLY_AUTHOR_UPDATE },
      owner: {
        status: 200,
        effect: async ({ reply, target, sent }) => {
          const { body } = jsonBody(sent).data.attributes;
          expect(reply.body.data.attributes.body).toBe(body);
          expect((await articleRow(target.articleId))?.body).toBe(body);
        },
      },
    },
  },
  {
    style: "jsonapi",
    name: "DELETE /jsonapi/articles/:id",
    request: (_, t) => ({ method: "DELETE", path: `/jsonapi/articles/${t.articleId}` }),
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
    style: "jsonapi",
    name: "POST /jsonapi/comments",
    request: (_, t) => ({
      method: "POST",
      path: "/jsonapi/comments",
      body: resource("comments", {
        attributes: { body: unique("c ") },
        relationships: { article: { data: { type: "articles", id: String(t.articleId) } } },
      }),
    }),
    outcomes: anyone(201, async ({ reply, actor, target }) => {
      expect(reply.body.data.relationships.author.data).toEqual({ type: "users", id: String(actor.id) });
      const [row] = await rows("SELECT * FROM comments WHERE id = ?", Number(reply.body.data.id));
      expect(row).toMatchObject({ author_id: actor.id, article_id: target.articleId });
    }),
  },
  {
    style: "jsonapi",
    name: "DELETE /jsonapi/comments/:id",
    request: (_, t) => ({ method: "DELETE", path: `/jsonapi/comments/${t.commentId}` }),
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
    style: "jsonapi",
    name: "POST /jsonapi/users/me/relationships/favorites",
    request: (_, t) => ({
      method: "POST",
      path: "/jsonapi/users/me/relationships/favorites",
      body: linkage("articles", t.articleId),
    }),
    outcomes: anyone(204, favorited),
  },
  {
    style: "jsonapi",
    name: "DELETE /jsonapi/users/me/relationships/favorites",
    request: (_, t) => ({
      method: "DELETE",
      path: "/jsonapi/users/me/relationships/favorites",
      body: linkage("articles", t.articleId),
    }),
    prepare: async (u, t) => {
      for (const user of [u.owner, u.stranger]) {
        expect((await call("POST", `/api/articles/${t.slug}/favorite`, { token: user.token })).status).toBe(200);
      }
    },
    outcomes: anyone(204, async ({ reply, actor, target }) => {
      expect(reply.text).toBe("");
      expect(await favorites(actor.id, target.articleId)).toEqual([]);
      expect(await rows("SELECT * FROM favorites WHERE article_id = ?", target.articleId)).toHaveLength(1);
    }),
  },
  {
    style: "jsonapi",
    name: "POST /jsonapi/users/:ownerId/relationships/favorites",
    request: (u, t) => ({
      method: "POST",
      path: `/jsonapi/users/${u.owner.id}/relationships/favorites`,
      body: linkage("articles", t.articleId),
    }),
    outcomes: { stranger: { status: 403, errors: ONLY_VIEWER_RELATIONSHIPS }, owner: { status: 204, effect: favorited } },
  },
  {
    style: "jsonapi",
    name: "POST /jsonapi/users/me/relationships/following",
    request: (u) => ({ method: "POST", path: "/jsonapi/users/me/relationships/following", body: linkage("users", u.owner.id) }),
    prepare: async (u) => {
      await call("DELETE", `/api/profiles/${u.owner.username}/follow`, { token: u.stranger.token });
    },
    outcomes: {
      stranger: {
        status: 204,
        effect: async ({ actor, users }) => expect(await follows(actor.id, users.owner.id)).toHaveLength(1),
      },
      owner: { status: 422, errors: SELF_FOLLOW },
    },
  },
  {
    style: "jsonapi",
    name: "DELETE /jsonapi/users/me/relationships/following",
    request: (u) => ({ method: "DELETE", path: "/jsonapi/users/me/relationships/following", body: linkage("users", u.owner.id) }),
    prepare: async (u) => {
      await call("POST", `/api/profiles/${u.owner.username}/follow`, { token: u.stranger.token });
      expect(await follows(u.stranger.id, u.owner.id)).toHaveLength(1);
    },
    outcomes: {
      stranger: {
        status: 204,
        effect: async ({ actor, users }) => expect(await follows(actor.id, users.owner.id)).toEqual([]),
      },
      owner: { status: 422, errors: SELF_FOLLOW },
    },
  },
  {
    style: "jsonapi",
    name: "DELETE /jsonapi/users/:ownerId/relationships/following",
    request: (u) => ({
      method: "DELETE",
      path: `/jsonapi/users/${u.owner.id}/relationships/following`,
      body: linkage("users", u.stranger.id),
    }),
    // The owner follows the stranger: a refused removal has something to remove.
    prepare: async (u) => {
      await call("POST", `/api/profiles/${u.stranger.username}/follow`, { token: u.owner.token });
      expect(await follows(u.owner.id, u.stranger.id)).toHaveLength(1);
    },
    outcomes: {
      stranger: { status: 403, errors: ONLY_VIEWER_RELATIONSHIPS },
      owner: {
        status: 204,
        effect: async ({ users }) => expect(await follows(users.owner.id, users.stranger.id)).toEqual([]),
      },
    },
  },
];

const OPERATIONS: Operation[] = [...REST_OPERATIONS, ...XML_OPERATIONS, ...GRAPHQL_OPERATIONS, ...JSONAPI_OPERATIONS];

// --- transports, one per style --------------------------------------------------

const TRANSPORTS: Record<Style, (sent: Sent, token: string | null) => Promise<Reply>> = {
  rest: (sent, token) => call(sent.method, sent.path, { token, ...(sent.body === undefined ? {} : { body: sent.body }) }),
  // The answer is read back into the JSON shape, for the effects; `text` stays the XML.
  xml: async (sent, token) => {
    const headers: Record<string, string> = { Accept: XML, ...(sent.body === undefined ? {} : { "Content-Type": XML }) };
    const reply = await call(sent.method, sent.path, {
      token,
      headers,
      ...(sent.body === undefined ? {} : { rawBody: toXml(sent.body) }),
    });
    if (reply.status !== 204) expect(reply.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    return { ...reply, body: xmlBody(reply.text) };
  },
  graphql: (sent, token) => {
    if (!sent.graphql) throw new Error("a GraphQL row without a document");
    return gql(sent.graphql.query, { token, variables: sent.graphql.variables as Record<string, unknown> | undefined });
  },
  jsonapi: (sent, token) => jsonapi(sent.method, sent.path, { token, ...(sent.body === undefined ? {} : { body: sent.body }) }),
};

const GRAPHQL_CODES: Record<number, string> = {
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  422: "BAD_USER_INPUT",
};
const JSONAPI_CODES: Record<number, string> = { 401: "unauthenticated", 403: "forbidden", 404: "not_found", 422: "invalid" };

/** A refusal, as each style words it: the REST status and messages, in that style's shape. */
function expectRefusal(
  op: Operation,
  sent: Sent,
  reply: Reply,
  outcome: { status: number; errors: Record<string, string[]> },
  label: string,
) {
  const [[field, [message] = []] = ["", []]] = Object.entries(outcome.errors);
  switch (op.style) {
    case "rest":
    case "xml":
      expect(reply.status, label).toBe(outcome.status);
      expect(errorsOf(op.style, reply, label), label).toEqual(outcome.errors);
      if (outcome.status === 401) expect(reply.headers.get("www-authenticate")).toBe('Token realm="conduit"');
      return;
    case "jsonapi": {
      expect(reply.status, label).toBe(outcome.status);
      const errors = errorsOf("jsonapi", reply, label);
      expect(Object.keys(errors), label).toEqual([JSONAPI_CODES[outcome.status]]);
      const details = Object.values(errors).flat();
      expect(details, label).toHaveLength(1);
      expect(details[0], label).toContain(message);
      if (outcome.status === 401) expect(reply.headers.get("www-authenticate")).toBe('Token realm="conduit"');
      return;
    }
    case "graphql": {
      // The operation ran and refused: HTTP 200, the field null, one error with the code.
      const root = sent.graphql?.field ?? "";
      expect(reply.status, label).toBe(200);
      expect(errorsOf("graphql", reply, label), label).toEqual({ [GRAPHQL_CODES[outcome.status] ?? ""]: [expect.any(String)] });
      const [error] = reply.body.errors;
      expect(error.path, label).toEqual([root]);
      expect(reply.body.data, label).toEqual({ [root]: null });
      if (field === "body") expect(error.message, label).toBe(message);
      else expect(error.extensions.fields, label).toEqual(outcome.errors);
      return;
    }
  }
}

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
    const status = op.style === "graphql" ? `200/${GRAPHQL_CODES[outcome.status]}` : outcome.status;
    return `[${op.style}] ${op.name} by ${who} is refused with ${status} (${field}: ${message}) and changes nothing`;
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

  it("covers every operation for anonymous, revoked, stranger and owner callers, in every style", () => {
    const perStyle = (style: Style) => OPERATIONS.filter((op) => op.style === style).length;
    expect({ rest: perStyle("rest"), xml: perStyle("xml"), graphql: perStyle("graphql"), jsonapi: perStyle("jsonapi") }).toEqual({
      rest: 13,
      xml: 13,
      graphql: 11,
      jsonapi: 14,
    });
    for (const op of OPERATIONS) {
      const actors = CELLS.filter((cell) => cell.op === op).map((cell) => cell.actor);
      expect(actors, op.name).toEqual(expect.arrayContaining(["anonymous", "revoked", "stranger", "owner"]));
    }
    // Comment deletion also by the article's author, once per style.
    expect(CELLS).toHaveLength(51 * 4 + 4);
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

      if ("errors" in outcome) {
        expectRefusal(op, sent, reply, outcome, label);
        await expectUnchanged(before, label);
      } else {
        expect(reply.status, label).toBe(outcome.status);
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

describe("a revoked token is a 401 on every route, even where nothing else reaches D1", () => {
  // Requests whose answers need no D1: an anonymous caller costs no round
  // trip; a caller with a token costs the one that checks it. (REST and XML
  // answer nothing from outside D1 to a signed-in caller: the KV cache serves
  // anonymous readers only.)
  const ROUTES: { style: Style; name: string; send: (token: string | null) => Promise<Reply> }[] = [
    { style: "jsonapi", name: "GET /jsonapi", send: (token) => jsonapi("GET", "/jsonapi", { token }) },
    { style: "graphql", name: "POST /graphql { __typename }", send: (token) => gql("{ __typename }", { token }) },
    {
      style: "graphql",
      name: "GET /graphql?query={ __typename }",
      send: (token) =>
        call("GET", `/graphql?query=${encodeURIComponent("{ __typename }")}`, {
          token,
          headers: { Accept: "application/graphql-response+json" },
        }),
    },
  ];
  const tripsOf = (reply: Reply) => timing(reply).d1;

  let revoked: string;
  let valid: string;
  beforeAll(async () => {
    const user = await registerUser();
    revoked = user.token;
    const changed = await call("PUT", "/api/user", { token: user.token, body: { user: { password: "a brand new password" } } });
    valid = changed.body.user.token;
  });

  for (const route of ROUTES) {
    it(`[${route.style}] ${route.name}: 401 to a revoked token (one round trip), 200 to anonymous callers (none)`, async () => {
      const refused = await route.send(revoked);
      expect(refused.status, refused.text).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Token realm="conduit"');
      expect(Object.values(errorsOf(route.style, refused)).flat()).toEqual(["token is no longer valid"]);
      expect(tripsOf(refused)).toBe(1);

      const anonymous = await route.send(null);
      expect(anonymous.status).toBe(200);
      expect(tripsOf(anonymous)).toBe(0);
      const signedIn = await route.send(valid);
      expect(signedIn.status).toBe(anonymous.status);
      expect(tripsOf(signedIn)).toBe(1);
    });
  }
});
