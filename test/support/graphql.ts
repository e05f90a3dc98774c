import { type CallOptions, call, type Reply } from "./api";

// GraphQL requests through the app, as a client sends them: POST with a JSON
// body, or GET with URL parameters.

export type GqlOptions = {
  variables?: Record<string, unknown>;
  operationName?: string;
  token?: string | null;
  env?: CallOptions["env"];
  method?: "GET" | "POST";
  accept?: string;
  headers?: Record<string, string>;
};

export type GqlReply<T = any> = Reply<{ data?: T; errors?: GqlError[] }>;
export type GqlError = {
  message: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: { code?: string; fields?: Record<string, string[]>; [key: string]: unknown };
};

export async function gql<T = any>(query: string, options: GqlOptions = {}): Promise<GqlReply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.accept !== undefined) headers.Accept = options.accept;
  if (options.method === "GET") {
    const url = new URLSearchParams({ query });
    if (options.variables) url.set("variables", JSON.stringify(options.variables));
    if (options.operationName) url.set("operationName", options.operationName);
    return call("GET", `/graphql?${url}`, { token: options.token, env: options.env, headers });
  }
  const body = { query, variables: options.variables, operationName: options.operationName };
  return call("POST", "/graphql", { body, token: options.token, env: options.env, headers });
}

/** The codes of a reply's errors, in order. */
export const codes = (reply: GqlReply) => (reply.body.errors ?? []).map((error) => error.extensions?.code);

/** The one error of a reply (fails if there is not exactly one). */
export function onlyError(reply: GqlReply): GqlError {
  const errors = reply.body.errors ?? [];
  if (errors.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(reply.body)}`);
  return errors[0] as GqlError;
}
