import { jsonApiRoutes } from "../api/jsonapi";
import { BASE } from "../api/jsonapi/document";
import { type ErrorObject, errorObject, JSONAPI_MEDIA_TYPE } from "../api/jsonapi/errors";
import { listParameterOf, listSchemaOf, type QueryRules } from "../api/jsonapi/query";
import type { JsonApiRoute, PathParameter } from "../api/jsonapi/route";
import { RESOURCE_TYPES, type ResourceType, TYPES } from "../api/jsonapi/vocabulary";
import { EVERY_RESPONSE, headerRef, parameterRef, responseRef } from "./components";
import { componentRef, type JsonSchema, jsonSchemaOf } from "./json-schema";
import { objectParameters } from "./parameters";
import { securityOf } from "./security";
import {
  type Content,
  documented,
  type Operation,
  type Parameter,
  type PathItem,
  type Reference,
  type Response,
  type Section,
} from "./types";

// The JSON:API section of the document, generated from the route
// declarations (src/api/jsonapi/*.ts) that the Worker serves: their query
// parameters, auth and statuses; the documents are described by generic
// JSON:API schemas, plus each resource type's attributes (src/api/jsonapi/vocabulary.ts).

export const JSONAPI_BASE = BASE;

const TAG = "JSON:API";

const typeNames = RESOURCE_TYPES;
const resourceSchema = (type: ResourceType): JsonSchema => {
  const { attributes, relationships, schemas } = TYPES[type];
  const attributeSchema = (name: string): JsonSchema => {
    const schema = Object.entries(schemas).find(([field]) => field === name)?.[1];
    return schema ? jsonSchemaOf(schema, "output") : {};
  };
  return {
    type: "object",
    description: `A \`${type}\` resource object (sparse fieldsets may leave members out${type === "articles" ? "; lists leave out the `body`, as in REST" : ""}).`,
    properties: {
      type: { const: type },
      id: { type: "string" },
      ...(attributes.length
        ? {
            attributes: {
              type: "object",
              properties: Object.fromEntries(attributes.map((name) => [name, attributeSchema(name)])),
            },
          }
        : {}),
      ...(relationships.length
        ? {
            relationships: {
              type: "object",
              properties: Object.fromEntries(relationships.map((name) => [name, componentRef("JsonApiRelationship")])),
            },
          }
        : {}),
      links: componentRef("JsonApiLinks"),
      meta: { type: "object", additionalProperties: true },
    },
    required: ["type", "id"],
  };
};

const schemaName = (type: ResourceType) => `JsonApi${type[0]?.toUpperCase()}${type.slice(1, -1)}`;

const schemas: Record<string, JsonSchema> = {
  JsonApiObject: {
    type: "object",
    properties: { version: { type: "string", const: "1.1" } },
    description: "The JSON:API version this server implements.",
  },
  JsonApiLinks: {
    type: "object",
    description:
      "Absolute URLs on the host the request was sent to. Of a page: `first` and `last` by offset, `next` and `prev` by cursor (`page[after]`, `page[before]`: the same cost at any depth); a link past an end of the list is null.",
    additionalProperties: { type: ["string", "null"], format: "uri" },
  },
  JsonApiResourceIdentifier: {
    type: "object",
    properties: { type: { type: "string", enum: typeNames }, id: { type: "string" } },
    required: ["type", "id"],
  },
  JsonApiRelationship: {
    type: "object",
    properties: {
      data: {
        anyOf: [
          { type: "null" },
          componentRef("JsonApiResourceIdentifier"),
          { type: "array", items: componentRef("JsonApiResourceIdentifier") },
        ],
      },
      links: componentRef("JsonApiLinks"),
    },
  },
  ...Object.fromEntries(typeNames.map((type) => [schemaName(type), resourceSchema(type)])),
  JsonApiResource: {
    description: "A resource object of any type.",
    anyOf: typeNames.map((type) => componentRef(schemaName(type))),
  },
  JsonApiDocument: {
    type: "object",
    description:
      "A JSON:API document: primary `data` (one resource, or a collection), `included` when `include` was given, top-level `links` (pagination on collections) and `meta` (`total` on collections; `email` and `token` for the signed-in user).",
    properties: {
      jsonapi: componentRef("JsonApiObject"),
      data: {
        anyOf: [{ type: "null" }, componentRef("JsonApiResource"), { type: "array", items: componentRef("JsonApiResource") }],
      },
      included: { type: "array", items: componentRef("JsonApiResource") },
      links: componentRef("JsonApiLinks"),
      meta: { type: "object", additionalProperties: true },
    },
  },
  JsonApiRequestDocument: {
    type: "object",
    description:
      "A resource object to create (no `id`: a client-generated id is 403) or update (`type` and `id` matching the URL, else 409).",
    properties: {
      data: {
        type: "object",
        properties: {
          type: { type: "string", enum: typeNames },
          id: { type: "string" },
          attributes: { type: "object", additionalProperties: true },
          relationships: {
            type: "object",
            additionalProperties: {
              type: "object",
              properties: { data: componentRef("JsonApiRelationship/properties/data") },
              required: ["data"],
            },
          },
        },
        required: ["type"],
      },
    },
    required: ["data"],
  },
  JsonApiLinkageDocument: {
    type: "object",
    description: "Members of a to-many relationship to add or remove: at most one per request (several are 403).",
    properties: {
      data: { type: "array", maxItems: 1, items: componentRef("JsonApiResourceIdentifier") },
    },
    required: ["data"],
  },
  JsonApiError: {
    type: "object",
    properties: {
      status: { type: "string", pattern: "^[1-5][0-9][0-9]$", description: "The HTTP status, as a string" },
      code: { type: "string", description: "Stable per status, e.g. `invalid`, `not_found`" },
      title: { type: "string" },
      detail: { type: "string", description: "What went wrong this time (the domain's message, prefixed with the member)" },
      source: {
        type: "object",
        properties: {
          pointer: { type: "string", description: "A JSON Pointer into the request document" },
          parameter: { type: "string", description: "The query parameter at fault" },
          header: { type: "string", description: "The request header at fault" },
        },
      },
    },
    required: ["status", "code", "title", "detail"],
  },
  JsonApiErrors: {
    type: "object",
    properties: {
      jsonapi: componentRef("JsonApiObject"),
      errors: { type: "array", minItems: 1, items: componentRef("JsonApiError") },
    },
    required: ["errors"],
  },
};
const content = (schema: string, example?: unknown): Content => ({
  [JSONAPI_MEDIA_TYPE]: example === undefined ? { schema: componentRef(schema) } : { schema: componentRef(schema), example },
});

// --- statuses ------------------------------------------------------------------

// What each status means, and an error object it answers with: made by the
// adapter's own errorObject, so codes and titles are the ones it sends.
const STATUSES: Record<number, { description: string; example: ErrorObject }> = {
  400: {
    description:
      "A query parameter that this endpoint does not support, given twice, or out of range (`source.parameter`); or a body that is not a JSON:API document.",
    example: errorObject(400, "page[limit] must be at most 100", { parameter: "page[limit]" }, "Invalid query parameter"),
  },
  401: {
    description: "No token where one is required, or a token that is invalid, expired or revoked.",
    example: errorObject(401, "authentication is required"),
  },
  403: { description: "Not allowed.", example: errorObject(403, "forbidden") },
  404: { description: "No such resource.", example: errorObject(404, "article not found") },
  406: {
    description:
      "`Accept` allows no JSON:API media type (nor `*/*`, `application/*`), or names it only with parameters other than `profile`.",
    example: errorObject(406, `this API answers in ${JSONAPI_MEDIA_TYPE}, which Accept does not allow`, { header: "Accept" }),
  },
  409: {
    description: "The document's `type` (or, updating, `id`) does not match the endpoint.",
    example: errorObject(409, "data.type must be articles", { pointer: "/data/type" }),
  },
  413: {
    description: "The body is larger than 1 MiB.",
    example: errorObject(413, "request body is larger than 1048576 bytes"),
  },
  415: {
    description: "The body is not `application/vnd.api+json` (a `profile` parameter is the only one allowed).",
    example: errorObject(415, `request body must be ${JSONAPI_MEDIA_TYPE}`, { header: "Content-Type" }),
  },
  422: {
    description: "An attribute or relationship breaks a rule; `source.pointer` names it.",
    example: errorObject(422, "title can't be blank", { pointer: "/data/attributes/title" }, "Invalid attribute"),
  },
  429: {
    description: "Too many writes from this client, or too many registrations.",
    example: errorObject(429, "too many attempts, please wait a minute and retry"),
  },
  503: {
    description: "D1 is unavailable (retry).",
    example: errorObject(503, "the database is temporarily unavailable, please retry"),
  },
};

function errorResponse(status: number, description?: string): Response {
  const known = STATUSES[status] as (typeof STATUSES)[number];
  const extra: Record<string, Reference> =
    status === 401
      ? { "WWW-Authenticate": headerRef("WWW-Authenticate") }
      : status === 429
        ? { "Retry-After": headerRef("Retry-After") }
        : {};
  return {
    description: description ?? known.description,
    headers: { ...EVERY_RESPONSE, ...extra },
    content: content("JsonApiErrors", { jsonapi: { version: "1.1" }, errors: [known.example] }),
  };
}

// --- query parameters -----------------------------------------------------------

const parameters: Record<string, Parameter> = {
  ...Object.fromEntries(
    typeNames.map((type) => {
      const fields = [...TYPES[type].attributes, ...TYPES[type].relationships];
      return [
        `JsonApiFields_${type}`,
        {
          name: `fields[${type}]`,
          in: "query",
          description: `Sparse fieldset: only these fields of \`${type}\` resources, comma-separated${fields.length ? ` (${fields.join(", ")})` : ""}. An unknown field is 400.`,
          schema: { type: "string" },
        },
      ];
    }),
  ),
  JsonApiSort: {
    name: "sort",
    in: "query",
    description:
      "`-createdAt` (newest first, the default), `createdAt`, or with `filter[search]` `-relevance` (best match first, newest first among equals; the default of a search); anything else is 400.",
    schema: { type: "string", enum: ["-createdAt", "createdAt", "-relevance"] },
  },
};
const parameter = (name: keyof typeof parameters | string): Reference => ({ $ref: `#/components/parameters/${name}` });

/** What JSON:API says differently of a page or filter value that REST reads too. */
const LIST_WORDING: Record<string, string> = {
  search:
    'Full-text search of titles, descriptions, bodies and tags, as REST `search` (words, "phrases", prefix `*`); each article\'s `meta.snippet` is the passage around the matches, HTML-escaped, matches in `<mark>…</mark>`. Blank is no search.',
  slug: "Only the article with this slug: how a frontend that routes by slug finds an article's id",
  after: "A cursor (as `links.next` carries it): the page just after that item. Not with `page[before]` or `page[offset]`.",
  before: "A cursor (as `links.prev` carries it): the page just before that item. Not with `page[after]` or `page[offset]`.",
};

/** `page[...]` and `filter[...]` as the adapter reads them (listSchemaOf): the schema's fields, renamed. */
const listParameters = (rules: QueryRules): Parameter[] => {
  const schema = listSchemaOf(rules);
  if (!schema) return [];
  return [...objectParameters(schema, "query").values()].map((read) => ({
    ...read,
    name: listParameterOf(read.name),
    ...(LIST_WORDING[read.name] ? { description: LIST_WORDING[read.name] } : {}),
  }));
};

const includeParameter = (paths: readonly string[]): Parameter => ({
  name: "include",
  in: "query",
  description: !paths.length
    ? "Nothing can be included here: `include` may only be given empty (any path is 400)."
    : `Related resources to include, comma-separated: ${paths.map((path) => `\`${path}\``).join(", ")}. With \`include\` (even empty) the document has \`included\`; an unknown path is 400.`,
  schema: { type: "string" },
});

const pathParameters: Record<PathParameter, Parameter> = {
  article: { name: "id", in: "path", required: true, description: "The article's id", schema: { type: "string" } },
  comment: { name: "id", in: "path", required: true, description: "The comment's id", schema: { type: "string" } },
  user: {
    name: "id",
    in: "path",
    required: true,
    description: "The user's id; `me` names the signed-in user",
    schema: { type: "string" },
  },
  me: {
    name: "id",
    in: "path",
    required: true,
    description: "`me` (or the signed-in user's own id); another user's is 403",
    schema: { type: "string", examples: ["me"] },
  },
  relationship: {
    name: "relationship",
    in: "path",
    required: true,
    description: "`favorites` (articles) or `following` (users); anything else is 404",
    schema: { type: "string", enum: ["favorites", "following"] },
  },
};

// --- the routes ---------------------------------------------------------------

const CACHED = "Anonymous answers are served from the KV response cache (`Server-Timing: cache;desc=hit`).";

function toOperation(route: JsonApiRoute): Operation {
  const isRead = route.method === "get";
  const doc = documented(route.operationId, route.doc);
  const success: Response = {
    description: doc.answer,
    headers: {
      ...EVERY_RESPONSE,
      "X-D1-Bookmark": headerRef("X-D1-Bookmark"),
      ...(isRead ? { ETag: headerRef("ETag"), "Cache-Control": headerRef("Cache-Control") } : {}),
      ...(route.success.status === 201
        ? { Location: { description: "The new resource's URL", schema: { type: "string" } } }
        : {}),
    },
    ...(route.success.status === 204 ? {} : { content: content("JsonApiDocument", doc.example) }),
  };
  const answers: Record<string, Response | Reference> = { [route.success.status]: success };
  if (isRead) answers[304] = responseRef("NotModified");
  answers[400] = errorResponse(400);
  answers[401] = errorResponse(401);
  for (const [status, description] of Object.entries(doc.errors)) {
    answers[status] = errorResponse(Number(status), description);
  }
  answers[406] = errorResponse(406);
  if (route.body) {
    answers[413] = errorResponse(413);
    answers[415] = errorResponse(415);
  }
  answers[503] = errorResponse(503);

  // `fields[...]` applies where the answer is a document of resources.
  const fields = route.type !== undefined && route.success.status !== 204;
  const query: (Parameter | Reference)[] = [
    includeParameter(route.query.include),
    ...(fields ? typeNames.map((type) => parameter(`JsonApiFields_${type}`)) : []),
    ...(route.query.sort ? [parameter("JsonApiSort")] : []),
    ...listParameters(route.query),
  ];
  return {
    operationId: route.operationId,
    tags: [TAG],
    summary: route.summary,
    description: [doc.description, route.cache ? CACHED : ""].filter(Boolean).join("\n\n") || route.summary,
    parameters: [
      ...(route.params ?? []).map((name) => pathParameters[name]),
      ...query,
      parameterRef("D1Bookmark"),
      ...(isRead ? [parameterRef("IfNoneMatch")] : []),
    ],
    ...(route.body
      ? {
          requestBody: {
            description: documented(route.operationId, doc.body, "body doc").description,
            required: true,
            content: content(route.body.schema, doc.body?.example),
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(answers).sort(([a], [b]) => Number(a) - Number(b))),
    security: securityOf(route.auth),
  };
}

/** `/articles/:id` as a route declares it → `/jsonapi/articles/{id}` (`/` → `/jsonapi`). */
export const jsonApiPath = (path: string) => (path === "/" ? BASE : `${BASE}${path.replace(/:(\w+)/g, "{$1}")}`);

export function jsonApiSection(): Section {
  const paths: Record<string, PathItem> = {};
  for (const route of jsonApiRoutes) {
    const path = jsonApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: toOperation(route) };
  }
  return {
    tags: [
      {
        name: TAG,
        description: `The same domain as [JSON:API 1.1](https://jsonapi.org/format/1.1/) at \`${BASE}\`: articles, users, comments and tags as resources, in \`${JSONAPI_MEDIA_TYPE}\`. Errors are error objects (\`status\` as a string, \`code\`, \`title\`, \`detail\`, \`source\`). Log in with \`POST /api/users/login\`; the token works here.`,
      },
    ],
    paths,
    components: { schemas, parameters },
  };
}
