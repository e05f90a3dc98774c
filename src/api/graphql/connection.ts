import type * as v from "valibot";
import { type DomainError, invalid } from "../../domain/errors";
import type { ArticleQuery, ArticleQueryInput, PageInput, PageQuery } from "../../domain/inputs";
import type { ArticlePageView, ArticleSummaryView } from "../../domain/views";
import { parseInput } from "../validate";

// Relay-style cursor pagination over the domain's offset pages. A cursor is
// the position of its article in the list (newest first), base64url-encoded
// with a version tag so that it is opaque and can change form later:
// `after: <cursor of position p>` is the page at offset p + 1. Like REST's
// offset, a position shifts when articles are published or deleted between
// two pages; keyset cursors (on the article id) would need a filter the read
// model does not have. A cursor that does not decode is BAD_USER_INPUT.

const PREFIX = "conduit:v1:";

export function encodeCursor(position: number): string {
  return btoa(`${PREFIX}${position}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The position a cursor names, or null if it is not one of ours. */
export function decodeCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return null;
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  const match = /^conduit:v1:(0|[1-9]\d{0,15})$/.exec(text);
  return match ? Number(match[1]) : null;
}

export type PageArgs = { first?: number | null; after?: string | null };

/** Page arguments as the domain's page, checked by the domain's own rules (errors name `first` and `after`). */
export function pageOf<S extends typeof PageQuery | typeof ArticleQuery>(
  schema: S,
  args: PageArgs & Record<string, unknown>,
): v.InferOutput<S> {
  const { first, after, ...filters } = args;
  let offset = 0;
  if (after !== undefined && after !== null) {
    const position = decodeCursor(after);
    if (position === null) throw invalid({ after: ["is not a valid cursor"] });
    offset = position + 1;
  }
  const defined = Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined && value !== null));
  try {
    return parseInput(schema, { ...defined, ...(first === undefined || first === null ? {} : { limit: first }), offset });
  } catch (error) {
    throw renameFields(error, { limit: "first", offset: "after" });
  }
}

function renameFields(error: unknown, names: Record<string, string>): unknown {
  const domainError = error as DomainError;
  if (domainError?.code !== "invalid") return error;
  return invalid(
    Object.fromEntries(Object.entries(domainError.fields).map(([field, messages]) => [names[field] ?? field, messages])),
  );
}

export type Connection = {
  edges: { cursor: string; node: ArticleSummaryView; snippet: string | null }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
};

export function connectionOf(page: ArticlePageView, query: PageInput | ArticleQueryInput): Connection {
  const edges = page.articles.map((node, index) => ({
    cursor: encodeCursor(query.offset + index),
    node,
    snippet: node.snippet ?? null,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: query.offset + edges.length < page.articlesCount,
      hasPreviousPage: query.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: page.articlesCount,
  };
}
