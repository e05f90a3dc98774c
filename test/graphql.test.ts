import { buildSchema, isNonNullType } from "graphql";
import { describe, expect, it, vi } from "vitest";
import { typeDefs } from "../src/api/graphql/sdl";
import { call, createArticle, registerUser, type TestUser, timing, unique } from "./support/api";
import { probeD1 } from "./support/d1";
import { codes, gql, onlyError } from "./support/graphql";

// Every query and mutation of /graphql: success, and each way it is refused
// (unauthenticated, forbidden, not found, invalid input), with the codes and
// field messages of `extensions`. The rules are the domain's, so these check
// that the adapter reaches them, not the rules themselves (the REST suites do).

const SCHEMA = buildSchema(typeDefs);

/** Whether a root field is non-null, so that its error nulls the whole `data` (GraphQL's null propagation). */
function nonNullRoot(field: string): boolean {
  const root = SCHEMA.getQueryType()?.getFields()[field] ?? SCHEMA.getMutationType()?.getFields()[field];
  if (!root) throw new Error(`no root field ${field}`);
  return isNonNullType(root.type);
}

const ARTICLE = "slug title description body tagList createdAt updatedAt favorited favoritesCount author { username following }";

async function expectError(
  reply: Awaited<ReturnType<typeof gql>>,
  field: string,
  code: string,
  fields?: Record<string, string[]>,
) {
  expect(reply.status).toBe(200);
  const error = onlyError(reply);
  expect(error.path).toEqual([field]);
  expect(error.extensions?.code).toBe(code);
  if (fields) expect(error.extensions?.fields).toEqual(fields);
  expect(reply.body.data).toEqual(nonNullRoot(field) ? null : { [field]: null });
}

const createMutation = `mutation Create($input: CreateArticleInput!) { createArticle(input: $input) { ${ARTICLE} } }`;

async function gqlArticle(author: TestUser, tagList: string[] = []) {
  const input = { title: unique("GraphQL "), description: "d", body: "b", tagList };
  const reply = await gql(createMutation, { token: author.token, variables: { input } });
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data.createArticle as { slug: string; title: string; createdAt: string };
}

describe("queries", () => {
  it("me: the signed-in user with their token; UNAUTHENTICATED without one or with a revoked one", async () => {
    const user = await registerUser();
    const reply = await gql("{ me { email username token bio image } }", { token: user.token });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: { me: { email: user.email, username: user.username, token: user.token, bio: null, image: null } },
    });
    await expectError(await gql("{ me { username } }"), "me", "UNAUTHENTICATED");
    // A revoked token is found by the operation itself, in its first D1 batch.
    await call("POST", "/api/user/logout", { token: user.token });
    await expectError(await gql("{ me { username } }", { token: user.token }), "me", "UNAUTHENTICATED");
    await expectError(await gql("{ tags }", { token: user.token }), "tags", "UNAUTHENTICATED");
  });

  it("profile: by username ignoring case, `following` per viewer; NOT_FOUND", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    await gql(`mutation { followUser(username: "${author.username}") { following } }`, { token: reader.token });
    const query = `{ profile(username: "${author.username.toUpperCase()}") { username bio image following } }`;
    expect((await gql(query)).body).toEqual({
      data: { profile: { username: author.username, bio: null, image: null, following: false } },
    });
    expect((await gql(query, { token: reader.token })).body.data.profile.following).toBe(true);
    await expectError(await gql(`{ profile(username: "${unique("nobody")}") { username } }`), "profile", "NOT_FOUND");
  });

  it("article: with body, tags and `favorited` per viewer; NOT_FOUND", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const tag = unique("tag");
    const created = await createArticle(author, { body: "The whole body", tagList: [tag, "b"] });
    await call("POST", `/api/articles/${created.slug}/favorite`, { token: reader.token });
    const query = `{ article(slug: "${created.slug}") { ${ARTICLE} } }`;
    const anonymous = (await gql(query)).body.data.article;
    expect(anonymous).toMatchObject({
      slug: created.slug,
      body: "The whole body",
      tagList: ["b", tag], // alphabetical, as in REST
      favorited: false,
      favoritesCount: 1,
      createdAt: created.createdAt,
      author: { username: author.username, following: false },
    });
    expect((await gql(query, { token: reader.token })).body.data.article.favorited).toBe(true);
    await expectError(await gql('{ article(slug: "no-such-article") { slug } }'), "article", "NOT_FOUND");
  });

  it("articles: newest first, filters combine, totalCount counts every match; BAD_USER_INPUT for bad arguments", async () => {
    const author = await registerUser();
    const fan = await registerUser();
    const tag = unique("tag");
    const first = await gqlArticle(author, [tag]);
    const second = await gqlArticle(author, [tag]);
    await gqlArticle(author);
    await gql(`mutation { favoriteArticle(slug: "${first.slug}") { slug } }`, { token: fan.token });
    const list = async (args: string, token?: string) =>
      (await gql(`{ articles(${args}) { totalCount edges { node { slug favorited } } } }`, { token })).body.data.articles;
    expect(await list(`tag: "${tag}"`)).toEqual({
      totalCount: 2,
      edges: [{ node: { slug: second.slug, favorited: false } }, { node: { slug: first.slug, favorited: false } }],
    });
    expect((await list(`author: "${author.username}"`)).totalCount).toBe(3);
    expect(await list(`tag: "${tag}", author: "${author.username}", favorited: "${fan.username}"`, fan.token)).toEqual({
      totalCount: 1,
      edges: [{ node: { slug: first.slug, favorited: true } }],
    });
    expect(await list(`author: "${unique("nobody")}"`)).toEqual({ totalCount: 0, edges: [] });

    await expectError(await gql("{ articles(first: 0) { totalCount } }"), "articles", "BAD_USER_INPUT", {
      first: ["must be at least 1"],
    });
    await expectError(await gql("{ articles(first: 101) { totalCount } }"), "articles", "BAD_USER_INPUT", {
      first: ["must be at most 100"],
    });
    await expectError(await gql(`{ articles(tag: "${"x".repeat(201)}") { totalCount } }`), "articles", "BAD_USER_INPUT", {
      tag: ["is too long"],
    });
  });

  it("feed: articles of followed authors; UNAUTHENTICATED before BAD_USER_INPUT", async () => {
    const author = await registerUser();
    const stranger = await registerUser();
    const reader = await registerUser();
    const followed = await gqlArticle(author);
    await gqlArticle(stranger);
    await gql(`mutation { followUser(username: "${author.username}") { username } }`, { token: reader.token });
    const reply = await gql("{ feed { totalCount edges { node { slug author { username following } } } } }", {
      token: reader.token,
    });
    expect(reply.body).toEqual({
      data: {
        feed: {
          totalCount: 1,
          edges: [{ node: { slug: followed.slug, author: { username: author.username, following: true } } }],
        },
      },
    });
    await expectError(await gql("{ feed(first: 0) { totalCount } }"), "feed", "UNAUTHENTICATED");
    await expectError(await gql("{ feed(first: 0) { totalCount } }", { token: reader.token }), "feed", "BAD_USER_INPUT", {
      first: ["must be at least 1"],
    });
  });

  it("comments: of an article, newest first, also nested in the article; NOT_FOUND", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await gqlArticle(author);
    for (const body of ["first", "second"]) {
      await gql(`mutation { addComment(input: { slug: "${article.slug}", body: "${body}" }) { id } }`, { token: reader.token });
    }
    const reply = await gql(
      `{ comments(slug: "${article.slug}") { totalCount edges { node { id body createdAt updatedAt author { username } } } } }`,
    );
    expect(reply.body.data.comments.totalCount).toBe(2);
    const comments = reply.body.data.comments.edges.map((edge: { node: unknown }) => edge.node);
    expect(comments.map((comment: { body: string }) => comment.body)).toEqual(["second", "first"]);
    expect(comments[0]).toMatchObject({ id: expect.stringMatching(/^\d+$/), author: { username: reader.username } });
    const nested = await gql(`{ article(slug: "${article.slug}") { comments { edges { node { body } } } } }`);
    expect(nested.body.data.article.comments.edges).toEqual([{ node: { body: "second" } }, { node: { body: "first" } }]);
    await expectError(await gql('{ comments(slug: "no-such-article") { totalCount } }'), "comments", "NOT_FOUND");
  });

  it("tags: the most used first", async () => {
    const author = await registerUser();
    const popular = unique("popular");
    await gqlArticle(author, [popular]);
    await gqlArticle(author, [popular]);
    const reply = await gql("{ tags }");
    expect(reply.body.data.tags).toContain(popular);
    expect(reply.body.data.tags[0]).toBe(popular);
  });

  it("Profile.articles: an author's articles as a connection", async () => {
    const author = await registerUser();
    const a = await gqlArticle(author);
    const b = await gqlArticle(author);
    const reply = await gql(
      `{ profile(username: "${author.username}") { articles(first: 1) { totalCount edges { node { slug body } } pageInfo { hasNextPage } } } }`,
    );
    expect(reply.body.data.profile.articles).toEqual({
      totalCount: 2,
      edges: [{ node: { slug: b.slug, body: "b" } }],
      pageInfo: { hasNextPage: true },
    });
    const rest = await gql(`{ profile(username: "${author.username}") { articles(first: 5, after: "x") { totalCount } } }`);
    expect(onlyError(rest).extensions).toEqual({ code: "BAD_USER_INPUT", fields: { after: ["is not a valid cursor"] } });
    expect(a.slug).not.toBe(b.slug);
  });
});

describe("nullability", () => {
  it("is non-null wherever the server always has a value; nullable where null with an error is a real answer", () => {
    const type = (typeName: string, field: string) => String((SCHEMA.getType(typeName) as any).getFields()[field].type);
    expect(
      ["articles", "tags", "me", "feed", "profile", "article", "comments"].map((field) => [field, type("Query", field)]),
    ).toEqual([
      ["articles", "ArticleConnection!"],
      ["tags", "[String!]!"],
      ["me", "User"],
      ["feed", "ArticleConnection"],
      ["profile", "Profile"],
      ["article", "Article"],
      ["comments", "CommentConnection"],
    ]);
    expect([type("Profile", "articles"), type("Article", "comments"), type("Article", "author")]).toEqual([
      "ArticleConnection!",
      "CommentConnection!",
      "Profile!",
    ]);
    // A mutation a rule can refuse answers null beside its error; the next ones in the request still run.
    for (const field of Object.keys(SCHEMA.getMutationType()?.getFields() ?? {})) expect(nonNullRoot(field), field).toBe(false);
  });

  it("propagates an error in a non-null field to the nearest nullable parent", async () => {
    const author = await registerUser();
    await createArticle(author);
    // articles is non-null: a bad argument nulls the whole data, tags and all.
    const all = await gql("{ tags articles(first: 0) { totalCount } }");
    expect(all.body.data).toBeNull();
    expect(codes(all)).toEqual(["BAD_USER_INPUT"]);
    // Profile.articles is non-null: its error nulls the profile, which is nullable; tags survive.
    const one = await gql(`{ tags profile(username: "${author.username}") { username articles(first: 0) { totalCount } } }`);
    expect(one.body.data?.profile).toBeNull();
    expect(Array.isArray(one.body.data?.tags)).toBe(true);
    expect(onlyError(one).path).toEqual(["profile", "articles"]);
    // A refused mutation is null; the one after it runs.
    const both = await gql(
      `mutation { first: followUser(username: "${author.username}") { username } second: followUser(username: "${unique("nobody")}") { username } }`,
      { token: (await registerUser()).token },
    );
    expect(both.body.data).toEqual({ first: { username: author.username }, second: null });
    expect(codes(both)).toEqual(["NOT_FOUND"]);
  });
});

describe("cursor pagination", () => {
  it("walks every article once with first/after, with pageInfo and totalCount on each page", async () => {
    const author = await registerUser();
    const slugs: string[] = [];
    for (let i = 0; i < 5; i++) slugs.unshift((await gqlArticle(author)).slug);
    const page = async (after: string | null) =>
      (
        await gql(
          "query Page($author: String, $after: String) { articles(first: 2, author: $author, after: $after) { totalCount edges { cursor node { slug } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
          { variables: { author: author.username, after } },
        )
      ).body.data.articles;
    const seen: string[] = [];
    let after: string | null = null;
    const pages = [];
    do {
      const current = await page(after);
      pages.push(current);
      expect(current.totalCount).toBe(5);
      seen.push(...current.edges.map((edge: { node: { slug: string } }) => edge.node.slug));
      expect(current.pageInfo.startCursor).toBe(current.edges[0].cursor);
      expect(current.pageInfo.endCursor).toBe(current.edges.at(-1).cursor);
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(slugs);
    expect(pages.map((p) => [p.edges.length, p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual([
      [2, false, true],
      [2, true, true],
      [1, true, false],
    ]);
    // Any edge's cursor continues right after it.
    const fromSecond = await page(pages[0].edges[0].cursor);
    expect(fromSecond.edges.map((edge: { node: { slug: string } }) => edge.node.slug)).toEqual(slugs.slice(1, 3));
    // Past the end: an empty page.
    const beyond = await page(pages[2].edges[0].cursor);
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it("cursors are opaque, and one that is not ours is BAD_USER_INPUT", async () => {
    const author = await registerUser();
    await gqlArticle(author);
    const reply = await gql(`{ articles(author: "${author.username}") { edges { cursor node { slug } } } }`);
    const cursor = reply.body.data.articles.edges[0].cursor as string;
    const slug = reply.body.data.articles.edges[0].node.slug as string;
    expect(cursor).toMatch(/^c1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const [version, position, mac] = cursor.split(".") as [string, string, string];
    const forged = btoa(atob(position).replace(/\d+$/, "1")).replace(/=+$/, "");
    for (const bad of [
      "",
      "0",
      "not a cursor!",
      btoa("conduit:v1:1"),
      `${version}.${forged}.${mac}`,
      `${version}.${position}.${mac.slice(1)}A`,
      `${cursor}.x`,
      "x".repeat(65),
    ]) {
      const refused = await gql("query($after: String) { articles(after: $after) { totalCount } }", {
        variables: { after: bad },
      });
      expect(onlyError(refused).extensions, bad).toEqual({
        code: "BAD_USER_INPUT",
        fields: { after: ["is not a valid cursor"] },
      });
    }
    // A cursor of another list (a comment's), and a cursor on each side at once, are refused too.
    await gql(`mutation { addComment(input: { slug: "${slug}", body: "hi" }) { id } }`, { token: author.token });
    const comments = await gql(`{ comments(slug: "${slug}") { edges { cursor } } }`);
    const commentCursor = comments.body.data.comments.edges[0].cursor as string;
    const elsewhere = await gql(`{ articles(after: "${commentCursor}") { totalCount } }`);
    expect(onlyError(elsewhere).extensions).toEqual({ code: "BAD_USER_INPUT", fields: { after: ["is not a valid cursor"] } });
    const both = await gql(`{ articles(after: "${cursor}", before: "${cursor}") { totalCount } }`);
    expect(onlyError(both).extensions).toEqual({ code: "BAD_USER_INPUT", fields: { before: ["cannot be combined with after"] } });
  });
});

describe("mutations", () => {
  it("register: a user with a token; BAD_USER_INPUT with field messages, as REST gives them", async () => {
    const name = unique("gqlreg");
    const input = { username: name, email: `${name}@example.com`, password: "safe-pass-1" };
    const mutation = "mutation($input: RegisterInput!) { register(input: $input) { username email token bio image } }";
    const reply = await gql(mutation, { variables: { input } });
    expect(reply.body.data.register).toMatchObject({ username: name, email: input.email, bio: null, image: null });
    expect(reply.body.data.register.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await expectError(await gql(mutation, { variables: { input } }), "register", "BAD_USER_INPUT", {
      username: ["has already been taken"],
      email: ["has already been taken"],
    });
    const invalid = { username: "", email: "not-an-email", password: "short" };
    const refused = await gql(mutation, { variables: { input: invalid } });
    const rest = await call("POST", "/api/users", { body: { user: invalid } });
    await expectError(refused, "register", "BAD_USER_INPUT", rest.body.errors);
    expect(rest.body.errors).toEqual({
      username: ["can't be blank"],
      email: ["is invalid"],
      password: ["is too short (minimum is 8 characters)"],
    });
  });

  it("login: a user with a token; UNAUTHENTICATED for a wrong password; BAD_USER_INPUT", async () => {
    const user = await registerUser();
    const mutation = "mutation($input: LoginInput!) { login(input: $input) { username token } }";
    const reply = await gql(mutation, { variables: { input: { email: user.email, password: user.password } } });
    expect(reply.body.data.login.username).toBe(user.username);
    const wrong = await gql(mutation, { variables: { input: { email: user.email, password: "wrong password" } } });
    await expectError(wrong, "login", "UNAUTHENTICATED", { "email or password": ["is invalid"] });
    await expectError(await gql(mutation, { variables: { input: { email: " ", password: "x" } } }), "login", "BAD_USER_INPUT", {
      email: ["can't be blank"],
    });
  });

  it("updateUser: changes fields; a new password brings a new token; UNAUTHENTICATED; BAD_USER_INPUT", async () => {
    const user = await registerUser();
    const mutation = "mutation($input: UpdateUserInput!) { updateUser(input: $input) { username bio image token } }";
    const reply = await gql(mutation, {
      token: user.token,
      variables: { input: { bio: "Hello", image: "https://img.test/a.png" } },
    });
    expect(reply.body.data.updateUser).toMatchObject({ bio: "Hello", image: "https://img.test/a.png", token: user.token });
    const cleared = await gql(mutation, { token: user.token, variables: { input: { bio: null, image: "" } } });
    expect(cleared.body.data.updateUser).toMatchObject({ bio: null, image: null });

    const changed = await gql(mutation, { token: user.token, variables: { input: { password: "a new password" } } });
    const fresh = changed.body.data.updateUser.token as string;
    expect(fresh).not.toBe(user.token);
    await expectError(await gql("{ me { username } }", { token: user.token }), "me", "UNAUTHENTICATED");
    expect((await gql("{ me { username } }", { token: fresh })).body.data.me.username).toBe(user.username);

    await expectError(await gql(mutation, { variables: { input: { bio: "x" } } }), "updateUser", "UNAUTHENTICATED");
    await expectError(await gql(mutation, { token: fresh, variables: { input: {} } }), "updateUser", "BAD_USER_INPUT", {
      input: ["needs at least one field"],
    });
    await expectError(
      await gql(mutation, { token: fresh, variables: { input: { image: "ftp://x.test/a" } } }),
      "updateUser",
      "BAD_USER_INPUT",
      { image: ["must be an http(s) URL"] },
    );
  });

  it("createArticle: the article; UNAUTHENTICATED (before validation); BAD_USER_INPUT", async () => {
    const author = await registerUser();
    const input = { title: unique("Created "), description: "d", body: "b", tagList: ["one", "two", "one"] };
    const reply = await gql(createMutation, { token: author.token, variables: { input } });
    expect(reply.body.data.createArticle).toMatchObject({
      title: input.title,
      tagList: ["one", "two"],
      favorited: false,
      favoritesCount: 0,
      author: { username: author.username },
    });
    const blank = { title: " ", description: "d", body: "b" };
    await expectError(await gql(createMutation, { variables: { input: blank } }), "createArticle", "UNAUTHENTICATED");
    await expectError(
      await gql(createMutation, { token: author.token, variables: { input: blank } }),
      "createArticle",
      "BAD_USER_INPUT",
      {
        title: ["can't be blank"],
      },
    );
  });

  it("updateArticle: the slug follows the title; UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT", async () => {
    const author = await registerUser();
    const other = await registerUser();
    const article = await gqlArticle(author);
    const mutation = "mutation($input: UpdateArticleInput!) { updateArticle(input: $input) { slug title body updatedAt } }";
    const title = unique("Renamed ");
    const reply = await gql(mutation, { token: author.token, variables: { input: { slug: article.slug, title, body: "new" } } });
    const updated = reply.body.data.updateArticle;
    expect(updated).toMatchObject({ title, body: "new" });
    expect(updated.slug).not.toBe(article.slug);
    const input = { slug: updated.slug, body: "again" };
    await expectError(await gql(mutation, { variables: { input } }), "updateArticle", "UNAUTHENTICATED");
    await expectError(await gql(mutation, { token: other.token, variables: { input } }), "updateArticle", "FORBIDDEN");
    await expectError(
      await gql(mutation, { token: author.token, variables: { input: { slug: "no-such-article", body: "x" } } }),
      "updateArticle",
      "NOT_FOUND",
    );
    // Validation comes before the ownership check, as in REST.
    await expectError(
      await gql(mutation, { token: other.token, variables: { input: { slug: updated.slug } } }),
      "updateArticle",
      "BAD_USER_INPUT",
      { input: ["needs at least one field"] },
    );
  });

  it("deleteArticle: true, then it is gone; UNAUTHENTICATED, FORBIDDEN, NOT_FOUND", async () => {
    const author = await registerUser();
    const other = await registerUser();
    const article = await gqlArticle(author);
    const mutation = `mutation { deleteArticle(slug: "${article.slug}") }`;
    await expectError(await gql(mutation), "deleteArticle", "UNAUTHENTICATED");
    await expectError(await gql(mutation, { token: other.token }), "deleteArticle", "FORBIDDEN");
    expect((await gql(mutation, { token: author.token })).body).toEqual({ data: { deleteArticle: true } });
    await expectError(await gql(mutation, { token: author.token }), "deleteArticle", "NOT_FOUND");
    await expectError(await gql(`{ article(slug: "${article.slug}") { slug } }`), "article", "NOT_FOUND");
  });

  it("favoriteArticle and unfavoriteArticle: idempotent counts; UNAUTHENTICATED; NOT_FOUND", async () => {
    const author = await registerUser();
    const fan = await registerUser();
    const article = await gqlArticle(author);
    const favorite = `mutation { favoriteArticle(slug: "${article.slug}") { favorited favoritesCount } }`;
    const unfavorite = `mutation { unfavoriteArticle(slug: "${article.slug}") { favorited favoritesCount } }`;
    expect((await gql(favorite, { token: fan.token })).body.data.favoriteArticle).toEqual({ favorited: true, favoritesCount: 1 });
    expect((await gql(favorite, { token: fan.token })).body.data.favoriteArticle).toEqual({ favorited: true, favoritesCount: 1 });
    expect((await gql(unfavorite, { token: fan.token })).body.data.unfavoriteArticle).toEqual({
      favorited: false,
      favoritesCount: 0,
    });
    await expectError(await gql(favorite), "favoriteArticle", "UNAUTHENTICATED");
    await expectError(await gql(unfavorite), "unfavoriteArticle", "UNAUTHENTICATED");
    await expectError(
      await gql('mutation { favoriteArticle(slug: "no-such-article") { slug } }', { token: fan.token }),
      "favoriteArticle",
      "NOT_FOUND",
    );
    await expectError(
      await gql('mutation { unfavoriteArticle(slug: "no-such-article") { slug } }', { token: fan.token }),
      "unfavoriteArticle",
      "NOT_FOUND",
    );
  });

  it("addComment: the comment; UNAUTHENTICATED, NOT_FOUND, BAD_USER_INPUT", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await gqlArticle(author);
    const mutation = "mutation($input: AddCommentInput!) { addComment(input: $input) { id body author { username following } } }";
    const reply = await gql(mutation, { token: reader.token, variables: { input: { slug: article.slug, body: "Nice" } } });
    expect(reply.body.data.addComment).toMatchObject({ body: "Nice", author: { username: reader.username, following: false } });
    await expectError(
      await gql(mutation, { variables: { input: { slug: article.slug, body: "x" } } }),
      "addComment",
      "UNAUTHENTICATED",
    );
    await expectError(
      await gql(mutation, { token: reader.token, variables: { input: { slug: "no-such-article", body: "x" } } }),
      "addComment",
      "NOT_FOUND",
    );
    await expectError(
      await gql(mutation, { token: reader.token, variables: { input: { slug: article.slug, body: "  " } } }),
      "addComment",
      "BAD_USER_INPUT",
      { body: ["can't be blank"] },
    );
  });

  it("deleteComment: only its author; UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await gqlArticle(author);
    const added = await gql(`mutation { addComment(input: { slug: "${article.slug}", body: "mine" }) { id } }`, {
      token: reader.token,
    });
    const id = added.body.data.addComment.id as string;
    const mutation = "mutation($input: DeleteCommentInput!) { deleteComment(input: $input) }";
    const input = { slug: article.slug, id };
    await expectError(await gql(mutation, { variables: { input } }), "deleteComment", "UNAUTHENTICATED");
    await expectError(await gql(mutation, { token: author.token, variables: { input } }), "deleteComment", "FORBIDDEN");
    expect((await gql(mutation, { token: reader.token, variables: { input } })).body).toEqual({ data: { deleteComment: true } });
    await expectError(await gql(mutation, { token: reader.token, variables: { input } }), "deleteComment", "NOT_FOUND");
    await expectError(
      await gql(mutation, { token: reader.token, variables: { input: { slug: article.slug, id: "abc" } } }),
      "deleteComment",
      "BAD_USER_INPUT",
      { id: ["must be a positive integer"] },
    );
    // An Int literal is a valid ID too.
    await expectError(
      await gql(`mutation { deleteComment(input: { slug: "${article.slug}", id: 0 }) }`, { token: reader.token }),
      "deleteComment",
      "BAD_USER_INPUT",
      { id: ["must be a positive integer"] },
    );
  });

  it("followUser and unfollowUser: the profile; UNAUTHENTICATED, NOT_FOUND, BAD_USER_INPUT for oneself", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const follow = `mutation { followUser(username: "${author.username}") { username following } }`;
    const unfollow = `mutation { unfollowUser(username: "${author.username}") { username following } }`;
    expect((await gql(follow, { token: reader.token })).body.data.followUser).toEqual({
      username: author.username,
      following: true,
    });
    expect((await gql(unfollow, { token: reader.token })).body.data.unfollowUser).toEqual({
      username: author.username,
      following: false,
    });
    await expectError(await gql(follow), "followUser", "UNAUTHENTICATED");
    await expectError(await gql(unfollow), "unfollowUser", "UNAUTHENTICATED");
    await expectError(
      await gql(`mutation { followUser(username: "${unique("nobody")}") { username } }`, { token: reader.token }),
      "followUser",
      "NOT_FOUND",
    );
    await expectError(
      await gql(`mutation { unfollowUser(username: "${unique("nobody")}") { username } }`, { token: reader.token }),
      "unfollowUser",
      "NOT_FOUND",
    );
    await expectError(
      await gql(`mutation { followUser(username: "${reader.username}") { username } }`, { token: reader.token }),
      "followUser",
      "BAD_USER_INPUT",
      { username: ["is your own: you cannot follow yourself"] },
    );
  });

  it("runs several mutations in order, each on its own: one failing does not stop the others", async () => {
    const author = await registerUser();
    const article = await gqlArticle(author);
    const reply = await gql(
      `mutation {
        a: addComment(input: { slug: "${article.slug}", body: "one" }) { body }
        b: addComment(input: { slug: "no-such-article", body: "two" }) { body }
        c: favoriteArticle(slug: "${article.slug}") { favoritesCount comments { edges { node { body } } } }
      }`,
      { token: author.token },
    );
    expect(reply.body.data).toEqual({
      a: { body: "one" },
      b: null,
      c: { favoritesCount: 1, comments: { edges: [{ node: { body: "one" } }] } },
    });
    expect(codes(reply)).toEqual(["NOT_FOUND"]);
  });
});

describe("writes and the cache", () => {
  it("a GraphQL write drops the cached REST views it changes, like a REST write", async () => {
    const author = await registerUser();
    const path = `/api/articles?author=${author.username}`;
    expect((await call("GET", path)).body.articlesCount).toBe(0);
    expect(timing(await call("GET", path)).cache).toBe("hit");
    await gqlArticle(author);
    const after = await call("GET", path);
    expect(after.body.articlesCount).toBe(1);
    expect(timing(after).cache).toBe("miss");
  });
});

describe("errors show nothing internal", () => {
  it("a D1 outage is SERVICE_UNAVAILABLE with REST's message", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const reply = await gql("{ tags }", { env: probeD1({ failTrip: 1 }).env });
    expect(reply.status).toBe(200);
    expect(onlyError(reply)).toMatchObject({
      message: "the database is temporarily unavailable, please retry",
      extensions: { code: "SERVICE_UNAVAILABLE" },
    });
  });

  it("an unexpected error is INTERNAL_SERVER_ERROR, 'internal error', logged with the request id", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const probe = probeD1({ failTrip: 1, error: () => new TypeError("cannot read properties of undefined (reading 'id')") });
    const reply = await gql("{ tags }", { env: probe.env, headers: { "X-Request-Id": "gql-trace-1" } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      // `tags` is non-null: its error nulls the whole result.
      data: null,
      errors: [
        {
          message: "internal error",
          locations: [{ line: 1, column: 3 }],
          path: ["tags"],
          extensions: { code: "INTERNAL_SERVER_ERROR" },
        },
      ],
    });
    expect(reply.text).not.toContain("reading");
    expect(
      logged.mock.calls.map((args) => String(args[0])).some((line) => line.includes("gql-trace-1") && line.includes("reading")),
    ).toBe(true);
  });
});
