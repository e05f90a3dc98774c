import { and, asc, count, desc, eq, inArray, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { backwards, type PageWindow } from "./keyset";
import { articles } from "./schema";

// Full-text search through the FTS5 table of migrations/0003_article_search.sql
// (one row per article, kept exact by triggers). The article read model
// (articles.ts) calls these pieces; everything that knows FTS5 syntax is here.
//
// Cost: a search statement evaluates the MATCH once per FTS5 cursor and never
// once per row (a correlated MATCH would re-expand a prefix term for every
// row). The page is read in two steps inside one statement: the ids of the
// page (every match ranked, only the page's ids kept), then the page's rows,
// with their snippets, from one more pass over the matches that keeps only
// those ids; so snippets and the per-row subqueries of the read model are
// computed for the page, not for every match (SQLite computes every column of
// a row before sorting it). The work grows with the number of matches, not
// with the number of articles.

/** A word or phrase of a query (src/domain/search.ts reads them from what the user typed). */
export type SearchTerm = { text: string; prefix: boolean };

/**
 * The FTS5 table, declared for typed references only: drizzle-kit reads
 * schema.ts, which cannot declare a virtual table, and never sees this one.
 */
export const articleSearch = sqliteTable("article_search", {
  rowid: integer("rowid").notNull(),
  title: text("title").notNull(),
  description: text("description").notNull(),
  body: text("body").notNull(),
  tags: text("tags").notNull(),
});

/**
 * How well the current row matches, lower is better: bm25 with weights in the
 * table's column order (title, description, body, tags), so a match in the
 * title counts most, then the tags, the description, the body.
 */
export const searchRank = sql`bm25(${articleSearch}, 10.0, 3.0, 1.0, 5.0)`;

/**
 * The FTS5 query for the terms: each one a quoted string (quotes doubled), so
 * FTS5 reads it as a phrase of the words its tokenizer finds in it and never
 * as an operator, a column filter or a syntax error; a `*` after the quote
 * makes the phrase's last word a prefix. Juxtaposed phrases must all match;
 * FTS5 drops a phrase in which the tokenizer finds no word (`"-"`), and a
 * query with no word at all (`""`) matches nothing.
 */
export function matchExpression(terms: readonly SearchTerm[]): string {
  const phrases = terms.map((term) => `"${term.text.replaceAll('"', '""')}"${term.prefix ? "*" : ""}`);
  return phrases.length ? phrases.join(" ") : '""';
}

const matching = (terms: readonly SearchTerm[]) => sql`${articleSearch} MATCH ${matchExpression(terms)}`;

/**
 * The unary `+` keeps FTS5 from being offered the rowid as a constraint, so
 * SQLite reads the matches in one pass and looks articles up by id, rather
 * than asking FTS5 again for each article.
 */
const searchRowid = sql`+${articleSearch.rowid}`;

/** Joins an article to its row of the search table. */
export const searchedArticle = eq(articles.id, searchRowid);

/** Articles whose text matches: a condition of the article list like its other filters. */
export const searchCondition = (terms: readonly SearchTerm[]): SQL =>
  sql`${articles.id} IN (SELECT ${articleSearch.rowid} FROM ${articleSearch} WHERE ${matching(terms)})`;

/**
 * The order of matches, best first and newest first among equals; walked
 * backwards for a page before a position.
 */
export const rankOrder = (page: PageWindow) =>
  backwards(page) ? [sql`${searchRank} DESC`, asc(articleSearch.rowid)] : [searchRank, desc(articleSearch.rowid)];

/**
 * The matches past a position in that order: a worse score, or the same
 * score and an older article (walking backwards, the reverse). bm25 is
 * deterministic, so a score read back from a cursor compares exactly; it
 * does move when the corpus changes (see the README on search cursors).
 */
function pastPosition(page: PageWindow): SQL | undefined {
  const from = page.after ?? page.before;
  if (from === undefined) return undefined;
  const rank = from.rank ?? 0;
  return backwards(page)
    ? sql`(${searchRank} < ${rank} OR (${searchRank} = ${rank} AND ${articleSearch.rowid} > ${from.id}))`
    : sql`(${searchRank} > ${rank} OR (${searchRank} = ${rank} AND ${articleSearch.rowid} < ${from.id}))`;
}

/**
 * The ids of one page of matches, in rankOrder. `where` is any other
 * condition on `articles` (filters); without one, the articles table is not
 * read at all.
 */
export function rankedArticleIds(db: Db, terms: readonly SearchTerm[], where: SQL | undefined, page: PageWindow) {
  const ids = db.select({ id: articleSearch.rowid }).from(articleSearch).$dynamic();
  const joined = where === undefined ? ids : ids.innerJoin(articles, searchedArticle);
  const fromPosition = page.after ?? page.before;
  return joined
    .where(and(matching(terms), where, pastPosition(page)))
    .orderBy(...rankOrder(page))
    .limit(page.limit)
    .offset(fromPosition === undefined ? page.offset : 0);
}

/** A match's score, as a column: what its cursor carries. */
export const searchRankColumn = sql<number | null>`${searchRank}`.as("rank");

/** No score: the column a list outside a search (or not ranked) has in its place. */
export const noRank = sql<number | null>`NULL`.as("rank");

/** The rows of a page of matches, given the page's ids (a subquery): the second pass. */
export const onSearchPage = (terms: readonly SearchTerm[], pageIds: SQLWrapper): SQL | undefined =>
  and(matching(terms), inArray(searchRowid, pageIds));

/** How many articles match (and meet `where`): counted from the matches, which no maintained counter can know. */
export function countMatches(db: Db, terms: readonly SearchTerm[], where: SQL | undefined) {
  const counted = db.select({ total: count() }).from(articleSearch).$dynamic();
  return (where === undefined ? counted : counted.innerJoin(articles, searchedArticle)).where(and(matching(terms), where));
}

// Snippets: FTS5 marks each match with two control characters, which are
// then turned into <mark>…</mark> around HTML-escaped text. STX and ETX are
// never part of a word, so FTS5 never marks them; a description or body may
// contain them, though, so the markup is balanced whatever the text holds.
const OPEN = "\u0002";
const CLOSE = "\u0003";
/** At most this many words around the matches. */
const SNIPPET_WORDS = 24;

/** The passage around the matches, from the column where they score best, with FTS5's markers. */
export const searchSnippet = sql<string | null>`snippet(${articleSearch}, -1, ${OPEN}, ${CLOSE}, '…', ${SNIPPET_WORDS})`.as(
  "snippet",
);

/** No snippet: the column a list outside a search has in its place. */
export const noSnippet = sql<string | null>`NULL`.as("snippet");

const ESCAPES = new Map([
  ["&", "&amp;"],
  ["<", "&lt;"],
  [">", "&gt;"],
  ['"', "&quot;"],
  ["'", "&#39;"],
]);

/** A snippet as HTML: the text escaped, each match in <mark>…</mark>; a marker that would not balance is dropped. */
export function highlightedSnippet(marked: string): string {
  let html = "";
  let inMark = false;
  for (const char of marked) {
    if (char === OPEN && !inMark) html += "<mark>";
    else if (char === CLOSE && inMark) html += "</mark>";
    else if (char !== OPEN && char !== CLOSE) html += ESCAPES.get(char) ?? char;
    if (char === OPEN || char === CLOSE) inMark = char === OPEN;
  }
  return inMark ? `${html}</mark>` : html;
}
