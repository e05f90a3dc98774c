import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/context";
import { ownMediaRepresentationOf, type Representation, restRepresentationOf } from "../../http/negotiation";
import { HttpError } from "../../http/problem";
import { toXml } from "./codec";

const negotiation = (representationOf: (c: Context<AppEnv>) => Representation | null, vary: string, refusal: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.header("Vary", vary, { append: true });
    const representation = representationOf(c);
    if (!representation) throw new HttpError(406, refusal);
    c.set("representation", representation);
    await next();
  });

/**
 * Which representation the REST caller asked for (406 if none it can have);
 * the REST error renderer and the conversion below read it. A browser tab gets
 * JSON (src/http/negotiation.ts), hence the second Vary.
 */
export const restNegotiation = negotiation(
  (c) => restRepresentationOf(c.req.header("accept"), c.req.header("sec-fetch-mode")),
  "Accept, Sec-Fetch-Mode",
  "this API answers in application/json or application/xml",
);

/** The same for a route that answers in a media type of its own (an Atom feed): 406 unless the caller accepts it. */
export const ownMediaNegotiation = (mediaType: string) =>
  negotiation(
    (c) => ownMediaRepresentationOf(c.req.header("accept"), mediaType),
    "Accept",
    `this resource is answered in ${mediaType} only`,
  );

/**
 * Handlers and the cache produce JSON; an XML client gets successful answers
 * converted on the way out, with an ETag of its own. (Errors are rendered in
 * XML by the REST error renderer itself.)
 */
export const xmlRepresentation = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.var.representation !== "xml" || !c.res.headers.get("content-type")?.startsWith("application/json")) return;
  const { status, headers } = c.res;
  const xml = toXml(await c.res.json());
  const etag = headers.get("etag");
  c.res = new Response(xml, { status, headers });
  c.res.headers.set("Content-Type", XML_MEDIA_TYPE);
  if (etag) c.res.headers.set("ETag", etag.replace(/"$/, '-xml"'));
});

export const XML_MEDIA_TYPE = "application/xml; charset=utf-8";
