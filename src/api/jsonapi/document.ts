import type { ArticleListing } from "../../domain/articles";
import type { PageCursors } from "../../domain/cursor";
import { LIMITS } from "../../domain/inputs";
import { type ArticleSummaryView, type CommentView, idOf, type ProfileView, type UserView } from "../../domain/views";
import type { ParsedQuery } from "./query";
import { attributesOf, type ResourceType } from "./vocabulary";

// The JSON:API representation of the domain's views: resource objects, their
// relationships, compound documents (`included`), sparse fieldsets and
// pagination links. Links are built root-relative here and made absolute on the
// request's origin when the document is written (`serializeDocument`): clients
// such as kitsu resolve a root-relative link against their base URL
// (`/jsonapi/jsonapi/…`), and the JSON:API schema requires URIs. A cached
// body therefore belongs to one origin, which the KV cache keys on.

export const BASE = "/jsonapi";
export const VERSION = { version: "1.1" } as const;

export type { ResourceType } from "./vocabulary";

export type Identifier = { type: ResourceType; id: string };
export type Relationship = { data?: Identifier | Identifier[] | null; links?: { related: string } };
export type ResourceObject = Identifier & {
  attributes?: Record<string, unknown>;
  relationships?: Record<string, Relationship>;
  links?: { self: string };
  meta?: Record<string, unknown>;
};

/** The id the domain recorded for a view (see withId in src/domain/views.ts). */
function idFor(view: object, what: string): string {
  const id = idOf(view);
  if (id === undefined) throw new Error(`a ${what} view reached the JSON:API adapter without its id`);
  return String(id);
}

export const articleId = (article: ArticleSummaryView): string => idFor(article, "article");
export const userId = (user: ProfileView | UserView): string => idFor(user, "user");

export const selfOf = (type: ResourceType, id: string): string => `${BASE}/${type}/${encodeURIComponent(id)}`;

const userIdentifier = (user: ProfileView): Identifier => ({ type: "users", id: userId(user) });

/** An article; `comments` given, the comments relationship carries their linkage. */
export function articleResource(article: ArticleSummaryView, comments?: CommentView[]): ResourceObject {
  const id = articleId(article);
  return {
    type: "articles",
    id,
    // Lists leave the body out, as in REST; a single article has it.
    attributes: attributesOf("articles", article),
    relationships: {
      author: { data: userIdentifier(article.author) },
      tags: { data: article.tagList.map((tag) => ({ type: "tags", id: tag })) },
      comments: {
        links: { related: `${selfOf("articles", id)}/comments` },
        ...(comments ? { data: comments.map((comment) => ({ type: "comments" as const, id: String(comment.id) })) } : {}),
      },
    },
    links: { self: selfOf("articles", id) },
    // The snippet is about this search, not the article: meta, beside the viewer's flag.
    meta: { favorited: article.favorited, ...(article.snippet === undefined ? {} : { snippet: article.snippet }) },
  };
}

/** A user's public profile; `following` (the viewer's) goes in meta. */
export function userResource(user: ProfileView | UserView): ResourceObject {
  const id = userId(user);
  return {
    type: "users",
    id,
    attributes: attributesOf("users", user),
    relationships: { articles: { links: { related: `${selfOf("users", id)}/articles` } } },
    links: { self: selfOf("users", id) },
    meta: { following: "following" in user ? user.following : false },
  };
}

export function commentResource(comment: CommentView, articleOfComment: string): ResourceObject {
  const id = String(comment.id);
  return {
    type: "comments",
    id,
    attributes: attributesOf("comments", comment),
    relationships: {
      author: { data: userIdentifier(comment.author) },
      article: { data: { type: "articles", id: articleOfComment } },
    },
    links: { self: selfOf("comments", id) },
  };
}

/** Tags are their own text; they have no attributes. */
export const tagResource = (tag: string): ResourceObject => ({ type: "tags", id: tag });

const identityOf = (resource: Identifier) => `${resource.type}\u0000${resource.id}`;

/** Only the fields (attributes and relationships) the client asked for, if it asked. */
function sparse(resource: ResourceObject, fields: ReadonlyMap<string, ReadonlySet<string>>): ResourceObject {
  const wanted = fields.get(resource.type);
  if (!wanted) return resource;
  const pick = <T>(members: Record<string, T> | undefined) =>
    members && Object.fromEntries(Object.entries(members).filter(([name]) => wanted.has(name)));
  const { type, id, attributes, relationships, links, meta } = resource;
  const kept = { attributes: pick(attributes), relationships: pick(relationships) };
  return {
    type,
    id,
    ...(kept.attributes && Object.keys(kept.attributes).length ? { attributes: kept.attributes } : {}),
    ...(kept.relationships && Object.keys(kept.relationships).length ? { relationships: kept.relationships } : {}),
    ...(links ? { links } : {}),
    ...(meta ? { meta } : {}),
  };
}

/**
 * A document in the making: primary data, the resources included beside it
 * (each type and id once, never one that is primary data), and the top-level
 * members. `include` answers whether a relationship path was asked for.
 */
export class Compound {
  private readonly included = new Map<string, ResourceObject>();
  private readonly primaryKeys = new Set<string>();

  constructor(private readonly query: ParsedQuery) {}

  /** Whether the client asked to include this relationship path. */
  include(path: string): boolean {
    return this.query.include?.has(path) ?? false;
  }

  add(resource: ResourceObject): void {
    const key = identityOf(resource);
    if (!this.primaryKeys.has(key) && !this.included.has(key)) this.included.set(key, resource);
  }

  /** An article's related resources, as far as the include paths ask. */
  addArticleRelated(article: ArticleSummaryView, comments: CommentView[] | undefined, prefix = ""): void {
    if (this.include(`${prefix}author`)) this.add(userResource(article.author));
    if (this.include(`${prefix}tags`)) for (const tag of article.tagList) this.add(tagResource(tag));
    if (this.include(`${prefix}comments`)) {
      for (const comment of comments ?? []) this.addComment(comment, articleId(article), `${prefix}comments.`);
    }
  }

  private addComment(comment: CommentView, articleOfComment: string, prefix: string): void {
    this.add(commentResource(comment, articleOfComment));
    if (this.include(`${prefix}author`)) this.add(userResource(comment.author));
  }

  /** A comment's related resources (its article given). */
  addCommentRelated(comment: CommentView, article: ArticleSummaryView): void {
    if (this.include("author")) this.add(userResource(comment.author));
    if (this.include("article")) {
      this.add(articleResource(article));
      this.addArticleRelated(article, undefined, "article.");
    }
  }

  /** The finished document. */
  document(
    data: ResourceObject | ResourceObject[],
    top: { links?: Record<string, string | null>; meta?: Record<string, unknown> } = {},
  ): Record<string, unknown> {
    for (const resource of Array.isArray(data) ? data : [data]) {
      const key = identityOf(resource);
      this.primaryKeys.add(key);
      this.included.delete(key);
    }
    const fields = this.query.fields;
    return {
      jsonapi: VERSION,
      ...(top.links ? { links: top.links } : {}),
      ...(top.meta ? { meta: top.meta } : {}),
      data: Array.isArray(data) ? data.map((resource) => sparse(resource, fields)) : sparse(data, fields),
      // Asked for with `include` (even empty): then `included` is there, even if empty.
      ...(this.query.include ? { included: [...this.included.values()].map((resource) => sparse(resource, fields)) } : {}),
    };
  }
}

/**
 * A link to `pathname` with these query parameters, in the one form every link
 * of the API takes: parameters sorted by name (as the KV cache key sorts them,
 * so every request that shares a cached body also shares its links), names and
 * values percent-encoded (`page%5Blimit%5D=5`; JSON:API requires `[` and `]`
 * encoded), commas kept as the separators they are (`include=author,tags`).
 */
export function linkTo(pathname: string, params: URLSearchParams): string {
  const sorted = new URLSearchParams(params);
  sorted.sort();
  const encode = (text: string) => encodeURIComponent(text).replaceAll("%2C", ",");
  const query = [...sorted].map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&");
  return query ? `${pathname}?${query}` : pathname;
}

/** The document as JSON, each link in a `links` member made absolute on `origin` (`https://host`). */
export function serializeDocument(document: unknown, origin: string): string {
  return JSON.stringify(document, (key, value: unknown) => {
    if (key !== "links" || typeof value !== "object" || value === null || Array.isArray(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([name, link]) => [
        name,
        typeof link === "string" && link.startsWith("/") ? origin + link : link,
      ]),
    );
  });
}

/**
 * The links of a page of `total` resources; the other query parameters carry
 * over. `next` and `prev` start from the page's cursors (`page[after]` its
 * last item, `page[before]` its first), so following them costs the same at
 * any depth and neither repeats nor skips items when the list changes
 * meanwhile; `first` and `last` are offsets (`last` from the total). A page
 * with no items, past the end by offset, links back by offset. A link past
 * the largest offset the API accepts is left out (null).
 */
export function pageLinks(
  url: URL,
  page: { limit: number; offset: number },
  total: number,
  cursors: PageCursors,
): Record<string, string | null> {
  const withStart = (name: string, value: string) => {
    const params = new URLSearchParams(url.search);
    for (const start of ["page[offset]", "page[after]", "page[before]"]) params.delete(start);
    params.set("page[limit]", String(page.limit));
    params.set(`page[${name}]`, value);
    return linkTo(url.pathname, params);
  };
  const at = (offset: number) => (offset > LIMITS.pageOffset ? null : withStart("offset", String(offset)));
  const last = total === 0 ? 0 : Math.floor((total - 1) / page.limit) * page.limit;
  const [firstCursor, lastCursor] = [cursors.cursors[0], cursors.cursors.at(-1)];
  const prevByOffset = page.offset > 0 ? at(Math.max(0, Math.min(page.offset - page.limit, last))) : null;
  return {
    self: selfLink(url),
    first: at(0),
    prev: !cursors.hasPrevious ? null : firstCursor ? withStart("before", firstCursor) : prevByOffset,
    next: cursors.hasNext && lastCursor ? withStart("after", lastCursor) : null,
    last: at(Math.min(last, LIMITS.pageOffset)),
  };
}

// --- documents of the routes ----------------------------------------------------

/** Which relationship paths an article's document can include, when it is read. */
export const ARTICLE_INCLUDES = ["author", "tags", "comments", "comments.author"];

/** The top-level self link: the request as it was made, in the canonical form. */
export const selfLink = (url: URL) => linkTo(url.pathname, url.searchParams);

/** What a listing reads besides the page, as the query asks. */
export const listingOptions = (query: ParsedQuery) => ({
  order: query.order,
  withComments: query.include?.has("comments") ?? false,
});

/** A page of articles as a collection document with page links and the total. */
export function articleCollection(url: URL, query: ParsedQuery, listing: ArticleListing) {
  const document = new Compound(query);
  const withComments = query.include?.has("comments") ?? false;
  const data = listing.articles.map((article) => {
    const related = withComments ? (listing.comments.get(Number(articleId(article))) ?? []) : undefined;
    document.addArticleRelated(article, related);
    return articleResource(article, related);
  });
  return document.document(data, {
    links: pageLinks(url, query.list, listing.articlesCount, listing.page),
    meta: { total: listing.articlesCount },
  });
}

/** One article (with its comments when they were read) as a document. */
export function articleDocument(url: URL, query: ParsedQuery, article: ArticleSummaryView, related?: CommentView[]) {
  const document = new Compound(query);
  document.addArticleRelated(article, related);
  return document.document(articleResource(article, related), { links: { self: selfLink(url) } });
}

/** The viewer's own user: the public resource, and what only they see (email, token) in meta. */
export function viewerDocument(url: URL, query: ParsedQuery, user: UserView) {
  return new Compound(query).document(userResource(user), {
    links: { self: selfLink(url) },
    meta: { email: user.email, token: user.token },
  });
}
