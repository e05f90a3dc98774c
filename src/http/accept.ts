import { parseAccept } from "hono/utils/accept";

// Content negotiation, once for every API style, on Hono's Accept parser
// (which keeps each range's parameters and q-value).

export type MediaRange = {
  /** `application/json`, `application/*`, `*\/*`: lowercased. */
  type: string;
  /** Parameters other than q, names lowercased. */
  params: Record<string, string>;
  q: number;
};

/** The ranges of an Accept header (or the one media type of a Content-Type), best q first, else as listed. */
export function mediaRanges(header: string | null | undefined): MediaRange[] {
  return parseAccept(header ?? "").map((range) => {
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(range.params)) {
      if (name.toLowerCase() !== "q") params[name.toLowerCase()] = value;
    }
    return { type: range.type.trim().toLowerCase(), params, q: range.q };
  });
}

/** How closely a range names a media type: exact 2, `type/*` 1, `*\/*` 0, else no match. */
function specificity(range: string, mediaType: string): number | null {
  if (range === mediaType) return 2;
  if (range === "*/*") return 0;
  const [main] = mediaType.split("/");
  return range === `${main}/*` ? 1 : null;
}

/**
 * The offer the Accept header prefers (RFC 9110 §12.5.1): each offer takes the
 * q of the most specific range that matches it; the best q wins, then the more
 * specific match, then the range listed first, then the offer listed first.
 * No header prefers the first offer; null when no offer is acceptable. Every
 * answer is UTF-8, so a range asking for another charset matches nothing.
 */
export function preferredMediaType<T extends string>(header: string | null | undefined, offers: readonly T[]): T | null {
  if (!header?.trim()) return offers[0] ?? null;
  const ranges = mediaRanges(header).filter((range) => !range.params.charset || /^"?utf-?8"?$/i.test(range.params.charset));
  let best: { offer: T; q: number; specificity: number; order: number } | null = null;
  for (const offer of offers) {
    let match: { q: number; specificity: number; order: number } | null = null;
    for (const [order, range] of ranges.entries()) {
      const level = specificity(range.type, offer);
      if (level !== null && (!match || level > match.specificity)) match = { q: range.q, specificity: level, order };
    }
    if (!match || match.q <= 0) continue;
    const { q, specificity: level, order } = match;
    if (
      !best ||
      q > best.q ||
      (q === best.q && (level > best.specificity || (level === best.specificity && order < best.order)))
    ) {
      best = { offer, q, specificity: level, order };
    }
  }
  return best?.offer ?? null;
}
