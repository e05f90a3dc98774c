import type { ArticleRow } from "../db/articles";

// Plain objects the adapters render. Field names follow the RealWorld contract.

export type UserView = { email: string; token: string; username: string; bio: string | null; image: string | null };
export type ProfileView = { username: string; bio: string | null; image: string | null; following: boolean };
export type ArticleView = {
  slug: string;
  title: string;
  description: string;
  body?: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: ProfileView;
};
export type ArticlePageView = { articles: ArticleView[]; articlesCount: number };
export type CommentView = { id: number; createdAt: string; updatedAt: string; body: string; author: ProfileView };

export const isoTime = (ms: number): string => new Date(ms).toISOString();

export function profileView(
  row: { username: string; bio: string | null; image: string | null },
  following: unknown,
): ProfileView {
  return { username: row.username, bio: row.bio, image: row.image, following: Boolean(following) };
}

export function articleView(row: ArticleRow): ArticleView {
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    ...(row.body === undefined ? {} : { body: row.body }),
    tagList: JSON.parse(row.tagList) as string[],
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
    favorited: Boolean(row.favorited),
    favoritesCount: row.favoritesCount,
    author: profileView({ username: row.authorUsername, bio: row.authorBio, image: row.authorImage }, row.following),
  };
}
