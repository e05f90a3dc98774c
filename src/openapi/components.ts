import type { Header, Parameter, Reference, Response, Section } from "./types";

// What every section of the document refers to: the headers answers carry,
// the request headers of a conditional or bookmarked read, the 304.

const HEADERS = {
  "X-Request-Id": {
    description: "This request's id (an incoming plain-token `X-Request-Id` is echoed); errors are logged under it.",
    schema: { type: "string" },
  },
  "Server-Timing": {
    description:
      "What the request cost: `cache;desc=hit|miss|bypass` (the KV response cache) and `d1;desc=<round trips>;dur=<ms>;rows=<rows D1 read>`.",
    schema: { type: "string", examples: ["cache;desc=miss, d1;desc=1;dur=1.8;rows=143"] },
  },
  "X-D1-Bookmark": {
    description:
      "The D1 bookmark this request reached. Send it back in `X-D1-Bookmark` to read your own writes from any replica.",
    schema: { type: "string" },
  },
  ETag: { description: "A strong validator of the body; send it in `If-None-Match` to get a 304.", schema: { type: "string" } },
  Link: {
    description:
      'The pages next to this one (RFC 8288): `<…after=CURSOR>; rel="next"` and `<…before=CURSOR>; rel="prev"`, absolute URLs of the same query with a cursor in place of `offset`; each is absent at that end of the list. Following them costs the same at any depth.',
    schema: { type: "string" },
  },
  "Last-Modified": {
    description:
      "When what the answer shows last changed (absent when it shows nothing); send it in `If-Modified-Since` to get a 304.",
    schema: { type: "string", examples: ["Fri, 01 May 2026 09:30:00 GMT"] },
  },
  "Cache-Control": {
    description:
      "`public, max-age=0, must-revalidate` for cacheable anonymous answers, `private, no-cache` when signed in, `no-store` for writes and errors.",
    schema: { type: "string" },
  },
  "WWW-Authenticate": { description: '`Token realm="conduit"`', schema: { type: "string" } },
  "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer", examples: [60] } },
} satisfies Record<string, Header>;

const PARAMETERS = {
  D1Bookmark: {
    name: "X-D1-Bookmark",
    in: "header",
    description: "A bookmark from an earlier response: this request reads data at least that new.",
    schema: { type: "string" },
  },
  IfNoneMatch: {
    name: "If-None-Match",
    in: "header",
    description: "An ETag from an earlier answer: 304 if it still matches.",
    schema: { type: "string" },
  },
  IfModifiedSince: {
    name: "If-Modified-Since",
    in: "header",
    description: "A Last-Modified from an earlier answer: 304 if nothing changed since. Ignored when If-None-Match is sent.",
    schema: { type: "string" },
  },
} satisfies Record<string, Parameter>;

export const headerRef = (name: keyof typeof HEADERS): Reference => ({ $ref: `#/components/headers/${name}` });
export const parameterRef = (name: keyof typeof PARAMETERS): Reference => ({ $ref: `#/components/parameters/${name}` });

/** The headers of every answer. */
export const EVERY_RESPONSE = { "X-Request-Id": headerRef("X-Request-Id"), "Server-Timing": headerRef("Server-Timing") };

const RESPONSES = {
  NotModified: {
    description:
      "Not Modified: the `If-None-Match` ETag still matches or, without If-None-Match, nothing changed since `If-Modified-Since` (where the answer has a Last-Modified).",
    headers: EVERY_RESPONSE,
  },
} satisfies Record<string, Response>;

export const responseRef = (name: keyof typeof RESPONSES): Reference => ({ $ref: `#/components/responses/${name}` });

export const sharedSection = (): Section => ({
  tags: [],
  paths: {},
  components: { headers: HEADERS, parameters: PARAMETERS, responses: RESPONSES },
});
