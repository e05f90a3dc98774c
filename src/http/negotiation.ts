// Which representation an `Accept` header asks for, by its q-values (RFC 9110
// §12.5.1): for each media type we can send, the q of the most specific range
// that matches it; the best q wins, then the more specific match, then the
// range the client listed first. No header, or `*/*`, means JSON.

export type Representation = "json" | "xml";

const OFFERED: [mediaType: string, representation: Representation][] = [
  ["application/json", "json"],
  ["application/xml", "xml"],
  ["text/xml", "xml"],
];

type Range = { type: string; subtype: string; q: number; order: number };

function parseAccept(header: string): Range[] {
  return header
    .split(",")
    .map((part, order) => {
      const [mediaRange = "", ...parameters] = part.split(";").map((piece) => piece.trim().toLowerCase());
      const [type = "", subtype = ""] = mediaRange.split("/");
      const qParameter = parameters.find((parameter) => parameter.startsWith("q="));
      const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
      return { type, subtype, q: Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0, order };
    })
    .filter((range) => range.type && range.subtype);
}

export function negotiate(accept: string | undefined): Representation | null {
  if (!accept?.trim()) return "json";
  const ranges = parseAccept(accept);
  let best: { representation: Representation; q: number; specificity: number; order: number } | null = null;
  for (const [mediaType, representation] of OFFERED) {
    const [type, subtype] = mediaType.split("/");
    let match: { q: number; specificity: number; order: number } | null = null;
    for (const range of ranges) {
      const specificity =
        range.type === type && range.subtype === subtype
          ? 2
          : range.type === type && range.subtype === "*"
            ? 1
            : range.type === "*"
              ? 0
              : -1;
      if (specificity < 0) continue;
      if (!match || specificity > match.specificity) match = { q: range.q, specificity, order: range.order };
    }
    if (!match || match.q <= 0) continue;
    const better =
      !best ||
      match.q > best.q ||
      (match.q === best.q &&
        (match.specificity > best.specificity || (match.specificity === best.specificity && match.order < best.order)));
    if (better) best = { representation, ...match };
  }
  return best?.representation ?? null;
}
