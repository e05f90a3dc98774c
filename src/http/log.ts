// Structured logs: one JSON object per line, so Workers Logs can index and
// query the fields. Every line carries the request id the client was given in
// `X-Request-Id`. Nothing logged here is ever shown to a client.

export type LogLevel = "error" | "warn";

export function logEvent(level: LogLevel, requestId: string | undefined, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, requestId, ...fields });
  if (level === "error") console.error(line);
  else console.warn(line);
}

/** What a log line says of an error: its name, message and cause, never a stack. */
export function describeError(error: unknown): Record<string, string> | string {
  if (!(error instanceof Error)) return String(error);
  return { name: error.name, message: error.message, cause: String(error.cause ?? "") };
}
