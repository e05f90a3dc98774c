import type { ArticleRow } from "../db/articles";
import type { CommentRow } from "../db/comments";
import { highlightedSnippet } from "../db/search";

// Plain objects the adapters render. Field names follow the RealWorld contract.

export type UserView = { email: string; token: string; username: string; bio: string | null; image: string | null };
export type ProfileView = { username: string; bio: string | null; image: string | null; following: boolean };
/** An article as lists show it: everything but the body; a search's results also carry a snippet. */
export type ArticleSummaryView = {
  slug: string;
  title: string;
  description: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: ProfileView;
  /** Only on search results: the passage around the matches, HTML-escaped, each match in <mark>…</mark>. */
  snippet?: string;
};
/** One article, with its body. */
export type ArticleView = Omit<ArticleSummaryView, "snippet"> & { body: string };
export type ArticlePageView = { articles: ArticleSummaryView[]; articlesCount: number };
export type CommentView = { id: number; createdAt: string; updatedAt: string; body: string; author: ProfileView };

export const isoTime = (ms: number): string => new Date(ms).toISOString();

// The stable ids behind views (an article's, a user's), for adapters that name
// resources by id (JSON:API). The view types are the REST contract, which shows
// no ids, so an id is kept beside its view object rather than in it: recorded
// where the view is made from its row, looked up by the adapter that needs it.
const ids = new WeakMap<object, number>();

/** Records the id of the row a view was made from; returns the view. */
export function withId<V extends object>(view: V, id: number): V {
  ids.set(view, id);
  return view;
}

/** The id of the row a view was made from, if it was recorded. */
export const idOf = (view: object): number | undefined => ids.get(view);

export function profileView(
  row: { username: string; bio: string | null; image: string | null },
  following: unknown,
  userId?: number,
): ProfileView {
  const view = { username: row.username, bio: row.bio, image: row.image, following: Boolean(following) };
  return userId === undefined ? view : withId(view, userId);
}

/** A row of the read model; one read outside a list has no snippet column. */
type ArticleSummaryRow = Omit<ArticleRow, "snippet" | "rank"> & { snippet?: string | null };

export function articleSummaryView(row: ArticleSummaryRow): ArticleSummaryView {
  const view: ArticleSummaryView = {
    slug: row.slug,
    title: row.title,
    description: row.description,
    tagList: JSON.parse(row.tagList) as string[],
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
    favorited: Boolean(row.favorited),
    favoritesCount: row.favoritesCount,
    author: profileView(
      { username: row.authorUsername, bio: row.authorBio, image: row.authorImage },
      row.following,
      row.authorId,
    ),
    ...(row.snippet === null || row.snippet === undefined ? {} : { snippet: highlightedSnippet(row.snippet) }),
  };
  return withId(view, row.id);
}

export function articleView(row: ArticleSummaryRow & { body: string }): ArticleView {
  // The body goes after the description, where the contract's examples have it.
  const { slug, title, description, snippet: _none, ...rest } = articleSummaryView(row);
  return withId({ slug, title, description, body: row.body, ...rest }, row.id);
}

/** The body of an article view, when it is one that carries it (lists leave it out). */
export const bodyOf = (article: ArticleSummaryView): string | undefined =>
  "body" in article && typeof article.body === "string" ? article.body : undefined;

export const commentView = (row: CommentRow): CommentView => ({
  id: row.id,
  createdAt: isoTime(row.createdAt),
  updatedAt: isoTime(row.updatedAt),
  body: row.body,
  author: profileView(row, row.following, row.authorId),
});
