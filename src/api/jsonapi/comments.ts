import * as v from "valibot";
import type { CommentPage } from "../../domain/articles";
import * as articles from "../../domain/articles";
import * as comments from "../../domain/comments";
import { NewComment } from "../../domain/inputs";
import type { ArticleView } from "../../domain/views";
import { articleId, Compound, commentResource, pageLinks, type ResourceObject, selfLink, selfOf, userResource } from "./document";
import { locator, pick, resourceInput, toOne, validated } from "./input";
import type { ParsedQuery } from "./query";
import { readDocument, urlOf } from "./request";
import { jsonApiRoute, numericId } from "./route";
import { COMMENT_INPUT } from "./vocabulary";

const COMMENT_INCLUDES = ["author", "article", "article.author", "article.tags"];
const RATE_LIMITED = "Too many writes from this client, or too many registrations.";

/** A page of one article's comments as a collection document, with page links and the article's count of comments. */
function commentCollection(url: URL, query: ParsedQuery, article: ArticleView, listed: CommentPage) {
  const document = new Compound(query);
  const data: ResourceObject[] = listed.comments.map((comment) => {
    document.addCommentRelated(comment, article);
    return commentResource(comment, articleId(article));
  });
  return document.document(data, {
    links: pageLinks(url, query.list, listed.commentsCount, listed.page),
    meta: { total: listed.commentsCount },
  });
}

// The article a comment is on is a relationship, checked with its body.
const NewCommentOn = v.object({ ...NewComment.entries, article: v.string() });

export const commentRoutes = [
  jsonApiRoute({
    method: "get",
    path: "/articles/:id/comments",
    operationId: "JsonApiListArticleComments",
    summary: "Comments on an article",
    auth: "optional",
    type: "comments",
    params: ["article"],
    query: { include: COMMENT_INCLUDES, sort: true, page: "comments" },
    success: { status: 200 },
    cache: {},
    doc: OPENAPI && {
      description:
        "A page of at most `page[limit]` (default and most 100), newest first (`sort=createdAt`: oldest first); `links.next` and `links.prev` carry cursors.",
      answer: "A collection with page links and `meta.total`, the article's count of comments",
      errors: { 404: "No such article." },
    },
    handle: async (c, { query, ids: [id = 0] }) => {
      const order = query.order === "oldest" ? "oldest" : "newest";
      const { article, ...listed } = await articles.getArticleWithComments(c.var.ctx, { id }, query.list, order);
      return { document: commentCollection(urlOf(c), query, article, listed) };
    },
  }),
  jsonApiRoute({
    method: "get",
    path: "/comments/:id",
    operationId: "JsonApiGetComment",
    summary: "One comment",
    auth: "optional",
    type: "comments",
    params: ["comment"],
    query: { include: COMMENT_INCLUDES },
    success: { status: 200 },
    cache: {},
    doc: OPENAPI && { answer: "The comment", errors: { 404: "No such comment." } },
    handle: async (c, { query, ids: [id = 0] }) => {
      const { comment, article } = await comments.getComment(c.var.ctx, id);
      const document = new Compound(query);
      document.addCommentRelated(comment, article);
      const resource = commentResource(comment, articleId(article));
      return { document: document.document(resource, { links: { self: selfLink(urlOf(c)) } }) };
    },
  }),
  jsonApiRoute({
    method: "post",
    path: "/comments",
    operationId: "JsonApiCreateComment",
    summary: "Comment on an article",
    auth: "required",
    type: "comments",
    query: { include: ["author"] },
    body: { schema: "JsonApiRequestDocument" },
    success: { status: 201 },
    doc: OPENAPI && {
      description: "The article is the `article` relationship.",
      answer: "The new comment",
      body: {
        description: "A `comments` resource object without `id`, with its `article` relationship",
        example: {
          data: {
            type: "comments",
            attributes: { body: "Thank you so much!" },
            relationships: { article: { data: { type: "articles", id: "1" } } },
          },
        },
      },
      errors: {
        403: "The document carries a client-generated id.",
        404: "No such article.",
        409: "The document's `type` is not `comments`.",
        422: "The body or the article relationship breaks a rule (`source.pointer` names it).",
        429: RATE_LIMITED,
      },
    },
    handle: async (c, { query }) => {
      const input = resourceInput(await readDocument(c), "comments", null);
      const values = { ...pick(input, COMMENT_INPUT), article: toOne(input, "article", "articles") };
      const { article, ...fields } = validated(NewCommentOn, values, locator(input, { article: "article" }));
      const articleOfComment = numericId(article, "article");
      const comment = await comments.addComment(c.var.ctx, { id: articleOfComment }, fields);
      const document = new Compound(query);
      if (document.include("author")) document.add(userResource(comment.author));
      const resource = commentResource(comment, String(articleOfComment));
      return { document: document.document(resource), location: selfOf("comments", resource.id) };
    },
  }),
  jsonApiRoute({
    method: "delete",
    path: "/comments/:id",
    operationId: "JsonApiDeleteComment",
    summary: "Delete your comment",
    auth: "required",
    type: "comments",
    params: ["comment"],
    query: { include: [] },
    success: { status: 204 },
    doc: OPENAPI && {
      answer: "Deleted",
      errors: { 403: "The comment is not yours.", 404: "No such comment.", 429: RATE_LIMITED },
    },
    handle: async (c, { ids: [id = 0] }) => {
      await comments.deleteComment(c.var.ctx, null, id);
      return undefined;
    },
  }),
];
