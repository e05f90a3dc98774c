import { beforeAll, describe, expect, it } from "vitest";
import { call, createArticle, registerUser, type TestUser, timing, unique } from "./support/api";
import { probeD1 } from "./support/d1";
import { gql } from "./support/graphql";

// Batched loading: nested fields are read for a whole level of the query at
// once, so the D1 round trips of a query depend on its shape, never on the
// number of items. The budget: a read costs one D1 round trip, a write two, a
// KV cache hit none; this nested query is held to at most 3, whatever the
// number of items.
// The D1 binding is wrapped (test/support/d1.ts) to count what D1 really saw,
// and Server-Timing must report the same number.

const NESTED =
  "query($tag: String, $first: Int) { articles(first: $first, tag: $tag) { edges { node { slug author { username } comments { edges { node { body author { username } } } } } } } }";

async function tripsOf(query: string, variables: Record<string, unknown>, token?: string) {
  const probe = probeD1();
  const reply = await gql(query, { variables, token, env: probe.env });
  expect(reply.status).toBe(200);
  expect(reply.body.errors).toBeUndefined();
  expect(timing(reply).d1, "Server-Timing").toBe(probe.trips.length);
  return { data: reply.body.data, trips: probe.trips.length, statements: probe.trips.map((trip) => trip.length) };
}

describe("D1 round trips of nested GraphQL queries", () => {
  const tag = unique("loaded");
  let authors: TestUser[];
  let commenters: TestUser[];
  // slug → the comments it was given, newest first: [body, commenter]
  const expected = new Map<string, [string, string][]>();
  const authorOf = new Map<string, string>();

  beforeAll(async () => {
    authors = [await registerUser(), await registerUser(), await registerUser()];
    commenters = [await registerUser(), await registerUser()];
    for (let i = 0; i < 20; i++) {
      const author = authors[i % authors.length] as TestUser;
      const { slug } = await createArticle(author, { tagList: [tag] });
      authorOf.set(slug, author.username);
      const comments: [string, string][] = [];
      for (const [j, commenter] of commenters.entries()) {
        const body = `comment ${j} on ${i}`;
        await call("POST", `/api/articles/${slug}/comments`, { token: commenter.token, body: { comment: { body } } });
        comments.unshift([body, commenter.username]);
      }
      expected.set(slug, comments);
    }
  });

  it("articles { author comments { author } } costs the same few round trips for 3 articles as for 20", async () => {
    const small = await tripsOf(NESTED, { tag, first: 3 });
    const large = await tripsOf(NESTED, { tag, first: 20 });
    // The page (with its count and authors) in one batch, then every comment of the page in one more.
    expect(small.trips).toBe(2);
    expect(large.trips).toBe(small.trips);
    expect(large.trips).toBeLessThanOrEqual(3);
    expect(large.data.articles.edges).toHaveLength(20);
    for (const { node } of large.data.articles.edges) {
      expect(node.author.username).toBe(authorOf.get(node.slug));
      const comments = node.comments.edges.map(({ node }: { node: { body: string; author: { username: string } } }) => node);
      expect(comments.map((c: { body: string; author: { username: string } }) => [c.body, c.author.username])).toEqual(
        expected.get(node.slug),
      );
    }
  });

  it("costs the same for a search: its ranked page, snippets and count ride in the page's batch", async () => {
    const query =
      "query($tag: String, $search: String) { articles(first: 20, tag: $tag, search: $search) { totalCount edges { snippet node { slug author { username } comments { edges { node { author { username } } } } } } } }";
    const { trips, data } = await tripsOf(query, { tag, search: "title*" });
    expect(trips).toBe(2);
    expect(data.articles.totalCount).toBe(20);
    expect(data.articles.edges[0].snippet).toMatch(/<mark>Title<\/mark>/);
  });

  it("costs the same signed in (the token check rides in the same batches)", async () => {
    const reader = commenters[0] as TestUser;
    expect((await tripsOf(NESTED, { tag, first: 20 }, reader.token)).trips).toBe(2);
  });

  it("reads list bodies for a whole page in one more round trip", async () => {
    const query =
      "query($tag: String) { articles(first: 20, tag: $tag) { edges { node { body author { username } comments { edges { node { author { username } } } } } } } }";
    const { trips, data } = await tripsOf(query, { tag });
    expect(trips).toBe(3);
    expect(data.articles.edges.every((edge: { node: { body: string } }) => edge.node.body === "The body of the article")).toBe(
      true,
    );
  });

  it("reads every author's articles in one batch, each distinct author once", async () => {
    const query =
      "query($tag: String) { articles(first: 20, tag: $tag) { edges { node { author { username articles(first: 2) { totalCount edges { node { slug comments { edges { cursor } } } } } } } } } }";
    const { trips, statements, data } = await tripsOf(query, { tag });
    expect(trips).toBe(3);
    // The second round trip: a page and a count for each of the 3 authors (and no viewer check, signed out).
    expect(statements[1]).toBe(2 * authors.length);
    for (const { node } of data.articles.edges) {
      expect(node.author.articles.totalCount).toBeGreaterThanOrEqual(6);
      expect(node.author.articles.edges).toHaveLength(2);
    }
  });

  it("batches a single article's comments the same way", async () => {
    const [slug] = [...expected.keys()];
    const query =
      "query($slug: String!) { article(slug: $slug) { title comments { edges { node { body author { username following } } } } } }";
    const { trips, data } = await tripsOf(query, { slug });
    expect(trips).toBe(2);
    expect(data.article.comments.edges).toHaveLength(2);
  });

  it("reads a key once per request, however often it is asked for", async () => {
    const [slug] = [...expected.keys()];
    const query = `query($slug: String!) {
      a: article(slug: $slug) { comments { edges { node { body } } } }
      b: article(slug: $slug) { comments { edges { node { body } } } }
    }`;
    const { trips } = await tripsOf(query, { slug });
    // Two article reads (root fields run each on its own), one read of comments.
    expect(trips).toBe(3);
  });
});
