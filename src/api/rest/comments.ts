import * as comments from "../../domain/comments";
import { LIMITS } from "../../domain/inputs";
import { CommentPageParams } from "../query-params";
import * as responses from "./responses";
import { restRoute } from "./route";
import { articleNotFound, badPage, notTheAuthor } from "./route-errors";
import { CommentParams, NewCommentBody } from "./schemas";

export const commentRoutes = [
  restRoute({
    operationId: "GetArticleComments",
    method: "get",
    path: "/articles/:slug/comments",
    tag: "Comments",
    summary: "Get comments for an article",
    auth: "optional",
    cache: "public",
    query: CommentPageParams,
    success: { status: 200, schema: responses.CommentsResponse },
    doc: OPENAPI && {
      description: `Newest first, ${LIMITS.pageLimit} at most (the default): \`limit\`, \`offset\` or a cursor (\`after\`, \`before\`, from the \`Link\` header) reach the rest. Auth is optional.`,
      answer: "A page of the comments",
      errors: [articleNotFound, badPage],
    },
    handle: async (ctx, { params, query }, answer) => {
      // The count is the article's, for the other styles; the contract's body is the comments alone.
      const { comments: listed } = answer.paginate(await comments.listComments(ctx, params.slug, query));
      return { comments: listed };
    },
  }),
  restRoute({
    operationId: "CreateArticleComment",
    method: "post",
    path: "/articles/:slug/comments",
    tag: "Comments",
    summary: "Create a comment for an article",
    auth: "required",
    body: { schema: NewCommentBody },
    success: { status: 200, schema: responses.CommentResponse },
    doc: OPENAPI && {
      description: "Adds a comment by the caller.",
      answer: "The new comment",
      body: { description: "Comment you want to create", example: { comment: { body: "Thank you so much!" } } },
      errors: [articleNotFound],
    },
    handle: async (ctx, { params, body }) => ({ comment: await comments.addComment(ctx, params.slug, body.comment) }),
  }),
  restRoute({
    operationId: "DeleteArticleComment",
    method: "delete",
    path: "/articles/:slug/comments/:id",
    tag: "Comments",
    summary: "Delete a comment for an article",
    auth: "required",
    params: CommentParams,
    success: { status: 204 },
    doc: OPENAPI && {
      description: "Only the comment's author can delete it.",
      answer: "Deleted",
      errors: [
        notTheAuthor("delete this comment"),
        { status: 404, description: "No such article, or no such comment on it.", example: { body: ["comment not found"] } },
        { status: 422, description: "`id` is not a positive integer.", example: { id: ["must be a positive integer"] } },
      ],
    },
    handle: (ctx, { params }) => comments.deleteComment(ctx, params.slug, params.id),
  }),
];
