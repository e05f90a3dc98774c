import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { app } from "../../src/app";
import type { Env } from "../../src/env";
import { expectJsonApiSchema } from "./jsonapi-schema";

// Requests go through the app's own fetch, inside the Workers runtime, against
// the real local D1 and KV bindings (or wrapped copies of them).

export type CallOptions = {
  body?: unknown;
  rawBody?: BodyInit;
  token?: string | null;
  headers?: Record<string, string>;
  /**
   * Partial: the generated Env types every binding, var and secret as present,
   * and tests also prove what the Worker does when a deploy lacks one.
   */
  env?: Partial<Env>;
  /** Where the request is sent (default http://localhost): the same Worker may answer on several hostnames. */
  origin?: string;
};

export type Reply<T = any> = { status: number; headers: Headers; body: T; text: string };

export async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Token ${options.token}`);
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  // An absolute URL (a link the API gave) is followed as it is.
  const url = /^https?:\/\//.test(path) ? path : `${options.origin ?? "http://localhost"}${path}`;
  const request = new Request(url, { method, headers, body });
  const ctx = createExecutionContext();
  const response = await app.fetch(request, options.env ?? env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  // Every JSON:API document any test receives is checked against the published schema.
  if (text && response.headers.get("content-type")?.startsWith("application/vnd.api+json")) {
    expectJsonApiSchema(parsed, `${method} ${path} → ${response.status}`);
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export const testEnv: Env = env;

/**
 * Server-Timing read back (`cache;desc=hit|miss|bypass, d1;desc=<trips>;dur=<ms>;rows=<rows read>`):
 * the one place the tests parse it. A number the header lacks is NaN, so expecting any count of it fails.
 */
export function serverTiming(reply: Reply) {
  const header = reply.headers.get("server-timing") ?? "";
  const cache = /\bcache;desc=(\w+)/.exec(header)?.[1];
  const d1 = /\bd1;desc=(\d+);dur=[\d.]+(?:;rows=(\d+))?/.exec(header);
  return { cache, d1: Number(d1?.[1]), rows: Number(d1?.[2]), header };
}

/** What Server-Timing says a request cost: whether the KV cache answered, and the D1 round trips. */
export function timing(reply: Reply) {
  const { cache, d1 } = serverTiming(reply);
  return { cache, d1 };
}

let sequence = 0;
/** A name no other test in this file has used (storage is shared per file). */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}${sequence}${Math.random().toString(36).slice(2, 7)}`;
}

export type TestUser = { username: string; email: string; password: string; token: string };

export async function registerUser(overrides: Partial<Omit<TestUser, "token">> = {}): Promise<TestUser> {
  const username = overrides.username ?? unique("user");
  const user = {
    username,
    email: overrides.email ?? `${username}@example.com`,
    password: overrides.password ?? "correct horse battery",
  };
  const reply = await call("POST", "/api/users", { body: { user } });
  if (reply.status !== 201) throw new Error(`register failed: ${reply.status} ${reply.text}`);
  return { ...user, token: reply.body.user.token };
}

export type ArticleInput = { title?: string; description?: string; body?: string; tagList?: string[] };

export async function createArticle(author: TestUser, input: ArticleInput = {}) {
  const article = {
    title: input.title ?? unique("Title "),
    description: input.description ?? "A description",
    body: input.body ?? "The body of the article",
    tagList: input.tagList ?? [],
  };
  const reply = await call("POST", "/api/articles", { token: author.token, body: { article } });
  if (reply.status !== 201) throw new Error(`create article failed: ${reply.status} ${reply.text}`);
  return reply.body.article as { slug: string; title: string; tagList: string[]; createdAt: string; updatedAt: string };
}
