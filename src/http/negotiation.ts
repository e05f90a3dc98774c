import { preferredMediaType } from "./accept";

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
