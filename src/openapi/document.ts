import { REST_BASE } from "../api/rest/route";
import { WORKER_VERSION } from "../service/version";
import { sharedSection } from "./components";
import { GRAPHQL_PATH, graphqlSection } from "./graphql";
import { JSONAPI_BASE, jsonApiSection } from "./jsonapi";
import { restSection } from "./rest";
import { serviceSection } from "./service";
import type { Section } from "./types";

// The OpenAPI 3.1 document: each API style contributes a section (its tags,
// paths and components), merged here. `npm run openapi` writes it to
// public/openapi.json, which static assets serve; the Worker never builds it.

const DESCRIPTION = `The [RealWorld](https://github.com/gothinkster/realworld) "Conduit" API on Cloudflare Workers, D1 and KV.

**Authentication.** Register (\`POST ${REST_BASE}/users\`) or log in (\`POST ${REST_BASE}/users/login\`), then send the token as \`Authorization: Token <jwt>\` (\`Bearer <jwt>\` is accepted too). In the interactive reference, use **Authorize**. A token that is present but invalid, expired or revoked is a 401 on every route, including those where authentication is optional.

**API styles.** The same domain is served three ways: REST at \`${REST_BASE}\` (the RealWorld contract, JSON or XML), GraphQL at \`${GRAPHQL_PATH}\` and JSON:API 1.1 at \`${JSONAPI_BASE}\`; a token from any of them works on all. Each has its own tag below.

**Errors (REST).** Every REST error is \`{"errors":{"<field or body>":["<message>", …]}}\`: 400 malformed JSON, 401, 403 not yours, 404, 413 body over 1 MiB, 415 not JSON, 422 validation (the field is named), 503 D1 unavailable.

**Caching.** Anonymous reads are served from a KV response cache; successful GETs carry an \`ETag\` (send \`If-None-Match\` for a 304). \`Server-Timing\` on every response says whether the cache answered and how many D1 round trips the request made. Send back \`X-D1-Bookmark\` to read your own writes from any D1 replica.`;

function sections(): Section[] {
  return [sharedSection(), restSection(), graphqlSection(), jsonApiSection(), serviceSection()];
}

export function buildDocument() {
  const parts = sections();
  const merged = <K extends keyof NonNullable<Section["components"]>>(key: K) =>
    Object.assign({}, ...parts.map((part) => part.components?.[key] ?? {}));
  return {
    openapi: "3.1.0",
    info: {
      title: "Conduit at the edge",
      version: WORKER_VERSION,
      description: DESCRIPTION,
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/", description: "This Worker" }],
    tags: parts.flatMap((part) => part.tags),
    paths: Object.assign({}, ...parts.map((part) => part.paths)),
    components: {
      schemas: merged("schemas"),
      responses: merged("responses"),
      parameters: merged("parameters"),
      headers: merged("headers"),
      securitySchemes: {
        Token: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description:
            "The token from registering or logging in, as `Token <jwt>` (type the word `Token`, a space, then the token).",
        },
        Bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "The same token, sent as `Bearer <jwt>`." },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildDocument>;

/** The document as public/openapi.json holds it. */
export const openApiJson = (): string => JSON.stringify(buildDocument());
