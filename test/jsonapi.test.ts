import { describe, expect, it } from "vitest";
import { call, registerUser, type TestUser, timing, unique } from "./support/api";
import {
  absolute,
  commentJsonApi,
  createArticleJsonApi,
  expectDocument,
  expectErrors,
  jsonapi,
  linkage,
  MEDIA_TYPE,
} from "./support/jsonapi";

// JSON:API reads: every resource, relationship link, include path, sparse
// fieldset, filter, sort and page link. Every response is checked for the
// document structure of JSON:API 1.1 (test/support/jsonapi.ts).

async function get(path: string, token?: string) {
  const reply = await jsonapi("GET", path, { token: token ?? null });
  expect(reply.status, `GET ${path}: ${reply.text}`).toBe(200);
  return expectDocument(reply, { sparse: path.includes("fields[") });
}

/** The JSON:API id of a registered user, read from one of their articles or their profile. */
async function userIdOf(user: TestUser): Promise<string> {
  return (await get("/jsonapi/users/me", user.token)).data.id;
}

const ids = (doc: any) => (doc.data as any[]).map((resource) => resource.id);

/** A string matched literally inside a RegExp. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("the entry point", () => {
  it("GET /jsonapi describes the API in meta", async () => {
    const doc = await get("/jsonapi");
    expect(doc.links).toEqual({ self: absolute("/jsonapi") });
    expect(doc.meta.resources).toMatchObject({
      articles: absolute("/jsonapi/articles"),
      tags: absolute("/jsonapi/tags"),
      login: absolute("/api/users/login"),
    });
  });
});

describe("resources", () => {
  it("articles: a stable string id, the slug as an attribute, author/tags/comments relationships, favorited in meta", async () => {
    const author = await registerUser();
    const created = await createArticleJsonApi(author.token, { title: unique("Stable "), tags: ["b", "a"] });
    const doc = await get(`/jsonapi/articles/${created.id}`);
    expect(doc.data).toEqual({
      type: "articles",
      id: created.id,
      attributes: {
        slug: created.attributes.slug,
        title: created.attributes.title,
        description: "A description",
        body: "The body of the article",
        createdAt: created.attributes.createdAt,
        updatedAt: created.attributes.updatedAt,
        favoritesCount: 0,
      },
      relationships: {
        author: { data: { type: "users", id: await userIdOf(author) } },
        tags: {
          // Alphabetical, as tagList in every style.
          data: [
            { type: "tags", id: "a" },
            { type: "tags", id: "b" },
          ],
        },
        comments: { links: { related: absolute(`/jsonapi/articles/${created.id}/comments`) } },
      },
      links: { self: absolute(`/jsonapi/articles/${created.id}`) },
      meta: { favorited: false },
    });
    expect(created.id).toMatch(/^\d+$/);
    expect(doc.links.self).toBe(absolute(`/jsonapi/articles/${created.id}`));

    // The slug follows the title (a REST update here); the id does not change.
    const renamed = unique("Renamed ");
    await call("PUT", `/api/articles/${created.attributes.slug}`, { token: author.token, body: { article: { title: renamed } } });
    const after = await get(`/jsonapi/articles/${created.id}`);
    expect(after.data.id).toBe(created.id);
    expect(after.data.attributes.title).toBe(renamed);
    expect(after.data.attributes.slug).not.toBe(created.attributes.slug);
  });

  it("a collection of articles leaves the body out, as REST lists do", async () => {
    const author = await registerUser();
    await createArticleJsonApi(author.token);
    const doc = await get(`/jsonapi/articles?filter[author]=${author.username}`);
    expect(doc.data).toHaveLength(1);
    expect(doc.data[0].attributes).not.toHaveProperty("body");
    expect(doc.data[0].attributes).toHaveProperty("title");
    expect(doc.meta).toEqual({ total: 1 });
  });

  it("users: the public profile, following in meta for the viewer, the articles relationship", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    await call("PUT", "/api/user", {
      token: author.token,
      body: { user: { bio: "I write", image: "https://example.com/a.png" } },
    });
    const id = await userIdOf(author);
    const anonymous = await get(`/jsonapi/users/${id}`);
    expect(anonymous.data).toEqual({
      type: "users",
      id,
      attributes: { username: author.username, bio: "I write", image: "https://example.com/a.png" },
      relationships: { articles: { links: { related: absolute(`/jsonapi/users/${id}/articles`) } } },
      links: { self: absolute(`/jsonapi/users/${id}`) },
      meta: { following: false },
    });
    await call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token });
    expect((await get(`/jsonapi/users/${id}`, reader.token)).data.meta).toEqual({ following: true });
    expect((await get(`/jsonapi/users/${id}`)).data.meta).toEqual({ following: false });
  });

  it("users/me: the viewer's own resource, with email and token in meta; 401 when anonymous", async () => {
    const user = await registerUser();
    const doc = await get("/jsonapi/users/me", user.token);
    expect(doc.data.type).toBe("users");
    expect(doc.data.attributes).toEqual({ username: user.username, bio: null, image: null });
    expect(doc.meta).toEqual({ email: user.email, token: user.token });
    // The same, by its id.
    expect((await get(`/jsonapi/users/${doc.data.id}`, user.token)).data).toEqual(doc.data);
    const errors = expectErrors(await jsonapi("GET", "/jsonapi/users/me"), 401);
    expect(errors[0]).toMatchObject({ status: "401", code: "unauthenticated" });
  });

  it("comments: body and times, author and article relationships", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticleJsonApi(author.token);
    const comment = await commentJsonApi(reader.token, article.id, "Nice read");
    const doc = await get(`/jsonapi/comments/${comment.id}`);
    expect(doc.data).toEqual({
      type: "comments",
      id: comment.id,
      attributes: { body: "Nice read", createdAt: comment.attributes.createdAt, updatedAt: comment.attributes.updatedAt },
      relationships: {
        author: { data: { type: "users", id: await userIdOf(reader) } },
        article: { data: { type: "articles", id: article.id } },
      },
      links: { self: absolute(`/jsonapi/comments/${comment.id}`) },
    });
  });

  it("tags: the most used first, each its own text", async () => {
    const author = await registerUser();
    const [common, rare] = [unique("common"), unique("rare")];
    await createArticleJsonApi(author.token, { tags: [rare, common] });
    await createArticleJsonApi(author.token, { tags: [common] });
    const doc = await get("/jsonapi/tags");
    const tags = (doc.data as any[]).map((tag) => tag.id);
    expect(tags.indexOf(common)).toBeLessThan(tags.indexOf(rare));
    expect(doc.data.find((tag: any) => tag.id === common)).toEqual({ type: "tags", id: common });
  });

  it("every link a document gives can be fetched: resource self links and related links", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticleJsonApi(author.token, { tags: ["linked"] });
    await commentJsonApi(reader.token, article.id, "linked comment");
    const doc = await get(`/jsonapi/articles/${article.id}?include=author,comments`);
    const links = [
      doc.data.links.self,
      doc.data.relationships.comments.links.related,
      ...doc.included.map((resource: any) => resource.links.self),
      ...doc.included.flatMap((resource: any) =>
        Object.values<any>(resource.relationships ?? {})
          .map((relationship) => relationship.links?.related)
          .filter(Boolean),
      ),
    ];
    expect(links.length).toBeGreaterThanOrEqual(5);
    for (const link of links) await get(link);
    const comments = await get(doc.data.relationships.comments.links.related);
    expect(comments.data.map((c: any) => c.attributes.body)).toEqual(["linked comment"]);
    const theirs = await get(`/jsonapi/users/${doc.data.relationships.author.data.id}/articles`);
    expect(ids(theirs)).toEqual([article.id]);
  });

  it("answers 404 for ids that do not exist or are not ids", async () => {
    for (const path of [
      "/jsonapi/articles/999999",
      "/jsonapi/articles/abc",
      "/jsonapi/articles/0",
      "/jsonapi/articles/01",
      "/jsonapi/articles/99999999999999999999",
      "/jsonapi/articles/999999/comments",
      "/jsonapi/users/999999",
      "/jsonapi/users/someone",
      "/jsonapi/users/999999/articles",
      "/jsonapi/comments/999999",
      "/jsonapi/comments/x",
      "/jsonapi/nowhere",
      "/jsonapi/articles/1/author",
    ]) {
      const errors = expectErrors(await jsonapi("GET", path), 404);
      expect(errors[0], path).toMatchObject({ status: "404", code: "not_found", title: "Not found" });
    }
  });
});

describe("include", () => {
  async function scene() {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticleJsonApi(author.token, { tags: [unique("inc"), unique("inc")] });
    const first = await commentJsonApi(reader.token, article.id, "first");
    const second = await commentJsonApi(author.token, article.id, "second");
    return {
      author,
      reader,
      article,
      comments: [first, second],
      authorId: await userIdOf(author),
      readerId: await userIdOf(reader),
    };
  }

  const includedKeys = (doc: any) => (doc.included as any[]).map((resource) => `${resource.type}:${resource.id}`).sort();

  it("articles: author, tags, comments and comments.author, each resource once", async () => {
    const { author, article, comments, authorId, readerId } = await scene();
    const tagIds = article.relationships.tags.data.map((tag: any) => tag.id);
    const list = `/jsonapi/articles?filter[author]=${author.username}`;

    expect(includedKeys(await get(`${list}&include=author`))).toEqual([`users:${authorId}`]);
    expect(includedKeys(await get(`${list}&include=tags`))).toEqual(tagIds.map((tag: string) => `tags:${tag}`).sort());

    const withComments = await get(`${list}&include=comments`);
    expect(withComments.data[0].relationships.comments.data).toEqual([
      { type: "comments", id: comments[1]?.id },
      { type: "comments", id: comments[0]?.id },
    ]);
    expect(includedKeys(withComments)).toEqual(comments.map((c) => `comments:${c.id}`).sort());

    // The author wrote the article and the second comment: included once.
    const all = await get(`/jsonapi/articles/${article.id}?include=author,tags,comments.author`);
    expect(includedKeys(all)).toEqual(
      [
        `users:${authorId}`,
        `users:${readerId}`,
        ...comments.map((c) => `comments:${c.id}`),
        ...tagIds.map((tag: string) => `tags:${tag}`),
      ].sort(),
    );
  });

  it("comments: author, article, article.author and article.tags, on the list and on one comment", async () => {
    const { article, comments, authorId, readerId } = await scene();
    const list = await get(`/jsonapi/articles/${article.id}/comments?include=author,article.author`);
    expect(includedKeys(list)).toEqual([`articles:${article.id}`, `users:${authorId}`, `users:${readerId}`].sort());
    const one = await get(`/jsonapi/comments/${comments[0]?.id}?include=article.tags`);
    const tagIds = article.relationships.tags.data.map((tag: any) => `tags:${tag.id}`);
    expect(includedKeys(one)).toEqual([`articles:${article.id}`, ...tagIds].sort());
  });

  it("an empty include gives an empty `included`; no include gives none", async () => {
    const { article } = await scene();
    expect((await get(`/jsonapi/articles/${article.id}?include=`)).included).toEqual([]);
    expect(await get(`/jsonapi/articles/${article.id}`)).not.toHaveProperty("included");
    expect((await get("/jsonapi/tags?include=")).included).toEqual([]);
  });

  it("answers 400, naming the parameter, for a path it cannot include", async () => {
    const { article, comments } = await scene();
    for (const path of [
      "/jsonapi/articles?include=nope",
      "/jsonapi/articles?include=author.articles",
      `/jsonapi/articles/${article.id}?include=comments.article`,
      `/jsonapi/articles/${article.id}?include=author,`,
      `/jsonapi/articles/${article.id}/comments?include=comments`,
      `/jsonapi/comments/${comments[0]?.id}?include=article.comments`,
      "/jsonapi/users/1?include=articles",
      "/jsonapi/tags?include=articles",
    ]) {
      const errors = expectErrors(await jsonapi("GET", path), 400);
      expect(errors[0], path).toMatchObject({ status: "400", code: "bad_request", source: { parameter: "include" } });
    }
  });
});

describe("sparse fieldsets", () => {
  it("returns only the fields asked for, per type, in primary and included data", async () => {
    const author = await registerUser();
    const article = await createArticleJsonApi(author.token, { tags: ["sparse"] });
    const doc = await get(`/jsonapi/articles/${article.id}?include=author&fields[articles]=title,author&fields[users]=username`);
    expect(doc.data.attributes).toEqual({ title: article.attributes.title });
    expect(Object.keys(doc.data.relationships)).toEqual(["author"]);
    expect(doc.included[0].attributes).toEqual({ username: author.username });
    expect(doc.included[0]).not.toHaveProperty("relationships");

    const none = await get(`/jsonapi/articles/${article.id}?fields[articles]=`);
    expect(none.data).not.toHaveProperty("attributes");
    expect(none.data).not.toHaveProperty("relationships");
    expect(none.data).toMatchObject({ type: "articles", id: article.id });

    // A relationship left out by the fieldset may still be included.
    const unlinked = await get(`/jsonapi/articles/${article.id}?include=tags&fields[articles]=title`);
    expect(unlinked.included).toEqual([{ type: "tags", id: "sparse" }]);

    const list = await get(`/jsonapi/articles?filter[author]=${author.username}&fields[articles]=slug`);
    expect(list.data[0].attributes).toEqual({ slug: article.attributes.slug });
  });

  it("answers 400 for an unknown type or field", async () => {
    for (const [path, parameter] of [
      ["/jsonapi/articles?fields[people]=name", "fields[people]"],
      ["/jsonapi/articles?fields[articles]=title,nope", "fields[articles]"],
      ["/jsonapi/articles?fields[articles]=type", "fields[articles]"],
      ["/jsonapi/tags?fields[tags]=name", "fields[tags]"],
    ] as const) {
      const errors = expectErrors(await jsonapi("GET", path), 400);
      expect(errors[0], path).toMatchObject({ source: { parameter } });
    }
  });
});

describe("filters", () => {
  it("filter[tag], filter[author] and filter[favorited], alone and combined; the total counts every match", async () => {
    const author = await registerUser();
    const other = await registerUser();
    const fan = await registerUser();
    const tag = unique("f");
    const a = await createArticleJsonApi(author.token, { tags: [tag] });
    const b = await createArticleJsonApi(author.token);
    const c = await createArticleJsonApi(other.token, { tags: [tag] });
    const fanId = await userIdOf(fan);
    for (const id of [a.id, c.id]) {
      const reply = await jsonapi("POST", `/jsonapi/users/${fanId}/relationships/favorites`, {
        token: fan.token,
        body: linkage("articles", id),
      });
      expect(reply.status).toBe(204);
    }
    const cases: [string, string[]][] = [
      [`filter[tag]=${tag}`, [c.id, a.id]],
      [`filter[author]=${author.username}`, [b.id, a.id]],
      [`filter[author]=${author.username.toUpperCase()}`, [b.id, a.id]],
      [`filter[favorited]=${fan.username}`, [c.id, a.id]],
      [`filter[tag]=${tag}&filter[author]=${author.username}`, [a.id]],
      [`filter[tag]=${tag}&filter[favorited]=${fan.username}&filter[author]=${other.username}`, [c.id]],
      [`filter[author]=${unique("nobody")}`, []],
    ];
    for (const [query, expected] of cases) {
      const doc = await get(`/jsonapi/articles?${query}`);
      expect(ids(doc), query).toEqual(expected);
      expect(doc.meta.total, query).toBe(expected.length);
    }
  });

  it("filter[slug] finds the article a frontend's route names (a collection of one), alone or with other filters", async () => {
    const author = await registerUser();
    const article = await createArticleJsonApi(author.token, { title: unique("By slug "), tags: ["slugged"] });
    const { slug } = article.attributes;
    const found = await get(`/jsonapi/articles?filter[slug]=${encodeURIComponent(slug)}&include=author`);
    expect(ids(found)).toEqual([article.id]);
    expect(found.meta.total).toBe(1);
    expect(found.included.map((user: any) => user.attributes.username)).toEqual([author.username]);
    expect(ids(await get(`/jsonapi/articles?filter[slug]=${slug}&filter[author]=${author.username}`))).toEqual([article.id]);
    expect(ids(await get(`/jsonapi/articles?filter[slug]=${slug}&filter[tag]=other`))).toEqual([]);
    expect(ids(await get(`/jsonapi/articles?filter[slug]=${unique("no-such-slug")}`))).toEqual([]);
    // REST's list takes no slug filter: it has GET /api/articles/:slug.
    const rest = await call("GET", `/api/articles?slug=${slug}&author=${unique("nobody")}`);
    expect(rest.body.articlesCount).toBe(0);
  });

  it("answers 400 for a filter it does not know, a filter where none applies, or a value the domain refuses", async () => {
    for (const [path, parameter, detail] of [
      ["/jsonapi/articles?filter[title]=x", "filter[title]", undefined],
      ["/jsonapi/articles?filter=x", "filter", undefined],
      ["/jsonapi/tags?filter[tag]=x", "filter[tag]", undefined],
      [`/jsonapi/articles?filter[tag]=${"x".repeat(201)}`, "filter[tag]", "filter[tag] is too long"],
      ["/jsonapi/articles?filter[author]=a&filter[author]=b", "filter[author]", "filter[author] may be given only once"],
      [`/jsonapi/articles?filter[slug]=${"x".repeat(201)}`, "filter[slug]", "filter[slug] is too long"],
    ] as const) {
      const errors = expectErrors(await jsonapi("GET", path), 400);
      expect(errors[0], path).toMatchObject({ title: "Invalid query parameter", source: { parameter } });
      if (detail) expect(errors[0].detail, path).toBe(detail);
    }
    const user = await registerUser();
    const errors = expectErrors(await jsonapi("GET", "/jsonapi/feed?filter[tag]=x", { token: user.token }), 400);
    expect(errors[0]).toMatchObject({ source: { parameter: "filter[tag]" } });
  });
});

describe("sort", () => {
  it("is newest first by default and with -createdAt, oldest first with createdAt", async () => {
    const author = await registerUser();
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await createArticleJsonApi(author.token)).id);
    const list = `/jsonapi/articles?filter[author]=${author.username}`;
    const newest = [...made].reverse();
    expect(ids(await get(list))).toEqual(newest);
    expect(ids(await get(`${list}&sort=-createdAt`))).toEqual(newest);
    expect(ids(await get(`${list}&sort=createdAt`))).toEqual(made);
    const times = (await get(`${list}&sort=createdAt`)).data.map((a: any) => a.attributes.createdAt);
    expect([...times].sort()).toEqual(times);
    // The order holds across pages.
    expect(ids(await get(`${list}&sort=createdAt&page[limit]=2&page[offset]=1`))).toEqual(made.slice(1));
  });

  it("sorts comments too", async () => {
    const author = await registerUser();
    const article = await createArticleJsonApi(author.token);
    for (const body of ["one", "two", "three"]) await commentJsonApi(author.token, article.id, body);
    const bodies = (doc: any) => doc.data.map((c: any) => c.attributes.body);
    expect(bodies(await get(`/jsonapi/articles/${article.id}/comments`))).toEqual(["three", "two", "one"]);
    expect(bodies(await get(`/jsonapi/articles/${article.id}/comments?sort=createdAt`))).toEqual(["one", "two", "three"]);
  });

  it("answers 400 for a sort it does not support", async () => {
    for (const path of [
      "/jsonapi/articles?sort=title",
      "/jsonapi/articles?sort=-createdAt,title",
      "/jsonapi/articles?sort=",
      "/jsonapi/tags?sort=createdAt",
      "/jsonapi/articles/1?sort=createdAt",
    ]) {
      const errors = expectErrors(await jsonapi("GET", path), 400);
      expect(errors[0], path).toMatchObject({ source: { parameter: "sort" } });
    }
  });
});

describe("pagination", () => {
  it("gives first and last links by offset, prev and next by cursor, and the total; following next visits every article once", async () => {
    const author = await registerUser();
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await createArticleJsonApi(author.token)).id);
    const base = `/jsonapi/articles?filter[author]=${author.username}&include=author`;
    const at = (offset: number) =>
      absolute(
        `/jsonapi/articles?filter%5Bauthor%5D=${author.username}&include=author&page%5Blimit%5D=2&page%5Boffset%5D=${offset}`,
      );

    const first = await get(`${base}&page[limit]=2`);
    // self is the request in the same canonical form: parameters sorted, brackets encoded.
    const self = absolute(`/jsonapi/articles?filter%5Bauthor%5D=${author.username}&include=author&page%5Blimit%5D=2`);
    const cursorLink = (name: "after" | "before") =>
      expect.stringMatching(
        new RegExp(
          `^${literal(absolute(`/jsonapi/articles?filter%5Bauthor%5D=${author.username}&include=author&page%5B${name}%5D=`))}c1\\.[\\w-]+\\.[\\w-]+&page%5Blimit%5D=2$`,
        ),
      );
    expect(first.links).toEqual({ self, first: at(0), prev: null, next: cursorLink("after"), last: at(4) });
    expect(first.meta).toEqual({ total: 5 });
    expect(ids(first)).toEqual([made[4], made[3]]);

    const middle = await get(at(2));
    expect(middle.links).toMatchObject({ first: at(0), prev: cursorLink("before"), next: cursorLink("after"), last: at(4) });
    expect(ids(await get(middle.links.prev))).toEqual([made[4], made[3]]);
    expect(ids(await get(middle.links.next))).toEqual([made[0]]);
    const last = await get(at(4));
    expect(last.links).toMatchObject({ prev: cursorLink("before"), next: null, last: at(4) });
    expect(ids(last)).toEqual([made[0]]);

    const seen: string[] = [];
    let link: string | null = `${base}&page[limit]=2`;
    while (link) {
      const page: any = await get(link);
      seen.push(...ids(page));
      link = page.links.next;
    }
    expect(seen).toEqual([...made].reverse());
  });

  it("an offset that is not a multiple of the limit, an offset past the end, and an empty collection", async () => {
    const author = await registerUser();
    for (let i = 0; i < 3; i++) await createArticleJsonApi(author.token);
    const list = `/jsonapi/articles?filter[author]=${author.username}`;
    const link = (limit: number, offset: number) =>
      absolute(`/jsonapi/articles?filter%5Bauthor%5D=${author.username}&page%5Blimit%5D=${limit}&page%5Boffset%5D=${offset}`);
    const notMultiple = await get(`${list}&page[limit]=2&page[offset]=1`);
    expect(notMultiple.links).toMatchObject({ next: null, last: link(2, 2) });
    expect((await get(notMultiple.links.prev)).data).toHaveLength(1);
    const past = await get(`${list}&page[offset]=10`);
    expect(past.data).toEqual([]);
    expect(past.links).toMatchObject({ prev: link(20, 0), next: null, last: link(20, 0) });
    const none = await get(`/jsonapi/articles?filter[author]=${unique("nobody")}`);
    expect(none.data).toEqual([]);
    expect(none.meta).toEqual({ total: 0 });
    expect(none.links.next).toBeNull();
    expect(none.links.first).toBe(none.links.last);
  });

  it("answers 400 with the domain's words for a bad page[limit] or page[offset], or a page parameter it has not", async () => {
    for (const [query, parameter, detail] of [
      ["page[limit]=0", "page[limit]", "page[limit] must be at least 1"],
      ["page[limit]=101", "page[limit]", "page[limit] must be at most 100"],
      ["page[limit]=ten", "page[limit]", "page[limit] must be an integer"],
      ["page[offset]=-1", "page[offset]", "page[offset] must be at least 0"],
      ["page[offset]=1.5", "page[offset]", "page[offset] must be an integer"],
      ["page[size]=10", "page[size]", "page[size] is not a query parameter this endpoint supports"],
      ["limit=10", "limit", "limit is not a query parameter this endpoint supports"],
    ] as const) {
      const errors = expectErrors(await jsonapi("GET", `/jsonapi/articles?${query}`), 400);
      expect(errors[0], query).toEqual({
        status: "400",
        code: "bad_request",
        title: "Invalid query parameter",
        detail,
        source: { parameter },
      });
    }
    const errors = expectErrors(await jsonapi("GET", "/jsonapi/tags?page[limit]=1"), 400);
    expect(errors[0]).toMatchObject({ source: { parameter: "page[limit]" } });
  });
});

describe("the feed", () => {
  it("lists the articles of the users the viewer follows, paged, newest first; 401 when anonymous", async () => {
    const reader = await registerUser();
    const followed = await registerUser();
    const ignored = await registerUser();
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await createArticleJsonApi(followed.token)).id);
    await createArticleJsonApi(ignored.token);
    const followedId = await userIdOf(followed);
    const readerId = await userIdOf(reader);
    const follow = await jsonapi("POST", `/jsonapi/users/${readerId}/relationships/following`, {
      token: reader.token,
      body: linkage("users", followedId),
    });
    expect(follow.status).toBe(204);

    const doc = await get("/jsonapi/feed?page[limit]=2&include=author", reader.token);
    expect(ids(doc)).toEqual([made[2], made[1]]);
    expect(doc.meta).toEqual({ total: 3 });
    expect(doc.links.next).toMatch(
      /^http:\/\/localhost\/jsonapi\/feed\?include=author&page%5Bafter%5D=c1\.[\w-]+\.[\w-]+&page%5Blimit%5D=2$/,
    );
    expect(ids(await get(doc.links.next, reader.token))).toEqual([made[0]]);
    expect(doc.included[0]).toMatchObject({ type: "users", id: followedId, meta: { following: true } });
    expect(ids(await get("/jsonapi/feed?sort=createdAt", reader.token))).toEqual(made);

    expectErrors(await jsonapi("GET", "/jsonapi/feed"), 401);
  });
});

describe("responses", () => {
  it("are application/vnd.api+json, vary on Accept and report their cost", async () => {
    const reply = await jsonapi("GET", "/jsonapi/tags");
    expect(reply.headers.get("content-type")).toBe(MEDIA_TYPE);
    expect(reply.headers.get("vary")).toMatch(/\bAccept\b/);
    expect(timing(reply).d1, "the D1 round trips, in Server-Timing").toBeGreaterThanOrEqual(0);
  });
});
