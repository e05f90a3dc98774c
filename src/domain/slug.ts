// Slugs keep letters and digits of every script (CJK, Arabic, Devanagari…),
// lower-cased, joined by hyphens. A title with no letters or digits at all
// (only emoji, say) falls back to "article"; uniqueness is added by the caller.

const MAX_SLUG_LENGTH = 80;

export function slugify(title: string): string {
  const words = title
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if ([...next].length > MAX_SLUG_LENGTH) break;
    slug = next;
  }
  // A single word longer than the cap is cut on a code point boundary.
  if (!slug && words[0]) slug = [...words[0]].slice(0, MAX_SLUG_LENGTH).join("");
  return slug || "article";
}

export function withUniqueSuffix(slug: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  const suffix = Array.from(bytes, (b) => b.toString(36).padStart(2, "0"))
    .join("")
    .slice(0, 6);
  return `${slug}-${suffix}`;
}
