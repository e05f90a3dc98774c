import { HealthResponse, LandingResponse } from "../service/schemas";
import { EVERY_RESPONSE, headerRef, responseRef } from "./components";
import { componentRef, componentSchemas } from "./json-schema";
import { securityOf } from "./security";
import type { Section } from "./types";

// The endpoints outside /api: landing page, health check, this document.

export function serviceSection(): Section {
  const health = { "application/json": { schema: componentRef("Health") } };
  return {
    tags: [{ name: "Service", description: "Where things are, and whether the Worker and its storage answer." }],
    paths: {
      "/": {
        get: {
          operationId: "GetLanding",
          security: securityOf("none"),
          tags: ["Service"],
          summary: "What this service is, and links to everything",
          description:
            "Browsers (`Accept: text/html`) get the landing page, which also shows the health check; API clients get JSON.",
          responses: {
            200: {
              description: "The landing page",
              headers: EVERY_RESPONSE,
              content: {
                "application/json": { schema: componentRef("Landing") },
                "text/html": { schema: { type: "string" } },
              },
            },
          },
        },
      },
      "/health": {
        get: {
          operationId: "GetHealth",
          security: securityOf("none"),
          tags: ["Service"],
          summary: "Health check for uptime monitors",
          description: "One trivial D1 query and one KV read. Never cached.",
          responses: {
            200: { description: "D1 and KV both answered", headers: EVERY_RESPONSE, content: health },
            503: { description: "D1 or KV did not answer", headers: EVERY_RESPONSE, content: health },
          },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "GetOpenApiDocument",
          security: securityOf("none"),
          tags: ["Service"],
          summary: "This OpenAPI 3.1 document",
          description: "Generated from the same valibot schemas that validate requests. The interactive reference is at `/docs`.",
          responses: {
            200: {
              description: "The document",
              headers: { ...EVERY_RESPONSE, ETag: headerRef("ETag") },
              content: { "application/json": { schema: { type: "object" } } },
            },
            304: responseRef("NotModified"),
          },
        },
      },
    },
    components: { schemas: componentSchemas({ Health: HealthResponse, Landing: LandingResponse }, "output") },
  };
}
