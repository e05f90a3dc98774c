import type { SearchTerm } from "../db/search";

// The search language, once (README "Search" documents it). What a reader
// types is read as:
//   - words, separated by whitespace: an article matches when every one
//     appears (in its title, description, body or tags), in any order;
//   - "a quoted phrase": its words must appear one after the other (an
//     unclosed quote runs to the end of the query);
//   - a `*` right after a word or a closing quote: a prefix (`drag*` finds
//     dragon and dragons; `"edge comp"*` finds "edge computing").
// Nothing else is an operator. AND, OR, NOT, NEAR, column names (`title:`),
// `^`, `-`, `+`, parentheses and any other punctuation are text like the rest
// (punctuation separates words, as it does in the indexed text), so no input
// can change what the query means to the database or make it fail there: the
// terms are quoted when the query is built (src/db/search.ts).

const SPACE = /\s/u;

/** The words and phrases of a query, in order; a query of only whitespace has none. */
export function searchTerms(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  let at = 0;
  while (at < query.length) {
    const char = query.charAt(at);
    if (SPACE.test(char)) {
      at += 1;
      continue;
    }
    let text: string;
    let prefix = false;
    if (char === '"') {
      const close = query.indexOf('"', at + 1);
      text = close === -1 ? query.slice(at + 1) : query.slice(at + 1, close);
      at = close === -1 ? query.length : close + 1;
      while (query.charAt(at) === "*") {
        prefix = true;
        at += 1;
      }
    } else {
      let end = at;
      while (end < query.length && query.charAt(end) !== '"' && !SPACE.test(query.charAt(end))) end += 1;
      const word = query.slice(at, end);
      text = word.replace(/\*+$/u, "");
      prefix = text !== word;
      at = end;
    }
    if (text.trim() !== "") terms.push({ text, prefix });
  }
  return terms;
}
