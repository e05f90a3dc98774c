import type { GenericSchema } from "valibot";
import { restPathOf, restRoutes } from "../api/rest";
import * as responses from "../api/rest/responses";
import type { AnyRestRoute, RestRouteDoc } from "../api/rest/route";
import { toXml } from "../api/xml/codec";
import { ArticleChanges, LoginUser, NewArticle, NewComment, NewUser, UserChanges } from "../domain/inputs";
import { EVERY_RESPONSE, headerRef, parameterRef, responseRef } from "./components";
import { componentRef, componentSchemas, type JsonSchema, jsonSchemaOf } from "./json-schema";
import { objectParameters, PARAMETER_DESCRIPTIONS } from "./parameters";
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

// The REST section of the OpenAPI document, generated from the route
// declarations (src/api/rest/*.ts) that the Worker serves.

/**
 * The representations every REST route speaks. A new one (XML) is one more
 * entry here: every body and answer is then documented in it too.
 */
export const REST_MEDIA_TYPES: readonly string[] = ["application/json", "application/xml"];

// Named components, referred to by `$ref`. The names follow the reference
// contract's (realworld/openapi.yml).
const requestDefinitions = {
  LoginUser,
  NewUser,
  UpdateUser: UserChanges,
  NewArticle,
  UpdateArticle: ArticleChanges,
  NewComment,
} satisfies Record<string, GenericSchema>;
const responseDefinitions = {
  User: responses.User,
  Profile: responses.Profile,
  Article: responses.Article,
  ArticleSummary: responses.ArticleSummary,
  Comment: responses.Comment,
  GenericErrorModel: responses.ErrorBody,
} satisfies Record<string, GenericSchema>;

// XML follows the JSON schema by the convention of src/api/xml/codec.ts (root
// element = envelope key, arrays as repeated items, null as xsi:nil), which
// JSON Schema cannot state: an XML body is described as text in that form,
// with the JSON example written in it (a linter checks each example against
// its own media type's schema, and an XML document is not a JSON object).
const XML_TEXT: JsonSchema = {
  type: "string",
  contentMediaType: "application/xml",
  description:
    'The JSON schema\'s object as XML: the root element is named like the envelope, one element per field, lists as repeated items (`<tagList><tag>…</tag></tagList>`), null as `xsi:nil="true"` (README, XML).',
};
const content = (schema: JsonSchema, example?: unknown): Content =>
  Object.fromEntries(
    REST_MEDIA_TYPES.map((type) => {
      if (type === "application/xml") {
        return [type, example === undefined ? { schema: XML_TEXT } : { schema: XML_TEXT, example: toXml(example) }];
      }
      return [type, example === undefined ? { schema } : { schema, example }];
    }),
  );

const error = (description: string, example: Record<string, string[]>, extra: Response["headers"] = {}): Response => ({
  description,
  headers: { ...EVERY_RESPONSE, ...extra },
  content: content(componentRef("GenericErrorModel"), { errors: example }),
});

// Answers several routes share; route-specific 403/404/422 are written inline.
const sharedResponses: Record<string, Response> = {
  BadRequest: error("The body is empty, not valid UTF-8, or not valid JSON.", { body: ["request body is not valid JSON"] }),
  Unauthorized: error(
    "No token where one is required, or a token that is invalid, expired or revoked (on every route, even where auth is optional).",
    { body: ["authentication is required"] },
    { "WWW-Authenticate": headerRef("WWW-Authenticate") },
  ),
  PayloadTooLarge: error("The body is larger than 1 MiB.", { body: ["request body is larger than 1048576 bytes"] }),
  UnsupportedMediaType: error("The body is neither `application/json` nor `application/xml`.", {
    body: ["request body must be application/json or application/xml"],
  }),
  TooManyRequests: error(
    "Too many writes from this client, or too many login or registration attempts for this account or from this client.",
    { body: ["too many attempts, please wait a minute and retry"] },
    { "Retry-After": headerRef("Retry-After") },
  ),
  Unavailable: error("D1 is unavailable (retry), or the Worker is not configured (no signing secret).", {
    body: ["the database is temporarily unavailable, please retry"],
  }),
};
const shared = (name: keyof typeof sharedResponses): Reference => ({ $ref: `#/components/responses/${name}` });

function pathParameters(operation: AnyRestRoute): Parameter[] {
  const typed = operation.params ? objectParameters(operation.params, "path") : new Map<string, Parameter>();
  return [...operation.path.matchAll(/:(\w+)/g)].map(([, name = ""]) => {
    return (
      typed.get(name) ?? {
        name,
        in: "path",
        required: true,
        schema: { type: "string" },
        ...(PARAMETER_DESCRIPTIONS[name] ? { description: PARAMETER_DESCRIPTIONS[name] } : {}),
      }
    );
  });
}

/** A 422 body for an invalid request body: the first field the example sends, blank. */
function invalidBodyExample(doc: RestRouteDoc): Record<string, string[]> {
  if (doc.body?.invalid) return doc.body.invalid;
  const envelope = Object.values((doc.body?.example ?? {}) as Record<string, Record<string, unknown>>)[0] ?? {};
  const field = Object.keys(envelope)[0] ?? "body";
  return { [field]: ["can't be blank"] };
}

/** The answer of a route in a media type of its own (an Atom feed): a document, with its example. */
const ownMediaContent = (type: string, { description, example }: NonNullable<RestRouteDoc["media"]>): Content => ({
  [type]: { schema: { type: "string", description }, example },
});

/** A route that answers a page of a list: its query takes a cursor. */
const isPaged = (operation: AnyRestRoute) =>
  operation.query !== undefined && objectParameters(operation.query, "query").has("after");

function toOperation(operation: AnyRestRoute): Operation {
  const isRead = operation.method === "get";
  // Only own-media documents say when they last changed (MediaDocument.lastModified).
  const media: string | undefined = operation.success.media?.type;
  const doc = documented(operation.operationId, operation.doc);
  const success: Response = {
    description: doc.answer,
    headers: {
      ...EVERY_RESPONSE,
      "X-D1-Bookmark": headerRef("X-D1-Bookmark"),
      ...(isRead ? { ETag: headerRef("ETag"), "Cache-Control": headerRef("Cache-Control") } : {}),
      ...(media ? { "Last-Modified": headerRef("Last-Modified") } : {}),
      ...(isPaged(operation) ? { Link: headerRef("Link") } : {}),
    },
    ...(media
      ? { content: ownMediaContent(media, documented(operation.operationId, doc.media, "media doc")) }
      : operation.success.schema
        ? { content: content(jsonSchemaOf(operation.success.schema, "output", responseDefinitions)) }
        : {}),
  };
  const answers: Record<string, Response | Reference> = { [operation.success.status]: success };
  if (isRead) answers[304] = responseRef("NotModified");
  if (operation.body) answers[400] = shared("BadRequest");
  answers[401] = shared("Unauthorized");
  const routeErrors = new Map<number, { descriptions: string[]; example: Record<string, string[]> }>();
  const addError = (status: number, description: string, example: Record<string, string[]>) => {
    const known = routeErrors.get(status);
    routeErrors.set(status, { descriptions: [...(known?.descriptions ?? []), description], example: known?.example ?? example });
  };
  if (operation.body) {
    answers[413] = shared("PayloadTooLarge");
    answers[415] = shared("UnsupportedMediaType");
    addError(422, "The body breaks a rule: each field names its messages.", invalidBodyExample(doc));
  }
  for (const { status, description, example } of doc.errors) addError(status, description, example ?? { body: [description] });
  for (const [status, { descriptions, example }] of routeErrors) answers[status] = error(descriptions.join(" "), example);
  if (!isRead) answers[429] = shared("TooManyRequests");
  answers[503] = shared("Unavailable");

  const query = operation.query ? [...objectParameters(operation.query, "query").values()] : [];
  const notes = [
    doc.description,
    operation.cache ? "Anonymous answers are served from the KV response cache (`Server-Timing: cache;desc=hit`)." : "",
  ];
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: notes.filter(Boolean).join("\n\n"),
    parameters: [
      ...pathParameters(operation),
      ...query,
      parameterRef("D1Bookmark"),
      ...(isRead ? [parameterRef("IfNoneMatch")] : []),
      ...(media ? [parameterRef("IfModifiedSince")] : []),
    ],
    ...(operation.body
      ? {
          requestBody: {
            description: documented(operation.operationId, doc.body, "body doc").description,
            required: true,
            content: content(jsonSchemaOf(operation.body.schema, "input", requestDefinitions), doc.body?.example),
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(answers).sort(([a], [b]) => Number(a) - Number(b))),
    security: securityOf(operation.auth),
  };
}

export function restSection(): Section {
  const paths: Record<string, PathItem> = {};
  for (const operation of restRoutes) {
    const path = restPathOf(operation.path);
    paths[path] = { ...paths[path], [operation.method]: toOperation(operation) };
  }
  return {
    tags: [
      { name: "Index", description: "What is under `/api`." },
      { name: "User and Authentication", description: "Register, log in, read and change the current user." },
      { name: "Profile", description: "Public profiles; following." },
      { name: "Articles", description: "Articles, lists with filters and pagination, the personal feed." },
      { name: "Comments", description: "Comments on an article." },
      { name: "Favorites", description: "Favoriting articles." },
      { name: "Tags", description: "The most used tags." },
      {
        name: "Feeds",
        description: "Atom 1.0 feeds of the newest articles (everyone's, per tag, per author), for feed readers.",
      },
    ],
    paths,
    components: {
      schemas: { ...componentSchemas(requestDefinitions, "input"), ...componentSchemas(responseDefinitions, "output") },
      responses: sharedResponses,
    },
  };
}
