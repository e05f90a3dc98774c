import { HttpError } from "./problem";

/** Largest request body accepted, in bytes: well above the longest valid article. */
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Throws (a 415) for a Content-Type the caller does not read. */
export type MediaTypeCheck = (contentType: string | null) => void;

/** `application/json` or any `+json` type, in UTF-8. */
export const isJsonMediaType = (contentType: string | null): boolean => !!contentType && JSON_MEDIA_TYPE.test(contentType.trim());

const jsonMediaType: MediaTypeCheck = (contentType) => {
  if (!isJsonMediaType(contentType)) {
    throw new HttpError(415, "request body must be application/json");
  }
};

/**
 * Reads a JSON request body. The size cap holds for chunked uploads too: the
 * stream is counted as it arrives and abandoned past the cap. Any JSON media
 * type is read unless the caller checks the Content-Type its own way
 * (JSON:API: exactly `application/vnd.api+json`).
 */
export async function readJsonBody(request: Request, checkMediaType: MediaTypeCheck = jsonMediaType): Promise<unknown> {
  checkMediaType(request.headers.get("content-type"));
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
  const text = await readCapped(request, MAX_BODY_BYTES);
  if (text.trim() === "") throw new HttpError(400, "request body is empty");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
}

/**
 * Reads a request body as UTF-8 text under the same caps (declared and
 * streamed) as JSON; the caller has checked the media type.
 */
export async function readTextBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
  const text = await readCapped(request, MAX_BODY_BYTES);
  if (text.trim() === "") throw new HttpError(400, "request body is empty");
  return text;
}

async function readCapped(request: Request, cap: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw new HttpError(413, `request body is larger than ${cap} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(400, "request body is not valid UTF-8");
  }
}
