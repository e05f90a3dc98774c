import { describe, expect, it } from "vitest";
import { linkTo, pageLinks } from "../src/api/jsonapi/document";
import type { Context } from "../src/domain/context";
import { decodeCursor, encodeCursor, type Position } from "../src/domain/cursor";
import { DomainError } from "../src/domain/errors";
import { slugify } from "../src/domain/slug";
import { keyOf, type TokenConfig } from "../src/domain/tokens";
import { tokenConfig } from "../src/env";
import { mediaRanges, preferredMediaType } from "../src/http/accept";
import { ownMediaRepresentationOf, restRepresentationOf } from "../src/http/negotiation";
import { testEnv } from "./support/api";

// The pure functions that the request-level suites reach only through a
// route, each as a table of input and expected output, so that a rule of
// theirs reads as one row and a new case costs one line.

describe("preferredMediaType: the offer an Accept header prefers (RFC 9110 §12.5.1)", () => {
  const OFFERS = ["application/json", "application/xml"] as const;
  const JSON_TYPE = "application/json";
  const XML_TYPE = "application/xml";
  it.each<[string | undefined, (typeof OFFERS)[number] | null, string]>([
    [undefined, JSON_TYPE, "no header prefers the first offer"],
    ["", JSON_TYPE, "an empty header is no header"],
    ["   ", JSON_TYPE, "a blank header is no header"],
    [XML_TYPE, XML_TYPE, "an exact range picks its offer"],
    ["APPLICATION/XML", XML_TYPE, "media types compare case-insensitively"],
    [`${JSON_TYPE}, ${XML_TYPE}`, JSON_TYPE, "at equal q, the range listed first wins"],
    [`${XML_TYPE}, ${JSON_TYPE}`, XML_TYPE, "at equal q, the range listed first wins, whichever offer it names"],
    [`${JSON_TYPE};q=0.8, ${XML_TYPE};q=0.8`, JSON_TYPE, "an equal explicit q is still decided by listing order"],
    [`${JSON_TYPE};q=0.5, ${XML_TYPE}`, XML_TYPE, "the higher q wins over listing order"],
    ["*/*", JSON_TYPE, "a wildcard accepts every offer: the first offer wins"],
    ["application/*", JSON_TYPE, "a type wildcard accepts every offer of that type: the first wins"],
    [`application/*;q=0.9, ${XML_TYPE}`, XML_TYPE, "an exact range with a higher q beats a type wildcard"],
    [`${XML_TYPE};q=0.5, */*`, JSON_TYPE, "an offer takes the q of its most specific range, not the best range it matches"],
    [`*/*;q=0.1, ${XML_TYPE}`, XML_TYPE, "a range listed later with a higher q still wins"],
    [`${JSON_TYPE};q=0, */*`, XML_TYPE, "q=0 refuses an offer by name even when a wildcard accepts everything"],
    [`${JSON_TYPE};q=0`, null, "q=0 on the only matching range leaves nothing acceptable"],
    ["text/*", null, "a wildcard of another type matches nothing"],
    ["text/html", null, "a type that is not offered matches nothing"],
    ["not a media type", null, "garbage matches nothing"],
    [`${XML_TYPE}; charset=utf-8`, XML_TYPE, "a UTF-8 charset parameter is accepted"],
    [`${XML_TYPE}; charset="UTF-8"`, XML_TYPE, "a quoted, upper-case UTF-8 charset is accepted"],
    [`${XML_TYPE}; charset=utf8`, XML_TYPE, "utf8 without the hyphen is UTF-8"],
    [`${XML_TYPE}; charset=iso-8859-1`, null, "another charset matches nothing: every answer is UTF-8"],
    [`${XML_TYPE};q=abc, ${JSON_TYPE}`, XML_TYPE, "an unreadable q counts as 1 (Hono's parser)"],
    [`${XML_TYPE};q=2, ${JSON_TYPE}`, XML_TYPE, "a q above 1 counts as 1"],
  ])("Accept %j → %s: %s", (header, expected) => {
    expect(preferredMediaType(header, OFFERS)).toBe(expected);
  });

  it("has nothing to prefer when there are no offers", () => {
    expect(preferredMediaType(undefined, [])).toBeNull();
    expect(preferredMediaType("*/*", [])).toBeNull();
  });
});

describe("mediaRanges: an Accept header's ranges, best q first", () => {
  it.each<[string | null | undefined, ReturnType<typeof mediaRanges>, string]>([
    [undefined, [], "no header has no ranges"],
    [null, [], "a missing header has no ranges"],
    ["application/json", [{ type: "application/json", params: {}, q: 1 }], "a bare type has q 1 and no parameters"],
    [
      "text/html;level=1;q=0.5, Application/JSON;Charset=UTF-8",
      [
        { type: "application/json", params: { charset: "UTF-8" }, q: 1 },
        { type: "text/html", params: { level: "1" }, q: 0.5 },
      ],
      "types and parameter names are lowercased, values kept, q taken out of the parameters, best q first",
    ],
  ])("%j → %j: %s", (header, expected) => {
    expect(mediaRanges(header)).toEqual(expected);
  });
});

describe("restRepresentationOf: JSON or XML for a REST resource", () => {
  const CHROMIUM = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
  it.each<[string | undefined, string | undefined, "json" | "xml" | null, string]>([
    [undefined, undefined, "json", "no Accept means JSON"],
    ["*/*", undefined, "json", "anything means JSON"],
    ["application/json", undefined, "json", "JSON by name"],
    ["application/xml", undefined, "xml", "XML by application/xml"],
    ["text/xml", undefined, "xml", "XML by text/xml"],
    ["application/json;q=0.5, text/xml", undefined, "xml", "the higher q decides"],
    ["text/plain", undefined, null, "a type the API does not have is none"],
    [CHROMIUM, undefined, "json", "a browser's navigation Accept gets JSON although it ranks XML above */*"],
    ["application/xml", "navigate", "json", "a navigation (Sec-Fetch-Mode) gets JSON whatever it accepts"],
    ["application/xml", "cors", "xml", "a fetch from a script keeps its XML"],
    ["application/xml, text/html;q=0", undefined, "xml", "text/html refused by q=0 is not a navigation"],
  ])("Accept %j, Sec-Fetch-Mode %j → %s: %s", (accept, fetchMode, expected) => {
    expect(restRepresentationOf(accept, fetchMode)).toBe(expected);
  });
});

describe("ownMediaRepresentationOf: an Atom feed's errors, and whether it is acceptable at all", () => {
  const ATOM = "application/atom+xml";
  it.each<[string | undefined, "json" | "xml" | null, string]>([
    [undefined, "xml", "no Accept: the feed, errors in XML"],
    [ATOM, "xml", "the feed's own type"],
    ["application/xml", "xml", "XML in general covers an XML-based type (RFC 6839)"],
    ["*/*", "xml", "anything"],
    ["application/json", null, "JSON alone does not accept a feed"],
    [`${ATOM};q=0, */*`, null, "the feed refused by name, whatever else is accepted"],
    [`${ATOM}, application/json`, "xml", "the feed preferred: errors in XML"],
    [`application/json, ${ATOM};q=0.5`, "json", "JSON preferred, the feed acceptable: errors in JSON"],
    ["application/json, */*;q=0.1", "json", "JSON preferred, the feed acceptable through */*"],
  ])("Accept %j → %s: %s", (accept, expected) => {
    expect(ownMediaRepresentationOf(accept, ATOM)).toBe(expected);
  });
});

describe("slugify: letters and digits of every script, lowercased, joined by hyphens", () => {
  it.each<[string, string, string]>([
    ["Hello World", "hello-world", "words are lowercased and joined by one hyphen"],
    ["  How to  train your dragon?! ", "how-to-train-your-dragon", "runs of anything else are one separator, none at the ends"],
    ["C++ & Rust 2024", "c-rust-2024", "punctuation goes, digits stay"],
    ["don't", "don-t", "an apostrophe separates"],
    ["ÉCOLE Çafé", "école-çafé", "accented letters stay, lowercased"],
    ["Cafe\u0301", "caf\u00e9", "a decomposed accent is composed (NFKC)"],
    ["ﬁle Ｆｕｌｌ", "file-full", "compatibility forms are folded (a ligature, full-width letters)"],
    ["東京の夜", "東京の夜", "CJK stays as it is"],
    ["مرحبا بالعالم", "مرحبا-بالعالم", "Arabic stays"],
    ["हिन्दी भाषा", "हिन्दी-भाषा", "Devanagari keeps its combining marks"],
    ["🎉🎉", "article", "a title with no letters or digits falls back to article"],
    ["", "article", "an empty title falls back to article"],
    ["word ".repeat(30), `${"word-".repeat(15)}word`, "words are added while the slug stays within 80 characters"],
    ["a".repeat(100), "a".repeat(80), "a single word longer than 80 characters is cut"],
    ["\u{20000}".repeat(81), "\u{20000}".repeat(80), "the cut counts code points, not UTF-16 units"],
  ])("%j → %j: %s", (title, expected) => {
    expect(slugify(title)).toBe(expected);
  });
});

describe("cursors: encodeCursor and decodeCursor", () => {
  const config = async (...secrets: string[]): Promise<TokenConfig> => {
    const base = await tokenConfig(testEnv);
    if (!base) throw new Error("the test env has no valid JWT_SECRET");
    return secrets.length ? { ...base, keys: await Promise.all(secrets.map(keyOf)) } : base;
  };
  // The cursor functions read nothing of the context but its signing keys;
  // a whole Context (a database, a viewer, limits) has nothing to add here.
  const contextWith = (tokens: TokenConfig) => ({ tokens }) as Context;
  const LIST = "articles:newest";
  const OLD = "an old signing secret that is long enough for hs256-0123";
  const NEW = "a new signing secret that is long enough for hs256-01234";

  /** The error decodeCursor throws, or null when it accepts the cursor. */
  async function refusal(ctx: Context, list: string, cursor: string) {
    try {
      await decodeCursor(ctx, list, cursor, "after");
      return null;
    } catch (error) {
      return error;
    }
  }
  const expectRefused = (error: unknown) => {
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "invalid", fields: { after: ["is not a valid cursor"] } });
  };

  it.each<[Position, string]>([
    [{ id: 1 }, "the smallest id"],
    [{ id: 9_007_199_254_740_991 }, "the largest safe integer (16 digits)"],
    [{ id: 42, rank: -3.5 }, "a negative relevance score"],
    [{ id: 42, rank: 0 }, "a score of zero"],
    [{ id: 7, rank: 1e-7 }, "a score JavaScript writes in exponent form"],
  ])("decoding an encoded %j gives it back (%s)", async (position) => {
    const ctx = contextWith(await config());
    const cursor = await encodeCursor(ctx, LIST, position);
    expect(cursor).toMatch(/^c1\.[\w-]+\.[\w-]{16}$/);
    expect(await decodeCursor(ctx, LIST, cursor, "after")).toEqual(position);
  });

  it("encodes a position the same way every time", async () => {
    const ctx = contextWith(await config());
    expect(await encodeCursor(ctx, LIST, { id: 5 })).toBe(await encodeCursor(ctx, LIST, { id: 5 }));
  });

  // Flip one character of a part: its first, so the decoded bytes change (the
  // last character of a base64url text may carry only padding bits).
  const flip = (text: string) => (text[0] === "A" ? "B" : "A") + text.slice(1);
  const TAMPERED: [string, (cursor: string) => string][] = [
    ["an empty text", () => ""],
    ["the version alone", () => "c1"],
    ["another version", (cursor) => cursor.replace(/^c1\./, "c2.")],
    ["a flipped character in the position", (cursor) => cursor.replace(/^(c1\.)([^.]+)/, (_, v, p) => v + flip(p))],
    ["a flipped character in the MAC", (cursor) => cursor.replace(/[^.]+$/, flip)],
    ["a MAC cut short", (cursor) => cursor.slice(0, -2)],
    ["a part added", (cursor) => `${cursor}.extra`],
    ["a position that is not base64url", (cursor) => cursor.replace(/^(c1\.)([^.]+)/, "$1!!!!")],
  ];
  it.each(TAMPERED)("refuses %s with a 422 on the cursor's field", async (_, tamper) => {
    const ctx = contextWith(await config());
    expectRefused(await refusal(ctx, LIST, tamper(await encodeCursor(ctx, LIST, { id: 5, rank: 2 }))));
  });

  it("refuses a genuine cursor anywhere but the list it was given for", async () => {
    const ctx = contextWith(await config());
    const cursor = await encodeCursor(ctx, LIST, { id: 5 });
    for (const other of ["articles:oldest", "comments:newest", "articles"]) expectRefused(await refusal(ctx, other, cursor));
  });

  it("refuses a cursor another key signed", async () => {
    const cursor = await encodeCursor(contextWith(await config(OLD)), LIST, { id: 5 });
    expectRefused(await refusal(contextWith(await config(NEW)), LIST, cursor));
  });

  it("accepts, after a key rotation, a cursor the old key signed while the old key is still configured", async () => {
    const before = contextWith(await config(OLD));
    const rotated = contextWith(await config(NEW, OLD));
    const cursor = await encodeCursor(before, LIST, { id: 5 });
    expect(await decodeCursor(rotated, LIST, cursor, "after")).toEqual({ id: 5 });
    // New cursors are signed with the newest key: they keep working once the old one is removed.
    const fresh = await encodeCursor(rotated, LIST, { id: 6 });
    expect(await decodeCursor(contextWith(await config(NEW)), LIST, fresh, "after")).toEqual({ id: 6 });
  });
});

describe("linkTo: the one form of every JSON:API link", () => {
  it.each<[string, [string, string][], string, string]>([
    ["/jsonapi/tags", [], "/jsonapi/tags", "no parameters, no question mark"],
    [
      "/jsonapi/articles",
      [
        ["b", "2"],
        ["a", "1"],
      ],
      "/jsonapi/articles?a=1&b=2",
      "parameters sorted by name",
    ],
    [
      "/jsonapi/articles",
      [
        ["b", "2"],
        ["a", "1"],
        ["b", "1"],
      ],
      "/jsonapi/articles?a=1&b=2&b=1",
      "a repeated name keeps its order",
    ],
    ["/jsonapi/articles", [["page[limit]", "5"]], "/jsonapi/articles?page%5Blimit%5D=5", "brackets percent-encoded"],
    ["/jsonapi/articles", [["include", "author,tags"]], "/jsonapi/articles?include=author,tags", "commas kept as separators"],
    ["/jsonapi/articles", [["fields[articles]", "title,slug"]], "/jsonapi/articles?fields%5Barticles%5D=title,slug", "both"],
    ["/jsonapi/articles", [["filter[tag]", "é"]], "/jsonapi/articles?filter%5Btag%5D=%C3%A9", "non-ASCII as UTF-8"],
    ["/jsonapi/articles", [["filter[tag]", "a b"]], "/jsonapi/articles?filter%5Btag%5D=a%20b", "a space as %20, never +"],
    ["/jsonapi/articles", [["q", "a&b=c"]], "/jsonapi/articles?q=a%26b%3Dc", "& and = inside a value encoded"],
  ])("%s with %j → %s: %s", (pathname, params, expected) => {
    expect(linkTo(pathname, new URLSearchParams(params))).toBe(expected);
  });
});

describe("pageLinks: first, prev, next and last of a page", () => {
  const ARTICLES = "http://localhost/jsonapi/articles";
  const at = (query: string) => `/jsonapi/articles?${query}`;
  type Row = {
    proves: string;
    url: string;
    page: { limit: number; offset: number };
    total: number;
    cursors: { cursors: string[]; hasNext: boolean; hasPrevious: boolean };
    links: Record<string, string | null>;
  };
  const ROWS: Row[] = [
    {
      proves: "the first page links next from its last item's cursor, and no prev",
      url: `${ARTICLES}?page[limit]=2&sort=-createdAt`,
      page: { limit: 2, offset: 0 },
      total: 5,
      cursors: { cursors: ["A", "B"], hasNext: true, hasPrevious: false },
      links: {
        self: at("page%5Blimit%5D=2&sort=-createdAt"),
        first: at("page%5Blimit%5D=2&page%5Boffset%5D=0&sort=-createdAt"),
        prev: null,
        next: at("page%5Bafter%5D=B&page%5Blimit%5D=2&sort=-createdAt"),
        last: at("page%5Blimit%5D=2&page%5Boffset%5D=4&sort=-createdAt"),
      },
    },
    {
      proves: "a middle page links prev before its first item, next after its last, and drops the start it came by",
      url: `${ARTICLES}?page[limit]=2&page[after]=B`,
      page: { limit: 2, offset: 0 },
      total: 5,
      cursors: { cursors: ["C", "D"], hasNext: true, hasPrevious: true },
      links: {
        self: at("page%5Bafter%5D=B&page%5Blimit%5D=2"),
        first: at("page%5Blimit%5D=2&page%5Boffset%5D=0"),
        prev: at("page%5Bbefore%5D=C&page%5Blimit%5D=2"),
        next: at("page%5Bafter%5D=D&page%5Blimit%5D=2"),
        last: at("page%5Blimit%5D=2&page%5Boffset%5D=4"),
      },
    },
    {
      proves: "an empty page past the end, by offset, links back by offset to the last page, and no next",
      url: `${ARTICLES}?page[limit]=2&page[offset]=10`,
      page: { limit: 2, offset: 10 },
      total: 5,
      cursors: { cursors: [], hasNext: false, hasPrevious: true },
      links: {
        self: at("page%5Blimit%5D=2&page%5Boffset%5D=10"),
        first: at("page%5Blimit%5D=2&page%5Boffset%5D=0"),
        prev: at("page%5Blimit%5D=2&page%5Boffset%5D=4"),
        next: null,
        last: at("page%5Blimit%5D=2&page%5Boffset%5D=4"),
      },
    },
    {
      proves: "an empty list has first and last at offset 0, no prev and no next",
      url: `${ARTICLES}?filter[tag]=none`,
      page: { limit: 20, offset: 0 },
      total: 0,
      cursors: { cursors: [], hasNext: false, hasPrevious: false },
      links: {
        self: at("filter%5Btag%5D=none"),
        first: at("filter%5Btag%5D=none&page%5Blimit%5D=20&page%5Boffset%5D=0"),
        prev: null,
        next: null,
        last: at("filter%5Btag%5D=none&page%5Blimit%5D=20&page%5Boffset%5D=0"),
      },
    },
    {
      proves: "last stops at the largest offset the API accepts (1,000,000)",
      url: ARTICLES,
      page: { limit: 10, offset: 0 },
      total: 5_000_000,
      cursors: { cursors: ["A"], hasNext: true, hasPrevious: false },
      links: {
        self: "/jsonapi/articles",
        first: at("page%5Blimit%5D=10&page%5Boffset%5D=0"),
        prev: null,
        next: at("page%5Bafter%5D=A&page%5Blimit%5D=10"),
        last: at("page%5Blimit%5D=10&page%5Boffset%5D=1000000"),
      },
    },
    {
      proves: "the other parameters carry over in the canonical form (sorted, encoded, commas kept)",
      url: `${ARTICLES}?include=author,tags&filter[tag]=a+b&page[limit]=1`,
      page: { limit: 1, offset: 0 },
      total: 2,
      cursors: { cursors: ["A"], hasNext: true, hasPrevious: false },
      links: {
        self: at("filter%5Btag%5D=a%20b&include=author,tags&page%5Blimit%5D=1"),
        first: at("filter%5Btag%5D=a%20b&include=author,tags&page%5Blimit%5D=1&page%5Boffset%5D=0"),
        prev: null,
        next: at("filter%5Btag%5D=a%20b&include=author,tags&page%5Bafter%5D=A&page%5Blimit%5D=1"),
        last: at("filter%5Btag%5D=a%20b&include=author,tags&page%5Blimit%5D=1&page%5Boffset%5D=1"),
      },
    },
  ];
  it.each(ROWS)("$proves", ({ url, page, total, cursors, links }) => {
    expect(pageLinks(new URL(url), page, total, cursors)).toEqual(links);
  });
});
