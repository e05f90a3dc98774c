import { BIDI_CONTROL, INVISIBLE, inRepertoire, type Script, scriptsOf, USERNAME_CHARACTER } from "./username-repertoire";

// The username policy (README, "Security"): what a name may be, and when two
// names are the same account or too alike to be told apart.
//
// - A name is stored NFKC-normalised (full-width and other compatibility forms
//   fold to the plain letter).
// - Its characters: letters, marks and digits of the scripts recommended for
//   identifiers, and `_` `.` `-`; nothing invisible, no bidi controls. At least
//   one letter or digit, and no combining mark first.
// - One script, or Latin with Han and kana (Japanese), Han and Hangul (Korean)
//   or Han and Bopomofo: UTS #39's "highly restrictive" level.
// - Not a reserved name, nor one that looks like one (checked with the
//   skeleton, which D1 computes: see reservedUsername).
// - Unique by `username_key` (NFKC, lowercased: the spelling in URLs) and by
//   `username_skeleton` (src/db/skeleton.ts), so no two accounts can display alike.

export const USERNAME_CHARS_MESSAGE = "may only contain letters, digits, '_', '.' and '-'";

/**
 * Names that API paths, frontends' routes or people read as the service
 * speaking: refused, and so is anything whose skeleton is one of theirs.
 */
export const RESERVED_USERNAMES = [
  ".",
  "..",
  "me",
  "self",
  "admin",
  "administrator",
  "root",
  "system",
  "support",
  "security",
  "moderator",
  "staff",
  "official",
  "conduit",
  "api",
  "graphql",
  "jsonapi",
  "docs",
  "openapi",
  "assets",
  "health",
  "feed",
  "user",
  "users",
  "profile",
  "profiles",
  "article",
  "articles",
  "comment",
  "comments",
  "tag",
  "tags",
  "login",
  "logout",
  "register",
  "settings",
  "editor",
  "null",
  "undefined",
  "anonymous",
];

/**
 * The skeleton of an ASCII name, as the `confusables` rows of ASCII
 * characters make it (0 and O count as o, 1, I and L as l, m and M as rn, every
 * other letter as its lowercase; test/username.test.ts compares): enough for
 * the reserved names, which are ASCII.
 */
export const asciiSkeleton = (name: string): string =>
  name
    .replace(/[01I]/g, (char) => (char === "0" ? "o" : "l"))
    .toLowerCase()
    .replaceAll("m", "rn");

const RESERVED = new Set(RESERVED_USERNAMES.map(asciiSkeleton));

/**
 * Whether a name is reserved, by its skeleton and its lowercase spelling's
 * (the skeleton of "ADMIN" keeps an I that looks like l; its key is "admin").
 */
export const reservedUsername = (skeletons: { skeleton: string; lowercased: string }): boolean =>
  RESERVED.has(skeletons.skeleton) || RESERVED.has(skeletons.lowercased);

/** Writing systems whose names mix scripts: Japanese, Korean, Chinese with Bopomofo. */
const COMBINED: Partial<Record<Script, string[]>> = {
  Hani: ["Jpan", "Kore", "Hanb"],
  Hira: ["Jpan"],
  Kana: ["Jpan"],
  Hang: ["Kore"],
  Bopo: ["Hanb"],
};

/** UTS #39, 5.2: single script, or Latin with one of the combined writing systems. */
function highlyRestrictive(chars: string[]): boolean {
  const sets = chars
    .map((char) => scriptsOf(char))
    .filter((scripts) => scripts.length)
    .map((scripts) => new Set<string>([...scripts, ...scripts.flatMap((script) => COMBINED[script] ?? [])]));
  const shared = (allowed: string[]) => sets.every((set) => allowed.some((script) => set.has(script)));
  const [first] = sets;
  if (!first || [...first].some((script) => shared([script]))) return true;
  return ["Jpan", "Kore", "Hanb"].some((system) => shared(["Latn", system]));
}

/**
 * Why an NFKC-normalised, trimmed, non-empty name is refused, as far as the
 * name alone tells (reserved names need its skeleton); null when it is not.
 */
export function usernameProblem(username: string): string | null {
  const chars = [...username];
  // What is wrong with the first character that is not allowed.
  for (const char of chars) {
    if (BIDI_CONTROL.test(char)) return "can't contain bidirectional control characters";
    if (INVISIBLE.test(char)) return "can't contain invisible characters";
    if (!USERNAME_CHARACTER.test(char)) return USERNAME_CHARS_MESSAGE;
    if (!inRepertoire(char)) return "may only use scripts in common modern use";
  }
  if (!/[\p{L}\p{N}]/u.test(username)) return "must contain a letter or a digit";
  if (/^\p{M}/u.test(username)) return "can't start with a combining mark";
  if (!highlyRestrictive(chars)) return "can't mix scripts (such as Latin with Cyrillic or Greek)";
  return null;
}
