import { describe, expect, it } from "vitest";
import { call, registerUser, type TestUser, unique } from "./support/api";
import { count } from "./support/d1";
import {
  absolute,
  commentJsonApi,
  createArticleJsonApi,
  expectDocument,
  expectErrors,
  jsonapi,
  linkage,
  resource,
} from "./support/jsonapi";

// JSON:API writes: create, update and delete articles, create and delete
// comments, register and update the viewer, favorites and follows as
// relationship operations on the viewer. Success and every error case, each
// response checked for document structure.

async function meOf(user: TestUser | { token: string }) {
  const reply = await jsonapi("GET", "/jsonapi/users/me", { token: user.token });
  return expectDocument(reply);
}

const countRows = (table: string) => count(`SELECT count(*) AS n FROM ${table}`);

const articleDoc = (attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  resource("articles", { attributes, ...extra });

describe("registration and the viewer", () => {
  it("POST /jsonapi/users registers: 201, Location, the user resource and the token in meta", async () => {
    const username = unique("reg");
    const reply = await jsonapi("POST", "/jsonapi/users", {
      body: resource("users", { attributes: { username, email: `${username}@example.com`, password: "long enough pw" } }),
    });
    expect(reply.status).toBe(201);
    const doc = expectDocument(reply);
    expect(reply.headers.get("location")).toBe(absolute(`/jsonapi/users/${doc.data.id}`));
    expect(doc.data.links.self).toBe(reply.headers.get("location"));
    expect(doc.data.attributes).toEqual({ username, bio: null, image: null });
    expect(doc.meta.email).toBe(`${username}@example.com`);
    // The token works on JSON:API and REST alike; login itself stays on REST.
    expect((await meOf({ token: doc.meta.token })).data.id).toBe(doc.data.id);
    const login = await call("POST", "/api/users/login", {
      body: { user: { email: `${username}@example.com`, password: "long enough pw" } },
    });
    expect(login.status).toBe(200);
    expect((await meOf({ token: login.body.user.token })).data.id).toBe(doc.data.id);
  });

  it("refuses a registration the domain refuses, pointing at the attribute, in the domain's words", async () => {
    const taken = await registerUser();
    const cases: [Record<string, unknown>, { pointer: string; detail: string }[]][] = [
      [
        { username: taken.username, email: `${unique("e")}@example.com`, password: "long enough pw" },
        [{ pointer: "/data/attributes/username", detail: "username has already been taken" }],
      ],
      [
        { username: unique("u"), email: "not-an-email", password: "short" },
        [
          { pointer: "/data/attributes/email", detail: "email is invalid" },
          { pointer: "/data/attributes/password", detail: "password is too short (minimum is 8 characters)" },
        ],
      ],
      [
        { email: `${unique("e")}@example.com`, password: "long enough pw" },
        [{ pointer: "/data/attributes", detail: "username is required" }],
      ],
    ];
    for (const [attributes, expected] of cases) {
      const errors = expectErrors(await jsonapi("POST", "/jsonapi/users", { body: resource("users", { attributes }) }), 422);
      expect(errors.map((e: any) => ({ pointer: e.source.pointer, detail: e.detail }))).toEqual(expected);
      for (const error of errors) expect(error).toMatchObject({ status: "422", code: "invalid", title: "Invalid attribute" });
    }
  });

  it("PATCH /jsonapi/users/me updates the viewer; a password change returns a fresh token", async () => {
    const user = await registerUser();
    const id = (await meOf(user)).data.id;
    const reply = await jsonapi("PATCH", "/jsonapi/users/me", {
      token: user.token,
      body: resource("users", { id: "me", attributes: { bio: "new bio", image: "https://example.com/me.png" } }),
    });
    expect(reply.status).toBe(200);
    const doc = expectDocument(reply);
    expect(doc.data).toMatchObject({
      id,
      attributes: { username: user.username, bio: "new bio", image: "https://example.com/me.png" },
    });
    expect(doc.meta.token).toBe(user.token);
    // By its own id, too; then a password change, which revokes the old token.
    const changed = await jsonapi("PATCH", `/jsonapi/users/${id}`, {
      token: user.token,
      body: resource("users", { id, attributes: { password: "another long one" } }),
    });
    expect(changed.status).toBe(200);
    const fresh = expectDocument(changed).meta.token;
    expect(fresh).not.toBe(user.token);
    expectErrors(await jsonapi("GET", "/jsonapi/users/me", { token: user.token }), 401);
    expect((await meOf({ token: fresh })).data.id).toBe(id);
  });

  it("refuses other users, mismatched ids and types, a taken username and an empty change", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const otherId = (await meOf(other)).data.id;
    const patch = (path: string, body: unknown, token: string | null = user.token) => jsonapi("PATCH", path, { token, body });
    const bio = { attributes: { bio: "x" } };

    expectErrors(await patch("/jsonapi/users/me", resource("users", { id: "me", ...bio }), null), 401);
    expect(
      expectErrors(await patch(`/jsonapi/users/${otherId}`, resource("users", { id: otherId, ...bio })), 403)[0],
    ).toMatchObject({
      code: "forbidden",
    });
    expect(expectErrors(await patch("/jsonapi/users/me", resource("users", { id: otherId, ...bio })), 409)[0]).toMatchObject({
      source: { pointer: "/data/id" },
    });
    expect(expectErrors(await patch("/jsonapi/users/me", resource("articles", { id: "me", ...bio })), 409)[0]).toMatchObject({
      source: { pointer: "/data/type" },
    });
    expect(expectErrors(await patch("/jsonapi/users/me", resource("users", bio)), 400)[0]).toMatchObject({
      source: { pointer: "/data/id" },
    });
    expect(
      expectErrors(
        await patch("/jsonapi/users/me", resource("users", { id: "me", attributes: { username: other.username } })),
        422,
      )[0],
    ).toMatchObject({ detail: "username has already been taken", source: { pointer: "/data/attributes/username" } });
    expect(expectErrors(await patch("/jsonapi/users/me", resource("users", { id: "me", attributes: {} })), 422)[0]).toMatchObject(
      {
        detail: "attributes needs at least one field",
        source: { pointer: "/data/attributes" },
      },
    );
    expect(
      expectErrors(await patch("/jsonapi/users/me", resource("users", { id: "me", attributes: { image: "ftp://x" } })), 422)[0],
    ).toMatchObject({ detail: "image must be an http(s) URL", source: { pointer: "/data/attributes/image" } });
  });
});

describe("articles", () => {
  it("POST creates: 201, Location equal to the self link, tags as a relationship; read-only fields are ignored", async () => {
    const author = await registerUser();
    const title = unique("Created ");
    const reply = await jsonapi("POST", "/jsonapi/articles?include=author", {
      token: author.token,
      body: articleDoc(
        { title, description: "d", body: "b", slug: "chosen", favoritesCount: 99, createdAt: "2000-01-01T00:00:00.000Z" },
        { relationships: { tags: linkage("tags", "one", "two") } },
      ),
    });
    expect(reply.status).toBe(201);
    const doc = expectDocument(reply);
    expect(reply.headers.get("location")).toBe(doc.data.links.self);
    expect(doc.data.links.self).toBe(absolute(`/jsonapi/articles/${doc.data.id}`));
    expect(doc.data.attributes).toMatchObject({ title, description: "d", body: "b", favoritesCount: 0 });
    expect(doc.data.attributes.slug).not.toBe("chosen");
    expect(doc.data.attributes.createdAt).not.toBe("2000-01-01T00:00:00.000Z");
    expect(doc.data.relationships.tags.data).toEqual(linkage("tags", "one", "two").data);
    expect(doc.included).toEqual([
      expect.objectContaining({ type: "users", attributes: expect.objectContaining({ username: author.username }) }),
    ]);
    // The same through REST.
    const rest = await call("GET", `/api/articles/${doc.data.attributes.slug}`);
    expect(rest.body.article).toMatchObject({ title, tagList: ["one", "two"] });
  });

  it("refuses a create the domain refuses, pointing at each attribute or relationship", async () => {
    const author = await registerUser();
    const create = (body: unknown) => jsonapi("POST", "/jsonapi/articles", { token: author.token, body });
    const details = async (body: unknown, status = 422) =>
      expectErrors(await create(body), status).map((e: any) => [e.source?.pointer, e.detail, e.title]);

    expect(await details(articleDoc({ title: "  ", description: "d", body: "b" }))).toEqual([
      ["/data/attributes/title", "title can't be blank", "Invalid attribute"],
    ]);
    expect(await details(articleDoc({ description: "d" }))).toEqual([
      ["/data/attributes", "title is required", "Invalid attribute"],
      ["/data/attributes", "body is required", "Invalid attribute"],
    ]);
    expect(await details(resource("articles"))).toEqual([
      ["/data", "title is required", "Invalid attribute"],
      ["/data", "description is required", "Invalid attribute"],
      ["/data", "body is required", "Invalid attribute"],
    ]);
    expect(await details(articleDoc({ title: 7, description: "d", body: "b" }))).toEqual([
      ["/data/attributes/title", "title must be a string", "Invalid attribute"],
    ]);
    expect(
      await details(
        articleDoc({ title: "t", description: "d", body: "b" }, { relationships: { tags: linkage("tags", "ok", " ") } }),
      ),
    ).toEqual([["/data/relationships/tags", "tags can't contain blank tags", "Invalid relationship"]]);
    expect(
      await details(
        articleDoc(
          { title: "t", description: "d", body: "b" },
          { relationships: { tags: linkage("tags", ...Array.from({ length: 21 }, (_, i) => `t${i}`)) } },
        ),
      ),
    ).toEqual([["/data/relationships/tags", "tags can't have more than 20 tags", "Invalid relationship"]]);
  });

  it("refuses malformed documents: 400 for structure, 409 for a type that does not belong, 403 for a client id", async () => {
    const author = await registerUser();
    const create = (body: unknown) => jsonapi("POST", "/jsonapi/articles", { token: author.token, body });
    const attributes = { title: "t", description: "d", body: "b" };
    const cases: [unknown, number, string][] = [
      [[], 400, ""],
      ["text", 400, ""],
      [{ article: attributes }, 400, "/data"],
      [{ data: [] }, 400, "/data"],
      [{ data: { attributes } }, 400, "/data/type"],
      [{ data: { type: "users", attributes } }, 409, "/data/type"],
      [{ data: { type: "articles", id: "42", attributes } }, 403, "/data/id"],
      [{ data: { type: "articles", attributes: "title" } }, 400, "/data/attributes"],
      [{ data: { type: "articles", attributes, relationships: [] } }, 400, "/data/relationships"],
      [{ data: { type: "articles", attributes, relationships: { tags: ["x"] } } }, 400, "/data/relationships/tags"],
      [{ data: { type: "articles", attributes, relationships: { tags: { data: "x" } } } }, 400, "/data/relationships/tags/data"],
      [
        { data: { type: "articles", attributes, relationships: { tags: { data: [{ type: "tags", id: 1 }] } } } },
        400,
        "/data/relationships/tags/data/0",
      ],
      [
        { data: { type: "articles", attributes, relationships: { tags: linkage("users", "1") } } },
        409,
        "/data/relationships/tags/data/0/type",
      ],
    ];
    const before = await countRows("articles");
    for (const [body, status, pointer] of cases) {
      const errors = expectErrors(await create(body), status);
      expect(errors[0].source, JSON.stringify(body)).toEqual({ pointer });
    }
    expect(await countRows("articles")).toBe(before);
    expectErrors(await jsonapi("POST", "/jsonapi/articles", { body: resource("articles", { attributes }) }), 401);
  });

  it("PATCH updates only what is sent; the slug follows the title, the id stays; tags are replaced", async () => {
    const author = await registerUser();
    const article = await createArticleJsonApi(author.token, { tags: ["old"] });
    const title = unique("Changed ");
    const reply = await jsonapi("PATCH", `/jsonapi/articles/${article.id}`, {
      token: author.token,
      body: resource("articles", {
        id: article.id,
        attributes: { title },
        relationships: { tags: linkage("tags", "new", "newer") },
      }),
    });
    expect(reply.status).toBe(200);
    const doc = expectDocument(reply);
    expect(doc.data.id).toBe(article.id);
    expect(doc.data.attributes).toMatchObject({
      title,
      description: article.attributes.description,
      body: article.attributes.body,
    });
    expect(doc.data.attributes.slug).not.toBe(article.attributes.slug);
    expect(doc.data.attributes.updatedAt > article.attributes.updatedAt).toBe(true);
    expect(doc.data.relationships.tags.data).toEqual(linkage("tags", "new", "newer").data);
    const cleared = await jsonapi("PATCH", `/jsonapi/articles/${article.id}`, {
      token: author.token,
      body: resource("articles", { id: article.id, relationships: { tags: { data: [] } } }),
    });
    expect(expectDocument(cleared).data.relationships.tags.data).toEqual([]);
    expect(expectDocument(cleared).data.attributes.title).toBe(title);
  });

  it("PATCH refuses: 401, 404, 409 for id or type, 400 without id, 422 (before 403) and 403 for someone else's", async () => {
    const author = await registerUser();
    const other = await registerUser();
    const { id } = await createArticleJsonApi(author.token);
    const patch = (path: string, body: unknown, token: string | null = author.token) => jsonapi("PATCH", path, { token, body });
    const title = { attributes: { title: "x" } };

    expectErrors(await patch(`/jsonapi/articles/${id}`, resource("articles", { id, ...title }), null), 401);
    expectErrors(await patch("/jsonapi/articles/999999", resource("articles", { id: "999999", ...title })), 404);
    expect(
      expectErrors(await patch(`/jsonapi/articles/${id}`, resource("articles", { id: "1", ...title })), 409)[0].source,
    ).toEqual({
      pointer: "/data/id",
    });
    expect(expectErrors(await patch(`/jsonapi/articles/${id}`, resource("comments", { id, ...title })), 409)[0].source).toEqual({
      pointer: "/data/type",
    });
    expectErrors(await patch(`/jsonapi/articles/${id}`, resource("articles", title)), 400);
    expect(
      expectErrors(await patch(`/jsonapi/articles/${id}`, resource("articles", { id, attributes: {} })), 422)[0],
    ).toMatchObject({
      detail: "attributes needs at least one field",
      source: { pointer: "/data/attributes" },
    });
    // Another user: an invalid update hears 422, a valid one 403 (validation comes first, as in REST).
    expectErrors(
      await patch(`/jsonapi/articles/${id}`, resource("articles", { id, attributes: { title: "" } }), other.token),
      422,
    );
    expect(
      expectErrors(await patch(`/jsonapi/articles/${id}`, resource("articles", { id, ...title }), other.token), 403)[0],
    ).toMatchObject({
      detail: "only the author can update this article",
    });
  });

  it("DELETE: 204, then 404; only the author; 401 anonymous", async () => {
    const author = await registerUser();
    const other = await registerUser();
    const { id } = await createArticleJsonApi(author.token);
    expectErrors(await jsonapi("DELETE", `/jsonapi/articles/${id}`), 401);
    expectErrors(await jsonapi("DELETE", `/jsonapi/articles/${id}`, { token: other.token }), 403);
    const unknown = expectErrors(await jsonapi("DELETE", `/jsonapi/articles/${id}?force=1`, { token: author.token }), 400);
    expect(unknown[0].source).toEqual({ parameter: "force" });
    const deleted = await jsonapi("DELETE", `/jsonapi/articles/${id}`, { token: author.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expectErrors(await jsonapi("GET", `/jsonapi/articles/${id}`), 404);
    expectErrors(await jsonapi("DELETE", `/jsonapi/articles/${id}`, { token: author.token }), 404);
  });
});

describe("comments", () => {
  it("POST /jsonapi/comments: 201 with Location; the article is a relationship", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticleJsonApi(author.token);
    const reply = await jsonapi("POST", "/jsonapi/comments?include=author", {
      token: reader.token,
      body: resource("comments", {
        attributes: { body: "Well said" },
        relationships: { article: { data: { type: "articles", id: article.id } } },
      }),
    });
    expect(reply.status).toBe(201);
    const doc = expectDocument(reply);
    expect(reply.headers.get("location")).toBe(absolute(`/jsonapi/comments/${doc.data.id}`));
    expect(doc.data.attributes.body).toBe("Well said");
    expect(doc.data.relationships.article.data).toEqual({ type: "articles", id: article.id });
    expect(doc.included[0].attributes.username).toBe(reader.username);
    const rest = await call("GET", `/api/articles/${article.attributes.slug}/comments`);
    expect(rest.body.comments.map((c: any) => [c.id, c.body])).toEqual([[Number(doc.data.id), "Well said"]]);
  });

  it("refuses a comment without an article, on an unknown article, or with a blank body", async () => {
    const user = await registerUser();
    const article = await createArticleJsonApi(user.token);
    const post = (body: unknown, token: string | null = user.token) => jsonapi("POST", "/jsonapi/comments", { token, body });
    const on = (id: string, type = "articles") => ({ article: { data: { type, id } } });

    expectErrors(await post(resource("comments", { attributes: { body: "x" }, relationships: on(article.id) }), null), 401);
    expect(
      expectErrors(await post(resource("comments", { attributes: { body: "x" } })), 422).map((e: any) => [
        e.source.pointer,
        e.detail,
        e.title,
      ]),
    ).toEqual([["/data", "article is required", "Invalid relationship"]]);
    expect(
      expectErrors(await post(resource("comments", { attributes: { body: " " }, relationships: on(article.id) })), 422).map(
        (e: any) => [e.source.pointer, e.detail],
      ),
    ).toEqual([["/data/attributes/body", "body can't be blank"]]);
    expect(
      expectErrors(await post(resource("comments", { attributes: { body: "x" }, relationships: on("999999") })), 404)[0].detail,
    ).toBe("article not found");
    expectErrors(await post(resource("comments", { attributes: { body: "x" }, relationships: on("nope") })), 404);
    expect(
      expectErrors(
        await post(resource("comments", { attributes: { body: "x" }, relationships: on(article.id, "users") })),
        409,
      )[0].source,
    ).toEqual({
      pointer: "/data/relationships/article/data/type",
    });
  });

  it("DELETE /jsonapi/comments/{id}: only its author; 204, then 404", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticleJsonApi(author.token);
    const comment = await commentJsonApi(reader.token, article.id, "mine");
    expectErrors(await jsonapi("DELETE", `/jsonapi/comments/${comment.id}`), 401);
    expect(expectErrors(await jsonapi("DELETE", `/jsonapi/comments/${comment.id}`, { token: author.token }), 403)[0].detail).toBe(
      "only the author can delete this comment",
    );
    expect((await jsonapi("DELETE", `/jsonapi/comments/${comment.id}`, { token: reader.token })).status).toBe(204);
    expectErrors(await jsonapi("GET", `/jsonapi/comments/${comment.id}`), 404);
    expectErrors(await jsonapi("DELETE", `/jsonapi/comments/${comment.id}`, { token: reader.token }), 404);
    expectErrors(await jsonapi("DELETE", "/jsonapi/comments/x", { token: reader.token }), 404);
  });
});

describe("favorites and follows: relationship operations on the viewer", () => {
  it("favorites: POST adds (idempotently), DELETE removes; the article shows it", async () => {
    const author = await registerUser();
    const fan = await registerUser();
    const article = await createArticleJsonApi(author.token);
    const favorites = "/jsonapi/users/me/relationships/favorites";
    const view = async (token?: string) =>
      expectDocument(await jsonapi("GET", `/jsonapi/articles/${article.id}`, { token: token ?? null })).data;

    for (let i = 0; i < 2; i++) {
      const added = await jsonapi("POST", favorites, { token: fan.token, body: linkage("articles", article.id) });
      expect(added.status).toBe(204);
      expect(added.text).toBe("");
    }
    expect(await view(fan.token)).toMatchObject({ attributes: { favoritesCount: 1 }, meta: { favorited: true } });
    expect(await view()).toMatchObject({ attributes: { favoritesCount: 1 }, meta: { favorited: false } });
    // By the viewer's own id, too.
    const fanId = (await meOf(fan)).data.id;
    for (let i = 0; i < 2; i++) {
      expect(
        (
          await jsonapi("DELETE", `/jsonapi/users/${fanId}/relationships/favorites`, {
            token: fan.token,
            body: linkage("articles", article.id),
          })
        ).status,
      ).toBe(204);
    }
    expect(await view(fan.token)).toMatchObject({ attributes: { favoritesCount: 0 }, meta: { favorited: false } });
  });

  it("following: POST follows, DELETE unfollows; the user shows it; following yourself is refused", async () => {
    const reader = await registerUser();
    const writer = await registerUser();
    const writerId = (await meOf(writer)).data.id;
    const following = "/jsonapi/users/me/relationships/following";
    const meta = async () =>
      expectDocument(await jsonapi("GET", `/jsonapi/users/${writerId}`, { token: reader.token })).data.meta;

    expect((await jsonapi("POST", following, { token: reader.token, body: linkage("users", writerId) })).status).toBe(204);
    expect(await meta()).toEqual({ following: true });
    const profile = await call("GET", `/api/profiles/${writer.username}`, { token: reader.token });
    expect(profile.body.profile.following).toBe(true);
    expect((await jsonapi("DELETE", following, { token: reader.token, body: linkage("users", writerId) })).status).toBe(204);
    expect(await meta()).toEqual({ following: false });

    const self = expectErrors(await jsonapi("POST", following, { token: writer.token, body: linkage("users", writerId) }), 422);
    expect(self[0]).toMatchObject({
      detail: "username is your own: you cannot follow yourself",
      source: { pointer: "/data/0" },
      title: "Invalid relationship",
    });
  });

  it("refuses: anonymous 401, another user's relationships 403, several members 403, unknown members 404, wrong types 409", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const article = await createArticleJsonApi(other.token);
    const otherId = (await meOf(other)).data.id;
    const send = (method: string, path: string, body: unknown, token: string | null = user.token) =>
      jsonapi(method, path, { token, body });
    const favorites = "/jsonapi/users/me/relationships/favorites";

    expectErrors(await send("POST", favorites, linkage("articles", article.id), null), 401);
    expectErrors(await send("POST", `/jsonapi/users/${otherId}/relationships/favorites`, linkage("articles", article.id)), 403);
    expect(expectErrors(await send("POST", favorites, linkage("articles", article.id, article.id)), 403)[0].source).toEqual({
      pointer: "/data",
    });
    expect(expectErrors(await send("POST", favorites, linkage("articles", "999999")), 404)[0].detail).toBe("article not found");
    expect(
      expectErrors(await send("DELETE", "/jsonapi/users/me/relationships/following", linkage("users", "999999")), 404)[0].detail,
    ).toBe("profile not found");
    expectErrors(await send("POST", favorites, linkage("articles", "abc")), 404);
    expect(expectErrors(await send("POST", favorites, linkage("users", otherId)), 409)[0].source).toEqual({
      pointer: "/data/0/type",
    });
    expectErrors(await send("POST", favorites, { data: { type: "articles", id: article.id } }), 400);
    expectErrors(await send("POST", favorites, {}), 400);
    expectErrors(await send("POST", "/jsonapi/users/me/relationships/articles", linkage("articles", article.id)), 404);
    expectErrors(await jsonapi("GET", favorites, { token: user.token }), 404);
  });

  it("an empty member list changes nothing and still checks the token", async () => {
    const user = await registerUser();
    const reply = await jsonapi("POST", "/jsonapi/users/me/relationships/favorites", { token: user.token, body: { data: [] } });
    expect(reply.status).toBe(204);
    await call("POST", "/api/user/logout", { token: user.token });
    expectErrors(
      await jsonapi("POST", "/jsonapi/users/me/relationships/favorites", { token: user.token, body: { data: [] } }),
      401,
    );
  });
});
