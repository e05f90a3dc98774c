import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/context";
import { restRepresentationOf } from "../../http/negotiation";
import { HttpError } from "../../http/problem";
import { toXml } from "./codec";

/**
 * Which representation the REST caller asked for (406 if none it can have);
 * the REST error renderer and the conversion below read it. A browser tab gets
 * JSON (src/http/negotiation.ts), hence the second Vary.
 */
export const restNegotiation = createMiddleware<AppEnv>(async (c, next) => {
  c.header("Vary", "Accept, Sec-Fetch-Mode", { append: true });
  const representation = restRepresentationOf(c.req.header("accept"), c.req.header("sec-fetch-mode"));
  if (!representation) throw new HttpError(406, "this API answers in application/json or application/xml");
  c.set("representation", representation);
  await next();
});

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
