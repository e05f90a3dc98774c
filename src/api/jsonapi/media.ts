import { JSONAPI_MEDIA_TYPE, JsonApiError } from "./errors";

// Content negotiation of JSON:API 1.1 (https://jsonapi.org/format/1.1/#content-negotiation).
// The media type may carry only the `ext` and `profile` parameters. This server
// applies no extension, so any `ext` is one it does not support; profiles it
// does not know are ignored, as the specification says. Hono has an Accept
// parser (hono/accepts) but it drops the media type parameters these rules
// turn on, hence the small parser here.

type MediaRange = { type: string; params: Map<string, string>; q: number };

/** Splits on `separator` outside double-quoted strings. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === "\\" && quoted) {
      current += char + (text[i + 1] ?? "");
      i++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** One media type or media range with its parameters (names lowercased) and, for Accept, its weight. */
function parseMediaRange(text: string): MediaRange {
  const [type = "", ...rest] = splitOutsideQuotes(text, ";").map((part) => part.trim());
  const params = new Map<string, string>();
  let q = 1;
  for (const part of rest) {
    if (!part) continue;
    const at = part.indexOf("=");
    const name = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    const value =
      at < 0
        ? ""
        : part
            .slice(at + 1)
            .trim()
            .replace(/^"(.*)"$/, "$1");
    // `q` ends the media type's parameters; what follows it are Accept extensions.
    if (name === "q") {
      const weight = Number(value);
      q = Number.isFinite(weight) ? weight : 1;
      break;
    }
    params.set(name, value);
  }
  return { type: type.toLowerCase(), params, q };
}

/** Parameters the JSON:API media type may carry that this server can honour. */
const usableParams = (range: MediaRange) => [...range.params.keys()].every((name) => name === "profile");

/**
 * Whether a response in the JSON:API media type meets the Accept header.
 * 406 when the header names the JSON:API media type only with parameters it
 * must not have (anything but `profile`, since no `ext` is supported: the
 * specification requires it), or when it names nothing this server answers.
 * A plain `application/json`, which ky, ofetch and hand-written fetch wrappers
 * send, is answered too: a JSON:API document is JSON, and the specification
 * asks for a 406 only in the first case.
 */
export function requireAcceptable(accept: string | undefined): void {
  if (accept === undefined || accept.trim() === "") return;
  const ranges = splitOutsideQuotes(accept, ",")
    .filter((part) => part.trim() !== "")
    .map(parseMediaRange);
  const jsonApi = ranges.filter((range) => range.type === JSONAPI_MEDIA_TYPE);
  const served = (range: MediaRange) =>
    range.q > 0 &&
    (range.type === "*/*" ||
      range.type === "application/*" ||
      range.type === "application/json" ||
      (range.type === JSONAPI_MEDIA_TYPE && usableParams(range)));
  if (jsonApi.length ? jsonApi.some(served) : ranges.some(served)) return;
  throw new JsonApiError(406, [
    {
      status: "406",
      code: "not_acceptable",
      title: "Not acceptable",
      detail: jsonApi.length
        ? `Accept names ${JSONAPI_MEDIA_TYPE} only with parameters this server does not support (it supports profile, no ext): send Accept: ${JSONAPI_MEDIA_TYPE}`
        : `this API answers in ${JSONAPI_MEDIA_TYPE}, which Accept does not allow: send Accept: ${JSONAPI_MEDIA_TYPE} (or application/json)`,
      source: { header: "Accept" },
    },
  ]);
}

/** For readJsonBody: a request body must be exactly the JSON:API media type (a `profile` is allowed). */
export function requireJsonApiBody(contentType: string | null): void {
  const range = contentType === null ? null : parseMediaRange(contentType);
  if (range && range.type === JSONAPI_MEDIA_TYPE && usableParams(range)) return;
  const detail =
    range?.type === JSONAPI_MEDIA_TYPE
      ? `Content-Type ${JSONAPI_MEDIA_TYPE} may carry no parameter but profile (no ext is supported): send Content-Type: ${JSONAPI_MEDIA_TYPE}, without charset or ext`
      : `request body must be ${JSONAPI_MEDIA_TYPE}: send Content-Type: ${JSONAPI_MEDIA_TYPE}`;
  throw new JsonApiError(415, [
    {
      status: "415",
      code: "unsupported_media_type",
      title: "Unsupported media type",
      detail,
      source: { header: "Content-Type" },
    },
  ]);
}
