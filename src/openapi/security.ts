// Who may call an operation, as every section of the document writes it. A
// public operation says so with an empty list (linters and generated clients
// read a missing `security` as "unknown", not "none").

export type Auth = "none" | "optional" | "required";

const TOKEN: Record<string, string[]>[] = [{ Token: [] }, { Bearer: [] }];

/** `required`: a token; `optional`: anyone (`{}`), or a token; `none`: no security. */
export function securityOf(auth: Auth): Record<string, string[]>[] {
  if (auth === "required") return TOKEN;
  if (auth === "optional") return [{}, ...TOKEN];
  return [];
}
