import * as comments from "../../domain/comments";
import * as responses from "./responses";
import { restRoute } from "./route";
import { articleNotFound, notTheAuthor } from "./route-errors";
import { CommentParams, NewCommentBody } from "./schemas";

export const commentRoutes = [
  restRoute({
    operationId: "GetArticleComments",
    method: "get",
    path: "/articles/:slug/comments",
    tag: "Comments",
    summary: "Get comments for an article",
    description: "Newest first. Auth is optional.",
    auth: "optional",
    cache: "public",
    success: { status: 200, description: "The comments", schema: responses.CommentsResponse },
    errors: [articleNotFound],
    handle: async (ctx, { params }) => ({ comments: await comments.listComments(ctx, params.slug) }),
  }),
  restRoute({
    operationId: "CreateArticleComment",
    method: "post",
    path: "/articles/:slug/comments",
    tag: "Comments",
    summary: "Create a comment for an article",
    description: "Adds a comment by the caller.",
    auth: "required",
    body: {
      schema: NewCommentBody,
      description: "Comment you want to create",
      example: { comment: { body: "Thank you so much!" } },
    },
    success: { status: 200, description: "The new comment", schema: responses.CommentResponse },
    errors: [articleNotFound],
    handle: async (ctx, { params, body }) => ({ comment: await comments.addComment(ctx, params.slug, body.comment) }),
  }),
  restRoute({
    operationId: "DeleteArticleComment",
    method: "delete",
    path: "/articles/:slug/comments/:id",
    tag: "Comments",
    summary: "Delete a comment for an article",
    description: "Only the comment's author can delete it.",
    auth: "required",
    params: CommentParams,
    success: { status: 204, description: "Deleted" },
    errors: [
      notTheAuthor("delete this comment"),
      { status: 404, description: "No such article, or no such comment on it.", example: { body: ["comment not found"] } },
      { status: 422, description: "`id` is not a positive integer.", example: { id: ["must be a positive integer"] } },
    ],
    handle: (ctx, { params }) => comments.deleteComment(ctx, params.slug, params.id),
  }),
];
