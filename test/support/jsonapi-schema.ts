import { env } from "cloudflare:workers";
import { type Schema, Validator } from "@cfworker/json-schema";
import { expect } from "vitest";

// Every JSON:API response the tests receive (test/support/api.ts `call`
// checks each one) must validate against the published JSON:API 1.0 schema,
// read from ../shared (vitest.config.ts), plus the 1.1 members this API uses,
// checked beside it: `jsonapi.version` is "1.1", and an error's `source` may
// name a `header` (1.0's allows other members without typing them).

const V1_1_MEMBERS: Schema = {
  type: "object",
  properties: {
    jsonapi: { type: "object", properties: { version: { const: "1.1" } }, required: ["version"] },
    errors: {
      type: "array",
      items: { properties: { source: { properties: { header: { type: "string" } } } } },
    },
  },
  required: ["jsonapi"],
};

let validators: Validator[] | null | undefined;

function loaded(): Validator[] | null {
  if (validators !== undefined) return validators;
  const schema = env.TEST_JSONAPI_SCHEMA;
  if (!schema) {
    console.warn("JSON:API schema validation skipped: ../shared/jsonapi/schema-1.0.json was not found (vitest.config.ts)");
    validators = null;
    return null;
  }
  // The schema is draft 2020-12 with draft-07's `definitions` and `dependencies`, both of which the validator reads.
  validators = [new Validator(schema, "2020-12", false), new Validator(V1_1_MEMBERS, "2020-12", false)];
  return validators;
}

/** Whether the JSON:API schema is there to check against (it is in CI). */
export const jsonApiSchemaLoaded = () => loaded() !== null;

/** Fails unless the body is a document the JSON:API schema (and the 1.1 members) accept. */
export function expectJsonApiSchema(body: unknown, where: string): void {
  for (const validator of loaded() ?? []) {
    const { errors } = validator.validate(body);
    expect(
      errors.map((error) => `${error.instanceLocation}: ${error.error}`),
      `${where}: the JSON:API schema accepts the document`,
    ).toEqual([]);
  }
}
