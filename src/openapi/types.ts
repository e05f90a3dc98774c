import type { JsonSchema } from "./json-schema";

// The parts of OpenAPI 3.1 this generator writes; enough typing to catch a
// misplaced field, not a full model of the specification.

export type MediaType = { schema: JsonSchema; example?: unknown };
export type Content = Record<string, MediaType>;
export type Reference = { $ref: string };

export type Header = { description: string; schema: JsonSchema };
export type Parameter = {
  name: string;
  in: "path" | "query" | "header";
  description?: string;
  required?: boolean;
  schema: JsonSchema;
};
export type Response = { description: string; headers?: Record<string, Header | Reference>; content?: Content };
export type Operation = {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters?: (Parameter | Reference)[];
  requestBody?: { description: string; required: boolean; content: Content };
  responses: Record<string, Response | Reference>;
  /** `[]` for a public operation: always said (src/openapi/security.ts). */
  security: Record<string, string[]>[];
};
export type PathItem = Partial<Record<"get" | "put" | "post" | "delete" | "patch", Operation>>;
export type Tag = { name: string; description: string };

/**
 * What one API style contributes to the document. REST and the service
 * endpoints are sections today; JSON:API and GraphQL add theirs the same way.
 */
export type Section = {
  tags: Tag[];
  paths: Record<string, PathItem>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    responses?: Record<string, Response>;
    parameters?: Record<string, Parameter>;
    headers?: Record<string, Header>;
  };
};

/**
 * A route's documentation, or a part its contract calls for (a body's, an own
 * media type's). It exists where the build documents itself (src/build.d.ts):
 * a missing one fails the generation of the document.
 */
export function documented<Part>(operationId: string, part: Part | false | undefined, what = "doc"): Part {
  if (part === false || part === undefined) {
    throw new Error(`${operationId} has no ${what} (is OPENAPI defined true? src/build.d.ts)`);
  }
  return part;
}
