import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { MAX_RESPONSE_BYTES } from "./limits";
import { type GraphqlContext, resolvers } from "./resolvers";
import { typeDefs } from "./sdl";

// The executable schema: the SDL of schema.graphql (as sdl.ts carries it), resolved by resolvers.ts. A field
// without a resolver reads the property of the same name (the domain's views
// already have the RealWorld field names).

let built: GraphQLSchema | undefined;

/** Built at the first GraphQL request, so isolates that only serve REST never pay for it. */
export function executableSchema(): GraphQLSchema {
  built ??= buildSchema(typeDefs);
  return built;
}

// The response budget: every resolved field is counted as it resolves (its
// name, and a string's length), and once the count passes MAX_RESPONSE_BYTES
// (limits.ts) every field still to resolve fails at once, so the work stops
// too; http.ts then answers RESPONSE_TOO_LARGE alone.

export class ResponseBudget {
  #spent = 0;

  get exceeded(): boolean {
    return this.#spent > MAX_RESPONSE_BYTES;
  }

  /** Counts one field's value; past the cap, throws so that the field and those after it do not resolve. */
  spend(field: string, value: unknown): unknown {
    if (this.exceeded) throw new ResponseTooLarge();
    this.#spent += field.length + 4 + (typeof value === "string" ? value.length + 2 : 8);
    return value;
  }
}

export class ResponseTooLarge extends Error {
  constructor() {
    super(`the response would exceed ${MAX_RESPONSE_BYTES} bytes`);
  }
}

export const fieldResolver: GraphQLFieldResolver<unknown, GraphqlContext> = (source, args, context, info) => {
  const resolve = resolvers[info.parentType.name]?.[info.fieldName];
  const { response } = context;
  if (response.exceeded) throw new ResponseTooLarge();
  const value = resolve ? resolve(source, args, context) : (source as Record<string, unknown> | null)?.[info.fieldName];
  const name = info.fieldName;
  return value instanceof Promise ? value.then((resolved) => response.spend(name, resolved)) : response.spend(name, value);
};

/** The schema as SDL, as committed in schema.graphql and served at /graphql/schema.graphql. */
export const schemaSdl = (): string => typeDefs;
