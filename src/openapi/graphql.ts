import { GRAPHQL_RESPONSE } from "../api/graphql/http";
import { DEFAULT_LIMITS, MAX_RESPONSE_BYTES } from "../api/graphql/limits";
import { EVERY_RESPONSE, headerRef, parameterRef, responseRef } from "./components";
import { componentRef, type JsonSchema } from "./json-schema";
import { securityOf } from "./security";
import type { Content, Operation, Parameter, Response, Section } from "./types";

// The GraphQL section of the document: the HTTP transport of /graphql
// (src/api/graphql/http.ts). The operations themselves are GraphQL's to
// describe: the SDL is served at /graphql/schema.graphql.

export const GRAPHQL_PATH = "/graphql";

/** What /graphql answers in, the specification's media type first (the default). */
export const GRAPHQL_MEDIA_TYPES: readonly string[] = [GRAPHQL_RESPONSE, "application/json"];

const schemas: Record<string, JsonSchema> = {
  GraphQLRequest: {
    type: "object",
    description: "A GraphQL-over-HTTP request.",
    properties: {
      query: { type: "string", description: "The GraphQL document." },
      operationName: { type: ["string", "null"], description: "Which operation of the document to run." },
      variables: { type: ["object", "null"], additionalProperties: true, description: "The operation's variables." },
      extensions: { type: ["object", "null"], additionalProperties: true, description: "Accepted and ignored." },
    },
    required: ["query"],
  },
  GraphQLError: {
    type: "object",
    properties: {
      message: { type: "string" },
      locations: {
        type: "array",
        items: { type: "object", properties: { line: { type: "integer" }, column: { type: "integer" } } },
      },
      path: { type: "array", items: { type: ["string", "integer"] } },
      extensions: {
        type: "object",
        description:
          "`code` is one of `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `BAD_USER_INPUT` (with `fields`), `RATE_LIMITED`, `SERVICE_UNAVAILABLE`, `INTERNAL_SERVER_ERROR`, `GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`, `BAD_REQUEST`, `METHOD_NOT_ALLOWED`, `NOT_ACCEPTABLE`, `UNSUPPORTED_MEDIA_TYPE`, `PAYLOAD_TOO_LARGE`, `RESPONSE_TOO_LARGE`. A limit error also has `limit`, `max` and (but for tokens and the response) `actual`.",
        properties: {
          code: { type: "string" },
          fields: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
          limit: { type: "string", enum: ["depth", "aliases", "cost", "tokens", "response"] },
          max: { type: "integer" },
          actual: { type: "integer" },
        },
        additionalProperties: true,
      },
    },
    required: ["message"],
  },
  GraphQLResponse: {
    type: "object",
    description: "A GraphQL result: `data` when the operation executed, `errors` when anything went wrong.",
    properties: {
      data: { type: ["object", "null"], additionalProperties: true },
      errors: { type: "array", minItems: 1, items: componentRef("GraphQLError") },
      extensions: { type: "object", additionalProperties: true },
    },
  },
};

const content = (example?: unknown): Content =>
  Object.fromEntries(
    GRAPHQL_MEDIA_TYPES.map((type) => [
      type,
      example === undefined ? { schema: componentRef("GraphQLResponse") } : { schema: componentRef("GraphQLResponse"), example },
    ]),
  );

const errorExample = (code: string, message: string) => ({ errors: [{ message, extensions: { code } }] });

const answer = (description: string, example?: unknown, headers: Response["headers"] = {}): Response => ({
  description,
  headers: { ...EVERY_RESPONSE, ...headers },
  content: content(example),
});

const LIMITS = `**Limits**, checked before anything runs (the defaults; each is a \`[vars]\` entry in \`wrangler.toml\`): \`GRAPHQL_MAX_TOKENS\` ${DEFAULT_LIMITS.maxTokens} lexical tokens, \`GRAPHQL_MAX_DEPTH\` ${DEFAULT_LIMITS.maxDepth} levels of fields, \`GRAPHQL_MAX_ALIASES\` ${DEFAULT_LIMITS.maxAliases} aliases, \`GRAPHQL_MAX_COST\` ${DEFAULT_LIMITS.maxCost} (each field 1, a mutation 10, a page times its page size: every list of objects is a connection whose \`first\` is at most 100); \`GRAPHQL_INTROSPECTION=false\` refuses introspection and unpublishes the SDL. A request over a limit is not executed: an error with \`extensions.limit\`. Request bodies are capped at 1 MiB; a response that would pass ${MAX_RESPONSE_BYTES} bytes is refused as a whole (\`data: null\`, one \`RESPONSE_TOO_LARGE\` error with \`extensions.limit\` \`response\`); every request, queries too, counts against a per-client budget (\`GRAPHQL_CLIENT_LIMITER\`, 300 a minute): past it, 429 \`RATE_LIMITED\`.`;

const NEGOTIATION =
  "Responses are `application/graphql-response+json` unless `Accept` prefers `application/json` (a missing `Accept` and `*/*` get the former). With `application/graphql-response+json`, a request that does not execute (syntax or validation error, a limit, variables that do not coerce, an unknown operation) is 400 with `errors` and no `data`; with `application/json` it is 200.";

const AUTH =
  "Authentication is optional and per field: send `Authorization: Token <jwt>` (or `Bearer`), from `login` or `register`. A present but invalid or expired token is refused before parsing (401); a revoked one is an `UNAUTHENTICATED` field error.";

function responses(method: "get" | "post"): Record<string, Response> {
  return {
    200: answer(
      "The operation executed (`data`, with field errors in `errors`); or, answered as `application/json`, a request that did not execute.",
      { data: { tags: ["dragons", "training"] } },
      { "Retry-After": headerRef("Retry-After") },
    ),
    400: answer(
      "The request is malformed (no `query`, parameters of the wrong type) or, answered as `application/graphql-response+json`, did not execute (syntax, validation, a limit, variables).",
      errorExample("GRAPHQL_PARSE_FAILED", 'Syntax Error: Expected Name, found "}".'),
    ),
    401: answer(
      "A token that is present but invalid or expired; nothing ran.",
      errorExample("UNAUTHENTICATED", "invalid token"),
      { "WWW-Authenticate": headerRef("WWW-Authenticate") },
    ),
    405: answer(
      method === "get"
        ? "A mutation sent with GET (`Allow: POST`), or a method other than GET and POST."
        : "A method other than GET and POST (`Allow: GET, POST`).",
      errorExample("METHOD_NOT_ALLOWED", "mutations must be sent with POST"),
    ),
    429: answer(
      "Too many GraphQL requests from this client (`GRAPHQL_CLIENT_LIMITER`: queries count too); nothing ran.",
      errorExample("RATE_LIMITED", "too many attempts, please wait a minute and retry"),
      { "Retry-After": headerRef("Retry-After") },
    ),
    406: answer(
      "`Accept` allows neither `application/graphql-response+json` nor `application/json`.",
      errorExample("NOT_ACCEPTABLE", "this endpoint answers application/graphql-response+json or application/json"),
    ),
    ...(method === "post"
      ? {
          413: answer(
            "The body is larger than 1 MiB.",
            errorExample("PAYLOAD_TOO_LARGE", "request body is larger than 1048576 bytes"),
          ),
          415: answer(
            "The body is not `application/json`.",
            errorExample("UNSUPPORTED_MEDIA_TYPE", "request body must be application/json"),
          ),
        }
      : {}),
  };
}

const queryParameters: Parameter[] = [
  { name: "query", in: "query", required: true, description: "The GraphQL document (queries only).", schema: { type: "string" } },
  { name: "operationName", in: "query", description: "Which operation of the document to run.", schema: { type: "string" } },
  { name: "variables", in: "query", description: "The variables, JSON-encoded.", schema: { type: "string" } },
  { name: "extensions", in: "query", description: "JSON-encoded; accepted and ignored.", schema: { type: "string" } },
];

const postOperation: Operation = {
  operationId: "GraphQLPost",
  tags: ["GraphQL"],
  summary: "Run a GraphQL query or mutation",
  description: [
    "GraphQL over HTTP: the same domain, rules, authorization, rate limits and cache invalidation as `/api`. The schema is at `GET /graphql/schema.graphql`. Mutations run one after another, each counted against the per-client write limit (a `RATE_LIMITED` error comes with `Retry-After`).",
    NEGOTIATION,
    AUTH,
    LIMITS,
    "Responses are `Cache-Control: no-store`.",
  ].join("\n\n"),
  requestBody: {
    description: "`{query, operationName?, variables?, extensions?}` as `application/json`.",
    required: true,
    content: {
      "application/json": {
        schema: componentRef("GraphQLRequest"),
        example: { query: "query Tags { tags }", operationName: "Tags", variables: {} },
      },
    },
  },
  responses: responses("post"),
  security: securityOf("optional"),
};

const getOperation: Operation = {
  operationId: "GraphQLGet",
  tags: ["GraphQL"],
  summary: "Run a GraphQL query from the URL, or open the IDE",
  description: [
    "The same as POST with the request in URL parameters (`variables` JSON-encoded). Runs queries only: a mutation is 405 with `Allow: POST`.",
    "A browser (`Accept` preferring `text/html`) gets GraphiQL instead; `?query=` fills its editor.",
    NEGOTIATION,
    AUTH,
    LIMITS,
  ].join("\n\n"),
  parameters: queryParameters,
  responses: {
    ...responses("get"),
    200: {
      ...answer(
        "The query executed; or, answered as `application/json`, a request that did not execute. For `Accept: text/html`, the GraphiQL page.",
        { data: { tags: ["dragons", "training"] } },
      ),
      content: { ...content({ data: { tags: ["dragons", "training"] } }), "text/html": { schema: { type: "string" } } },
    },
  },
  security: securityOf("optional"),
};

const sdlOperation: Operation = {
  operationId: "GetGraphQLSchema",
  tags: ["GraphQL"],
  summary: "The GraphQL schema, as SDL",
  description:
    "The schema `/graphql` executes (also `schema.graphql` in the repository). Not published (404) when `GRAPHQL_INTROSPECTION` is `false`.",
  parameters: [parameterRef("IfNoneMatch")],
  responses: {
    200: {
      description: "The SDL",
      headers: { ...EVERY_RESPONSE, ETag: headerRef("ETag"), "Cache-Control": headerRef("Cache-Control") },
      content: { "text/plain": { schema: { type: "string" }, example: "type Query {\n  tags: [String!]!\n}\n" } },
    },
    304: responseRef("NotModified"),
    404: answer(
      "Introspection is off, so the schema is not published.",
      errorExample("NOT_FOUND", "the schema is not published"),
    ),
  },
  security: securityOf("none"),
};

export function graphqlSection(): Section {
  return {
    tags: [
      {
        name: "GraphQL",
        description:
          "The same domain as GraphQL at `/graphql` ([GraphQL over HTTP](https://graphql.github.io/graphql-over-http/draft/)); the schema is at `/graphql/schema.graphql`, the IDE at `/graphql` in a browser.",
      },
    ],
    paths: {
      [GRAPHQL_PATH]: { get: getOperation, post: postOperation },
      [`${GRAPHQL_PATH}/schema.graphql`]: { get: sdlOperation },
    },
    components: { schemas },
  };
}
