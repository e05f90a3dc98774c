import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type { GenericSchema } from "valibot";

// Valibot → JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) with the
// official converter. What the converter cannot say, and what we do about it:
// - `check` (custom rules such as "at least one field") and `trim` (it changes
//   the value, not its type) have no JSON Schema form: left out, and the
//   operation's description states the rule instead;
// - regexes: JSON Schema patterns are ECMA-262 with Unicode semantics, so a
//   `u` flag needs nothing; a case-insensitive pattern cannot be said and is
//   left out (its field still carries `format`).
// - a default (`v.optional(TagList, [])`) is what the server applies to an
//   omitted field: on the input side it is said in the description, not as
//   `default`, which generators such as openapi-typescript read as "always
//   present" and so make the field required in a typed client's request.
// Anything else the converter cannot convert throws, so a new kind of rule
// fails the tests instead of silently vanishing from the document.

/**
 * Which side of a pipeline to describe: `input` for what a client sends in a
 * body (stops before a transformation), `output` for query and path
 * parameters (the domain's typed schema after the string-to-number step).
 */
export type Side = "input" | "output";

const COMPONENT_REF = "#/components/schemas/";

function config(side: Side, definitions?: Record<string, GenericSchema>): ConversionConfig {
  return {
    target: "draft-2020-12",
    typeMode: side,
    ignoreActions: ["check", "trim"],
    ...(definitions ? { definitions } : {}),
    overrideRef: ({ referenceId }) => `${COMPONENT_REF}${referenceId}`,
    // Only a schema that converted without errors (returning one would silence them).
    overrideSchema: ({ jsonSchema, errors }) => {
      if (side !== "input" || errors || jsonSchema.default === undefined) return undefined;
      const { default: applied, ...rest } = jsonSchema;
      const said = `Omitted, it is \`${JSON.stringify(applied)}\`.`;
      return { ...rest, description: rest.description ? `${rest.description} ${said}` : said };
    },
    overrideAction: ({ valibotAction, jsonSchema }) => {
      if (valibotAction.type !== "regex" || !("requirement" in valibotAction)) return undefined;
      const { requirement } = valibotAction;
      if (!(requirement instanceof RegExp)) return undefined;
      const { source, flags } = requirement;
      if (flags === "u") return { ...jsonSchema, pattern: source };
      if (flags.includes("i")) return jsonSchema;
      return undefined;
    },
  };
}

/** One schema, with the named definitions as `$ref`s to components. */
export function jsonSchemaOf(schema: GenericSchema, side: Side, definitions?: Record<string, GenericSchema>): JsonSchema {
  const {
    $schema: _dialect,
    $defs: _inlined,
    ...rest
  } = toJsonSchema(schema, config(side, definitions)) as JsonSchema & {
    $defs?: unknown;
  };
  return rest;
}

/** Named schemas for `components.schemas`, referring to each other by `$ref`. */
export function componentSchemas(definitions: Record<string, GenericSchema>, side: Side): Record<string, JsonSchema> {
  return toJsonSchemaDefs(definitions, config(side)) as Record<string, JsonSchema>;
}

export const componentRef = (name: string) => ({ $ref: `${COMPONENT_REF}${name}` });
export type { JsonSchema };
