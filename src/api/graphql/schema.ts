import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
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

export const fieldResolver: GraphQLFieldResolver<unknown, GraphqlContext> = (source, args, context, info) => {
  const resolve = resolvers[info.parentType.name]?.[info.fieldName];
  if (resolve) return resolve(source, args, context);
  return (source as Record<string, unknown> | null)?.[info.fieldName];
};

/** The schema as SDL, as committed in schema.graphql and served at /graphql/schema.graphql. */
export const schemaSdl = (): string => typeDefs;
