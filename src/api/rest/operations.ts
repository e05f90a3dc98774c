import type { GenericSchema } from "valibot";
import * as responses from "./responses";
import {
  ArticleListParams,
  CommentParams,
  FeedParams,
  LoginBody,
  NewArticleBody,
  NewCommentBody,
  RegisterBody,
  UpdateArticleBody,
  UpdateUserBody,
} from "./schemas";

// What each REST route accepts and answers, next to the routes and built from
// the same schemas they validate with. The OpenAPI document (src/openapi/) is
// generated from this table; test/openapi.test.ts checks that it lists exactly
// the routes `routes.ts` serves and that real answers match it.
//
// Statuses every route shares are added by the generator, not repeated here:
// 401 for a token that is present but invalid (even where auth is optional),
// 503 when D1 or the configuration fails, 304 for a conditional GET, 429 for
// any write (the per-client write limit; login and registration have their
// own limits too), and 400/413/415/422 for a route that reads a JSON body.

export type RestTag = "User and Authentication" | "Profile" | "Articles" | "Comments" | "Favorites" | "Tags";

/** Statuses that depend on what the route does, beyond the shared ones. */
export type RouteError = 403 | 404 | 422;

/** `example`: an error body (`errors`) this route can answer with. */
export type RouteErrorDoc = { status: RouteError; description: string; example?: Record<string, string[]> };

export type RestOperation = {
  operationId: string;
  method: "get" | "post" | "put" | "delete";
  /** As routes.ts mounts it under /api, Hono style (`:slug`). */
  path: string;
  tag: RestTag;
  summary: string;
  description: string;
  auth: "none" | "optional" | "required";
  /** Path parameters that are not plain strings. */
  params?: GenericSchema;
  query?: GenericSchema;
  /** `invalid`: a 422 body for it (default: the example's first field, blank). */
  body?: { schema: GenericSchema; description: string; example: unknown; invalid?: Record<string, string[]> };
  success: { status: 200 | 201 | 204; description: string; schema?: GenericSchema };
  errors: RouteErrorDoc[];
  /** Anonymous answers come from the KV cache (see README: caching). */
  cached?: boolean;
};

const articleNotFound: RouteErrorDoc = {
  status: 404,
  description: "No article has this slug.",
  example: { body: ["article not found"] },
};
const profileNotFound: RouteErrorDoc = {
  status: 404,
  description: "No user has this username.",
  example: { body: ["profile not found"] },
};
const notTheAuthor = (what: string): RouteErrorDoc => ({
  status: 403,
  description: `Only the author can ${what}.`,
  example: { body: [`only the author can ${what}`] },
});
const followSelf: RouteErrorDoc = {
  status: 422,
  description: "You cannot follow (or unfollow) yourself.",
  example: { username: ["you cannot follow yourself"] },
};
const badPage: RouteErrorDoc = {
  status: 422,
  description: "`limit` or `offset` is not an integer in range.",
  example: { limit: ["must be at most 100"] },
};

const ARTICLE_EXAMPLE = {
  title: "How to train your dragon",
  description: "Ever wonder how?",
  body: "You have to believe",
  tagList: ["dragons", "training"],
};

export const restOperations: readonly RestOperation[] = [
  {
    operationId: "Login",
    method: "post",
    path: "/users/login",
    tag: "User and Authentication",
    summary: "Existing user login",
    description:
      'Returns the user with a fresh token. A wrong email or password is a 401 `{"errors":{"email or password":["is invalid"]}}`.',
    auth: "none",
    body: {
      schema: LoginBody,
      description: "Credentials to use",
      example: { user: { email: "demo@conduit.local", password: "conduit-demo" } },
    },
    success: { status: 200, description: "The user, with a token", schema: responses.UserResponse },
    errors: [],
  },
  {
    operationId: "CreateUser",
    method: "post",
    path: "/users",
    tag: "User and Authentication",
    summary: "Register",
    description:
      "Registers a new user. Usernames and emails are unique case-insensitively; a taken one is a 422 naming the field.",
    auth: "none",
    body: {
      schema: RegisterBody,
      description: "Details of the new user to register",
      example: { user: { username: "jacob", email: "jake@jake.jake", password: "jakejakejake" } },
    },
    success: { status: 201, description: "The new user, with a token", schema: responses.UserResponse },
    errors: [],
  },
  {
    operationId: "GetCurrentUser",
    method: "get",
    path: "/user",
    tag: "User and Authentication",
    summary: "Get current user",
    description: "The signed-in user, with the token that was sent.",
    auth: "required",
    success: { status: 200, description: "The current user", schema: responses.UserResponse },
    errors: [],
  },
  {
    operationId: "UpdateCurrentUser",
    method: "put",
    path: "/user",
    tag: "User and Authentication",
    summary: "Update current user",
    description:
      'Changes any of email, username, password, bio, image (at least one). `""` or `null` clears bio and image. A password change revokes every earlier token; the answer carries a fresh one.',
    auth: "required",
    body: {
      schema: UpdateUserBody,
      description: "User details to update. At least **one** field is required.",
      example: { user: { bio: "I like to skateboard", image: "https://i.stack.imgur.com/xHWG8.jpg" } },
      invalid: { image: ["must be an http(s) URL"] },
    },
    success: { status: 200, description: "The updated user", schema: responses.UserResponse },
    errors: [],
  },
  {
    operationId: "LogOutEverywhere",
    method: "post",
    path: "/user/logout",
    tag: "User and Authentication",
    summary: "Log out everywhere",
    description:
      "Not in the RealWorld contract. Revokes every token of the account, the one sent included; log in again for a new one.",
    auth: "required",
    success: { status: 204, description: "Every token of the account is revoked" },
    errors: [],
  },
  {
    operationId: "GetProfileByUsername",
    method: "get",
    path: "/profiles/:username",
    tag: "Profile",
    summary: "Get a profile",
    description: "A user's public profile; `following` says whether the caller follows them. Auth is optional.",
    auth: "optional",
    success: { status: 200, description: "The profile", schema: responses.ProfileResponse },
    errors: [profileNotFound],
    cached: true,
  },
  {
    operationId: "FollowUserByUsername",
    method: "post",
    path: "/profiles/:username/follow",
    tag: "Profile",
    summary: "Follow a user",
    description: "Idempotent: following twice is the same as once.",
    auth: "required",
    success: { status: 200, description: "The followed profile", schema: responses.ProfileResponse },
    errors: [profileNotFound, followSelf],
  },
  {
    operationId: "UnfollowUserByUsername",
    method: "delete",
    path: "/profiles/:username/follow",
    tag: "Profile",
    summary: "Unfollow a user",
    description: "Idempotent: unfollowing someone you do not follow changes nothing.",
    auth: "required",
    success: { status: 200, description: "The unfollowed profile", schema: responses.ProfileResponse },
    errors: [profileNotFound, followSelf],
  },
  {
    operationId: "GetArticlesFeed",
    method: "get",
    path: "/articles/feed",
    tag: "Articles",
    summary: "Get recent articles from users you follow",
    description: "Newest first, without bodies; `articlesCount` counts every match, not only this page.",
    auth: "required",
    query: FeedParams,
    success: { status: 200, description: "A page of articles", schema: responses.ArticlesResponse },
    errors: [badPage],
  },
  {
    operationId: "GetArticles",
    method: "get",
    path: "/articles",
    tag: "Articles",
    summary: "Get recent articles globally",
    description:
      "Newest first, without bodies; `articlesCount` counts every match, not only this page. The filters combine. Auth is optional.",
    auth: "optional",
    query: ArticleListParams,
    success: { status: 200, description: "A page of articles", schema: responses.ArticlesResponse },
    errors: [badPage],
    cached: true,
  },
  {
    operationId: "CreateArticle",
    method: "post",
    path: "/articles",
    tag: "Articles",
    summary: "Create an article",
    description: "The slug is made from the title and stays unique. Duplicate tags are merged.",
    auth: "required",
    body: { schema: NewArticleBody, description: "Article to create", example: { article: ARTICLE_EXAMPLE } },
    success: { status: 201, description: "The new article", schema: responses.ArticleResponse },
    errors: [],
  },
  {
    operationId: "GetArticle",
    method: "get",
    path: "/articles/:slug",
    tag: "Articles",
    summary: "Get an article",
    description: "One article with its body. Auth is optional.",
    auth: "optional",
    success: { status: 200, description: "The article", schema: responses.ArticleResponse },
    errors: [articleNotFound],
    cached: true,
  },
  {
    operationId: "UpdateArticle",
    method: "put",
    path: "/articles/:slug",
    tag: "Articles",
    summary: "Update an article",
    description:
      "Changes any of title, description, body, tagList (at least one). A new title gives a new slug. Validation comes before the ownership check.",
    auth: "required",
    body: {
      schema: UpdateArticleBody,
      description: "Article fields to change",
      example: { article: { title: "Did you train your dragon?" } },
    },
    success: { status: 200, description: "The updated article", schema: responses.ArticleResponse },
    errors: [notTheAuthor("change this article"), articleNotFound],
  },
  {
    operationId: "DeleteArticle",
    method: "delete",
    path: "/articles/:slug",
    tag: "Articles",
    summary: "Delete an article",
    description: "Deletes the article with its comments and favorites.",
    auth: "required",
    success: { status: 204, description: "Deleted" },
    errors: [notTheAuthor("delete this article"), articleNotFound],
  },
  {
    operationId: "GetArticleComments",
    method: "get",
    path: "/articles/:slug/comments",
    tag: "Comments",
    summary: "Get comments for an article",
    description: "Newest first. Auth is optional.",
    auth: "optional",
    success: { status: 200, description: "The comments", schema: responses.CommentsResponse },
    errors: [articleNotFound],
    cached: true,
  },
  {
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
  },
  {
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
  },
  {
    operationId: "CreateArticleFavorite",
    method: "post",
    path: "/articles/:slug/favorite",
    tag: "Favorites",
    summary: "Favorite an article",
    description: "Idempotent; `favoritesCount` stays exact under concurrent favorites.",
    auth: "required",
    success: { status: 200, description: "The article", schema: responses.ArticleResponse },
    errors: [articleNotFound],
  },
  {
    operationId: "DeleteArticleFavorite",
    method: "delete",
    path: "/articles/:slug/favorite",
    tag: "Favorites",
    summary: "Unfavorite an article",
    description: "Idempotent.",
    auth: "required",
    success: { status: 200, description: "The article", schema: responses.ArticleResponse },
    errors: [articleNotFound],
  },
  {
    operationId: "GetTags",
    method: "get",
    path: "/tags",
    tag: "Tags",
    summary: "Get tags",
    description: "The 100 most used tags, most used first.",
    auth: "none",
    success: { status: 200, description: "Tags", schema: responses.TagsResponse },
    errors: [],
    cached: true,
  },
];
