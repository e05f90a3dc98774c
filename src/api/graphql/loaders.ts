import type { ArticlePage, CommentPage } from "../../domain/articles";
import type { Context } from "../../domain/context";
import {
  type ArticleCommentPage,
  type AuthorPage,
  articlesOfAuthors,
  bodiesOfArticles,
  commentsOfArticles,
} from "../../domain/loaders";

// Per-request batching: a resolver asks a loader for one key; the loader
// collects every key asked for until the current burst of resolving is over
// (a zero-delay timer fires after every pending promise job, so a whole level
// of a query has been walked), then calls ONE batched domain read for all of
// them. A query therefore costs a round trip per level it loads, never one per
// item. Results are kept for the request, so the same key is read once.
//
// Written here rather than taken from the `dataloader` package: this is the
// part of it we use, in thirty lines, with no Node-specific scheduling.

export class Loader<K, V> {
  #cache = new Map<string, Promise<V>>();
  #pending: { key: K; resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly idOf: (key: K) => string,
    /** One value per key, in order; an Error in a key's place rejects that key alone. */
    private readonly loadMany: (keys: K[]) => Promise<(V | Error)[]>,
  ) {}

  load(key: K): Promise<V> {
    const id = this.idOf(key);
    let promise = this.#cache.get(id);
    if (!promise) {
      promise = new Promise<V>((resolve, reject) => {
        if (!this.#pending.length) setTimeout(() => this.#dispatch(), 0);
        this.#pending.push({ key, resolve, reject });
      });
      this.#cache.set(id, promise);
    }
    return promise;
  }

  /** Forgets what was read, after a write may have changed it. */
  clear(): void {
    this.#cache.clear();
  }

  async #dispatch(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    try {
      const values = await this.loadMany(batch.map((item) => item.key));
      for (const [index, item] of batch.entries()) {
        const value = values[index];
        if (value instanceof Error) item.reject(value);
        else item.resolve(value as V);
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}

export type Loaders = {
  /** A page of an article's comments. */
  comments: Loader<ArticleCommentPage, CommentPage>;
  /** The body of an article, by slug (undefined if it is gone). */
  body: Loader<string, string | undefined>;
  /** A page of an author's articles. */
  authorArticles: Loader<AuthorPage, ArticlePage>;
  clear(): void;
};

export function createLoaders(ctx: Context): Loaders {
  const comments = new Loader<ArticleCommentPage, CommentPage>(
    (page) => JSON.stringify([page.slug, page.limit, page.offset, page.after, page.before]),
    (pages) => commentsOfArticles(ctx, pages),
  );
  const body = new Loader<string, string | undefined>(
    (slug) => slug,
    async (slugs) => {
      const bySlug = await bodiesOfArticles(ctx, slugs);
      return slugs.map((slug) => bySlug.get(slug));
    },
  );
  const authorArticles = new Loader<AuthorPage, ArticlePage>(
    (page) => JSON.stringify([page.author, page.limit, page.offset, page.after, page.before]),
    (pages) => articlesOfAuthors(ctx, pages),
  );
  return {
    comments,
    body,
    authorArticles,
    clear: () => {
      for (const loader of [comments, body, authorArticles]) loader.clear();
    },
  };
}
