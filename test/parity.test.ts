import { describe, expect, it } from "vitest";
import { call } from "./support/api";
import { expectDocument, jsonapi, linkage, registerJsonApi, resource } from "./support/jsonapi";
import { jsonOfXml } from "./support/xml";

// One scenario — register, write, favorite, follow, comment, read the feed —
// through every API style, with the same results. Each style is a "leg": it
// drives the scenario its own way and reports what it read in one neutral
// shape (RealWorld's field names), so the legs compare equal field by field.
//
// Adding a style (the XML representation of REST, say) is adding a Leg to
// LEGS: implement the steps with that style's requests and turn what it
// answers into the neutral shape.

type Profile = { username: string; bio: string | null; image: string | null; following: boolean };
type Article = {
  slug: string;
  title: string;
  description: string;
  body?: string;
  tagList: string[];
  favorited: boolean;
  favoritesCount: number;
  author: Profile;
};
type Comment = { body: string; author: Profile };

/** A user as a leg knows them: the name, the token, and whatever the style names them by. */
type Actor = { username: string; token: string; ref: string };
/** An article as a leg knows it: whatever the style names it by. */
type ArticleRef = { ref: string };
type ArticleInput = { title: string; description: string; body: string; tagList: string[] };

type Leg = {
  name: string;
  register(username: string): Promise<Actor>;
  createArticle(author: Actor, article: ArticleInput): Promise<ArticleRef>;
  favorite(reader: Actor, article: ArticleRef): Promise<void>;
  follow(reader: Actor, author: Actor): Promise<void>;
  comment(reader: Actor, article: ArticleRef, body: string): Promise<void>;
  feed(reader: Actor): Promise<{ articles: Article[]; count: number }>;
  comments(reader: Actor, article: ArticleRef): Promise<Comment[]>;
  /** Read anonymously. */
  article(article: ArticleRef): Promise<Article>;
  profile(reader: Actor, user: Actor): Promise<Profile>;
};

async function ok<T = any>(reply: Promise<{ status: number; text: string; body: T }>, status = 200): Promise<T> {
  const answer = await reply;
  expect(answer.status, answer.text).toBe(status);
  return answer.body;
}

const restLeg: Leg = {
  name: "REST (JSON)",
  async register(username) {
    const body = { user: { username, email: `${username}@example.com`, password: "parity password" } };
    const { user } = await ok(call("POST", "/api/users", { body }), 201);
    return { username, token: user.token, ref: username };
  },
  async createArticle(author, article) {
    const body = await ok(call("POST", "/api/articles", { token: author.token, body: { article } }), 201);
    return { ref: body.article.slug };
  },
  async favorite(reader, article) {
    await ok(call("POST", `/api/articles/${article.ref}/favorite`, { token: reader.token }));
  },
  async follow(reader, author) {
    await ok(call("POST", `/api/profiles/${author.ref}/follow`, { token: reader.token }));
  },
  async comment(reader, article, body) {
    await ok(call("POST", `/api/articles/${article.ref}/comments`, { token: reader.token, body: { comment: { body } } }));
  },
  async feed(reader) {
    const body = await ok(call("GET", "/api/articles/feed", { token: reader.token }));
    return { articles: body.articles, count: body.articlesCount };
  },
  async comments(reader, article) {
    const body = await ok(call("GET", `/api/articles/${article.ref}/comments`, { token: reader.token }));
    return body.comments.map(({ body: text, author }: any) => ({ body: text, author }));
  },
  async article(article) {
    return (await ok(call("GET", `/api/articles/${article.ref}`))).article;
  },
  async profile(reader, user) {
    return (await ok(call("GET", `/api/profiles/${user.ref}`, { token: reader.token }))).profile;
  },
};

// REST again, with XML bodies and XML answers (read back by an independent parser).
const xmlEscape = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
async function xmlOk(reply: Promise<{ status: number; text: string }>, status = 200): Promise<any> {
  const answer = await reply;
  expect(answer.status, answer.text).toBe(status);
  expect(answer.text.startsWith("<?xml")).toBe(true);
  return jsonOfXml(answer.text);
}
const xmlHeaders = (withBody = false): Record<string, string> =>
  withBody ? { Accept: "application/xml", "Content-Type": "application/xml" } : { Accept: "application/xml" };

const xmlLeg: Leg = {
  name: "REST (XML)",
  async register(username) {
    const rawBody = `<user><username>${username}</username><email>${username}@example.com</email><password>parity password</password></user>`;
    const { user } = await xmlOk(call("POST", "/api/users", { rawBody, headers: xmlHeaders(true) }), 201);
    return { username, token: user.token, ref: username };
  },
  async createArticle(author, article) {
    const tags = article.tagList.map((tag) => `<tag>${xmlEscape(tag)}</tag>`).join("");
    const rawBody = `<article><title>${xmlEscape(article.title)}</title><description>${xmlEscape(article.description)}</description><body>${xmlEscape(article.body)}</body><tagList>${tags}</tagList></article>`;
    const body = await xmlOk(call("POST", "/api/articles", { token: author.token, rawBody, headers: xmlHeaders(true) }), 201);
    return { ref: body.article.slug };
  },
  async favorite(reader, article) {
    await xmlOk(call("POST", `/api/articles/${article.ref}/favorite`, { token: reader.token, headers: xmlHeaders() }));
  },
  async follow(reader, author) {
    await xmlOk(call("POST", `/api/profiles/${author.ref}/follow`, { token: reader.token, headers: xmlHeaders() }));
  },
  async comment(reader, article, body) {
    const rawBody = `<comment><body>${xmlEscape(body)}</body></comment>`;
    await xmlOk(
      call("POST", `/api/articles/${article.ref}/comments`, { token: reader.token, rawBody, headers: xmlHeaders(true) }),
    );
  },
  async feed(reader) {
    const body = await xmlOk(call("GET", "/api/articles/feed", { token: reader.token, headers: xmlHeaders() }));
    return { articles: body.articles, count: body.articlesCount };
  },
  async comments(reader, article) {
    const body = await xmlOk(
      call("GET", `/api/articles/${article.ref}/comments`, { token: reader.token, headers: xmlHeaders() }),
    );
    return body.comments.map(({ body: text, author }: any) => ({ body: text, author }));
  },
  async article(article) {
    return (await xmlOk(call("GET", `/api/articles/${article.ref}`, { headers: xmlHeaders() }))).article;
  },
  async profile(reader, user) {
    return (await xmlOk(call("GET", `/api/profiles/${user.ref}`, { token: reader.token, headers: xmlHeaders() }))).profile;
  },
};

// JSON:API answers in resources; these turn them into the neutral shape.
type Doc = { data: any; included?: any[] };
const includedOf = (doc: Doc, type: string, id: string) => (doc.included ?? []).find((r) => r.type === type && r.id === id);
const profileOf = (user: any): Profile => ({ ...user.attributes, following: user.meta.following });
function articleOf(doc: Doc, resource: any): Article {
  const author = includedOf(doc, "users", resource.relationships.author.data.id);
  const { slug, title, description, body, favoritesCount } = resource.attributes;
  return {
    slug,
    title,
    description,
    ...(body === undefined ? {} : { body }),
    tagList: resource.relationships.tags.data.map((tag: any) => tag.id),
    favorited: resource.meta.favorited,
    favoritesCount,
    author: profileOf(author),
  };
}

async function read(path: string, token: string | null = null): Promise<any> {
  const reply = await jsonapi("GET", path, { token });
  expect(reply.status, reply.text).toBe(200);
  return expectDocument(reply);
}

async function write(method: string, path: string, token: string, body: unknown, status: number) {
  const reply = await jsonapi(method, path, { token, body });
  expect(reply.status, reply.text).toBe(status);
  return status === 204 ? null : expectDocument(reply);
}

const jsonApiLeg: Leg = {
  name: "JSON:API",
  async register(username) {
    const user = await registerJsonApi(username, "parity password");
    return { username, token: user.token, ref: user.id };
  },
  async createArticle(author, { tagList, ...attributes }) {
    const body = resource("articles", { attributes, relationships: { tags: linkage("tags", ...tagList) } });
    const doc = await write("POST", "/jsonapi/articles", author.token, body, 201);
    return { ref: doc.data.id };
  },
  async favorite(reader, article) {
    await write("POST", "/jsonapi/users/me/relationships/favorites", reader.token, linkage("articles", article.ref), 204);
  },
  async follow(reader, author) {
    await write("POST", "/jsonapi/users/me/relationships/following", reader.token, linkage("users", author.ref), 204);
  },
  async comment(reader, article, body) {
    const comment = resource("comments", {
      attributes: { body },
      relationships: { article: { data: { type: "articles", id: article.ref } } },
    });
    await write("POST", "/jsonapi/comments", reader.token, comment, 201);
  },
  async feed(reader) {
    const doc = await read("/jsonapi/feed?include=author", reader.token);
    return { articles: doc.data.map((article: any) => articleOf(doc, article)), count: doc.meta.total };
  },
  async comments(reader, article) {
    const doc = await read(`/jsonapi/articles/${article.ref}/comments?include=author`, reader.token);
    return doc.data.map((comment: any) => ({
      body: comment.attributes.body,
      author: profileOf(includedOf(doc, "users", comment.relationships.author.data.id)),
    }));
  },
  async article(article) {
    const doc = await read(`/jsonapi/articles/${article.ref}?include=author`);
    return articleOf(doc, doc.data);
  },
  async profile(reader, user) {
    return profileOf((await read(`/jsonapi/users/${user.ref}`, reader.token)).data);
  },
};

// The XML leg (REST resources as XML) is added beside these by its author.
const LEGS: Leg[] = [restLeg, xmlLeg, jsonApiLeg];

/** Runs the scenario through one leg; names carry `run` so legs sharing storage do not collide. */
async function scenario(leg: Leg, run: string) {
  const alice = await leg.register(`alice${run}`);
  const bob = await leg.register(`bob${run}`);
  const dragons = await leg.createArticle(alice, {
    title: `How to train your dragon ${run}`,
    description: "Ever wonder how?",
    body: "It takes a Jacobian",
    // Out of order, as the RealWorld Postman collection sends them: every style reads them back alphabetically.
    tagList: ["training", "dragons"],
  });
  await leg.createArticle(alice, { title: `Second ${run}`, description: "More", body: "Text", tagList: [] });
  await leg.favorite(bob, dragons);
  await leg.follow(bob, alice);
  await leg.comment(bob, dragons, "Great read");
  await leg.comment(alice, dragons, "Thanks!");
  return {
    feed: await leg.feed(bob),
    comments: await leg.comments(bob, dragons),
    anonymous: await leg.article(dragons),
    profile: await leg.profile(bob, alice),
  };
}

/**
 * The result with this run's marker taken out of every name, title and slug,
 * and without times (the legs' articles are written at different moments).
 */
const neutral = (result: unknown, run: string) =>
  JSON.parse(
    JSON.stringify(result, (key, value) => (key === "createdAt" || key === "updatedAt" ? undefined : value)).replaceAll(run, "#"),
  );

describe("parity across API styles", () => {
  it("one scenario gives the same results through every style", async () => {
    const results = [];
    for (const [index, leg] of LEGS.entries()) {
      const run = `p${index}${Math.random().toString(36).slice(2, 8)}`;
      results.push({ name: leg.name, result: neutral(await scenario(leg, run), run) });
    }
    const [reference, ...others] = results;
    // The reference itself is what the scenario must produce.
    expect(reference?.result.feed.count).toBe(2);
    expect(
      reference?.result.feed.articles.map((a: Article) => [a.title, a.favorited, a.favoritesCount, a.author.following]),
    ).toEqual([
      ["Second #", false, 0, true],
      ["How to train your dragon #", true, 1, true],
    ]);
    expect(reference?.result.comments.map((c: Comment) => [c.body, c.author.username, c.author.following])).toEqual([
      ["Thanks!", "alice#", true],
      ["Great read", "bob#", false],
    ]);
    expect(reference?.result.anonymous).toMatchObject({
      favorited: false,
      favoritesCount: 1,
      body: "It takes a Jacobian",
      tagList: ["dragons", "training"],
    });
    expect(reference?.result.profile).toEqual({ username: "alice#", bio: null, image: null, following: true });
    for (const other of others) expect(other.result, `${other.name} against ${reference?.name}`).toEqual(reference?.result);
  });
});
