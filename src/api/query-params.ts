import * as v from "valibot";
import { ArticleQuery, PageQuery } from "../domain/inputs";

// Query-string parameters as every adapter that reads a URL receives them
// (strings), turned into the domain's inputs: numbers first, then the domain's
// own rules (src/domain/inputs.ts).

export const IntegerParam = v.pipe(
  v.string(),
  v.regex(/^[+-]?\d{1,16}$/, "must be an integer"),
  v.transform((text) => Number(text)),
);

/** A page of articles with the list filters. */
export const ArticleListParams = v.pipe(
  v.object({
    limit: v.optional(IntegerParam),
    offset: v.optional(IntegerParam),
    tag: v.optional(v.string()),
    author: v.optional(v.string()),
    favorited: v.optional(v.string()),
    search: v.optional(v.string()),
  }),
  ArticleQuery,
);

/** The filter of an Atom feed: a tag, by the list's rule. */
export const FeedParams = v.object({ tag: ArticleQuery.entries.tag });

/** A page, no filters (the feed). */
export const PageParams = v.pipe(v.object({ limit: v.optional(IntegerParam), offset: v.optional(IntegerParam) }), PageQuery);
