import type { Context } from "hono";
import { DomainError } from "../../domain/errors";
import type { Problem } from "../../http/problem";

// JSON:API error objects (https://jsonapi.org/format/1.1/#error-objects).
// Two sources: what this adapter finds wrong with a request (a JsonApiError,
// which knows the pointer, parameter or header at fault), and every other
// failure (domain errors, HTTP framing, D1), which reaches the app's error
// handler as a Problem and is rendered here in the same shape.

export const JSONAPI_MEDIA_TYPE = "application/vnd.api+json";

export type ErrorSource = { pointer?: string; parameter?: string; header?: string };

export type ErrorObject = {
  status: string;
  code: string;
  title: string;
  detail: string;
  source?: ErrorSource;
};

/** A failure whose error objects this adapter has already written. */
export class JsonApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorObject[],
  ) {
    super(errors.map((error) => error.detail).join("; "));
    this.name = "JsonApiError";
  }
}

// Per status: a stable code and title (the title "SHOULD NOT change from
// occurrence to occurrence"); the detail says what happened this time.
const KINDS: Record<number, { code: string; title: string }> = {
  400: { code: "bad_request", title: "Bad request" },
  401: { code: "unauthenticated", title: "Authentication required" },
  403: { code: "forbidden", title: "Forbidden" },
  404: { code: "not_found", title: "Not found" },
  405: { code: "method_not_allowed", title: "Method not allowed" },
  406: { code: "not_acceptable", title: "Not acceptable" },
  409: { code: "conflict", title: "Conflict" },
  413: { code: "too_large", title: "Request body too large" },
  415: { code: "unsupported_media_type", title: "Unsupported media type" },
  422: { code: "invalid", title: "Invalid request" },
  429: { code: "rate_limited", title: "Too many requests" },
  500: { code: "internal", title: "Internal error" },
  503: { code: "unavailable", title: "Service unavailable" },
};

const kindOf = (status: number) => KINDS[status] ?? (KINDS[status >= 500 ? 500 : 400] as { code: string; title: string });

/** One error object of the usual kind for `status`. */
export function errorObject(status: number, detail: string, source?: ErrorSource, title?: string): ErrorObject {
  const kind = kindOf(status);
  return { status: String(status), code: kind.code, title: title ?? kind.title, detail, ...(source ? { source } : {}) };
}

/** A JsonApiError with a single error object. */
export const failure = (status: number, detail: string, source?: ErrorSource, title?: string): JsonApiError =>
  new JsonApiError(status, [errorObject(status, detail, source, title)]);

export function errorResponse(c: Context, status: number, errors: ErrorObject[]): Response {
  return c.body(JSON.stringify({ jsonapi: { version: "1.1" }, errors }), status as 400, {
    "Content-Type": JSONAPI_MEDIA_TYPE,
    Vary: "Accept",
  });
}

/**
 * Any other failure on a /jsonapi path, rendered by the app's error handler
 * (which has logged it and set its headers): one error object per field
 * message, or one for the whole problem.
 */
export function jsonApiProblem(c: Context, problem: Problem): Response {
  const fields = Object.entries(problem.fields);
  const errors = fields.length
    ? fields.flatMap(([field, messages]) => messages.map((message) => errorObject(problem.status, `${field} ${message}`)))
    : [errorObject(problem.status, problem.message)];
  return errorResponse(c, problem.status, errors);
}

/**
 * Runs a domain operation whose `invalid` errors name fields of the request
 * document: each field message becomes an error object pointing at it. The
 * messages are the domain's own (the same words REST shows).
 */
export async function pointing<T>(
  operation: Promise<T>,
  pointerOf: (field: string) => { pointer: string; member: string; title: string } | undefined,
): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== "invalid" || !Object.keys(error.fields).length) throw error;
    const errors = Object.entries(error.fields).flatMap(([field, messages]) => {
      const at = pointerOf(field);
      const member = at ? at.member : field;
      return messages.map((message) =>
        errorObject(422, member ? `${member} ${message}` : message, at ? { pointer: at.pointer } : undefined, at?.title),
      );
    });
    throw new JsonApiError(422, errors);
  }
}
