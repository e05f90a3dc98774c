import * as v from "valibot";
import { type FieldMessages, invalid } from "../domain/errors";

// Turns valibot issues into the field messages every adapter reports: keyed by
// the innermost named field ("title", "tagList"), "body" for the document itself.

function fieldOf(issue: v.BaseIssue<unknown>): string {
  const keys = (issue.path ?? []).map((item) => item.key).filter((key): key is string => typeof key === "string");
  return keys.at(-1) ?? "body";
}

function messageOf(issue: v.BaseIssue<unknown>): string {
  // A key that is absent altogether reads better as "is required" than as the
  // type message of the schema that expected it.
  if (issue.received === "undefined") return "is required";
  return issue.message;
}

export function fieldMessages(issues: readonly v.BaseIssue<unknown>[]): FieldMessages {
  const fields: FieldMessages = {};
  for (const issue of issues) {
    const field = fieldOf(issue);
    const message = messageOf(issue);
    const list = fields[field] ?? [];
    if (!list.includes(message)) fields[field] = [...list, message];
  }
  return fields;
}

/** The parsed value, or a domain `invalid` error with field messages. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (!result.success) throw invalid(fieldMessages(result.issues));
  return result.output;
}
