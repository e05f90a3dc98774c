import { BASE, type ResourceType, TYPES } from "../api/jsonapi/document";
import { JSONAPI_MEDIA_TYPE } from "../api/jsonapi/errors";
import { LIMITS } from "../domain/inputs";
import { componentRef, type JsonSchema } from "./json-schema";
import type { Content, Operation, Parameter, PathItem, Reference, Response, Section } from "./types";

// The JSON:API section of the document: one entry per route of
// src/api/jsonapi/routes.ts (test/openapi.test.ts fails if a route has none),
// with its query parameters, auth and statuses; the documents are described
// by generic JSON:API schemas, plus the attributes of each resource type.

export const JSONAPI_BASE = BASE;

const TAG = "JSON:API";

const header = (name: string): Reference => ({ $ref: `#/components/headers/${name}` });
const everyResponse = { "X-Request-Id": header("X-Request-Id"), "Server-Timing": header("Server-Timing") };
const TOKEN = [{ Token: [] }, { Bearer: [] }];
const ANYONE = {};

const typeNames = Object.keys(TYPES) as ResourceType[];
const nullableString: JsonSchema = { type: ["string", "null"] };

// Precise attributes per type, from the names the adapter presents.
const ATTRIBUTE_SCHEMAS: Record<string, JsonSchema> = {
  slug: { type: "string" },
  title: { type: "string" },
  description: { type: "string" },
  body: { type: "string", description: "Single articles only, as in REST" },
  createdAt: { type: "string", format: "date-time" },
  updatedAt: { type: "string", format: "date-time" },
  favoritesCount: { type: "integer", minimum: 0 },
  username: { type: "string" },
  bio: nullableString,
  image: nullableString,
};

const resourceSchema = (type: ResourceType): JsonSchema => {
  const { attributes, relationships } = TYPES[type] as { attributes: readonly string[]; relationships: readonly string[] };
  return {
    type: "object",
    description: `A \`${type}\` resource object (sparse fieldsets may leave members out).`,
    properties: {
      type: { const: type },
      id: { type: "string" },
      ...(attributes.length
        ? {
            attributes: {
              type: "object",
              properties: Object.fromEntries(attributes.map((name) => [name, ATTRIBUTE_SCHEMAS[name] ?? {}])),
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
  JsonApiLinks: { type: "object", additionalProperties: { type: ["string", "null"] } },
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

const KIND: Record<number, { code: string; title: string; description: string }> = {
  400: {
    code: "bad_request",
    title: "Invalid query parameter",
    description:
      "A query parameter that this endpoint does not support, given twice, or out of range (`source.parameter`); or a body that is not a JSON:API document.",
  },
  401: {
    code: "unauthenticated",
    title: "Authentication required",
    description: "No token where one is required, or a token that is invalid, expired or revoked.",
  },
  403: { code: "forbidden", title: "Forbidden", description: "Not allowed." },
  404: { code: "not_found", title: "Not found", description: "No such resource." },
  406: {
    code: "not_acceptable",
    title: "Not acceptable",
    description:
      "`Accept` allows no JSON:API media type (nor `*/*`, `application/*`), or names it only with parameters other than `profile`.",
  },
  409: {
    code: "conflict",
    title: "Conflict",
    description: "The document's `type` (or, updating, `id`) does not match the endpoint.",
  },
  413: { code: "too_large", title: "Request body too large", description: "The body is larger than 1 MiB." },
  415: {
    code: "unsupported_media_type",
    title: "Unsupported media type",
    description: "The body is not `application/vnd.api+json` (a `profile` parameter is the only one allowed).",
  },
  422: {
    code: "invalid",
    title: "Invalid attribute",
    description: "An attribute or relationship breaks a rule; `source.pointer` names it.",
  },
  429: {
    code: "rate_limited",
    title: "Too many requests",
    description: "Too many writes from this client, or too many registrations.",
  },
  503: { code: "unavailable", title: "Service unavailable", description: "D1 is unavailable (retry)." },
};

const EXAMPLE_DETAIL: Record<number, { detail: string; source?: Record<string, string> }> = {
  400: { detail: "page[limit] must be at most 100", source: { parameter: "page[limit]" } },
  401: { detail: "authentication is required" },
  403: { detail: "forbidden" },
  404: { detail: "article not found" },
  406: { detail: `this API answers in ${JSONAPI_MEDIA_TYPE}, which Accept does not allow`, source: { header: "Accept" } },
  409: { detail: "data.type must be articles", source: { pointer: "/data/type" } },
  413: { detail: "request body is larger than 1048576 bytes" },
  415: { detail: `request body must be ${JSONAPI_MEDIA_TYPE}`, source: { header: "Content-Type" } },
  422: { detail: "title can't be blank", source: { pointer: "/data/attributes/title" } },
  429: { detail: "too many attempts, please wait a minute and retry" },
  503: { detail: "the database is temporarily unavailable, please retry" },
};

function errorResponse(status: number, description?: string): Response {
  const kind = KIND[status] as (typeof KIND)[number];
  const example = EXAMPLE_DETAIL[status] ?? { detail: kind.title };
  const extra: Record<string, Reference> =
    status === 401
      ? { "WWW-Authenticate": header("WWW-Authenticate") }
      : status === 429
        ? { "Retry-After": header("Retry-After") }
        : {};
  return {
    description: description ?? kind.description,
    headers: { ...everyResponse, ...extra },
    content: content("JsonApiErrors", {
      jsonapi: { version: "1.1" },
      errors: [{ status: String(status), code: kind.code, title: kind.title, ...example }],
    }),
  };
}

// --- query parameters -----------------------------------------------------------

const parameters: Record<string, Parameter> = {
  ...Object.fromEntries(
    typeNames.map((type) => {
      const { attributes, relationships } = TYPES[type] as { attributes: readonly string[]; relationships: readonly string[] };
      const fields = [...attributes, ...relationships];
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
    description: "`-createdAt` (newest first, the default) or `createdAt`; anything else is 400.",
    schema: { type: "string", enum: ["-createdAt", "createdAt"] },
  },
  JsonApiFilterTag: { name: "filter[tag]", in: "query", description: "Only articles with this tag", schema: { type: "string" } },
  JsonApiFilterAuthor: {
    name: "filter[author]",
    in: "query",
    description: "Only articles by this username (case-insensitive)",
    schema: { type: "string" },
  },
  JsonApiFilterFavorited: {
    name: "filter[favorited]",
    in: "query",
    description: "Only articles favorited by this username (case-insensitive)",
    schema: { type: "string" },
  },
  JsonApiPageLimit: {
    name: "page[limit]",
    in: "query",
    description: "How many articles per page (default 20)",
    schema: { type: "integer", minimum: 1, maximum: LIMITS.pageLimit, default: 20 },
  },
  JsonApiPageOffset: {
    name: "page[offset]",
    in: "query",
    description: "How many articles to skip",
    schema: { type: "integer", minimum: 0, maximum: LIMITS.pageOffset, default: 0 },
  },
};
const parameter = (name: keyof typeof parameters | string): Reference => ({ $ref: `#/components/parameters/${name}` });

const includeParameter = (paths: readonly string[]): Parameter => ({
  name: "include",
  in: "query",
  description: !paths.length
    ? "Nothing can be included here: `include` may only be given empty (any path is 400)."
    : `Related resources to include, comma-separated: ${paths.map((path) => `\`${path}\``).join(", ")}. With \`include\` (even empty) the document has \`included\`; an unknown path is 400.`,
  schema: { type: "string" },
});

const pathParameters: Record<string, Parameter> = {
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

const ARTICLE_INCLUDES = ["author", "tags", "comments", "comments.author"];
const ARTICLE_WRITE_INCLUDES = ["author", "tags"];
const COMMENT_INCLUDES = ["author", "article", "article.author", "article.tags"];

type Auth = "none" | "optional" | "required";
type Route = {
  method: "get" | "post" | "patch" | "delete";
  /** As routes.ts writes it, below /jsonapi. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  auth: Auth;
  path_params?: (keyof typeof pathParameters)[];
  include?: readonly string[];
  /** Whether the answer is a document (then `fields[...]` applies). */
  fields?: boolean;
  sort?: boolean;
  page?: boolean;
  filter?: boolean;
  body?: { schema: "JsonApiRequestDocument" | "JsonApiLinkageDocument"; description: string; example: unknown };
  success: { status: 200 | 201 | 204; description: string; location?: boolean; example?: unknown };
  errors: Partial<Record<403 | 404 | 409 | 422 | 429, string>>;
  cached?: boolean;
};

const RATE_LIMITED = "Too many writes from this client, or too many registrations.";

const CACHED = "Anonymous answers are served from the KV response cache (`Server-Timing: cache;desc=hit`).";

const articleExample = {
  jsonapi: { version: "1.1" },
  data: {
    type: "articles",
    id: "1",
    attributes: {
      slug: "how-to-train-your-dragon",
      title: "How to train your dragon",
      description: "Ever wonder how?",
      body: "It takes a Jacobian",
      createdAt: "2024-01-01T00:00:00.000Z",
      updatedAt: "2024-01-01T00:00:00.000Z",
      favoritesCount: 0,
    },
    relationships: {
      author: { data: { type: "users", id: "1" } },
      tags: { data: [{ type: "tags", id: "dragons" }] },
      comments: { links: { related: "/jsonapi/articles/1/comments" } },
    },
    links: { self: "/jsonapi/articles/1" },
    meta: { favorited: false },
  },
};

const ROUTES: Route[] = [
  {
    method: "get",
    path: "/",
    operationId: "JsonApiRoot",
    summary: "What is here: links to the collections",
    auth: "none",
    include: [],
    success: { status: 200, description: "A document whose `meta` links the collections" },
    errors: {},
  },
  {
    method: "get",
    path: "/articles",
    operationId: "JsonApiListArticles",
    summary: "Articles, newest first, filtered and paginated",
    auth: "optional",
    include: ARTICLE_INCLUDES,
    fields: true,
    sort: true,
    page: true,
    filter: true,
    success: { status: 200, description: "A collection with page links and `meta.total`" },
    errors: {},
    cached: true,
  },
  {
    method: "get",
    path: "/feed",
    operationId: "JsonApiFeed",
    summary: "Articles by the users you follow",
    auth: "required",
    include: ARTICLE_INCLUDES,
    fields: true,
    sort: true,
    page: true,
    success: { status: 200, description: "A collection with page links and `meta.total`" },
    errors: {},
  },
  {
    method: "get",
    path: "/articles/:id",
    operationId: "JsonApiGetArticle",
    summary: "One article, with its body",
    auth: "optional",
    path_params: ["article"],
    include: ARTICLE_INCLUDES,
    fields: true,
    success: { status: 200, description: "The article", example: articleExample },
    errors: { 404: "No such article." },
    cached: true,
  },
  {
    method: "post",
    path: "/articles",
    operationId: "JsonApiCreateArticle",
    summary: "Write an article",
    description: "Tags are the `tags` relationship.",
    auth: "required",
    include: ARTICLE_WRITE_INCLUDES,
    fields: true,
    body: {
      schema: "JsonApiRequestDocument",
      description: "An `articles` resource object without `id`",
      example: {
        data: {
          type: "articles",
          attributes: { title: "How to train your dragon", description: "Ever wonder how?", body: "It takes a Jacobian" },
          relationships: { tags: { data: [{ type: "tags", id: "dragons" }] } },
        },
      },
    },
    success: { status: 201, description: "The new article", location: true, example: articleExample },
    errors: {
      403: "The document carries a client-generated id.",
      409: "The document's `type` is not `articles`.",
      422: "An attribute breaks a rule (`source.pointer` names it).",
      429: RATE_LIMITED,
    },
  },
  {
    method: "patch",
    path: "/articles/:id",
    operationId: "JsonApiUpdateArticle",
    summary: "Change your article",
    description: "Attributes not sent keep their values; `tags` replaces the tags (`[]` clears them).",
    auth: "required",
    path_params: ["article"],
    include: ARTICLE_WRITE_INCLUDES,
    fields: true,
    body: {
      schema: "JsonApiRequestDocument",
      description: "An `articles` resource object whose `id` is the URL's",
      example: { data: { type: "articles", id: "1", attributes: { body: "It takes two Jacobians" } } },
    },
    success: { status: 200, description: "The changed article", example: articleExample },
    errors: {
      403: "The article is not yours.",
      404: "No such article.",
      409: "The document's `type` or `id` does not match the URL.",
      422: "An attribute breaks a rule (`source.pointer` names it).",
      429: RATE_LIMITED,
    },
  },
  {
    method: "delete",
    path: "/articles/:id",
    operationId: "JsonApiDeleteArticle",
    summary: "Delete your article",
    auth: "required",
    path_params: ["article"],
    include: [],
    success: { status: 204, description: "Deleted" },
    errors: { 403: "The article is not yours.", 404: "No such article.", 429: RATE_LIMITED },
  },
  {
    method: "get",
    path: "/articles/:id/comments",
    operationId: "JsonApiListArticleComments",
    summary: "Comments on an article",
    auth: "optional",
    path_params: ["article"],
    include: COMMENT_INCLUDES,
    fields: true,
    sort: true,
    success: { status: 200, description: "A collection with `meta.total`" },
    errors: { 404: "No such article." },
  },
  {
    method: "get",
    path: "/comments/:id",
    operationId: "JsonApiGetComment",
    summary: "One comment",
    auth: "optional",
    path_params: ["comment"],
    include: COMMENT_INCLUDES,
    fields: true,
    success: { status: 200, description: "The comment" },
    errors: { 404: "No such comment." },
  },
  {
    method: "post",
    path: "/comments",
    operationId: "JsonApiCreateComment",
    summary: "Comment on an article",
    description: "The article is the `article` relationship.",
    auth: "required",
    include: ["author"],
    fields: true,
    body: {
      schema: "JsonApiRequestDocument",
      description: "A `comments` resource object without `id`, with its `article` relationship",
      example: {
        data: {
          type: "comments",
          attributes: { body: "Thank you so much!" },
          relationships: { article: { data: { type: "articles", id: "1" } } },
        },
      },
    },
    success: { status: 201, description: "The new comment", location: true },
    errors: {
      403: "The document carries a client-generated id.",
      404: "No such article.",
      409: "The document's `type` is not `comments`.",
      422: "The body or the article relationship breaks a rule (`source.pointer` names it).",
      429: RATE_LIMITED,
    },
  },
  {
    method: "delete",
    path: "/comments/:id",
    operationId: "JsonApiDeleteComment",
    summary: "Delete your comment",
    auth: "required",
    path_params: ["comment"],
    include: [],
    success: { status: 204, description: "Deleted" },
    errors: { 403: "The comment is not yours.", 404: "No such comment.", 429: RATE_LIMITED },
  },
  {
    method: "post",
    path: "/users",
    operationId: "JsonApiRegister",
    summary: "Register",
    description: "Logging in stays `POST /api/users/login`; its token works here too.",
    auth: "none",
    include: [],
    fields: true,
    body: {
      schema: "JsonApiRequestDocument",
      description: "A `users` resource object without `id`",
      example: {
        data: {
          type: "users",
          attributes: { username: "jake", email: "jake@jake.jake", password: "correct horse battery" },
        },
      },
    },
    success: { status: 201, description: "The new user; `meta` carries `email` and `token`", location: true },
    errors: {
      403: "The document carries a client-generated id.",
      409: "The document's `type` is not `users`.",
      422: "An attribute breaks a rule, or the username or email is taken (`source.pointer` names it).",
      429: RATE_LIMITED,
    },
  },
  {
    method: "get",
    path: "/users/:id",
    operationId: "JsonApiGetUser",
    summary: "A user's public profile, or yourself (`me`)",
    description: "`me` (or your own id) requires a token and carries `email` and `token` in `meta`.",
    auth: "optional",
    path_params: ["user"],
    include: [],
    fields: true,
    success: { status: 200, description: "The user" },
    errors: { 404: "No such user." },
    cached: true,
  },
  {
    method: "patch",
    path: "/users/:id",
    operationId: "JsonApiUpdateMe",
    summary: "Change yourself: username, email, password, bio, image",
    description: "Attributes not sent keep their values.",
    auth: "required",
    path_params: ["me"],
    include: [],
    fields: true,
    body: {
      schema: "JsonApiRequestDocument",
      description: "A `users` resource object whose `id` is `me` (or your own id)",
      example: { data: { type: "users", id: "me", attributes: { bio: "I like to skateboard" } } },
    },
    success: {
      status: 200,
      description: "The changed user; `meta` carries `email` and `token` (a fresh one after a password change)",
    },
    errors: {
      403: "Another user's id.",
      409: "The document's `type` or `id` does not match the URL.",
      422: "An attribute breaks a rule, or the username or email is taken (`source.pointer` names it).",
      429: RATE_LIMITED,
    },
  },
  {
    method: "get",
    path: "/users/:id/articles",
    operationId: "JsonApiListUserArticles",
    summary: "A user's articles (`me` for yours)",
    auth: "optional",
    path_params: ["user"],
    include: ARTICLE_INCLUDES,
    fields: true,
    sort: true,
    page: true,
    filter: true,
    success: { status: 200, description: "A collection with page links and `meta.total`" },
    errors: { 404: "No such user." },
    cached: true,
  },
  ...(["post", "delete"] as const).map(
    (method): Route => ({
      method,
      path: "/users/:id/relationships/:relationship",
      operationId: method === "post" ? "JsonApiAddRelationship" : "JsonApiRemoveRelationship",
      summary: method === "post" ? "Favorite an article, or follow a user" : "Unfavorite an article, or unfollow a user",
      description:
        "`favorites` holds articles, `following` users. Idempotent. One member per request; an empty `data` changes nothing.",
      auth: "required",
      path_params: ["me", "relationship"],
      include: [],
      body: {
        schema: "JsonApiLinkageDocument",
        description: "The member to add or remove",
        example: { data: [{ type: "articles", id: "1" }] },
      },
      success: { status: 204, description: method === "post" ? "Added (or already there)" : "Removed (or not there)" },
      errors: {
        403: "Another user's id, or several members.",
        404: "No such relationship, article or user.",
        409: "A member's `type` does not fit the relationship.",
        422: "Following yourself.",
        429: RATE_LIMITED,
      },
    }),
  ),
  {
    method: "get",
    path: "/tags",
    operationId: "JsonApiListTags",
    summary: "The 100 most used tags",
    auth: "none",
    include: [],
    fields: true,
    success: { status: 200, description: "A collection of `tags` (their ids are the tags)" },
    errors: {},
    cached: true,
  },
];

function toOperation(route: Route): Operation {
  const isRead = route.method === "get";
  const success: Response = {
    description: route.success.description,
    headers: {
      ...everyResponse,
      "X-D1-Bookmark": header("X-D1-Bookmark"),
      ...(isRead ? { ETag: header("ETag"), "Cache-Control": header("Cache-Control") } : {}),
      ...(route.success.location ? { Location: { description: "The new resource's URL", schema: { type: "string" } } } : {}),
    },
    ...(route.success.status === 204 ? {} : { content: content("JsonApiDocument", route.success.example) }),
  };
  const answers: Record<string, Response | Reference> = { [route.success.status]: success };
  if (isRead) answers[304] = { $ref: "#/components/responses/NotModified" };
  answers[400] = errorResponse(400);
  answers[401] = errorResponse(401);
  for (const [status, description] of Object.entries(route.errors)) {
    answers[status] = errorResponse(Number(status), description);
  }
  answers[406] = errorResponse(406);
  if (route.body) {
    answers[413] = errorResponse(413);
    answers[415] = errorResponse(415);
  }
  answers[503] = errorResponse(503);

  const query: (Parameter | Reference)[] = [
    ...(route.include ? [includeParameter(route.include)] : []),
    ...(route.fields ? typeNames.map((type) => parameter(`JsonApiFields_${type}`)) : []),
    ...(route.sort ? [parameter("JsonApiSort")] : []),
    ...(route.filter
      ? [parameter("JsonApiFilterTag"), parameter("JsonApiFilterAuthor"), parameter("JsonApiFilterFavorited")]
      : []),
    ...(route.page ? [parameter("JsonApiPageLimit"), parameter("JsonApiPageOffset")] : []),
  ];
  return {
    operationId: route.operationId,
    tags: [TAG],
    summary: route.summary,
    description: [route.description, route.cached ? CACHED : ""].filter(Boolean).join("\n\n") || route.summary,
    parameters: [
      ...(route.path_params ?? []).map((name) => pathParameters[name] as Parameter),
      ...query,
      { $ref: "#/components/parameters/D1Bookmark" },
      ...(isRead ? [{ $ref: "#/components/parameters/IfNoneMatch" }] : []),
    ],
    ...(route.body
      ? {
          requestBody: {
            description: route.body.description,
            required: true,
            content: content(route.body.schema, route.body.example),
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(answers).sort(([a], [b]) => Number(a) - Number(b))),
    ...(route.auth === "required" ? { security: TOKEN } : route.auth === "optional" ? { security: [ANYONE, ...TOKEN] } : {}),
  };
}

/** `/articles/:id` as routes.ts writes it → `/jsonapi/articles/{id}` (`/` → `/jsonapi`). */
export const jsonApiPath = (path: string) => (path === "/" ? BASE : `${BASE}${path.replace(/:(\w+)/g, "{$1}")}`);

export function jsonApiSection(): Section {
  const paths: Record<string, PathItem> = {};
  for (const route of ROUTES) {
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
