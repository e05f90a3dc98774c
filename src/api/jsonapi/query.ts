import * as v from "valibot";
import type { ArticleOrder } from "../../db/articles";
import { DomainError } from "../../domain/errors";
import { type ArticleQueryInput, PageQuery } from "../../domain/inputs";
import { ArticleFilterParams, CommentPageParams, PageParams } from "../query-params";
import { fieldMessages } from "../validate";
import { errorObject, failure, JsonApiError } from "./errors";
import { RESOURCE_TYPES, resourceTypeOf, TYPES } from "./vocabulary";

// The query parameters of JSON:API (https://jsonapi.org/format/1.1/#fetching):
// include, fields[TYPE], sort, page[...] and filter[...]. Each endpoint says
// which it supports; anything else is a 400 naming the parameter, as the
// specification requires. Filter and page values are checked by the domain's
// own rules (ArticleQuery, PageQuery), so the limits and their wording are the
// ones REST has.

export type QueryRules = {
  /** The relationship paths this endpoint can include. */
  include: readonly string[];
  /** `sort=createdAt` or `-createdAt`; with `filter[search]`, also `-relevance` (the default there). */
  sort?: boolean;
  /**
   * `page[limit]`, `page[offset]`, and the cursors `page[after]` and
   * `page[before]` of the page links: of a list of articles (20 by default), or
   * of an article's comments (100 by default).
   */
  page?: "articles" | "comments";
  /** `filter[tag]`, `filter[author]`, `filter[favorited]`, `filter[search]`, `filter[slug]`. */
  filter?: boolean;
};

export type ParsedQuery = {
  /** Each asked-for path and its prefixes (`comments.author` asks for `comments` too); null when `include` is absent. */
  include: Set<string> | null;
  fields: Map<string, Set<string>>;
  order: ArticleOrder;
  /** The page and filters, as the domain reads them (defaults applied). */
  list: ArticleQueryInput;
};

export const FILTERS = ["tag", "author", "favorited", "search", "slug"] as const;
/** The values of `sort`: most relevant first needs a search to be relevant to. */
const SORTS = new Map<string, ArticleOrder>([
  ["-createdAt", "newest"],
  ["createdAt", "oldest"],
  ["-relevance", "relevance"],
]);
const PAGE = ["limit", "offset", "after", "before"] as const;

const badParameter = (parameter: string, detail: string) => failure(400, detail, { parameter }, "Invalid query parameter");

function parseInclude(value: string, rules: QueryRules, type: string): Set<string> {
  const include = new Set<string>();
  if (value === "") return include;
  for (const path of value.split(",")) {
    if (!rules.include.includes(path)) {
      const supported = rules.include.length ? `: it can include ${rules.include.join(", ")}` : "";
      throw badParameter("include", `"${path}" is not a relationship path this endpoint of ${type} can include${supported}`);
    }
    const names = path.split(".");
    for (let i = 1; i <= names.length; i++) include.add(names.slice(0, i).join("."));
  }
  return include;
}

function parseFields(name: string, type: string, value: string): Set<string> {
  const resource = resourceTypeOf(type);
  if (!resource) throw badParameter(name, `"${type}" is not a resource type (${RESOURCE_TYPES.join(", ")})`);
  const known = [...TYPES[resource].attributes, ...TYPES[resource].relationships];
  const wanted = new Set(value === "" ? [] : value.split(","));
  for (const field of wanted) {
    if (!known.includes(field)) {
      throw badParameter(name, `"${field}" is not a field of ${type}${known.length ? ` (${known.join(", ")})` : ""}`);
    }
  }
  return wanted;
}

/** Reads and checks the query of a GET on an endpoint whose primary data is of `type`. */
export function parseQuery(url: URL, type: string, rules: QueryRules): ParsedQuery {
  const parsed: ParsedQuery = { include: null, fields: new Map(), order: "newest", list: v.parse(PageQuery, {}) };
  const raw: Record<string, string> = {};
  const seen = new Set<string>();
  let sort: ArticleOrder | undefined;
  for (const [name, value] of url.searchParams) {
    if (seen.has(name)) throw badParameter(name, `${name} may be given only once`);
    seen.add(name);
    const family = /^(\w+)\[([^\]]*)\]$/.exec(name);
    if (name === "include") {
      parsed.include = parseInclude(value, rules, type);
    } else if (family?.[1] === "fields") {
      parsed.fields.set(family[2] as string, parseFields(name, family[2] as string, value));
    } else if (name === "sort" && rules.sort) {
      sort = SORTS.get(value);
      if (sort === undefined) {
        throw badParameter(
          "sort",
          `sorting by "${value}" is not supported: sort is -createdAt (newest first), createdAt (oldest first) or -relevance (best match first, with filter[search])`,
        );
      }
    } else if (family?.[1] === "page" && rules.page && (PAGE as readonly string[]).includes(family[2] as string)) {
      raw[family[2] as string] = value;
    } else if (family?.[1] === "filter" && rules.filter && (FILTERS as readonly string[]).includes(family[2] as string)) {
      raw[family[2] as string] = value;
    } else {
      throw badParameter(name, `${name} is not a query parameter this endpoint supports`);
    }
  }
  if (sort === "relevance" && raw.search === undefined) {
    throw badParameter("sort", "sort=-relevance orders the matches of a search: it needs filter[search]");
  }
  // A search's best matches come first unless asked otherwise (as in REST).
  parsed.order = sort ?? (raw.search === undefined ? "newest" : "relevance");
  const listSchema = listSchemaOf(rules);
  if (listSchema) parsed.list = listOf(raw, listSchema);
  return parsed;
}

/** What reads an endpoint's page and filter values (`page[limit]` is its `limit`), if it takes any. */
export const listSchemaOf = (rules: QueryRules) =>
  rules.filter ? ArticleFilterParams : rules.page === "comments" ? CommentPageParams : rules.page ? PageParams : undefined;

/** The query parameter that carries a field of the list schema: `page[limit]`, `filter[tag]`. */
export const listParameterOf = (field: string) =>
  (PAGE as readonly string[]).includes(field) ? `page[${field}]` : `filter[${field}]`;

function listOf(raw: Record<string, string>, schema: NonNullable<ReturnType<typeof listSchemaOf>>): ArticleQueryInput {
  const result = v.safeParse(schema, raw, { abortPipeEarly: true });
  if (result.success) return result.output;
  throw parameterErrors(fieldMessages(result.issues));
}

/** Messages about page and filter values, as the 400 naming each parameter. */
function parameterErrors(fields: Record<string, string[]>): JsonApiError {
  const errors = Object.entries(fields).flatMap(([field, messages]) => {
    const parameter = listParameterOf(field);
    return messages.map((message) => errorObject(400, `${parameter} ${message}`, { parameter }, "Invalid query parameter"));
  });
  return new JsonApiError(400, errors);
}

/**
 * A page start the domain refused once it read it (a cursor that is not one
 * it gave, a cursor with an offset): the same 400 naming the parameter as a
 * value refused here. Any other error is left as it is.
 */
export function asPageError(error: unknown): unknown {
  if (!(error instanceof DomainError) || error.code !== "invalid") return error;
  const fields = Object.keys(error.fields);
  return fields.length && fields.every((field) => (PAGE as readonly string[]).includes(field))
    ? parameterErrors(error.fields)
    : error;
}
