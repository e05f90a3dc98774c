import { describe, expect, it } from "vitest";
import { jsonApiRoutes } from "../src/api/jsonapi";
import { type Reply, unique } from "./support/api";
import {
  commentJsonApi,
  createArticleJsonApi,
  expectDocument,
  jsonapi,
  linkage,
  registerJsonApi,
  resource,
} from "./support/jsonapi";
import { expectJsonApiSchema, jsonApiSchemaLoaded } from "./support/jsonapi-schema";

// Every JSON:API response of the suite is checked against the published
// JSON:API 1.0 schema (test/support/api.ts). Here: that the check is there and
// bites, and that every route the adapter declares answers, success and
// error, with a document the schema accepts, so a new route cannot skip it.

describe("the JSON:API schema check", () => {
  it.runIf(jsonApiSchemaLoaded())("refuses what a server must not send", () => {
    const good = { jsonapi: { version: "1.1" }, links: { self: "http://localhost/jsonapi/tags" }, data: [] };
    expect(() => expectJsonApiSchema(good, "good")).not.toThrow();
    for (const [what, bad] of [
      ["a root-relative link", { ...good, links: { self: "/jsonapi/tags" } }],
      ["data and errors together", { ...good, errors: [{ status: "400" }] }],
      ["an unknown top-level member", { ...good, extra: 1 }],
      ["an error status that is a number", { jsonapi: { version: "1.1" }, errors: [{ status: 400 }] }],
      ["a 1.0 version", { ...good, jsonapi: { version: "1.0" } }],
      ["a non-string source.header", { jsonapi: { version: "1.1" }, errors: [{ status: "406", source: { header: 1 } }] }],
    ] as const) {
      expect(() => expectJsonApiSchema(bad, what), what).toThrow();
    }
  });

  it("every JSON:API route answers documents the schema accepts, success and error", async () => {
    const writer = await registerJsonApi(unique("schemaw"));
    const reader = await registerJsonApi(unique("schemar"));
    const article = await createArticleJsonApi(writer.token, { tags: ["schema"] });
    const comment = await commentJsonApi(reader.token, article.id, "Checked");
    const doomed = await createArticleJsonApi(writer.token);
    const doomedComment = await commentJsonApi(reader.token, article.id, "Going");
    const asWriter = { token: writer.token };
    const asReader = { token: reader.token };
    const articleDoc = resource("articles", { attributes: { title: unique("Schema "), description: "d", body: "b" } });
    // Per route (by operationId): requests that answer with a body, a success first where there is one.
    const requests: Record<string, [string, string, Parameters<typeof jsonapi>[2]?][]> = {
      JsonApiRoot: [["GET", "/jsonapi"]],
      JsonApiListArticles: [
        ["GET", "/jsonapi/articles?include=author,tags,comments.author&page[limit]=2"],
        ["GET", `/jsonapi/articles?filter[slug]=${article.attributes.slug}&fields[articles]=title`],
        ["GET", "/jsonapi/articles?page[limit]=0"],
      ],
      JsonApiFeed: [
        ["GET", "/jsonapi/feed?include=author", asReader],
        ["GET", "/jsonapi/feed"],
      ],
      JsonApiGetArticle: [
        ["GET", `/jsonapi/articles/${article.id}?include=author,tags,comments,comments.author`],
        ["GET", "/jsonapi/articles/999999999"],
      ],
      JsonApiCreateArticle: [
        ["POST", "/jsonapi/articles?include=author,tags", { ...asWriter, body: articleDoc }],
        ["POST", "/jsonapi/articles", { ...asWriter, body: resource("articles", { attributes: { title: "" } }) }],
      ],
      JsonApiUpdateArticle: [
        [
          "PATCH",
          `/jsonapi/articles/${article.id}`,
          { ...asWriter, body: resource("articles", { id: article.id, attributes: { body: "new" } }) },
        ],
        [
          "PATCH",
          `/jsonapi/articles/${article.id}`,
          { ...asReader, body: resource("articles", { id: article.id, attributes: { body: "x" } }) },
        ],
      ],
      JsonApiDeleteArticle: [["DELETE", `/jsonapi/articles/${doomed.id}`, asReader]],
      JsonApiListArticleComments: [["GET", `/jsonapi/articles/${article.id}/comments?include=author`]],
      JsonApiGetComment: [["GET", `/jsonapi/comments/${comment.id}?include=author,article,article.author,article.tags`]],
      JsonApiCreateComment: [
        [
          "POST",
          "/jsonapi/comments",
          {
            ...asReader,
            body: resource("comments", {
              attributes: { body: "More" },
              relationships: { article: { data: { type: "articles", id: article.id } } },
            }),
          },
        ],
      ],
      JsonApiDeleteComment: [["DELETE", `/jsonapi/comments/${doomedComment.id}`, asWriter]],
      JsonApiRegister: [
        [
          "POST",
          "/jsonapi/users",
          {
            body: resource("users", {
              attributes: { username: writer.username, email: "x@example.com", password: "long enough" },
            }),
          },
        ],
      ],
      JsonApiGetUser: [
        ["GET", `/jsonapi/users/${writer.id}`],
        ["GET", "/jsonapi/users/me", asReader],
      ],
      JsonApiUpdateMe: [
        ["PATCH", "/jsonapi/users/me", { ...asReader, body: resource("users", { id: "me", attributes: { bio: "Checked" } }) }],
      ],
      JsonApiListUserArticles: [["GET", `/jsonapi/users/${writer.id}/articles?include=author`]],
      JsonApiAddRelationship: [
        ["POST", "/jsonapi/users/me/relationships/following", { ...asWriter, body: linkage("users", writer.id) }],
      ],
      JsonApiRemoveRelationship: [
        ["DELETE", "/jsonapi/users/me/relationships/favorites", { ...asReader, body: linkage("tags", "x") }],
      ],
      JsonApiListTags: [
        ["GET", "/jsonapi/tags"],
        ["GET", "/jsonapi/tags", { headers: { Accept: "application/vnd.api+json; charset=utf-8" } }],
      ],
    };
    const declared = jsonApiRoutes.map((route) => route.operationId).sort();
    expect(Object.keys(requests).sort(), "a request for every declared route").toEqual(declared);
    for (const [operationId, list] of Object.entries(requests)) {
      for (const [method, path, options] of list) {
        const reply: Reply = await jsonapi(method, path, options);
        expect(reply.text, `${operationId}: ${method} ${path} answers a document`).not.toBe("");
        // test/support/api.ts has validated it against the schema; the structure checks go further.
        expectDocument(reply, { sparse: path.includes("fields[") });
      }
    }
  });
});
