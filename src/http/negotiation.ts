import { mediaRanges, preferredMediaType } from "./accept";

// Which representation of a REST resource an `Accept` header asks for. No
// header, or `*/*`, means JSON.

export type Representation = "json" | "xml";

const OFFERS = [
  ["application/json", "json"],
  ["application/xml", "xml"],
  ["text/xml", "xml"],
] as const satisfies readonly (readonly [string, Representation])[];

export function restRepresentationOf(accept: string | undefined): Representation | null {
  const type = preferredMediaType(
    accept,
    OFFERS.map(([mediaType]) => mediaType),
  );
  return OFFERS.find(([mediaType]) => mediaType === type)?.[1] ?? null;
}

/**
 * For a route that answers one media type of its own (an Atom feed): null when
 * the Accept header allows neither it nor, for an XML-based type (`+xml`,
 * RFC 6839), XML in general, or refuses it by name (q=0); otherwise the
 * representation of its errors, XML unless the caller prefers JSON (the
 * document itself is always `mediaType`).
 */
export function ownMediaRepresentationOf(accept: string | undefined, mediaType: string): Representation | null {
  if (mediaRanges(accept).some((range) => range.type === mediaType && range.q <= 0)) return null;
  const xmlBased = mediaType.endsWith("+xml");
  const offers = xmlBased ? [mediaType, "application/xml", "text/xml"] : [mediaType];
  if (!preferredMediaType(accept, offers)) return null;
  return preferredMediaType(accept, [...offers, "application/json"]) === "application/json" ? "json" : "xml";
}
