import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../http/context";
import { negotiate } from "../../http/negotiation";
import { HttpError } from "../../http/problem";
import { toXml } from "./codec";

/**
 * REST answers in the representation the Accept header asks for. Handlers,
 * the cache and error rendering all produce JSON; an XML client gets it
 * converted on the way out (errors included), with an ETag of its own.
 */
export const restRepresentation = createMiddleware<AppEnv>(async (c, next) => {
  const representation = negotiate(c.req.header("accept"));
  c.header("Vary", "Accept", { append: true });
  if (!representation) throw new HttpError(406, "this API answers in application/json or application/xml");
  await next();
  if (representation !== "xml" || !c.res.headers.get("content-type")?.startsWith("application/json")) return;
  const { status, headers } = c.res;
  const xml = toXml(await c.res.json());
  const etag = headers.get("etag");
  c.res = new Response(xml, { status, headers });
  c.res.headers.set("Content-Type", "application/xml; charset=utf-8");
  if (etag) c.res.headers.set("ETag", etag.replace(/"$/, '-xml"'));
});
