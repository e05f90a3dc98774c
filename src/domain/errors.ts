// Errors are data: a closed set of codes, optional field messages. Adapters map
// the code to a status and render it in their own representation.

export type DomainErrorCode =
  | "invalid" // input breaks a rule; `fields` says which
  | "unauthenticated" // no valid credentials
  | "forbidden" // authenticated, but not allowed to touch this resource
  | "not_found"
  | "rate_limited"
  | "unavailable"; // a dependency (D1) failed; safe to retry

export type FieldMessages = Record<string, string[]>;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: FieldMessages = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const invalid = (fields: FieldMessages): DomainError =>
  new DomainError(
    "invalid",
    Object.entries(fields)
      .map(([k, v]) => `${k} ${v.join(", ")}`)
      .join("; "),
    fields,
  );

export const unauthenticated = (message = "valid credentials are required"): DomainError =>
  new DomainError("unauthenticated", message);

export const forbidden = (message: string): DomainError => new DomainError("forbidden", message);

export type Findable = "article" | "profile" | "comment" | "user";

export const notFound = (what: Findable): DomainError => new DomainError("not_found", `${what} not found`);

/** The first row, or not found: how an operation that reads one thing ends. */
export function found<Row>(rows: readonly Row[], what: Findable): Row {
  const [row] = rows;
  if (row === undefined) throw notFound(what);
  return row;
}

export const unavailable = (): DomainError =>
  new DomainError("unavailable", "the service is temporarily unavailable, please retry");
