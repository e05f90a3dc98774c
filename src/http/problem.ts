import { isDatabaseError } from "../db/errors";
import { DomainError, type DomainErrorCode, type FieldMessages } from "../domain/errors";

// Every failure, whatever raised it, becomes one Problem here; each
// representation renders a Problem its own way. Nothing internal (stack,
// SQL, driver message) is ever part of a Problem.

export type Problem = { status: number; message: string; fields: FieldMessages };

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

const STATUS_OF: Record<DomainErrorCode, number> = {
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
