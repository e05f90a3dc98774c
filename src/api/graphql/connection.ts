import type * as v from "valibot";
import type { ArticlePage, CommentPage } from "../../domain/articles";
import type { PageCursors } from "../../domain/cursor";
import { type DomainError, invalid } from "../../domain/errors";
import type { ArticleQuery, CommentPageQuery, PageQuery } from "../../domain/inputs";
import type { ArticleSummaryView, CommentView } from "../../domain/views";
import { parseInput } from "../validate";

// Relay-style connections over the domain's keyset pages: an edge's cursor is
// the domain's signed cursor of its item (src/domain/cursor.ts), so `after`
// and `before` cost the same at any depth and a walk through a list that
// changes meanwhile neither repeats nor skips. `first` is the page size in
// both directions (`before` gives the `first` edges just before the cursor,
// in list order), as REST's `limit` is with its `after` and `before`. A cursor
// that is not one this server gave for that list is BAD_USER_INPUT.

export type PageArgs = { first?: number | null; after?: string | null; before?: string | null };

/** Page arguments as the domain's page query, checked by the domain's own rules (errors name `first`). */
export function pageOf<S extends typeof PageQuery | typeof ArticleQuery | typeof CommentPageQuery>(
  schema: S,
  args: PageArgs & Record<string, unknown>,
): v.InferOutput<S> {
  const { first, ...rest } = args;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined && value !== null));
  try {
    return parseInput(schema, { ...defined, ...(first === undefined || first === null ? {} : { limit: first }) });
  } catch (error) {
    throw renameFields(error, { limit: "first" });
  }
}

function renameFields(error: unknown, names: Record<string, string>): unknown {
  const domainError = error as DomainError;
  if (domainError?.code !== "invalid") return error;
  return invalid(
    Object.fromEntries(Object.entries(domainError.fields).map(([field, messages]) => [names[field] ?? field, messages])),
  );
}

type PageInfo = { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };

export type Connection<Edge> = { edges: Edge[]; pageInfo: PageInfo; totalCount: number };

function connection<Node, Edge>(nodes: Node[], page: PageCursors, totalCount: number, edgeOf: (node: Node) => Edge) {
  const edges = nodes.map((node, index) => ({ cursor: page.cursors[index] ?? "", ...edgeOf(node) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNext,
      hasPreviousPage: page.hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

export const articleConnection = ({ articles, articlesCount, page }: ArticlePage) =>
  connection(articles, page, articlesCount, (node: ArticleSummaryView) => ({ node, snippet: node.snippet ?? null }));

export const commentConnection = ({ comments, commentsCount, page }: CommentPage) =>
  connection(comments, page, commentsCount, (node: CommentView) => ({ node }));
