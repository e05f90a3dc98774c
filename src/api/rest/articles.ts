import * as articles from "../../domain/articles";
import { ArticleListParams, PageParams } from "../query-params";
import * as responses from "./responses";
import { restRoute } from "./route";
import { articleNotFound, badPage, notTheAuthor } from "./route-errors";
import { NewArticleBody, UpdateArticleBody } from "./schemas";

const ARTICLE_EXAMPLE = {
  title: "How to train your dragon",
  description: "Ever wonder how?",
  body: "You have to believe",
  tagList: ["dragons", "training"],
};

/** The article list; its Atom twin is `/articles.atom` (feeds.ts). */
export const listArticlesRoute = restRoute({
  operationId: "GetArticles",
  method: "get",
  path: "/articles",
  tag: "Articles",
  summary: "Get recent articles globally",
  auth: "optional",
  cache: "public",
  query: ArticleListParams,
  success: { status: 200, schema: responses.ArticlesResponse },
  doc: OPENAPI && {
    description:
      "Newest first, without bodies; `articlesCount` counts every match, not only this page. The filters combine. Auth is optional. With `search`, the best matches come first (newest first among equals) and each article carries a `snippet`.",
    answer: "A page of articles",
    errors: [badPage],
  },
  handle: async (ctx, { query }, answer) => answer.paginate(await articles.listArticles(ctx, query)),
});

/** One article: where a feed entry links to. */
export const getArticleRoute = restRoute({
  operationId: "GetArticle",
  method: "get",
  path: "/articles/:slug",
  tag: "Articles",
  summary: "Get an article",
  auth: "optional",
  cache: "public",
  success: { status: 200, schema: responses.ArticleResponse },
  doc: OPENAPI && {
    description: "One article with its body. Auth is optional.",
    answer: "The article",
    errors: [articleNotFound],
  },
  handle: async (ctx, { params }) => ({ article: await articles.getArticle(ctx, params.slug) }),
});

// The feed comes before `/articles/:slug`, which would otherwise take it.
export const articleRoutes = [
  restRoute({
    operationId: "GetArticlesFeed",
    method: "get",
    path: "/articles/feed",
    tag: "Articles",
    summary: "Get recent articles from users you follow",
    auth: "required",
    query: PageParams,
    success: { status: 200, schema: responses.ArticlesResponse },
    doc: OPENAPI && {
      description: "Newest first, without bodies; `articlesCount` counts every match, not only this page.",
      answer: "A page of articles",
      errors: [badPage],
    },
    handle: async (ctx, { query }, answer) => answer.paginate(await articles.feed(ctx, query)),
  }),
  listArticlesRoute,
  restRoute({
    operationId: "CreateArticle",
    method: "post",
    path: "/articles",
    tag: "Articles",
    summary: "Create an article",
    auth: "required",
    body: { schema: NewArticleBody },
    success: { status: 201, schema: responses.ArticleResponse },
    doc: OPENAPI && {
      description: "The slug is made from the title and stays unique. Duplicate tags are merged.",
      answer: "The new article",
      body: { description: "Article to create", example: { article: ARTICLE_EXAMPLE } },
      errors: [],
    },
    handle: async (ctx, { body }) => ({ article: await articles.createArticle(ctx, body.article) }),
  }),
  getArticleRoute,
  restRoute({
    operationId: "UpdateArticle",
    method: "put",
    path: "/articles/:slug",
    tag: "Articles",
    summary: "Update an article",
    auth: "required",
    body: { schema: UpdateArticleBody },
    success: { status: 200, schema: responses.ArticleResponse },
    doc: OPENAPI && {
      description:
        "Changes any of title, description, body, tagList (at least one). A new title gives a new slug. Validation comes before the ownership check.",
      answer: "The updated article",
      body: { description: "Article fields to change", example: { article: { title: "Did you train your dragon?" } } },
      errors: [notTheAuthor("change this article"), articleNotFound],
    },
    handle: async (ctx, { params, body }) => ({ article: await articles.updateArticle(ctx, params.slug, body.article) }),
  }),
  restRoute({
    operationId: "DeleteArticle",
    method: "delete",
    path: "/articles/:slug",
    tag: "Articles",
    summary: "Delete an article",
    auth: "required",
    success: { status: 204 },
    doc: OPENAPI && {
      description: "Deletes the article with its comments and favorites.",
      answer: "Deleted",
      errors: [notTheAuthor("delete this article"), articleNotFound],
    },
    handle: (ctx, { params }) => articles.deleteArticle(ctx, params.slug),
  }),
];
