import {
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  type Source,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from "graphql";
import { LIMITS } from "../../domain/inputs";
import type { Env } from "../../env";

// What one GraphQL request may ask for, checked before anything runs:
//
// - tokens: the parser stops past this many lexical tokens (graphql-js
//   `maxLexicalTokens`), so even a document that never validates costs bounded
//   CPU and memory;
// - depth: how deeply fields nest (`articles { edges { node { title } } }` is 4);
// - aliases: how many fields carry an alias, which is how one request asks for
//   the same thing many times (say, many `login`s: each still counts against
//   the login rate limits, see src/domain/limits.ts);
// - cost: an estimate of the work, below.
//
// Introspection (`__schema`, `__type`) is left out of depth and cost: it reads
// no data, and graphql-js's MaxIntrospectionDepthRule (a specified rule)
// already bounds its nesting. Aliases count everywhere.
//
// Cost: every root field costs 1 (a mutation 10) and every field of an object
// type 1, scalars 0; a list of objects multiplies what each item costs by its
// length. Every list of objects in the schema is the `edges` of a connection,
// whose field takes `first`: the page size the resolver reads, at most 100,
// with the field's own default when absent (20). So
// the estimate is an upper bound of the rows a query can return, not a guess;
// a list of objects without a page (there is none; a test keeps it so) would
// count as the largest page.
// `articles(first: 20) { edges { node { author { username } comments(first: 10) { edges { node { body } } } } } }`
// costs 1 + (1 + 20 × (1 + 1 + (1 + (1 + 10 × 1)))) = 282.
//
// However the estimate is used, a response is also capped in size
// (MAX_RESPONSE_BYTES) and queries count against a per-client
// budget (http.ts), so that no estimate error becomes an outage.

export type GraphqlLimits = {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  introspection: boolean;
};

export const DEFAULT_LIMITS: GraphqlLimits = {
  maxDepth: 10,
  maxAliases: 15,
  maxCost: 1500,
  maxTokens: 2000,
  introspection: true,
};

const positive = (value: string | undefined, fallback: number): number => {
  const number = Number(value?.trim() || Number.NaN);
  return Number.isSafeInteger(number) && number > 0 ? number : fallback;
};

/**
 * The configuration of /graphql (wrangler.toml [vars]). GRAPHQL_INTROSPECTION
 * "false" (or "0", "off", "no") turns introspection off.
 */
export function graphqlLimits(env: Env): GraphqlLimits {
  return {
    maxDepth: positive(env.GRAPHQL_MAX_DEPTH, DEFAULT_LIMITS.maxDepth),
    maxAliases: positive(env.GRAPHQL_MAX_ALIASES, DEFAULT_LIMITS.maxAliases),
    maxCost: positive(env.GRAPHQL_MAX_COST, DEFAULT_LIMITS.maxCost),
    maxTokens: positive(env.GRAPHQL_MAX_TOKENS, DEFAULT_LIMITS.maxTokens),
    introspection: !/^\s*(?:false|0|off|no)\s*$/i.test(env.GRAPHQL_INTROSPECTION ?? ""),
  };
}

/** Errors from a limit carry `extensions.limit`, so clients can tell them from mistakes. */
export type LimitName = "depth" | "aliases" | "cost" | "tokens";

export const limitExtensions = (limit: LimitName, max: number, actual?: number) => ({
  code: limit === "tokens" ? "GRAPHQL_PARSE_FAILED" : "GRAPHQL_VALIDATION_FAILED",
  limit,
  max,
  ...(actual === undefined ? {} : { actual }),
});

const TOO_MANY_TOKENS = /^(?:Syntax Error: )?Document contains more than \d+ tokens/;

/** graphql-js's parse, stopped past the token limit; that error carries the limit's extensions. */
export const parseWithin =
  (limits: GraphqlLimits) =>
  (source: string | Source): DocumentNode => {
    try {
      return parse(source, { maxLexicalTokens: limits.maxTokens, maxComments: limits.maxTokens });
    } catch (error) {
      if (!(error instanceof GraphQLError) || !TOO_MANY_TOKENS.test(error.message)) throw error;
      const extensions = limitExtensions("tokens", limits.maxTokens);
      throw new GraphQLError(error.message, { source: error.source, positions: error.positions, extensions });
    }
  };

/**
 * The most a GraphQL response may carry, however the cost estimate is
 * fooled: 4 MiB. A response past it is refused as a whole
 * (RESPONSE_TOO_LARGE) rather than built (schema.ts counts it as it
 * resolves, http.ts checks the serialized size).
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export const MUTATION_COST = 10;

type Measure = { depth: number; aliases: number; cost: number };
const NOTHING: Measure = { depth: 0, aliases: 0, cost: 0 };

/**
 * The page size a `first` argument asks for: a literal, a variable's value or
 * default, or, when it is absent, the argument's default in the schema. Null
 * and values that are not integers (refused when the field runs) count as the
 * largest page allowed, an upper bound of what any resolver reads.
 */
function pageSizeOf(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown>,
  variables: Record<string, unknown>,
  operation: OperationDefinitionNode,
): number {
  let node: ValueNode | undefined = field.arguments?.find((argument) => argument.name.value === "first")?.value;
  let value: unknown;
  if (node?.kind === Kind.VARIABLE) {
    const name = node.name.value;
    value = variables[name];
    node =
      value === undefined ? operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue : undefined;
  }
  // Absent: the schema's default, a literal in schema.graphql.
  node ??= value === undefined ? definition.args.find((argument) => argument.name === "first")?.astNode?.defaultValue : undefined;
  if (node?.kind === Kind.INT) value = Number(node.value);
  else if (node) value = Number.NaN;
  return typeof value === "number" && Number.isInteger(value) ? Math.min(Math.max(value, 0), LIMITS.pageLimit) : LIMITS.pageLimit;
}

/**
 * Walks an operation with its fragments spread, measuring depth, aliases and
 * cost. Each fragment is measured once per page size (a document that spreads
 * fragments into each other many times is not walked exponentially) and a
 * fragment cycle (refused by NoFragmentCyclesRule anyway) counts as nothing.
 */
export function measure(
  context: ValidationContext,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Measure {
  const schema = context.getSchema();
  const memo = new Map<string, Measure>();
  const walking = new Set<string>();

  function walk(selectionSet: SelectionSetNode | undefined, parent: GraphQLNamedType, pageSize?: number, root = false): Measure {
    if (!selectionSet || !isObjectType(parent)) return NOTHING;
    const total = { depth: 0, aliases: 0, cost: 0 };
    const add = (part: Measure) => {
      total.depth = Math.max(total.depth, part.depth);
      total.aliases += part.aliases;
      total.cost += part.cost;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        add(type ? walk(selection.selectionSet, type, pageSize, root) : NOTHING);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const key = `${name}|${pageSize ?? ""}|${root}`;
        const known = memo.get(key);
        if (known) {
          add(known);
          continue;
        }
        const fragment = context.getFragment(name);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !type || walking.has(name)) continue;
        walking.add(name);
        const measured = walk(fragment.selectionSet, type, pageSize, root);
        walking.delete(name);
        memo.set(key, measured);
        add(measured);
        continue;
      }
      const alias = selection.alias ? 1 : 0;
      const name = selection.name.value;
      const definition = parent.getFields()[name];
      if (name.startsWith("__") || !definition) {
        // Introspection and unknown fields (which validation refuses): aliases only.
        add({ depth: 0, aliases: alias + countAliases(selection.selectionSet), cost: 0 });
        continue;
      }
      const type = getNamedType(definition.type);
      const unwrapped = isNonNullType(definition.type) ? definition.type.ofType : definition.type;
      const isList = isListType(unwrapped);
      const hasPage = definition.args.some((argument) => argument.name === "first");
      const children = walk(
        selection.selectionSet,
        type,
        hasPage ? pageSizeOf(selection, definition, variables, operation) : undefined,
      );
      const own = root ? (parent === schema.getMutationType() ? MUTATION_COST : 1) : isObjectType(type) ? 1 : 0;
      const times = isList && isObjectType(type) ? (pageSize ?? LIMITS.pageLimit) : 1;
      add({ depth: 1 + children.depth, aliases: alias + children.aliases, cost: own + times * children.cost });
    }
    return total;
  }

  /** Aliases inside a part that is not otherwise measured (introspection). */
  function countAliases(selectionSet: SelectionSetNode | undefined, seen = new Set<string>()): number {
    let count = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) count += (selection.alias ? 1 : 0) + countAliases(selection.selectionSet, seen);
      else if (selection.kind === Kind.INLINE_FRAGMENT) count += countAliases(selection.selectionSet, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        count += countAliases(context.getFragment(selection.name.value)?.selectionSet, seen);
      }
    }
    return count;
  }

  const rootType =
    operation.operation === "mutation"
      ? schema.getMutationType()
      : operation.operation === "subscription"
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  return rootType ? walk(operation.selectionSet, rootType, undefined, true) : NOTHING;
}

/** A validation rule that refuses operations past the depth, alias or cost limit. */
export function limitsRule(limits: GraphqlLimits, variables: Record<string, unknown>): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const measured = measure(context, operation, variables);
      const report = (limit: LimitName, actual: number, max: number, what: string) =>
        context.reportError(
          new GraphQLError(`${what} ${actual} exceeds the limit of ${max}`, {
            nodes: [operation],
            extensions: limitExtensions(limit, max, actual),
          }),
        );
      if (measured.depth > limits.maxDepth) report("depth", measured.depth, limits.maxDepth, "Query depth");
      if (measured.aliases > limits.maxAliases) report("aliases", measured.aliases, limits.maxAliases, "Alias count");
      if (measured.cost > limits.maxCost) report("cost", measured.cost, limits.maxCost, "Query cost");
      return false;
    },
  });
}
