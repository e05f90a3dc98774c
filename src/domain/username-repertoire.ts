// Which characters a username may hold, one character at a time. This module
// imports nothing: scripts/confusables.mjs reads it to decide which
// characters table `confusables` has rows for (src/db/skeleton.ts), so the
// table and the policy cannot disagree.

/**
 * The scripts UAX #31 (Table 4) recommends for identifiers, by ISO 15924 code.
 * Scripts outside it are historic or limited-use, and a large share of the
 * look-alikes of Latin letters (Cherokee, Lisu, Canadian syllabics…) live there.
 */
export const RECOMMENDED_SCRIPTS = [
  "Arab",
  "Armn",
  "Beng",
  "Bopo",
  "Cyrl",
  "Deva",
  "Ethi",
  "Geor",
  "Grek",
  "Gujr",
  "Guru",
  "Hang",
  "Hani",
  "Hebr",
  "Hira",
  "Kana",
  "Khmr",
  "Knda",
  "Laoo",
  "Latn",
  "Mlym",
  "Mymr",
  "Orya",
  "Sinh",
  "Taml",
  "Telu",
  "Thaa",
  "Thai",
  "Tibt",
] as const;
export type Script = (typeof RECOMMENDED_SCRIPTS)[number];

const IN_SCRIPT = new Map(RECOMMENDED_SCRIPTS.map((script) => [script, new RegExp(`\\p{scx=${script}}`, "u")]));

/** Letters, marks and digits of any script, and `_` `.` `-`. */
export const USERNAME_CHARACTER = /^[\p{L}\p{M}\p{N}_.-]$/u;
/** Characters that render as nothing (U+200B, U+3164, U+FE0F, …): never shown, never allowed. */
export const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
/** Explicit bidi formatting (U+202A–U+202E, U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). */
export const BIDI_CONTROL = /\p{Bidi_Control}/u;
/** Used with every script: ASCII digits, `_` `.` `-`, combining accents. */
const ANY_SCRIPT = /^[\p{scx=Zyyy}\p{scx=Zinh}]$/u;
/**
 * Conjoining jamo outside modern Korean (Hangul syllables decompose into the
 * modern ones only); UTS #39 marks them obsolete.
 */
const ARCHAIC_JAMO = /[\u1113-\u115e\u1176-\u11a7\u11c3-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]/u;

/** The recommended scripts `char` is used with (Script_Extensions); empty for a char of every script. */
export function scriptsOf(char: string): Script[] {
  if (ANY_SCRIPT.test(char)) return [];
  return RECOMMENDED_SCRIPTS.filter((script) => IN_SCRIPT.get(script)?.test(char));
}

/** Whether `char` (one code point, NFKC-normalised text) may appear in a username at all. */
export function inRepertoire(char: string): boolean {
  if (!USERNAME_CHARACTER.test(char) || INVISIBLE.test(char) || BIDI_CONTROL.test(char) || ARCHAIC_JAMO.test(char)) {
    return false;
  }
  return ANY_SCRIPT.test(char) || scriptsOf(char).length > 0;
}
