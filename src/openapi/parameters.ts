import type { GenericSchema } from "valibot";
import { type JsonSchema, jsonSchemaOf } from "./json-schema";
import type { Parameter } from "./types";

// Path and query parameters as the valibot schemas that parse them read them,
// and what each name means: REST's, and JSON:API's `filter[...]` and
// `page[...]`, which are parsed by the same schemas (src/api/query-params.ts).

export const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  username: "A username (case-insensitive)",
  slug: "The article's slug",
  id: "The comment's id",
  tag: "Only articles with this tag",
  author: "Only articles by this username (case-insensitive)",
  favorited: "Only articles favorited by this username (case-insensitive)",
  search:
    'Full-text search of titles, descriptions, bodies and tags: words (all must appear; accents and case are ignored), "quoted phrases", and a trailing `*` for a prefix (`drag*`); everything else is literal text. Blank is no search.',
  limit: "How many items to return",
  offset: "How many items to skip; not with a cursor",
  after: 'A cursor (from a `Link` header\'s `rel="next"`): the page just after that item. Not with `before` or `offset`.',
  before: 'A cursor (from a `Link` header\'s `rel="prev"`): the page just before that item. Not with `after` or `offset`.',
};

type ObjectSchema = { properties?: Record<string, JsonSchema>; required?: string[] };

/**
 * The parameters `schema` reads from a URL, typed as it outputs them: the
 * names are those of its input (a query schema piped into a domain input with
 * more fields reads only its own), the types those of its output.
 */
export function objectParameters(schema: GenericSchema, where: "path" | "query"): Map<string, Parameter> {
  const json = jsonSchemaOf(schema, "output") as ObjectSchema;
  const read = Object.keys((jsonSchemaOf(schema, "input") as ObjectSchema).properties ?? {});
  const found = new Map<string, Parameter>();
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    if (!read.includes(name)) continue;
    found.set(name, {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      schema: property,
      ...(PARAMETER_DESCRIPTIONS[name] ? { description: PARAMETER_DESCRIPTIONS[name] } : {}),
    });
  }
  return found;
}
