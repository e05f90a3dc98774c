import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { type Problem, toProblem } from "../../http/problem";

// Every error becomes a GraphQL error whose `extensions.code` says what kind
// it is. Failures of the domain (and of D1) go through the same Problem as in
// REST (src/http/problem.ts), so the message is the one REST gives, validation
// errors carry the same field messages (`extensions.fields`), and nothing
// internal (stack, SQL, driver message) is ever shown: an unexpected error is
// "internal error", logged with the request id.

/** The GraphQL code of each HTTP status a Problem can have. */
const CODE_OF: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  406: "NOT_ACCEPTABLE",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "BAD_USER_INPUT",
  429: "RATE_LIMITED",
  503: "SERVICE_UNAVAILABLE",
};

export const codeOf = (status: number): string => CODE_OF[status] ?? "INTERNAL_SERVER_ERROR";

/** A Problem as a GraphQL error (for errors that happen outside execution). */
export function problemError(problem: Problem): GraphQLFormattedError {
  const fields = Object.keys(problem.fields).length ? { fields: problem.fields } : {};
  return { message: problem.message, extensions: { code: codeOf(problem.status), ...fields } };
}

export type ErrorLog = (error: GraphQLError, cause: unknown) => void;

/** How far a request got when the error arose (src/api/graphql/http.ts tracks it). */
export type Phase = "parse" | "validation" | "request" | "execution";

const CODE_OF_PHASE: Record<Phase, string> = {
  parse: "GRAPHQL_PARSE_FAILED",
  validation: "GRAPHQL_VALIDATION_FAILED",
  request: "BAD_USER_INPUT",
  execution: "INTERNAL_SERVER_ERROR",
};

/** The same error (locations and path) with the message and extensions the client sees. */
const shown = (error: GraphQLError, message: string, extensions: Record<string, unknown>) =>
  new GraphQLError(message, { source: error.source, positions: error.positions, path: error.path, extensions });

/**
 * An error as the client sees it. graphql-http hands over a plain Error only
 * for request parameters that are not a GraphQL request (a missing `query`,
 * `variables` that are not an object). Errors of the request itself (parse,
 * validation, variables, operation name) keep graphql-js's message, which
 * names only what the client sent.
 */
export function formatError(error: Readonly<GraphQLError | Error>, phase: Phase, log: ErrorLog): GraphQLError {
  if (!(error instanceof GraphQLError)) return new GraphQLError(error.message, { extensions: { code: codeOf(400) } });
  const original = error.originalError;
  if (phase !== "execution" || !original) {
    if (phase === "execution") log(error, error);
    return shown(error, error.message, { code: CODE_OF_PHASE[phase], ...error.extensions });
  }
  const problem = toProblem(original);
  if (problem.status >= 500) log(error, original);
  const formatted = problemError(problem);
  return shown(error, formatted.message, formatted.extensions ?? {});
}
