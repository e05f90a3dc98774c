import { type Context, Hono, type MiddlewareHandler } from "hono";
import * as v from "valibot";
import * as articles from "../../domain/articles";
import * as comments from "../../domain/comments";
import { ArticleChanges, NewArticle, NewComment, NewUser, UserChanges } from "../../domain/inputs";
import * as profiles from "../../domain/profiles";
import { listTags } from "../../domain/tags";
import * as users from "../../domain/users";
import { requireViewer } from "../../domain/viewer";
import type { ArticleView, CommentView, UserView } from "../../domain/views";
import { signedIn } from "../../http/auth";
import { readJsonBody } from "../../http/body";
import type { AppEnv } from "../../http/context";
import { conditionalGet } from "../../http/etag";
import { publicCache } from "../../http/kv-cache";
import { writeLimit } from "../../http/limits";
import { noSuchRoute, problemHandler } from "../../http/problem";
import { requestContext } from "../../http/request-context";
import {
  articleId,
  articleResource,
  BASE,
  Compound,
  commentResource,
  pageLinks,
  type ResourceObject,
  selfOf,
  tagResource,
  userId,
  userResource,
  VERSION,
} from "./document";
import { errorResponse, failure, JSONAPI_MEDIA_TYPE, JsonApiError, jsonApiProblem, pointing } from "./errors";
import { linkageInput, locator, pick, type ResourceInput, resourceInput, toMany, toOne, validated } from "./input";
import { requireAcceptable, requireJsonApiBody } from "./media";
import { type ParsedQuery, parseQuery, type QueryRules } from "./query";

// JSON:API 1.1 over the domain: each handler reads the request (query or
// document), calls domain operations, and presents the views as resources.
// Authorization, rules, queries and their round-trip costs are the domain's;
// nothing here decides who may do what.

export const jsonapi = new Hono<AppEnv>();

// What this adapter found wrong carries its own error objects; any other
// failure becomes a Problem (logged if it is the server's), as JSON:API.
const renderProblem = problemHandler(jsonApiProblem);
jsonapi.onError((error, c) => {
  if (error instanceof JsonApiError) return errorResponse(c, error.status, error.errors);
  return renderProblem(error, c);
});

function varyOnAccept(headers: Headers): void {
  if (!/\baccept\b/i.test(headers.get("Vary") ?? "")) headers.append("Vary", "Accept");
}

// Negotiation first (406), and every answer in the JSON:API media type,
// errors rendered by the app's handler included.
jsonapi.use(requestContext, conditionalGet);
jsonapi.use(async (c, next) => {
  requireAcceptable(c.req.header("accept"));
  await next();
  if (c.res.body !== null && c.res.status !== 204 && c.res.status !== 304) {
    c.res.headers.set("Content-Type", JSONAPI_MEDIA_TYPE);
  }
  varyOnAccept(c.res.headers);
});
jsonapi.on(["POST", "PATCH", "DELETE"], "*", writeLimit);

const cached = publicCache();

/**
 * The KV cache for an anonymous GET, unless `skip` says otherwise. Comments
 * are never served from it: a comment write drops the cached comment list of
 * its article by slug, and a request that names the article by id cannot
 * name that cache scope.
 */
const cachedUnless =
  (skip: (c: Context<AppEnv>) => boolean): MiddlewareHandler<AppEnv> =>
  async (c, next) =>
    skip(c) ? next() : cached(c, next);

const includesComments = (c: Context<AppEnv>) =>
  (c.req.query("include") ?? "").split(",").some((path) => path === "comments" || path.startsWith("comments."));

const send = (c: Context<AppEnv>, status: 200 | 201, document: unknown, headers: Record<string, string> = {}) =>
  c.body(JSON.stringify(document), status, { "Content-Type": JSONAPI_MEDIA_TYPE, ...headers });

const readDocument = (c: Context<AppEnv>) => readJsonBody(c.req.raw, requireJsonApiBody);

const urlOf = (c: Context<AppEnv>) => new URL(c.req.url);

/** The top-level self link: the request as it was made. */
const selfLink = (url: URL) => `${url.pathname}${url.search}`;

/** An id in a path or linkage: a positive integer, else there is no such resource. */
function numericId(value: string | undefined, what: "article" | "comment" | "profile"): number {
  const id = Number(value);
  if (!value || !/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(id)) throw failure(404, `${what} not found`);
  return id;
}

/** `me`, or the viewer's own id, names the viewer. */
const isViewer = (c: Context<AppEnv>, id: string) => id === "me" || id === String(c.var.ctx.viewer?.userId ?? "");

// Which relationship paths each kind of primary data can include.
const ARTICLE_INCLUDES = ["author", "tags", "comments", "comments.author"];
const ARTICLE_WRITE_INCLUDES = ["author", "tags"];
const COMMENT_INCLUDES = ["author", "article", "article.author", "article.tags"];
const LIST: QueryRules = { include: ARTICLE_INCLUDES, sort: true, page: true, filter: true };
const FEED: QueryRules = { include: ARTICLE_INCLUDES, sort: true, page: true };

const listingOptions = (query: ParsedQuery) => ({ order: query.order, withComments: query.include?.has("comments") ?? false });

/** A page of articles as a collection document with page links and the total. */
function articleCollection(url: URL, query: ParsedQuery, listing: articles.ArticleListing) {
  const document = new Compound(query);
  const withComments = query.include?.has("comments") ?? false;
  const data = listing.articles.map((article) => {
    const related = withComments ? (listing.comments.get(Number(articleId(article))) ?? []) : undefined;
    document.addArticleRelated(article, related);
    return articleResource(article, related);
  });
  return document.document(data, {
    links: pageLinks(url, query.list, listing.articlesCount),
    meta: { total: listing.articlesCount },
  });
}

/** One article (with its comments when they were read) as a document. */
function articleDocument(url: URL, query: ParsedQuery, article: ArticleView, related?: CommentView[]) {
  const document = new Compound(query);
  document.addArticleRelated(article, related);
  return document.document(articleResource(article, related), { links: { self: selfLink(url) } });
}

/** The viewer's own user: the public resource, and what only they see (email, token) in meta. */
function viewerDocument(url: URL, query: ParsedQuery, user: UserView) {
  return new Compound(query).document(userResource(user), {
    links: { self: selfLink(url) },
    meta: { email: user.email, token: user.token },
  });
}

/** The attributes and relationships of an article in a request, as the domain's input names them. */
function articleValues(input: ResourceInput) {
  const tags = toMany(input, "tags", "tags");
  return { ...pick(input, ["title", "description", "body"]), ...(tags === undefined ? {} : { tagList: tags }) };
}

const articleFields = (input: ResourceInput) => locator(input, { tagList: "tags" });

// --- the entry point -------------------------------------------------------

jsonapi.get("/", (c) => {
  parseQuery(urlOf(c), "root", { include: [] });
  return send(c, 200, {
    jsonapi: VERSION,
    links: { self: BASE },
    meta: {
      description: "Conduit as JSON:API 1.1: articles, users, comments, tags",
      resources: {
        articles: `${BASE}/articles`,
        feed: `${BASE}/feed`,
        tags: `${BASE}/tags`,
        me: `${BASE}/users/me`,
        register: `${BASE}/users`,
        login: "/api/users/login",
      },
    },
  });
});

// --- articles --------------------------------------------------------------

jsonapi.get("/articles", cachedUnless(includesComments), async (c) => {
  const url = urlOf(c);
  const query = parseQuery(url, "articles", LIST);
  const listing = await articles.articleListing(c.var.ctx, query.list, listingOptions(query));
  return send(c, 200, articleCollection(url, query, listing));
});

jsonapi.get("/feed", signedIn, async (c) => {
  const url = urlOf(c);
  const query = parseQuery(url, "articles", FEED);
  const listing = await articles.feedListing(c.var.ctx, query.list, listingOptions(query));
  return send(c, 200, articleCollection(url, query, listing));
});

jsonapi.get("/articles/:id", cachedUnless(includesComments), async (c) => {
  const id = numericId(c.req.param("id"), "article");
  const url = urlOf(c);
  const query = parseQuery(url, "articles", { include: ARTICLE_INCLUDES });
  if (query.include?.has("comments")) {
    const { article, comments: related } = await articles.getArticleWithComments(c.var.ctx, { id });
    return send(c, 200, articleDocument(url, query, article, related));
  }
  return send(c, 200, articleDocument(url, query, await articles.getArticle(c.var.ctx, { id })));
});

jsonapi.post("/articles", signedIn, async (c) => {
  const url = urlOf(c);
  const query = parseQuery(url, "articles", { include: ARTICLE_WRITE_INCLUDES });
  const input = resourceInput(await readDocument(c), "articles", null);
  const article = await articles.createArticle(c.var.ctx, validated(NewArticle, articleValues(input), articleFields(input)));
  const location = selfOf("articles", articleId(article));
  const document = new Compound(query);
  document.addArticleRelated(article, undefined);
  return send(c, 201, document.document(articleResource(article)), { Location: location });
});

jsonapi.patch("/articles/:id", signedIn, async (c) => {
  const id = numericId(c.req.param("id"), "article");
  const url = urlOf(c);
  const query = parseQuery(url, "articles", { include: ARTICLE_WRITE_INCLUDES });
  const input = resourceInput(await readDocument(c), "articles", String(id));
  const changes = validated(ArticleChanges, articleValues(input), articleFields(input));
  return send(c, 200, articleDocument(url, query, await articles.updateArticle(c.var.ctx, { id }, changes)));
});

jsonapi.delete("/articles/:id", signedIn, async (c) => {
  parseQuery(urlOf(c), "articles", { include: [] });
  await articles.deleteArticle(c.var.ctx, { id: numericId(c.req.param("id"), "article") });
  return c.body(null, 204);
});

// --- comments --------------------------------------------------------------

/** Comments of one article as a collection document; `sort=createdAt` lists the oldest first. */
function commentCollection(url: URL, query: ParsedQuery, article: ArticleView, related: CommentView[]) {
  const document = new Compound(query);
  const ordered = query.order === "oldest" ? [...related].reverse() : related;
  const data: ResourceObject[] = ordered.map((comment) => {
    document.addCommentRelated(comment, article);
    return commentResource(comment, articleId(article));
  });
  return document.document(data, { links: { self: selfLink(url) }, meta: { total: related.length } });
}

jsonapi.get("/articles/:id/comments", async (c) => {
  const id = numericId(c.req.param("id"), "article");
  const url = urlOf(c);
  const query = parseQuery(url, "comments", { include: COMMENT_INCLUDES, sort: true });
  const { article, comments: related } = await articles.getArticleWithComments(c.var.ctx, { id });
  return send(c, 200, commentCollection(url, query, article, related));
});

jsonapi.get("/comments/:id", async (c) => {
  const id = numericId(c.req.param("id"), "comment");
  const url = urlOf(c);
  const query = parseQuery(url, "comments", { include: COMMENT_INCLUDES });
  const { comment, article } = await comments.getComment(c.var.ctx, id);
  const document = new Compound(query);
  document.addCommentRelated(comment, article);
  return send(c, 200, document.document(commentResource(comment, articleId(article)), { links: { self: selfLink(url) } }));
});

// The article a comment is on is a relationship, checked with its body.
const NewCommentOn = v.object({ ...NewComment.entries, article: v.string() });

jsonapi.post("/comments", signedIn, async (c) => {
  const url = urlOf(c);
  const query = parseQuery(url, "comments", { include: ["author"] });
  const input = resourceInput(await readDocument(c), "comments", null);
  const values = { ...pick(input, ["body"]), article: toOne(input, "article", "articles") };
  const { body, article } = validated(NewCommentOn, values, locator(input, { article: "article" }));
  const articleOfComment = numericId(article, "article");
  const comment = await comments.addComment(c.var.ctx, { id: articleOfComment }, { body });
  const document = new Compound(query);
  if (document.include("author")) document.add(userResource(comment.author));
  const resource = commentResource(comment, String(articleOfComment));
  return send(c, 201, document.document(resource), { Location: selfOf("comments", resource.id) });
});

jsonapi.delete("/comments/:id", signedIn, async (c) => {
  parseQuery(urlOf(c), "comments", { include: [] });
  await comments.deleteComment(c.var.ctx, null, numericId(c.req.param("id"), "comment"));
  return c.body(null, 204);
});

// --- users -----------------------------------------------------------------

// Registration: a new users resource. Logging in stays POST /api/users/login
// (it creates no resource); its token works here too.
jsonapi.post("/users", async (c) => {
  const url = urlOf(c);
  const query = parseQuery(url, "users", { include: [] });
  const input = resourceInput(await readDocument(c), "users", null);
  const values = validated(NewUser, pick(input, ["username", "email", "password"]), locator(input));
  const user = await pointing(users.register(c.var.ctx, values), locator(input));
  const location = selfOf("users", userId(user));
  return send(c, 201, viewerDocument(new URL(location, url), query, user), { Location: location });
});

jsonapi.get(
  "/users/:id",
  cachedUnless((c) => isViewer(c, c.req.param("id") ?? "")),
  async (c) => {
    const id = c.req.param("id");
    const url = urlOf(c);
    const query = parseQuery(url, "users", { include: [] });
    if (isViewer(c, id)) {
      requireViewer(c.var.ctx);
      return send(c, 200, viewerDocument(url, query, await users.currentUser(c.var.ctx)));
    }
    const profile = await profiles.getProfile(c.var.ctx, { id: numericId(id, "profile") });
    return send(c, 200, new Compound(query).document(userResource(profile), { links: { self: selfLink(url) } }));
  },
);

// The viewer updates itself: /users/me (or its own id). Another user's id is
// not something a caller can update, so it is refused as unsupported (403).
jsonapi.patch("/users/:id", signedIn, async (c) => {
  const id = c.req.param("id");
  if (!isViewer(c, id)) throw failure(403, "only the signed-in user can be updated, at /jsonapi/users/me");
  const url = urlOf(c);
  const query = parseQuery(url, "users", { include: [] });
  const input = resourceInput(await readDocument(c), "users", id, "me", String(c.var.ctx.viewer?.userId));
  const changes = validated(UserChanges, pick(input, ["username", "email", "password", "bio", "image"]), locator(input));
  const user = await pointing(users.updateUser(c.var.ctx, changes), locator(input));
  return send(c, 200, viewerDocument(url, query, user));
});

jsonapi.get(
  "/users/:id/articles",
  cachedUnless((c) => includesComments(c) || c.req.param("id") === "me"),
  async (c) => {
    const id = c.req.param("id");
    const authorId = id === "me" ? requireViewer(c.var.ctx).userId : numericId(id, "profile");
    const url = urlOf(c);
    const query = parseQuery(url, "articles", LIST);
    const listing = await articles.articleListing(c.var.ctx, query.list, { ...listingOptions(query), authorId });
    return send(c, 200, articleCollection(url, query, listing));
  },
);

// Favorites and follows: to-many relationships of the viewer, changed one
// member per request (so each change is one domain write, within the budget
// of two round trips); more is refused as unsupported (403), as the
// specification allows. Answers 204: nothing changes but what was asked.
const RELATIONSHIPS = {
  favorites: { type: "articles", what: "article" },
  following: { type: "users", what: "profile" },
} as const;

jsonapi.on(["POST", "DELETE"], "/users/:id/relationships/:relationship", signedIn, async (c) => {
  const name = c.req.param("relationship");
  if (!Object.hasOwn(RELATIONSHIPS, name)) throw failure(404, "users have two relationships to change: favorites and following");
  const relationship = RELATIONSHIPS[name as keyof typeof RELATIONSHIPS];
  if (!isViewer(c, c.req.param("id"))) {
    throw failure(403, "only the signed-in user's relationships can be changed, at /jsonapi/users/me/relationships/…");
  }
  parseQuery(urlOf(c), relationship.type, { include: [] });
  const members = linkageInput(await readDocument(c), relationship.type);
  if (members.length > 1) throw failure(403, "add or remove one member per request", { pointer: "/data" });
  const [member] = members;
  const add = c.req.method === "POST";
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
      member: "",
      title: "Invalid relationship",
    }));
  }
  return c.body(null, 204);
});

// --- tags ------------------------------------------------------------------

jsonapi.get("/tags", cached, async (c) => {
  const url = urlOf(c);
  const query = parseQuery(url, "tags", { include: [] });
  const tags = await listTags(c.var.ctx);
  return send(c, 200, new Compound(query).document(tags.map(tagResource), { links: { self: selfLink(url) } }));
});

jsonapi.all("*", noSuchRoute);
