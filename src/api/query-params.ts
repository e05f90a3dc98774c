import * as v from "valibot";
import { ArticleQuery, CommentPageQuery, PageQuery } from "../domain/inputs";

// Query-string parameters as every adapter that reads a URL receives them
// (strings), turned into the domain's inputs: numbers first, then the domain's
// own rules (src/domain/inputs.ts).

/** What a URL carries; the message only shows if a caller builds the input by hand. */
export const TextParam = v.string("must be a string");

export const IntegerParam = v.pipe(
  TextParam,
  v.regex(/^[+-]?\d{1,16}$/, "must be an integer"),
  v.transform((text) => Number(text)),
);

const pageFields = {
  limit: v.optional(IntegerParam),
  offset: v.optional(IntegerParam),
  after: v.optional(TextParam),
  before: v.optional(TextParam),
};

const listFields = {
  ...pageFields,
  tag: v.optional(TextParam),
  author: v.optional(TextParam),
  favorited: v.optional(TextParam),
  search: v.optional(TextParam),
};

/** A page of articles with the RealWorld list filters. */
export const ArticleListParams = v.pipe(v.object(listFields), ArticleQuery);

/** The same, and the article with one slug (JSON:API's `filter[slug]`: it names articles by id, frontends by slug). */
export const ArticleFilterParams = v.pipe(v.object({ ...listFields, slug: v.optional(TextParam) }), ArticleQuery);

/** The filter of an Atom feed: a tag, by the list's rule. */
export const FeedParams = v.object({ tag: ArticleQuery.entries.tag });

/** A page, no filters (the feed). */
export const PageParams = v.pipe(v.object(pageFields), PageQuery);

/** A page of an article's comments. */
export const CommentPageParams = v.pipe(v.object(pageFields), CommentPageQuery);
