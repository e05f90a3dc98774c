import * as articles from "../../domain/articles";
import { NewUser, UserChanges } from "../../domain/inputs";
import * as profiles from "../../domain/profiles";
import * as users from "../../domain/users";
import { requireViewer } from "../../domain/viewer";
import {
  ARTICLE_INCLUDES,
  articleCollection,
  Compound,
  listingOptions,
  selfLink,
  selfOf,
  userId,
  userResource,
  viewerDocument,
} from "./document";
import { failure, pointing } from "./errors";
import { linkageInput, locator, pick, resourceInput, validated } from "./input";
import { isViewer, readDocument, urlOf } from "./request";
import { jsonApiRoute, numericId } from "./route";
import { NEW_USER_INPUT, USER_CHANGE_INPUT } from "./vocabulary";

const RATE_LIMITED = "Too many writes from this client, or too many registrations.";

// Favorites and follows: to-many relationships of the viewer, changed one
// member per request (so each change is one domain write, within the budget
// of two round trips); more is refused as unsupported (403), as the
// specification allows. Answers 204: nothing changes but what was asked.
const RELATIONSHIPS = {
  favorites: { type: "articles", what: "article" },
  following: { type: "users", what: "profile" },
} as const;

/** The relationship a path names, if it is one (never a name of Object.prototype). */
const relationshipOf = (name: string | undefined) =>
  Object.entries(RELATIONSHIPS).find(([relationship]) => relationship === name)?.[1] ?? null;

export const userRoutes = [
  // Registration: a new users resource. Logging in stays POST /api/users/login
  // (it creates no resource); its token works here too.
  jsonApiRoute({
    method: "post",
    path: "/users",
    operationId: "JsonApiRegister",
    summary: "Register",
    auth: "none",
    type: "users",
    query: { include: [] },
    body: { schema: "JsonApiRequestDocument" },
    success: { status: 201 },
    doc: OPENAPI && {
      description: "Logging in stays `POST /api/users/login`; its token works here too.",
      answer: "The new user; `meta` carries `email` and `token`",
      body: {
        description: "A `users` resource object without `id`",
        example: {
          data: {
            type: "users",
            attributes: { username: "jake", email: "jake@jake.jake", password: "correct horse battery" },
          },
        },
      },
      errors: {
        403: "The document carries a client-generated id.",
        409: "The document's `type` is not `users`.",
        422: "An attribute breaks a rule, or the username or email is taken (`source.pointer` names it).",
        429: RATE_LIMITED,
      },
    },
    handle: async (c, { query }) => {
      const input = resourceInput(await readDocument(c), "users", null);
      const values = validated(NewUser, pick(input, NEW_USER_INPUT), locator(input));
      const user = await pointing(users.register(c.var.ctx, values), locator(input));
      const location = selfOf("users", userId(user));
      return { document: viewerDocument(new URL(location, urlOf(c)), query, user), location };
    },
  }),
  jsonApiRoute({
    method: "get",
    path: "/users/:id",
    operationId: "JsonApiGetUser",
    summary: "A user's public profile, or yourself (`me`)",
    auth: "optional",
    type: "users",
    params: ["user"],
    query: { include: [] },
    success: { status: 200 },
    cache: { unless: (c) => isViewer(c, c.req.param("id") ?? "") },
    doc: OPENAPI && {
      description: "`me` (or your own id) requires a token and carries `email` and `token` in `meta`.",
      answer: "The user",
      errors: { 404: "No such user." },
    },
    handle: async (c, { query }) => {
      const id = c.req.param("id") ?? "";
      const url = urlOf(c);
      if (isViewer(c, id)) {
        requireViewer(c.var.ctx);
        return { document: viewerDocument(url, query, await users.currentUser(c.var.ctx)) };
      }
      const profile = await profiles.getProfile(c.var.ctx, { id: numericId(id, "profile") });
      return { document: new Compound(query).document(userResource(profile), { links: { self: selfLink(url) } }) };
    },
  }),
  // The viewer updates itself: /users/me (or its own id). Another user's id is
  // not something a caller can update, so it is refused as unsupported (403).
  jsonApiRoute({
    method: "patch",
    path: "/users/:id",
    operationId: "JsonApiUpdateMe",
    summary: "Change yourself: username, email, password, bio, image",
    auth: "required",
    type: "users",
    params: ["me"],
    query: { include: [] },
    body: { schema: "JsonApiRequestDocument" },
    success: { status: 200 },
    doc: OPENAPI && {
      description: "Attributes not sent keep their values.",
      answer: "The changed user; `meta` carries `email` and `token` (a fresh one after a password change)",
      body: {
        description: "A `users` resource object whose `id` is `me` (or your own id)",
        example: { data: { type: "users", id: "me", attributes: { bio: "I like to skateboard" } } },
      },
      errors: {
        403: "Another user's id.",
        409: "The document's `type` or `id` does not match the URL.",
        422: "An attribute breaks a rule, or the username or email is taken (`source.pointer` names it).",
        429: RATE_LIMITED,
      },
    },
    handle: async (c, { query }) => {
      const id = c.req.param("id") ?? "";
      if (!isViewer(c, id)) throw failure(403, "only the signed-in user can be updated, at /jsonapi/users/me");
      const input = resourceInput(await readDocument(c), "users", id, "me", String(c.var.ctx.viewer?.userId));
      const changes = validated(UserChanges, pick(input, USER_CHANGE_INPUT), locator(input));
      const user = await pointing(users.updateUser(c.var.ctx, changes), locator(input));
      return { document: viewerDocument(urlOf(c), query, user) };
    },
  }),
  jsonApiRoute({
    method: "get",
    path: "/users/:id/articles",
    operationId: "JsonApiListUserArticles",
    summary: "A user's articles (`me` for yours)",
    auth: "optional",
    type: "articles",
    params: ["user"],
    query: { include: ARTICLE_INCLUDES, sort: true, page: "articles", filter: true },
    success: { status: 200 },
    cache: { unless: (c) => c.req.param("id") === "me" },
    doc: OPENAPI && { answer: "A collection with page links and `meta.total`", errors: { 404: "No such user." } },
    handle: async (c, { query }) => {
      const id = c.req.param("id") ?? "";
      const authorId = id === "me" ? requireViewer(c.var.ctx).userId : numericId(id, "profile");
      const listing = await articles.articleListing(c.var.ctx, query.list, { ...listingOptions(query), authorId });
      return { document: articleCollection(urlOf(c), query, listing) };
    },
  }),
  ...(["post", "delete"] as const).map((method) =>
    jsonApiRoute({
      method,
      path: "/users/:id/relationships/:relationship",
      operationId: method === "post" ? "JsonApiAddRelationship" : "JsonApiRemoveRelationship",
      summary: method === "post" ? "Favorite an article, or follow a user" : "Unfavorite an article, or unfollow a user",
      auth: "required",
      type: (c) => relationshipOf(c.req.param("relationship"))?.type ?? "users",
      params: ["me", "relationship"],
      query: { include: [] },
      body: { schema: "JsonApiLinkageDocument" },
      success: { status: 204 },
      doc: OPENAPI && {
        description:
          "`favorites` holds articles, `following` users. Idempotent. One member per request; an empty `data` changes nothing.",
        answer: method === "post" ? "Added (or already there)" : "Removed (or not there)",
        body: { description: "The member to add or remove", example: { data: [{ type: "articles", id: "1" }] } },
        errors: {
          403: "Another user's id, or several members.",
          404: "No such relationship, article or user.",
          409: "A member's `type` does not fit the relationship.",
          422: "Following yourself.",
          429: RATE_LIMITED,
        },
      },
      handle: async (c) => {
        const relationship = relationshipOf(c.req.param("relationship"));
        if (!relationship) throw failure(404, "users have two relationships to change: favorites and following");
        if (!isViewer(c, c.req.param("id") ?? "")) {
          throw failure(403, "only the signed-in user's relationships can be changed, at /jsonapi/users/me/relationships/…");
        }
        const members = linkageInput(await readDocument(c), relationship.type);
        if (members.length > 1) throw failure(403, "add or remove one member per request", { pointer: "/data" });
        const [member] = members;
        const add = method === "post";
        const ctx = c.var.ctx;
        if (member === undefined) {
          // Nothing to change; the token is still checked, as every operation does.
          await users.currentUser(ctx);
        } else if (relationship.type === "articles") {
          await articles.setFavorite(ctx, { id: numericId(member, "article") }, add);
        } else {
          const target = { id: numericId(member, "profile") };
          await pointing(profiles.setFollowing(ctx, target, add), () => ({
            pointer: "/data/0",
            member: "username",
            title: "Invalid relationship",
          }));
        }
        return undefined;
      },
    }),
  ),
];
