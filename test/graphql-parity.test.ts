import { describe, expect, it } from "vitest";
import { call, unique } from "./support/api";
import { gql } from "./support/graphql";

// One full scenario played twice, once over REST and once over GraphQL, by
// two different pairs of users: every answer (and every refusal) must be the
// same once the names that differ between the runs are masked. The two
// adapters share the domain, so they can only differ in how they present it.

type Outcome = Record<string, unknown> | unknown[] | { error: string; fields?: Record<string, string[]> };

type Api = {
  register(user: { username: string; email: string; password: string }): Promise<Outcome>;
  login(email: string, password: string): Promise<Outcome>;
  updateUser(token: string, changes: Record<string, unknown>): Promise<Outcome>;
  me(token: string): Promise<Outcome>;
  profile(token: string | null, username: string): Promise<Outcome>;
  follow(token: string, username: string, on: boolean): Promise<Outcome>;
  createArticle(token: string, article: Record<string, unknown>): Promise<Outcome>;
  article(token: string | null, slug: string): Promise<Outcome>;
  updateArticle(token: string, slug: string, changes: Record<string, unknown>): Promise<Outcome>;
  favorite(token: string, slug: string, on: boolean): Promise<Outcome>;
  articles(token: string | null, query: Record<string, string | number>): Promise<Outcome>;
  feed(token: string, query: Record<string, number>): Promise<Outcome>;
  addComment(token: string, slug: string, body: string): Promise<Outcome>;
  comments(token: string | null, slug: string): Promise<Outcome>;
  deleteComment(token: string, slug: string, id: number): Promise<Outcome>;
  deleteArticle(token: string, slug: string): Promise<Outcome>;
  tags(): Promise<Outcome>;
};

const CODE_OF_STATUS: Record<number, string> = {
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  422: "BAD_USER_INPUT",
};

async function rest(method: string, path: string, token: string | null, body?: unknown, key?: string): Promise<Outcome> {
  const reply = await call(method, path, { token, body });
  if (reply.status >= 400) {
    const code = CODE_OF_STATUS[reply.status] ?? String(reply.status);
    return code === "BAD_USER_INPUT" ? { error: code, fields: reply.body.errors } : { error: code };
  }
  if (reply.status === 204) return { done: true };
  return key ? reply.body[key] : reply.body;
}

const REST: Api = {
  register: (user) => rest("POST", "/api/users", null, { user }, "user"),
  login: (email, password) => rest("POST", "/api/users/login", null, { user: { email, password } }, "user"),
  updateUser: (token, user) => rest("PUT", "/api/user", token, { user }, "user"),
  me: (token) => rest("GET", "/api/user", token, undefined, "user"),
  profile: (token, username) => rest("GET", `/api/profiles/${username}`, token, undefined, "profile"),
  follow: (token, username, on) => rest(on ? "POST" : "DELETE", `/api/profiles/${username}/follow`, token, undefined, "profile"),
  createArticle: (token, article) => rest("POST", "/api/articles", token, { article }, "article"),
  article: (token, slug) => rest("GET", `/api/articles/${slug}`, token, undefined, "article"),
  updateArticle: (token, slug, article) => rest("PUT", `/api/articles/${slug}`, token, { article }, "article"),
  favorite: (token, slug, on) => rest(on ? "POST" : "DELETE", `/api/articles/${slug}/favorite`, token, undefined, "article"),
  articles: (token, query) => rest("GET", `/api/articles?${new URLSearchParams(query as Record<string, string>)}`, token),
  feed: (token, query) =>
    rest("GET", `/api/articles/feed?${new URLSearchParams(query as unknown as Record<string, string>)}`, token),
  addComment: (token, slug, body) => rest("POST", `/api/articles/${slug}/comments`, token, { comment: { body } }, "comment"),
  comments: (token, slug) => rest("GET", `/api/articles/${slug}/comments`, token, undefined, "comments"),
  deleteComment: (token, slug, id) => rest("DELETE", `/api/articles/${slug}/comments/${id}`, token),
  deleteArticle: (token, slug) => rest("DELETE", `/api/articles/${slug}`, token),
  tags: () => rest("GET", "/api/tags", null, undefined, "tags"),
};

const USER = "email token username bio image";
const PROFILE = "username bio image following";
const LISTED = `slug title description tagList createdAt updatedAt favorited favoritesCount author { ${PROFILE} }`;
const ARTICLE = `slug title description body tagList createdAt updatedAt favorited favoritesCount author { ${PROFILE} }`;
const COMMENT = `id createdAt updatedAt body author { ${PROFILE} }`;

/** One field of a GraphQL reply, or its error as REST would name it. */
async function graphql(
  query: string,
  variables: Record<string, unknown>,
  token: string | null,
  envelope?: string,
): Promise<Outcome> {
  const reply = await gql(query, { variables, token });
  const error = reply.body.errors?.[0];
  if (error) {
    const code = error.extensions?.code as string;
    if (code !== "BAD_USER_INPUT") return { error: code };
    // A rule about the whole object: REST names it after its envelope, GraphQL after the `input` argument.
    const fields = Object.entries(error.extensions?.fields ?? {}).map(([key, messages]) => [
      key === "input" ? envelope : key,
      messages,
    ]);
    return { error: code, fields: Object.fromEntries(fields) };
  }
  return Object.values(reply.body.data ?? {})[0] as Outcome;
}

/** A connection as REST's page: the nodes and the total (and `first`/`after` named as REST's `limit`/`offset`). */
const page = (connection: Outcome) =>
  "error" in connection
    ? {
        ...connection,
        ...(connection.fields
          ? { fields: Object.fromEntries(Object.entries(connection.fields).map(([k, v]) => [k === "first" ? "limit" : k, v])) }
          : {}),
      }
    : {
        articles: (connection as { edges: { node: unknown }[] }).edges.map((edge) => edge.node),
        articlesCount: (connection as { totalCount: number }).totalCount,
      };

/** A connection's nodes, as REST's list (or the error). */
const nodes = (connection: Outcome): Outcome =>
  "edges" in connection ? (connection as { edges: { node: unknown }[] }).edges.map((edge) => edge.node) : connection;

/** Comment ids are numbers in REST and IDs (strings) in GraphQL. */
const numericIds = (outcome: Outcome): Outcome => {
  const fix = (comment: Record<string, unknown>) => ({ ...comment, id: Number(comment.id) });
  if (Array.isArray(outcome)) return outcome.map((comment) => fix(comment as Record<string, unknown>));
  return "id" in outcome ? fix(outcome as Record<string, unknown>) : outcome;
};

const GRAPHQL: Api = {
  register: (input) => graphql(`mutation($input: RegisterInput!) { register(input: $input) { ${USER} } }`, { input }, null),
  login: (email, password) =>
    graphql(`mutation($input: LoginInput!) { login(input: $input) { ${USER} } }`, { input: { email, password } }, null),
  updateUser: (token, input) =>
    graphql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { ${USER} } }`, { input }, token, "user"),
  me: (token) => graphql(`{ me { ${USER} } }`, {}, token),
  profile: (token, username) => graphql(`query($u: String!) { profile(username: $u) { ${PROFILE} } }`, { u: username }, token),
  follow: (token, username, on) =>
    graphql(
      `mutation($u: String!) { ${on ? "followUser" : "unfollowUser"}(username: $u) { ${PROFILE} } }`,
      { u: username },
      token,
    ),
  createArticle: (token, input) =>
    graphql(`mutation($input: CreateArticleInput!) { createArticle(input: $input) { ${ARTICLE} } }`, { input }, token),
  article: (token, slug) => graphql(`query($s: String!) { article(slug: $s) { ${ARTICLE} } }`, { s: slug }, token),
  updateArticle: (token, slug, changes) =>
    graphql(
      `mutation($input: UpdateArticleInput!) { updateArticle(input: $input) { ${ARTICLE} } }`,
      { input: { slug, ...changes } },
      token,
      "article",
    ),
  favorite: (token, slug, on) =>
    graphql(
      `mutation($s: String!) { ${on ? "favoriteArticle" : "unfavoriteArticle"}(slug: $s) { ${ARTICLE} } }`,
      { s: slug },
      token,
    ),
  articles: async (token, { limit, offset, ...filters }) => {
    const query = `query($first: Int, $after: String, $tag: String, $author: String, $favorited: String) {
      articles(first: $first, after: $after, tag: $tag, author: $author, favorited: $favorited) { totalCount edges { node { ${LISTED} } } pageInfo { endCursor } }
    }`;
    // REST's offset N is the page after the cursor of the Nth item.
    const skipped = offset ? await graphql(query, { first: Number(offset), ...filters }, token) : null;
    const after = (skipped as { pageInfo?: { endCursor: string } } | null)?.pageInfo?.endCursor ?? null;
    const { pageInfo: _, ...connection } = (await graphql(query, { first: limit, after, ...filters }, token)) as Record<
      string,
      unknown
    >;
    return page(connection);
  },
  feed: async (token, { limit }) =>
    page(
      await graphql(
        `query($first: Int) { feed(first: $first) { totalCount edges { node { ${LISTED} } } } }`,
        { first: limit },
        token,
      ),
    ),
  addComment: async (token, slug, body) =>
    numericIds(
      await graphql(
        `mutation($input: AddCommentInput!) { addComment(input: $input) { ${COMMENT} } }`,
        { input: { slug, body } },
        token,
      ),
    ),
  comments: async (token, slug) =>
    numericIds(
      nodes(await graphql(`query($s: String!) { comments(slug: $s) { edges { node { ${COMMENT} } } } }`, { s: slug }, token)),
    ),
  deleteComment: async (token, slug, id) => {
    const done = await graphql(
      "mutation($input: DeleteCommentInput!) { deleteComment(input: $input) }",
      { input: { slug, id: String(id) } },
      token,
    );
    return (done as unknown) === true ? { done: true } : done;
  },
  deleteArticle: async (token, slug) => {
    const done = await graphql("mutation($s: String!) { deleteArticle(slug: $s) }", { s: slug }, token);
    return (done as unknown) === true ? { done: true } : done;
  },
  tags: () => graphql("{ tags }", {}, null),
};

/** Plays the scenario; returns every outcome with the run's own names masked. */
async function play(api: Api) {
  const run = unique("parity").toLowerCase();
  const transcript: [string, unknown][] = [];
  const step = async (name: string, outcome: Promise<Outcome>) => {
    const value = await outcome;
    transcript.push([name, value]);
    return value as any;
  };
  const alice = { username: `${run}alice`, email: `${run}alice@example.com`, password: "alice password" };
  const bob = { username: `${run}bob`, email: `${run}bob@example.com`, password: "bob password" };

  await step("register alice", api.register(alice));
  const a = (await step("login alice", api.login(alice.email, alice.password))).token as string;
  const b = (await step("register bob", api.register(bob))).token as string;
  await step("register again", api.register(bob));
  await step("register invalid", api.register({ username: "", email: "nope", password: "short" }));
  await step("login wrong", api.login(bob.email, "wrong password"));
  await step("me", api.me(b));
  await step("update bob", api.updateUser(b, { bio: "Bob's bio", image: "https://img.test/bob.png" }));
  await step("update nothing", api.updateUser(b, {}));

  const tag = `${run}tag`;
  const created = await step(
    "create",
    api.createArticle(a, { title: `First ${run}`, description: "About", body: "Body", tagList: [tag, "shared"] }),
  );
  await step("create invalid", api.createArticle(a, { title: " ", description: "d", body: "b" }));
  const slug = created.slug as string;
  await step(
    "create second",
    api.createArticle(a, { title: `Second ${run}`, description: "More", body: "Text", tagList: [tag] }),
  );
  await step("article anonymous", api.article(null, slug));
  await step("profile anonymous", api.profile(null, alice.username));
  await step("follow", api.follow(b, alice.username, true));
  await step("follow self", api.follow(a, alice.username, true));
  await step("profile following", api.profile(b, alice.username.toUpperCase()));
  await step("favorite", api.favorite(b, slug, true));
  await step("article as bob", api.article(b, slug));
  await step("list by tag", api.articles(b, { tag, limit: 10, offset: 0 }));
  await step("list second page", api.articles(null, { author: alice.username, limit: 1, offset: 1 }));
  await step("list favorited", api.articles(null, { favorited: bob.username, limit: 20, offset: 0 }));
  await step("list bad limit", api.articles(null, { limit: 0, offset: 0 }));
  await step("feed", api.feed(b, { limit: 20 }));
  const comment = await step("comment", api.addComment(b, slug, "Great read"));
  await step("comment blank", api.addComment(b, slug, " "));
  await step("comments", api.comments(null, slug));
  await step("comments as alice", api.comments(a, slug));
  await step("update by bob", api.updateArticle(b, slug, { body: "Hijacked" }));
  const updated = await step("update", api.updateArticle(a, slug, { title: `Renamed ${run}`, tagList: [tag] }));
  await step("old slug", api.article(null, slug));
  const newSlug = updated.slug as string;
  await step("unfavorite", api.favorite(b, newSlug, false));
  await step("delete comment by alice", api.deleteComment(a, newSlug, comment.id as number));
  await step("delete comment", api.deleteComment(b, newSlug, comment.id as number));
  await step("comment gone", api.deleteComment(b, newSlug, comment.id as number));
  await step("unfollow", api.follow(b, alice.username, false));
  await step("delete by bob", api.deleteArticle(b, newSlug));
  await step("delete", api.deleteArticle(a, newSlug));
  await step("deleted", api.article(a, newSlug));
  await step("anonymous write", api.createArticle("", { title: "t", description: "d", body: "b" }));
  const tags = (await api.tags()) as string[];
  transcript.push(["tags", tags.filter((t) => t.startsWith(run) || t === "shared")]);

  const mask = (value: unknown): unknown => {
    if (typeof value === "string") {
      if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(value) && value.length > 60) return "<token>";
      if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value)) return "<time>";
      return value.replaceAll(run, "<run>");
    }
    if (Array.isArray(value)) return value.map(mask);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === "id" ? "<id>" : mask(item)]));
    }
    return value;
  };
  return mask(transcript);
}

describe("parity with REST", () => {
  it("gives the same answers and refusals over GraphQL as over REST for a full scenario", async () => {
    const viaRest = await play(REST);
    const viaGraphql = await play(GRAPHQL);
    expect(viaGraphql).toEqual(viaRest);
    // The scenario really did exercise successes and each kind of refusal.
    const outcomes = JSON.stringify(viaRest);
    for (const code of ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"]) expect(outcomes).toContain(code);
  }, 60_000);
});
