import type { Context, ErrorHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseError } from "../db/errors";
import { DomainError, type DomainErrorCode, type FieldMessages } from "../domain/errors";
import type { AppEnv } from "./context";
import { RETRY_AFTER_SECONDS } from "./limits";
import { describeError, logEvent } from "./log";

// Every failure, whatever raised it, becomes one Problem here; each
// representation renders a Problem its own way. Nothing internal (stack,
// SQL, driver message) is ever part of a Problem.

export type Problem = { status: ContentfulStatusCode; message: string; fields: FieldMessages };

/** A failure of the HTTP exchange itself (framing, media type, size). */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 406 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const STATUS_OF: Record<DomainErrorCode, ContentfulStatusCode> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  unavailable: 503,
};

export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) return { status: STATUS_OF[error.code], message: error.message, fields: error.fields };
  if (error instanceof HttpError) return { status: error.status, message: error.message, fields: {} };
  if (isDatabaseError(error)) {
    return { status: 503, message: "the database is temporarily unavailable, please retry", fields: {} };
  }
  return { status: 500, message: "internal error", fields: {} };
}

/** How one API style writes a Problem in its own representation. */
export type ProblemRenderer = (c: Context<AppEnv>, problem: Problem) => Response | Promise<Response>;

/**
 * The error handler of an API style (each sub-app sets its own): the failure
 * becomes a Problem, a server-side one is logged with the request id, the
 * headers its status calls for are set, and the style renders it.
 */
export function problemHandler(render: ProblemRenderer): ErrorHandler<AppEnv> {
  return (error, c) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      logEvent("error", c.var.requestId, {
        method: c.req.method,
        path: c.req.path,
        status: problem.status,
        error: describeError(error),
      });
    }
    if (problem.status === 401) c.header("WWW-Authenticate", 'Token realm="conduit"');
    if (problem.status === 429) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
    return render(c, problem);
  };
}

/** The route table's last entry in every sub-app: what no route matched, in that style's representation. */
export const noSuchRoute = (): never => {
  throw new HttpError(404, "no such route");
};
