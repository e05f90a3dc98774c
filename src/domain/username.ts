import { CONFUSABLE_PROTOTYPES } from "./confusables";
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
// - Not a reserved name, nor one that looks like one.
// - Unique by `username_key` (NFKC, lowercased: the spelling in URLs) and by
//   `username_skeleton`, so no two accounts can display alike.

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

/** The UTS #39 skeleton: NFD, each character to its prototype, NFD again. */
function skeletonOf(text: string): string {
  let mapped = "";
  for (const char of text.normalize("NFD")) mapped += CONFUSABLE_PROTOTYPES.get(char) ?? char;
  return mapped.normalize("NFD");
}

/**
 * What names that look alike share. Taken around a lowercasing so that a
 * look-alike of another spelling of a name (`jаke` of `Jake`, whose key is
 * `jake`) shares it too; never shown.
 */
export function usernameSkeleton(username: string): string {
  return skeletonOf(skeletonOf(username.normalize("NFKC")).toLowerCase());
}

const RESERVED = new Set(RESERVED_USERNAMES.map(usernameSkeleton));

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

/** Why an NFKC-normalised, trimmed, non-empty name is refused; null when it is not. */
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
  // Its own look, and the look of its lowercase spelling (the skeleton of
  // "ADMIN" keeps an I that looks like l; its key is "admin").
  if (RESERVED.has(usernameSkeleton(username)) || RESERVED.has(usernameSkeleton(username.toLowerCase()))) {
    return "is reserved";
  }
  return null;
}
