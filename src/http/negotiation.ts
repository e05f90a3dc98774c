import { mediaRanges, preferredMediaType } from "./accept";

// Which representation of a REST resource a request asks for. No header, or
// `*/*`, means JSON.

export type Representation = "json" | "xml";

const OFFERS = [
  ["application/json", "json"],
  ["application/xml", "xml"],
  ["text/xml", "xml"],
] as const satisfies readonly (readonly [string, Representation])[];

/**
 * A browser opening the URL in a tab: it says so (`Sec-Fetch-Mode: navigate`),
 * or its Accept lists `text/html` (every browser's navigation Accept does, and
 * no API client's). Chromium's ranks XML above `*\/*`
 * (`text/html,application/xhtml+xml,application/xml;q=0.9,*\/*;q=0.8`), yet a
 * person reading the tab is better served by JSON, which the browser shows as
 * text, than by XML, whose viewer the API's CSP blocks.
 */
export function isNavigation(accept: string | undefined, fetchMode: string | undefined): boolean {
  if (fetchMode?.trim().toLowerCase() === "navigate") return true;
  return mediaRanges(accept).some((range) => range.type === "text/html" && range.q > 0);
}

/** The representation for this Accept (null: none it can have); a browser navigation gets JSON. */
export function restRepresentationOf(accept: string | undefined, fetchMode?: string): Representation | null {
  if (isNavigation(accept, fetchMode)) return "json";
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
