import * as v from "valibot";
import { fieldMessages } from "../validate";
import type { ResourceType } from "./document";
import { type ErrorObject, errorObject, failure, JsonApiError } from "./errors";

// Request documents (https://jsonapi.org/format/1.1/#crud): their structure is
// checked here (400 for a malformed document, 409 for a type or id that does
// not match the endpoint, 403 for a client-generated id), their values by the
// domain's own schemas, with each message pointing at the member at fault.

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

const malformed = (pointer: string, detail: string) => failure(400, detail, { pointer }, "Invalid document");

/** What a resource object in a request carries. */
export type ResourceInput = { attributes: Json | null; relationships: Json | null };

/**
 * The primary data of a request to create (`id` null: the server assigns ids)
 * or update (`id` given: it must be the endpoint's) a resource of `type`.
 */
export function resourceInput(body: unknown, type: ResourceType, id: string | null, ...ids: string[]): ResourceInput {
  if (!isObject(body)) throw malformed("", "the request document must be a JSON object");
  const data = body.data;
  if (!isObject(data)) throw malformed("/data", "data must be a resource object");
  if (typeof data.type !== "string") throw malformed("/data/type", "type must be a string");
  if (data.type !== type) throw failure(409, `type must be "${type}" at this endpoint`, { pointer: "/data/type" });
  if (id === null) {
    if (data.id !== undefined) throw failure(403, "ids are assigned by the server", { pointer: "/data/id" });
  } else {
    if (typeof data.id !== "string") throw malformed("/data/id", "id must be a string");
    if (data.id !== id && !ids.includes(data.id))
      throw failure(409, `id must be "${id}" at this endpoint`, { pointer: "/data/id" });
  }
  for (const member of ["attributes", "relationships"] as const) {
    if (data[member] !== undefined && !isObject(data[member])) throw malformed(`/data/${member}`, `${member} must be an object`);
  }
  return {
    attributes: (data.attributes as Json | undefined) ?? null,
    relationships: (data.relationships as Json | undefined) ?? null,
  };
}

/** The linkage of relationship `name` in a request, if it was given: one identifier, or an array of them. */
function linkageOf(input: ResourceInput, name: string, type: ResourceType, many: boolean): string[] | undefined {
  if (!input.relationships || !(name in input.relationships)) return undefined;
  const pointer = `/data/relationships/${name}`;
  const relationship = input.relationships[name];
  if (!isObject(relationship) || !("data" in relationship))
    throw malformed(pointer, `${name} must be a relationship object with data`);
  return identifiers(relationship.data, `${pointer}/data`, type, many);
}

/** The ids of a linkage of `type`: an array (`many`) or a single resource identifier. */
function identifiers(data: unknown, pointer: string, type: ResourceType, many: boolean): string[] {
  if (many !== Array.isArray(data)) {
    throw malformed(pointer, many ? "data must be an array of resource identifiers" : "data must be a resource identifier");
  }
  const list = many ? (data as unknown[]) : [data];
  return list.map((item, index) => {
    const at = many ? `${pointer}/${index}` : pointer;
    if (!isObject(item) || typeof item.type !== "string" || typeof item.id !== "string") {
      throw malformed(at, "a resource identifier is an object with string type and id");
    }
    if (item.type !== type) throw failure(409, `${type} are the only members of this relationship`, { pointer: `${at}/type` });
    return item.id;
  });
}

/** The body of a request to a to-many relationship endpoint: the ids of its members. */
export function linkageInput(body: unknown, type: ResourceType): string[] {
  if (!isObject(body)) throw malformed("", "the request document must be a JSON object");
  if (!("data" in body)) throw malformed("/data", "data must be an array of resource identifiers");
  return identifiers(body.data, "/data", type, true);
}

/** The ids of a to-many relationship of the resource in a request (undefined when not given). */
export const toMany = (input: ResourceInput, name: string, type: ResourceType) => linkageOf(input, name, type, true);

/** The id of a to-one relationship of the resource in a request (undefined when not given). */
export const toOne = (input: ResourceInput, name: string, type: ResourceType) => linkageOf(input, name, type, false)?.[0];

/** Where a domain field lives in the request document. */
export type Member = { pointer: string; member: string; title: string };

/**
 * Locates domain fields in a request: each is an attribute of the same name,
 * except those `relationships` maps (domain field → relationship name). A
 * field that was not sent points at the object it is missing from.
 */
export function locator(input: ResourceInput, relationships: Record<string, string> = {}) {
  return (field: string | null): Member => {
    const relationship = field === null ? undefined : relationships[field];
    if (relationship !== undefined) {
      const sent = input.relationships !== null && relationship in input.relationships;
      return {
        pointer: sent ? `/data/relationships/${relationship}` : input.relationships ? "/data/relationships" : "/data",
        member: relationship,
        title: "Invalid relationship",
      };
    }
    const sent = field !== null && input.attributes !== null && field in input.attributes;
    return {
      pointer: sent ? `/data/attributes/${field}` : input.attributes ? "/data/attributes" : "/data",
      // A rule on the whole object ("needs at least one field") is the object's.
      member: field ?? (input.attributes ? "attributes" : "data"),
      title: "Invalid attribute",
    };
  };
}

/**
 * `values` checked by a domain schema; every issue becomes a 422 error object
 * with the domain's message, pointing at the member at fault.
 */
export function validated<S extends v.GenericSchema>(
  schema: S,
  values: Json,
  locate: (field: string | null) => Member,
): v.InferOutput<S> {
  const result = v.safeParse(schema, values, { abortPipeEarly: true });
  if (result.success) return result.output;
  const errors: ErrorObject[] = [];
  for (const issue of result.issues) {
    const top = issue.path?.[0]?.key;
    const at = locate(typeof top === "string" ? top : null);
    // The message exactly as every other adapter words it.
    const message = Object.values(fieldMessages([issue]))[0]?.[0] ?? issue.message;
    const detail = at.member ? `${at.member} ${message}` : message;
    if (!errors.some((error) => error.detail === detail && error.source?.pointer === at.pointer)) {
      errors.push(errorObject(422, detail, { pointer: at.pointer }, at.title));
    }
  }
  throw new JsonApiError(422, errors);
}

/** The attributes named, as far as they were sent (others, like read-only ones, are ignored). */
export function pick(input: ResourceInput, names: readonly string[]): Json {
  const attributes = input.attributes ?? {};
  return Object.fromEntries(names.filter((name) => name in attributes).map((name) => [name, attributes[name]]));
}
