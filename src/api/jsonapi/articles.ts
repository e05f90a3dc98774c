import * as articles from "../../domain/articles";
import { ArticleChanges, NewArticle } from "../../domain/inputs";
import {
  ARTICLE_INCLUDES,
  articleCollection,
  articleDocument,
  articleId,
  articleResource,
  Compound,
  listingOptions,
  selfOf,
} from "./document";
import { locator, pick, type ResourceInput, resourceInput, toMany, validated } from "./input";
import { readDocument, urlOf } from "./request";
import { jsonApiRoute } from "./route";
import { ARTICLE_INPUT } from "./vocabulary";

const ARTICLE_WRITE_INCLUDES = ["author", "tags"];

/** An article in a request, as the domain's input names its fields (the `tags` relationship is `tagList`). */
function articleValues(input: ResourceInput) {
  const tags = toMany(input, "tags", "tags");
  return { ...pick(input, ARTICLE_INPUT), ...(tags === undefined ? {} : { tagList: tags }) };
}

const articleFields = (input: ResourceInput) => locator(input, { tagList: "tags" });
const RATE_LIMITED = "Too many writes from this client, or too many registrations.";

const articleExample = {
  jsonapi: { version: "1.1" },
  data: {
    type: "articles",
    id: "1",
    attributes: {
      slug: "how-to-train-your-dragon",
      title: "How to train your dragon",
      description: "Ever wonder how?",
      body: "It takes a Jacobian",
      createdAt: "2024-01-01T00:00:00.000Z",
      updatedAt: "2024-01-01T00:00:00.000Z",
      favoritesCount: 0,
    },
    relationships: {
      author: { data: { type: "users", id: "1" } },
      tags: { data: [{ type: "tags", id: "dragons" }] },
      comments: { links: { related: "https://conduit.example/jsonapi/articles/1/comments" } },
    },
    links: { self: "https://conduit.example/jsonapi/articles/1" },
    meta: { favorited: false },
  },
};

export const articleRoutes = [
  jsonApiRoute({
    method: "get",
    path: "/articles",
    operationId: "JsonApiListArticles",
    summary: "Articles, newest first (a search: best match first), filtered and paginated",
    auth: "optional",
    type: "articles",
    query: { include: ARTICLE_INCLUDES, sort: true, page: "articles", filter: true },
    success: { status: 200 },
    cache: {},
    doc: OPENAPI && {
      description: "`filter[slug]` finds the article a slug names (a collection of one, or none).",
      answer: "A collection with page links and `meta.total`",
      errors: {},
    },
    handle: async (c, { query }) => {
      const listing = await articles.articleListing(c.var.ctx, query.list, listingOptions(query));
      return { document: articleCollection(urlOf(c), query, listing) };
    },
  }),
  jsonApiRoute({
    method: "get",
    path: "/feed",
    operationId: "JsonApiFeed",
    summary: "Articles by the users you follow",
    auth: "required",
    type: "articles",
    query: { include: ARTICLE_INCLUDES, sort: true, page: "articles" },
    success: { status: 200 },
    doc: OPENAPI && { answer: "A collection with page links and `meta.total`", errors: {} },
    handle: async (c, { query }) => {
      const listing = await articles.feedListing(c.var.ctx, query.list, listingOptions(query));
      return { document: articleCollection(urlOf(c), query, listing) };
    },
  }),
  jsonApiRoute({
    method: "get",
    path: "/articles/:id",
    operationId: "JsonApiGetArticle",
    summary: "One article, with its body",
    auth: "optional",
    type: "articles",
    params: ["article"],
    query: { include: ARTICLE_INCLUDES },
    success: { status: 200 },
    cache: {},
    doc: OPENAPI && { answer: "The article", example: articleExample, errors: { 404: "No such article." } },
    handle: async (c, { query, ids: [id = 0] }) => {
      if (query.include?.has("comments")) {
        const { article, comments } = await articles.getArticleWithComments(c.var.ctx, { id });
        return { document: articleDocument(urlOf(c), query, article, comments) };
      }
      return { document: articleDocument(urlOf(c), query, await articles.getArticle(c.var.ctx, { id })) };
    },
  }),
  jsonApiRoute({
    method: "post",
    path: "/articles",
    operationId: "JsonApiCreateArticle",
    summary: "Write an article",
    auth: "required",
    type: "articles",
    query: { include: ARTICLE_WRITE_INCLUDES },
    body: { schema: "JsonApiRequestDocument" },
    success: { status: 201 },
    doc: OPENAPI && {
      description: "Tags are the `tags` relationship.",
      answer: "The new article",
      example: articleExample,
      body: {
        description: "An `articles` resource object without `id`",
        example: {
          data: {
            type: "articles",
            attributes: { title: "How to train your dragon", description: "Ever wonder how?", body: "It takes a Jacobian" },
            relationships: { tags: { data: [{ type: "tags", id: "dragons" }] } },
          },
        },
      },
      errors: {
        403: "The document carries a client-generated id.",
        409: "The document's `type` is not `articles`.",
        422: "An attribute breaks a rule (`source.pointer` names it).",
        429: RATE_LIMITED,
      },
    },
    handle: async (c, { query }) => {
      const input = resourceInput(await readDocument(c), "articles", null);
      const article = await articles.createArticle(c.var.ctx, validated(NewArticle, articleValues(input), articleFields(input)));
      const document = new Compound(query);
      document.addArticleRelated(article, undefined);
      return { document: document.document(articleResource(article)), location: selfOf("articles", articleId(article)) };
    },
  }),
  jsonApiRoute({
    method: "patch",
    path: "/articles/:id",
    operationId: "JsonApiUpdateArticle",
    summary: "Change your article",
    auth: "required",
    type: "articles",
    params: ["article"],
    query: { include: ARTICLE_WRITE_INCLUDES },
    body: { schema: "JsonApiRequestDocument" },
    success: { status: 200 },
    doc: OPENAPI && {
      description: "Attributes not sent keep their values; `tags` replaces the tags (`[]` clears them).",
      answer: "The changed article",
      example: articleExample,
      body: {
        description: "An `articles` resource object whose `id` is the URL's",
        example: { data: { type: "articles", id: "1", attributes: { body: "It takes two Jacobians" } } },
      },
      errors: {
        403: "The article is not yours.",
        404: "No such article.",
        409: "The document's `type` or `id` does not match the URL.",
        422: "An attribute breaks a rule (`source.pointer` names it).",
        429: RATE_LIMITED,
      },
    },
    handle: async (c, { query, ids: [id = 0] }) => {
      const input = resourceInput(await readDocument(c), "articles", String(id));
      const changes = validated(ArticleChanges, articleValues(input), articleFields(input));
      return { document: articleDocument(urlOf(c), query, await articles.updateArticle(c.var.ctx, { id }, changes)) };
    },
  }),
  jsonApiRoute({
    method: "delete",
    path: "/articles/:id",
    operationId: "JsonApiDeleteArticle",
    summary: "Delete your article",
    auth: "required",
    type: "articles",
    params: ["article"],
    query: { include: [] },
    success: { status: 204 },
    doc: OPENAPI && {
      answer: "Deleted",
      errors: { 403: "The article is not yours.", 404: "No such article.", 429: RATE_LIMITED },
    },
    handle: async (c, { ids: [id = 0] }) => {
      await articles.deleteArticle(c.var.ctx, { id });
      return undefined;
    },
  }),
];
