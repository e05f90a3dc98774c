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
