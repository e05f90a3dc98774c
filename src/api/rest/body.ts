import type * as v from "valibot";
import { isJsonMediaType, readJsonBody, readTextBody } from "../../http/body";
import { HttpError } from "../../http/problem";
import { parseInput } from "../validate";
import { fromXml } from "../xml/codec";

const XML_BODY = /^(?:application|text)\/xml\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * A REST request body in JSON or in XML (src/api/xml/codec.ts): either way it
 * becomes the same object and is validated by the same schema.
 */
export async function readRestBody<S extends v.GenericSchema>(request: Request, schema: S): Promise<v.InferOutput<S>> {
  const contentType = request.headers.get("content-type")?.trim() ?? "";
  if (XML_BODY.test(contentType)) return parseInput(schema, fromXml(await readTextBody(request)));
  if (!isJsonMediaType(contentType)) throw new HttpError(415, "request body must be application/json or application/xml");
  return parseInput(schema, await readJsonBody(request));
}
